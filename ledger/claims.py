"""What a claim (redemption) states and proves, and the rules on that evidence alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from ledger.errors import (
    ContractBeforePolicyError,
    EligibleFeeExceedsContractError,
    FundingNotDeclaredError,
    InvalidInputError,
    LedgerError,
    PaymentInsufficientError,
)
from ledger.ids import evidence_number
from ledger.fiscal_time import require_aware, shanghai_date
from ledger.money import check_fen
from ledger.programme import YearRules

T = TypeVar("T")


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
    # The claimant's declaration that no other fiscal fund (an award, another programme) pays for this contract
    # (DOMAIN.md "Awards": one item funded once). None: not declared, which is refused, never read as a "no".
    no_other_funding: bool | None = None

    def key_numbers(self) -> tuple[str | None, tuple[str, ...]]:
        """The contract number and invoice numbers that name evidence keys, as compared (``ids.evidence_number``);
        whatever is malformed is left out (the review refuses it)."""
        contract = evidence_number(self.contract_no) if _number(self.contract_no) else None
        invoices = tuple(evidence_number(no) for no in _listed(self.invoice_nos) if _number(no))
        return contract, invoices

    def review(self, claimed_at: datetime, eligible_fee_fen: object, rules: YearRules | None) -> EvidenceReview:
        """Every problem of this evidence on its own, in two groups of the refusal order (DOMAIN.md): what is
        malformed, and what the year's ``rules`` refuse (a contract before the date it covers from, payment below
        its share of the contract; not judged without a year). With nothing malformed, the evidence normalised:
        times in UTC, references trimmed."""
        malformed: list[LedgerError] = []
        against_policy: list[LedgerError] = []
        contract_no = _number(self.contract_no)
        if contract_no is None:
            malformed.append(InvalidInputError("a claim needs its contract number"))
        listed = _listed(self.invoice_nos)
        invoices = tuple(no.strip() for no in listed if _number(no))
        if len(invoices) != len(listed):
            malformed.append(InvalidInputError("a claim needs its invoice numbers: one is missing or blank"))
        elif not invoices:
            malformed.append(InvalidInputError("a claim carries at least one invoice number"))
        if len({evidence_number(no) for no in invoices}) != len(invoices):
            malformed.append(InvalidInputError("an invoice number is listed twice in one claim"))
        proof, report = _text(self.payment_proof_ref), _text(self.acceptance_report_ref)
        if proof is None:
            malformed.append(InvalidInputError("a claim needs its payment proof reference"))
        if report is None:
            malformed.append(InvalidInputError("a claim needs its acceptance report reference"))
        contract_date = _checked(malformed, lambda: require_aware(self.contract_date, "contract date"))
        accepted_at = _checked(malformed, lambda: require_aware(self.accepted_at, "acceptance time"))
        contract_fen = _checked(malformed, lambda: check_fen(self.contract_amount_fen, "contract amount",
                                                             allow_zero=False))
        paid_fen = _checked(malformed, lambda: check_fen(self.payment_proven_fen, "payment proven"))
        fee = _checked(malformed, lambda: check_fen(eligible_fee_fen, "eligible fee", allow_zero=False))
        if fee is not None and contract_fen is not None and fee > contract_fen:
            malformed.append(EligibleFeeExceedsContractError(
                f"eligible fee {fee} fen exceeds the contract amount {contract_fen} fen"))
        if not isinstance(self.no_other_funding, bool):
            malformed.append(FundingNotDeclaredError(
                "a claim declares whether its contract has other fiscal funding (no_other_funding: true when no "
                "award or other fiscal fund pays for it); this one does not say"))
        if accepted_at is not None and contract_date is not None and accepted_at < contract_date:
            malformed.append(InvalidInputError("the service cannot be accepted before its contract was signed"))
        if accepted_at is not None and accepted_at > claimed_at:
            malformed.append(InvalidInputError("a claim cannot be made before the service it claims for was accepted"))
        if rules is not None and contract_date is not None and shanghai_date(contract_date) < rules.contracts_from:
            against_policy.append(ContractBeforePolicyError(
                f"contract {contract_no or '(no number)'} was signed on {shanghai_date(contract_date)}, before "
                f"{rules.contracts_from}, the date the {rules.year} programme year covers contracts from"))
        if (rules is not None and paid_fen is not None and contract_fen is not None
                and not rules.payment_sufficient(paid_fen, contract_fen)):
            against_policy.append(PaymentInsufficientError(
                f"payment proven ({paid_fen} fen) is below {rules.payment_percent} % of the contract amount "
                f"({contract_fen} fen)"))
        if malformed:
            return EvidenceReview(None, tuple(malformed), tuple(against_policy))
        normalised = ClaimEvidence(
            contract_no=contract_no, contract_date=contract_date, contract_amount_fen=contract_fen,
            invoice_nos=invoices, payment_proven_fen=paid_fen, payment_proof_ref=proof, acceptance_report_ref=report,
            accepted_at=accepted_at, no_other_funding=self.no_other_funding,
        )  # type: ignore[arg-type]  # none is None when nothing is malformed
        return EvidenceReview(normalised, (), tuple(against_policy))


@dataclass(frozen=True)
class EvidenceReview:
    evidence: ClaimEvidence | None  # normalised; None when something is malformed
    malformed: tuple[LedgerError, ...]
    against_policy: tuple[LedgerError, ...]


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: object) -> str | None:
    """A contract or invoice number, trimmed as written; None when nothing is left of it once compared (blank, or
    only invisible characters such as a zero-width space, which would otherwise all name one key)."""
    return value.strip() if isinstance(value, str) and evidence_number(value) else None


def _listed(values: object) -> tuple[object, ...]:
    return tuple(values) if isinstance(values, list | tuple) else ()


def _checked(found: list[LedgerError], check: Callable[[], T]) -> T | None:
    """One field's validation, whose refusal joins the others instead of ending the review."""
    try:
        return check()
    except LedgerError as error:
        found.append(error)
        return None


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
    publicity_list_id: UUID | None = None  # the publicity list (公示) it is on, if any
    publicity_window_ends_at: datetime | None = None  # and when that list's objection window ended: paid no earlier
    # The evidence it names (its keys: released by a rejection, kept by a reversal).
    contract_no: str = ""
    contract_amount_fen: int = 0
    invoice_nos: tuple[str, ...] = field(default=())
    eligible_fee_fen: int = 0

    @property
    def holds_balance(self) -> bool:
        """Rejected claims and claims reversed before settlement gave their amount back; all others hold it."""
        if self.status is ClaimStatus.REJECTED:
            return False
        return self.status is not ClaimStatus.REVERSED or self.reversed_after_settlement
