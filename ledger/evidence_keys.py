"""The duplicate rules of DOMAIN.md ("Duplicates"), held by two kinds of key aggregate that claims meet at.

- ``InvoiceKey``, one per invoice number whatever the provider: held by the one live claim that names it (one invoice
  pays one claim).
- ``ContractKey``, one per provider + contract number (the number is the provider's): the parts claimed on it, each
  with its eligible fee, whose sum never exceeds the contract amount; and whatever else funds it (an award, another
  fiscal fund). One item of work is funded once (DOMAIN.md "Awards"): a funded contract is claimed on no voucher,
  and a contract with live parts funds nothing else (``ALREADY_FUNDED``).

Their ids follow from the numbers (``ledger.ids``), so two claims naming the same invoice or contract change the same
aggregate: the store checks its version in the transaction that records the claim, and refuses the second of two
concurrent writers, which is then decided again and sees the first. A claim rejected in review releases its keys
(the enterprise may correct and resubmit the same evidence); a reversed claim keeps them (it was judged improper).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.errors import (
    AlreadyFundedError,
    ContractAmountMismatchError,
    ContractOverclaimedError,
    DuplicateClaimError,
    LedgerError,
)
from ledger.recording import By, LedgerAggregate


class InvoiceKey(LedgerAggregate):
    class Registered(LedgerAggregate.Created):
        invoice_no: str  # as compared (ids.evidence_number: NFKC, trimmed, upper-cased, ...)
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

    def duplicate(self, voucher_id: UUID) -> LedgerError | None:
        """The refusal of another claim, on ``voucher_id``, naming this invoice, if a live claim holds it. The
        holding claim is named only if it is on that same voucher: the refusal goes to the claimant, and a claim and
        voucher of another enterprise would tell it who claimed the invoice (a voucher id derives from a USCC). The
        rule does not know who asks, so a province or city caller is told as little (naming the holder to them would
        take the caller's scope, which only the API knows). A claim is named by its id: the ledger gives claims no
        number of their own (an import's ``claim_no`` only derives the id, importer/references.py, and is not kept).
        """
        if self.claim_id is None:
            return None
        if self.voucher_id == voucher_id:
            return DuplicateClaimError(f"invoice {self.invoice_no} is already on claim {self.claim_id} of this "
                                       f"voucher: one invoice pays one claim, whatever the provider")
        return DuplicateClaimError(f"invoice {self.invoice_no} is already on a claim of another voucher: one "
                                   f"invoice pays one claim, whatever the provider")

    def take(self, by: By, *, claim_id: UUID, voucher_id: UUID, provider_id: UUID) -> None:
        refusal = self.duplicate(voucher_id)
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
        contract_no: str  # as compared (ids.evidence_number: NFKC, trimmed, upper-cased, ...)
        contract_amount_fen: int
        claim_id: UUID
        voucher_id: UUID
        eligible_fee_fen: int

        def apply(self, key: ContractKey) -> None:
            key.provider_id, key.contract_no = self.provider_id, self.contract_no
            key.contract_amount_fen = self.contract_amount_fen
            key.parts = {self.claim_id: self.eligible_fee_fen}  # live parts: claim id -> eligible fee
            key.funding = None

    class Opened(LedgerAggregate.Created):
        """Made by funding from elsewhere, on a contract no claim named yet."""

        provider_id: UUID
        contract_no: str  # as compared (ids.evidence_number: NFKC, trimmed, upper-cased, ...)

        def apply(self, key: ContractKey) -> None:
            key.provider_id, key.contract_no = self.provider_id, self.contract_no
            key.contract_amount_fen, key.parts, key.funding = 0, {}, None

    class OtherFundingRecorded(LedgerAggregate.Event):
        """The province learned that another fiscal fund paid for this contract."""

        provider_id: UUID  # the key's, repeated so that the event names whose contract it is
        fund_name: str
        document_no: str
        amount_fen: int
        effective_at: datetime  # when that fund granted it
        reason: str

        def apply(self, key: ContractKey) -> None:
            key.funding = {"source": "OTHER_FUND", "fund_name": self.fund_name, "document_no": self.document_no,
                           "amount_fen": self.amount_fen, "effective_at": self.effective_at, "reason": self.reason}

    class AwardFunded(LedgerAggregate.Event):
        """An award granted for the work of this contract."""

        provider_id: UUID  # the key's, repeated so that the event names whose contract it is
        award_id: UUID
        amount_fen: int
        effective_at: datetime

        def apply(self, key: ContractKey) -> None:
            key.funding = {"source": "AWARD", "award_id": self.award_id, "amount_fen": self.amount_fen,
                           "effective_at": self.effective_at}

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

    @classmethod
    def open(cls, by: By, *, provider_id: UUID, contract_no: str) -> ContractKey:
        number = ids.evidence_number(contract_no)
        return cls._start(cls.Opened, ids.contract_key_id(provider_id, number), by, provider_id=provider_id,
                          contract_no=number)

    @property
    def claimed_fen(self) -> int:
        """The eligible fees of its live parts."""
        return sum(self.parts.values())

    def part_refusals(self, *, contract_amount_fen: int, eligible_fee_fen: int) -> list[LedgerError]:
        """Why a new part with these figures may not be claimed on this contract (empty: it may)."""
        if not self.parts:
            return []
        found: list[LedgerError] = []
        # The figures stored are told only to a claimant stating the same contract amount: a contract number is
        # the provider's and runs in sequence, so one who guessed it would otherwise learn another enterprise's
        # contract amount and what its parts claimed.
        known = contract_amount_fen == self.contract_amount_fen
        if not known:
            found.append(ContractAmountMismatchError(
                f"contract {self.contract_no} was claimed before for another contract amount than "
                f"{contract_amount_fen} fen: every part of a contract states the same amount"))
        left = self.contract_amount_fen - self.claimed_fen
        if eligible_fee_fen > left:
            found.append(ContractOverclaimedError(
                f"contract {self.contract_no} of {self.contract_amount_fen} fen has {self.claimed_fen} fen claimed in "
                f"{len(self.parts)} part(s): {left} fen left, {eligible_fee_fen} claimed" if known else
                f"contract {self.contract_no} has less left than the {eligible_fee_fen} fen claimed"))
        return found

    def claim_refusals(self) -> list[LedgerError]:
        """Why no voucher claim may name this contract, when something else funds it (empty: nothing does)."""
        if self.funding is None:
            return []
        # An award is not named by its id: the claimant may be another enterprise than its applicant.
        funder = "an award" if self.funding.get("source") == "AWARD" else self._funder()
        return [AlreadyFundedError(f"contract {self.contract_no} is already funded by {funder}: one item of "
                                   f"work is funded once, and it cannot also be claimed on a voucher")]

    def funding_refusal(self, *, award_id: UUID | None = None) -> LedgerError | None:
        """Why nothing else may fund this contract: a live claim part (a rejected claim's part was released; a
        reversed one's is kept), or a funding recorded before (other than by the same ``award_id``)."""
        if self.parts:
            return AlreadyFundedError(
                f"contract {self.contract_no} is claimed on vouchers ({self.claimed_fen} fen in {len(self.parts)} "
                f"part(s), claims {', '.join(sorted(str(c) for c in self.parts))}): it cannot be funded again")
        if self.funding is not None and (award_id is None or self.funding.get("award_id") != award_id):
            return AlreadyFundedError(f"contract {self.contract_no} is already funded by {self._funder()}")
        return None

    def record_other_funding(self, by: By, *, fund_name: str, document_no: str, amount_fen: int,
                             effective_at: datetime, reason: str, checked: bool = True) -> None:
        """Record that another fiscal fund paid for this contract (arguments checked by the caller). ``checked=False``
        records, as it was, a funding recorded under another form of the number while claims took this key."""
        refusal = self.funding_refusal()
        if checked and refusal is not None:
            raise refusal
        self._record(self.OtherFundingRecorded, by, provider_id=self.provider_id, fund_name=fund_name,
                     document_no=document_no, amount_fen=amount_fen, effective_at=effective_at, reason=reason)

    def fund_by_award(self, by: By, *, award_id: UUID, amount_fen: int, effective_at: datetime,
                      checked: bool = True) -> bool:
        """Let an award's grant fund this contract; say whether this recorded it (False: the same award already
        funds it, so a repeated grant changes nothing). Refused when claimed on a voucher or funded otherwise;
        ``checked=False`` records, as it was, a grant recorded under another form of the number."""
        refusal = self.funding_refusal(award_id=award_id)
        if checked and refusal is not None:
            raise refusal
        if self.funding is not None:
            return False
        self._record(self.AwardFunded, by, provider_id=self.provider_id, award_id=award_id, amount_fen=amount_fen,
                     effective_at=effective_at)
        return True

    def _funder(self) -> str:
        funding: dict[str, Any] = self.funding or {}
        if funding.get("source") == "AWARD":
            return f"award {funding['award_id']}"
        return f"{funding.get('fund_name')} ({funding.get('document_no')})"

    def add_part(self, by: By, *, claim_id: UUID, voucher_id: UUID, contract_amount_fen: int,
                 eligible_fee_fen: int, checked: bool = True) -> None:
        """Add a claim's part. ``checked=False`` records a part claimed before contract keys existed, as it was."""
        refusals = self.claim_refusals() + self.part_refusals(contract_amount_fen=contract_amount_fen,
                                                               eligible_fee_fen=eligible_fee_fen)
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
