"""Command values about vouchers and the claims on them (``ledger/commands/values.py`` says what a command value
is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.claims import ClaimEvidence
from ledger.commands.command import Command


# -- vouchers and claims ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueVoucher(Command):
    handler = "issue_voucher"
    enterprise_id: UUID
    year: int
    item_id: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.enterprise_id, ids.catalogue_id(self.year))


@dataclass(frozen=True)
class SubmitClaim(Command):
    """``on_behalf_of``: the enterprise submitting it, when an enterprise does; a voucher of another enterprise is
    then answered exactly as an unknown one (ids derive from USCCs, so a difference would leak who holds what)."""

    handler = "claim"
    voucher_id: UUID
    claim_id: UUID
    provider_id: UUID
    evidence: ClaimEvidence
    fee_category: str
    eligible_fee_fen: int
    on_behalf_of: UUID | None = None

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id, self.provider_id)


@dataclass(frozen=True)
class _OnAClaim(Command):
    voucher_id: UUID
    claim_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id,)


@dataclass(frozen=True)
class ApproveClaim(_OnAClaim):
    handler = "approve_claim"


@dataclass(frozen=True)
class RejectClaim(_OnAClaim):
    handler = "reject_claim"
    reason: str


@dataclass(frozen=True)
class ReverseClaim(_OnAClaim):
    handler = "reverse_claim"
    reason: str
    effective_at: datetime


@dataclass(frozen=True)
class ReleaseClaim(_OnAClaim):
    handler = "release_claim"
    reason: str


@dataclass(frozen=True)
class ExpireVoucher(Command):
    handler = "expire_voucher"
    voucher_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id,)


@dataclass(frozen=True)
class RevokeVoucher(Command):
    handler = "revoke_voucher"
    voucher_id: UUID
    reason: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id,)
