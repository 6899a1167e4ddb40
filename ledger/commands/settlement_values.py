"""Command values about settlement (batches, payment, recoveries) and what else funds a contract.
(``ledger/commands/values.py`` says what a command value is.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.commands.command import Command


# -- settlement -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenBatch(Command):
    handler = "open_batch"
    batch_id: UUID
    provider_id: UUID
    period: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


@dataclass(frozen=True)
class AddToBatch(Command):
    handler = "add_to_batch"
    batch_id: UUID
    voucher_id: UUID
    claim_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id, self.voucher_id)


@dataclass(frozen=True)
class PayBatch(Command):
    handler = "pay_batch"
    batch_id: UUID
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


@dataclass(frozen=True)
class CollectRecovery(Command):
    handler = "collect_recovery"
    batch_id: UUID
    claim_id: UUID
    amount_fen: int
    bank_reference: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


@dataclass(frozen=True)
class WriteOffRecovery(Command):
    handler = "write_off_recovery"
    batch_id: UUID
    claim_id: UUID
    reason: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


# -- one item funded once -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordOtherFunding(Command):
    """The province records that another fiscal fund paid for a provider's contract: no voucher claims it then."""

    handler = "record_other_funding"
    provider_id: UUID
    contract_no: str
    fund_name: str
    document_no: str
    amount_fen: int
    effective_at: datetime
    reason: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id, ids.contract_key_id(self.provider_id, self.contract_no)) \
            if isinstance(self.contract_no, str) else (self.provider_id,)
