"""What a claim (redemption) states and proves, and the rules on that evidence alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from ledger.errors import (
    ContractBeforePolicyError,
    EligibleFeeExceedsContractError,
    InvalidInputError,
    PaymentInsufficientError,
)
from ledger.fiscal_time import POLICY_DATE, require_aware, shanghai_date
from ledger.money import check_fen

MIN_PAYMENT_NUMERATOR, MIN_PAYMENT_DENOMINATOR = 9, 10  # payment proven ≥ 90 % of the contract amount


class ClaimStatus(StrEnum):
    CLAIMED = "CLAIMED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    SETTLED = "SETTLED"
    REVERSED = "REVERSED"


@dataclass(frozen=True)
class ClaimEvidence:
    contract_no: str
    contract_date: datetime  # when the contract was signed (a real-world fact)
    contract_amount_fen: int
    invoice_nos: tuple[str, ...]
    payment_proven_fen: int
    payment_proof_ref: str
    acceptance_report_ref: str
    accepted_at: datetime  # service accepted: the claim's effective time

    def checked(self, claimed_at: datetime) -> ClaimEvidence:
        """Validate the evidence against the policy; return it with times in UTC and references trimmed."""
        contract_no = _required_text(self.contract_no, "contract number")
        invoices = tuple(_required_text(no, "invoice number") for no in self.invoice_nos or ())
        if not invoices:
            raise InvalidInputError("a claim carries at least one invoice number")
        if len({no.upper() for no in invoices}) != len(invoices):
            raise InvalidInputError("an invoice number is listed twice in one claim")
        contract_date = require_aware(self.contract_date, "contract date")
        accepted_at = require_aware(self.accepted_at, "acceptance time")
        contract_fen = check_fen(self.contract_amount_fen, "contract amount", allow_zero=False)
        paid_fen = check_fen(self.payment_proven_fen, "payment proven")
        if shanghai_date(contract_date) < POLICY_DATE:
            raise ContractBeforePolicyError(
                f"contract {contract_no} was signed on {shanghai_date(contract_date)}, before the policy of "
                f"{POLICY_DATE} (粵府〔2018〕23號)"
            )
        if paid_fen * MIN_PAYMENT_DENOMINATOR < contract_fen * MIN_PAYMENT_NUMERATOR:
            raise PaymentInsufficientError(
                f"payment proven ({paid_fen} fen) is below 90 % of the contract amount ({contract_fen} fen)"
            )
        if accepted_at < contract_date:
            raise InvalidInputError("the service cannot be accepted before its contract was signed")
        if accepted_at > claimed_at:
            raise InvalidInputError("a claim cannot be made before the service it claims for was accepted")
        return ClaimEvidence(
            contract_no=contract_no,
            contract_date=contract_date,
            contract_amount_fen=contract_fen,
            invoice_nos=invoices,
            payment_proven_fen=paid_fen,
            payment_proof_ref=_required_text(self.payment_proof_ref, "payment proof reference"),
            acceptance_report_ref=_required_text(self.acceptance_report_ref, "acceptance report reference"),
            accepted_at=accepted_at,
        )

    def check_eligible_fee(self, eligible_fee_fen: int) -> int:
        check_fen(eligible_fee_fen, "eligible fee", allow_zero=False)
        if eligible_fee_fen > self.contract_amount_fen:
            raise EligibleFeeExceedsContractError(
                f"eligible fee {eligible_fee_fen} fen exceeds the contract amount {self.contract_amount_fen} fen"
            )
        return eligible_fee_fen


def _required_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"a claim needs its {what}")
    return value.strip()


@dataclass
class Claim:
    """A claim's state inside its voucher (rebuilt from the voucher's events)."""

    claim_id: UUID
    provider_id: UUID
    amount_fen: int
    status: ClaimStatus
    claimed_at: datetime
    batch_id: UUID | None = None
    reversed_after_settlement: bool = False
    approved_at: datetime | None = None  # recorded time of the approval
    settled_at: datetime | None = None  # when the payment that settled it was made (its effective time)
    flagged: bool = False  # a suspension learned late covers it (see Voucher.ClaimFlagged)
    held: bool = False  # held from settlement until the province releases or reverses it

    @property
    def holds_balance(self) -> bool:
        """Rejected claims and claims reversed before settlement gave their amount back; all others hold it."""
        if self.status is ClaimStatus.REJECTED:
            return False
        return self.status is not ClaimStatus.REVERSED or self.reversed_after_settlement
