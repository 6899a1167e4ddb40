"""The claims on a voucher (:class:`ledger.voucher.Voucher`): a claim that passed the rules is recorded against the
balance, then approved or rejected, put in a settlement batch and settled, reversed, publicised, flagged after a
late-recorded suspension and released. The events are the voucher's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.claims import Claim, ClaimEvidence, ClaimStatus
from ledger.errors import (
    ClaimHeldError,
    ClaimNotFoundError,
    InvalidInputError,
    InvalidTransitionError,
    PaidBeforeApprovalError,
    PaidBeforePublicityError,
    ProviderMismatchError,
    RecoveryBeforePaymentError,
    VoucherExhaustedError,
    ZeroSubsidyError,
)
from ledger.fiscal_time import require_aware, shanghai_text
from ledger.recording import By


@dataclass(frozen=True)
class PricedClaim:
    """A claim that passed the voucher's checks, with its subsidy worked out; recording it is the next step."""

    claim_id: UUID
    provider_id: UUID
    evidence: ClaimEvidence  # validated, times in UTC
    fee_category: str
    eligible_fee_fen: int
    amount_fen: int  # min(rate × eligible fee rounded down, balance)


class VoucherClaims:
    """Mixed into ``Voucher``: the steps of its claims (its balance, status and events are the voucher's)."""

    # It reads the voucher's id, claims and balance, asks the voucher whether it is still redeemable, and records the
    # voucher's events.

    def claim(self, claim_id: UUID) -> Claim:
        try:
            return self.claims[claim_id]
        except KeyError:
            raise ClaimNotFoundError(f"voucher {self.id} has no claim {claim_id}") from None

    def record_claim(self, by: By, priced: PricedClaim) -> None:
        """Hold a claim that met every rule (``ledger.claim_rules.judge_claim``) against the balance."""
        # judge_claim decides and orders the refusals; the voucher still never lets any caller overdraw it or claim
        # on a voucher that is closed (DOMAIN.md: a balance never goes below zero).
        self._require_redeemable()
        if priced.amount_fen <= 0:
            raise ZeroSubsidyError(f"a claim of {priced.amount_fen} fen holds nothing")
        if priced.amount_fen > self.balance_fen:
            raise VoucherExhaustedError(f"{priced.amount_fen} fen is more than the {self.balance_fen} fen left")
        evidence = priced.evidence
        self._record(
            self.Claimed,
            by,
            claim_id=priced.claim_id,
            provider_id=priced.provider_id,
            contract_no=evidence.contract_no,
            contract_date=evidence.contract_date,
            contract_amount_fen=evidence.contract_amount_fen,
            invoice_nos=list(evidence.invoice_nos),
            payment_proven_fen=evidence.payment_proven_fen,
            payment_proof_ref=evidence.payment_proof_ref,
            acceptance_report_ref=evidence.acceptance_report_ref,
            fee_category=priced.fee_category,
            eligible_fee_fen=priced.eligible_fee_fen,
            amount_fen=priced.amount_fen,
            effective_at=evidence.accepted_at,
            no_other_funding=evidence.no_other_funding,
        )

    def approve(self, by: By, *, claim_id: UUID) -> None:
        self._require_status(claim_id, ClaimStatus.CLAIMED, "approved")
        self._record(self.ClaimApproved, by, claim_id=claim_id)

    def reject(self, by: By, *, claim_id: UUID, reason: str) -> int:
        claim = self._require_status(claim_id, ClaimStatus.CLAIMED, "rejected")
        self._record(self.ClaimRejected, by, claim_id=claim_id, reason=reason_text(reason), freed_fen=claim.amount_fen)
        return claim.amount_fen

    def add_to_batch(self, by: By, *, claim_id: UUID, batch_id: UUID, provider_id: UUID) -> Claim:
        claim = self._require_status(claim_id, ClaimStatus.APPROVED, "put in a settlement batch")
        if claim.provider_id != provider_id:
            raise ProviderMismatchError(f"claim {claim_id} is owed to provider {claim.provider_id}, not {provider_id}")
        if claim.batch_id is not None:
            raise InvalidTransitionError(f"claim {claim_id} is already in settlement batch {claim.batch_id}")
        if claim.held:
            raise ClaimHeldError(f"claim {claim_id} is held after a late-recorded suspension of its provider; "
                                 "the province must release or reverse it first")
        self._record(self.ClaimBatched, by, claim_id=claim_id, batch_id=batch_id)
        return claim

    def is_payable_in(self, claim_id: UUID, batch_id: UUID) -> bool:
        claim = self.claims.get(claim_id)
        return (claim is not None and claim.status is ClaimStatus.APPROVED and claim.batch_id == batch_id
                and not claim.held)

    def settle(self, by: By, *, claim_id: UUID, batch_id: UUID, effective_at: datetime) -> None:
        if not self.is_payable_in(claim_id, batch_id):
            raise InvalidTransitionError(f"claim {claim_id} is not an approved claim of batch {batch_id}")
        effective = require_aware(effective_at, "payment time")
        claim = self.claims[claim_id]
        if claim.approved_at is not None and effective < claim.approved_at:
            raise PaidBeforeApprovalError(
                f"claim {claim_id} was approved {shanghai_text(claim.approved_at)}: its payment cannot be "
                f"dated earlier ({shanghai_text(effective)})")
        # Publicity clears a claim at its window's end, whenever the list's close is recorded: the payment's own date
        # must not fall inside the window (a close recorded late does not make an earlier payment date proper).
        if claim.publicity_window_ends_at is not None and effective < claim.publicity_window_ends_at:
            raise PaidBeforePublicityError(
                f"claim {claim_id} was in publicity until {shanghai_text(claim.publicity_window_ends_at)}: its "
                f"payment cannot be dated earlier ({shanghai_text(effective)})")
        self._record(self.ClaimSettled, by, claim_id=claim_id, batch_id=batch_id, effective_at=effective)

    def reverse(self, by: By, *, claim_id: UUID, reason: str, effective_at: datetime) -> tuple[int, int]:
        """Reverse a claim (fraud, failed spot check). Returns (freed to the balance, to recover from the provider)."""
        claim = self.claim(claim_id)
        if claim.status not in (ClaimStatus.CLAIMED, ClaimStatus.APPROVED, ClaimStatus.SETTLED):
            raise InvalidTransitionError(f"claim {claim_id} is {claim.status.value} and cannot be reversed")
        after = claim.status is ClaimStatus.SETTLED
        effective = require_aware(effective_at, "effective time")
        # After payment the reversal raises a recovery: money cannot be due back before it went out (an award's
        # recovery is held to the same). Before payment a reversal may be dated back, even before the claim: it
        # then counts from the claim's own time (the read models' rule), which moves no money out of order.
        if after and claim.settled_at is not None and effective < claim.settled_at:
            raise RecoveryBeforePaymentError(
                f"claim {claim_id} was paid {shanghai_text(claim.settled_at)}: its reversal raises a recovery, which "
                f"cannot take effect before the claim was paid ({shanghai_text(effective)})")
        freed, recovery = (0, claim.amount_fen) if after else (claim.amount_fen, 0)
        self._record(
            self.ClaimReversed,
            by,
            claim_id=claim_id,
            reason=reason_text(reason),
            after_settlement=after,
            freed_fen=freed,
            recovery_fen=recovery,
            batch_id=claim.batch_id,
            effective_at=effective,
        )
        return freed, recovery

    def publicise(self, by: By, *, claim_id: UUID, list_id: UUID, window_ends_at: datetime) -> Claim:
        claim = self._require_status(claim_id, ClaimStatus.APPROVED, "publicised")
        if claim.publicity_list_id is not None:
            raise InvalidTransitionError(f"claim {claim_id} is already on publicity list {claim.publicity_list_id}")
        if claim.batch_id is not None:
            raise InvalidTransitionError(f"claim {claim_id} is already in settlement batch {claim.batch_id}")
        self._record(self.ClaimPublicised, by, claim_id=claim_id, list_id=list_id, window_ends_at=window_ends_at)
        return claim

    def flag_claim(self, by: By, *, claim_id: UUID, suspended_from: datetime, reason: str) -> bool:
        """Flag a claim covered by a late-recorded suspension; hold it if it is not settled. Returns whether held."""
        claim = self.claim(claim_id)
        if claim.status not in (ClaimStatus.CLAIMED, ClaimStatus.APPROVED, ClaimStatus.SETTLED):
            raise InvalidTransitionError(f"claim {claim_id} is {claim.status.value}; there is nothing to hold")
        held = claim.status is not ClaimStatus.SETTLED
        suspended_from = require_aware(suspended_from, "suspension time")
        self._record(self.ClaimFlagged, by, claim_id=claim_id, provider_id=claim.provider_id,
                     amount_fen=claim.amount_fen, held=held, batch_id=claim.batch_id if held else None,
                     reason=reason_text(reason), suspended_from=suspended_from,
                     effective_at=max(suspended_from, claim.claimed_at))
        return held

    def release_claim(self, by: By, *, claim_id: UUID, reason: str) -> None:
        claim = self.claim(claim_id)
        if not claim.held or claim.status not in (ClaimStatus.CLAIMED, ClaimStatus.APPROVED):
            raise InvalidTransitionError(f"claim {claim_id} is not held; there is nothing to release")
        self._record(self.ClaimReleased, by, claim_id=claim_id, provider_id=claim.provider_id,
                     amount_fen=claim.amount_fen, reason=reason_text(reason))

    def _require_status(self, claim_id: UUID, status: ClaimStatus, verb: str) -> Claim:
        claim = self.claim(claim_id)
        if claim.status is not status:
            raise InvalidTransitionError(
                f"claim {claim_id} is {claim.status.value}; only a claim that is {status.value} can be {verb}"
            )
        return claim


def reason_text(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError("a rejection, reversal or revocation records its reason")
    return reason.strip()
