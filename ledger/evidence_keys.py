"""The duplicate rules of DOMAIN.md ("Duplicates"), held by two kinds of key aggregate that claims meet at.

- ``InvoiceKey``, one per invoice number whatever the provider: held by the one live claim that names it (one invoice
  pays one claim).
- ``ContractKey``, one per provider + contract number (the number is the provider's): the parts claimed on it, each
  with its eligible fee, whose sum never exceeds the contract amount.

Their ids follow from the numbers (``ledger.ids``), so two claims naming the same invoice or contract change the same
aggregate: the store checks its version in the transaction that records the claim, and refuses the second of two
concurrent writers, which is then decided again and sees the first. A claim rejected in review releases its keys
(the enterprise may correct and resubmit the same evidence); a reversed claim keeps them (it was judged improper).
"""

from __future__ import annotations

from uuid import UUID

from ledger import ids
from ledger.errors import ContractAmountMismatchError, ContractOverclaimedError, DuplicateClaimError, LedgerError
from ledger.recording import By, LedgerAggregate


class InvoiceKey(LedgerAggregate):
    class Registered(LedgerAggregate.Created):
        invoice_no: str  # as compared: trimmed, upper-cased
        claim_id: UUID
        voucher_id: UUID
        provider_id: UUID

        def apply(self, key: InvoiceKey) -> None:
            key.invoice_no = self.invoice_no
            key.claim_id, key.voucher_id, key.provider_id = self.claim_id, self.voucher_id, self.provider_id

    class Taken(LedgerAggregate.Event):
        """Named again by a claim after the claim that held it was rejected."""

        claim_id: UUID
        voucher_id: UUID
        provider_id: UUID

        def apply(self, key: InvoiceKey) -> None:
            key.claim_id, key.voucher_id, key.provider_id = self.claim_id, self.voucher_id, self.provider_id

    class Released(LedgerAggregate.Event):
        claim_id: UUID
        voucher_id: UUID
        reason: str

        def apply(self, key: InvoiceKey) -> None:
            key.claim_id = None  # free: the next claim naming it takes it

    @classmethod
    def register(cls, by: By, *, invoice_no: str, claim_id: UUID, voucher_id: UUID, provider_id: UUID) -> InvoiceKey:
        number = ids.evidence_number(invoice_no)
        return cls._start(cls.Registered, ids.invoice_key_id(number), by, invoice_no=number, claim_id=claim_id,
                          voucher_id=voucher_id, provider_id=provider_id)

    def duplicate(self) -> LedgerError | None:
        """The refusal of another claim naming this invoice, if a live claim holds it."""
        if self.claim_id is None:
            return None
        return DuplicateClaimError(f"invoice {self.invoice_no} is already on claim {self.claim_id} (voucher "
                                   f"{self.voucher_id}): one invoice pays one claim, whatever the provider")

    def take(self, by: By, *, claim_id: UUID, voucher_id: UUID, provider_id: UUID) -> None:
        refusal = self.duplicate()
        if refusal is not None:
            raise refusal
        self._record(self.Taken, by, claim_id=claim_id, voucher_id=voucher_id, provider_id=provider_id)

    def release(self, by: By, *, claim_id: UUID, reason: str) -> bool:
        """Free the invoice if this claim holds it; say whether it did."""
        if self.claim_id != claim_id:
            return False
        self._record(self.Released, by, claim_id=claim_id, voucher_id=self.voucher_id, reason=reason)
        return True


class ContractKey(LedgerAggregate):
    class Registered(LedgerAggregate.Created):
        provider_id: UUID
        contract_no: str  # as compared: trimmed, upper-cased
        contract_amount_fen: int
        claim_id: UUID
        voucher_id: UUID
        eligible_fee_fen: int

        def apply(self, key: ContractKey) -> None:
            key.provider_id, key.contract_no = self.provider_id, self.contract_no
            key.contract_amount_fen = self.contract_amount_fen
            key.parts = {self.claim_id: self.eligible_fee_fen}  # live parts: claim id -> eligible fee

    class PartAdded(LedgerAggregate.Event):
        claim_id: UUID
        voucher_id: UUID
        contract_amount_fen: int
        eligible_fee_fen: int

        def apply(self, key: ContractKey) -> None:
            if not key.parts:
                key.contract_amount_fen = self.contract_amount_fen  # no live part states it any more
            key.parts[self.claim_id] = self.eligible_fee_fen

    class PartReleased(LedgerAggregate.Event):
        claim_id: UUID
        voucher_id: UUID
        eligible_fee_fen: int
        reason: str

        def apply(self, key: ContractKey) -> None:
            del key.parts[self.claim_id]

    @classmethod
    def register(cls, by: By, *, provider_id: UUID, contract_no: str, contract_amount_fen: int, claim_id: UUID,
                 voucher_id: UUID, eligible_fee_fen: int) -> ContractKey:
        number = ids.evidence_number(contract_no)
        return cls._start(cls.Registered, ids.contract_key_id(provider_id, number), by, provider_id=provider_id,
                          contract_no=number, contract_amount_fen=contract_amount_fen, claim_id=claim_id,
                          voucher_id=voucher_id, eligible_fee_fen=eligible_fee_fen)

    @property
    def claimed_fen(self) -> int:
        """The eligible fees of its live parts."""
        return sum(self.parts.values())

    def part_refusals(self, *, contract_amount_fen: int, eligible_fee_fen: int) -> list[LedgerError]:
        """Why a new part with these figures may not be claimed on this contract (empty: it may)."""
        if not self.parts:
            return []
        found: list[LedgerError] = []
        if contract_amount_fen != self.contract_amount_fen:
            found.append(ContractAmountMismatchError(
                f"contract {self.contract_no} was claimed for an amount of {self.contract_amount_fen} fen, "
                f"not {contract_amount_fen}"))
        left = self.contract_amount_fen - self.claimed_fen
        if eligible_fee_fen > left:
            found.append(ContractOverclaimedError(
                f"contract {self.contract_no} of {self.contract_amount_fen} fen has {self.claimed_fen} fen claimed in "
                f"{len(self.parts)} part(s): {left} fen left, {eligible_fee_fen} claimed"))
        return found

    def add_part(self, by: By, *, claim_id: UUID, voucher_id: UUID, contract_amount_fen: int,
                 eligible_fee_fen: int, checked: bool = True) -> None:
        """Add a claim's part. ``checked=False`` records a part claimed before contract keys existed, as it was."""
        refusals = self.part_refusals(contract_amount_fen=contract_amount_fen, eligible_fee_fen=eligible_fee_fen)
        if checked and refusals:
            raise refusals[0]
        self._record(self.PartAdded, by, claim_id=claim_id, voucher_id=voucher_id,
                     contract_amount_fen=contract_amount_fen, eligible_fee_fen=eligible_fee_fen)

    def release_part(self, by: By, *, claim_id: UUID, voucher_id: UUID, reason: str) -> bool:
        """Give back a claim's part if the contract holds one; say whether it did."""
        if claim_id not in self.parts:
            return False
        self._record(self.PartReleased, by, claim_id=claim_id, voucher_id=voucher_id,
                     eligible_fee_fen=self.parts[claim_id], reason=reason)
        return True
