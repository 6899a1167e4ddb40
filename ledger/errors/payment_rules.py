"""Refusals on a claim's way to payment and back: a step its state does not allow, settlement batches, holds after a
late suspension, publicity (公示) and recoveries (追回)."""

from __future__ import annotations

from ledger.errors.families import InvalidInputError, RuleViolationError


class InvalidTransitionError(RuleViolationError):
    """A claim, voucher or batch is not in a state that allows the command."""

    code = "INVALID_TRANSITION"


class ProviderMismatchError(RuleViolationError):
    code = "PROVIDER_MISMATCH"


class EmptyBatchError(RuleViolationError):
    code = "EMPTY_BATCH"


class ClaimHeldError(RuleViolationError):
    """A late-recorded suspension holds this claim from settlement until the province releases or reverses it."""

    code = "CLAIM_HELD"


class ClaimNotPublicisedError(RuleViolationError):
    """The claim's programme year pays only after publicity (公示), and the claim is on no publicity list."""

    code = "CLAIM_NOT_PUBLICISED"


class PublicityNotClosedError(RuleViolationError):
    """The claim is in publicity: its list is not closed yet (the objection window may still run)."""

    code = "PUBLICITY_NOT_CLOSED"


class ClaimUnderObjectionError(RuleViolationError):
    """An objection lodged during publicity holds the claim until the province upholds it or sustains the objection."""

    code = "CLAIM_UNDER_OBJECTION"


class ObjectionWindowClosedError(RuleViolationError):
    code = "OBJECTION_WINDOW_CLOSED"


class PublicityWindowOpenError(RuleViolationError):
    """A publicity list is closed only after its objection window ends."""

    code = "PUBLICITY_WINDOW_OPEN"


class RecoveryClosedError(RuleViolationError):
    """The recovery (追回) was collected in full or written off: nothing is due on it any more."""

    code = "RECOVERY_CLOSED"


class RecoveryOverCollectedError(RuleViolationError):
    """A collection larger than what is still due on the recovery."""

    code = "RECOVERY_OVER_COLLECTED"


class CollectionBeforeRecoveryError(RuleViolationError):
    """A collection or write-off dated before the recovery it settles took effect."""

    code = "COLLECTION_BEFORE_RECOVERY"


class PaidBeforeApprovalError(InvalidInputError):
    """A payment dated before the claim it settles was approved, or the award it pays was granted: money moves in
    order (approved, then paid), and a payment dated earlier would put the money in a cash year, and a stage, it was
    never in."""

    code = "PAID_BEFORE_APPROVAL"


class PaidBeforePublicityError(InvalidInputError):
    """A claim's payment dated before the objection window of the publicity list it is on ended, or before the
    province upheld it against an objection: a claim is payable only after its window closed, and an objection holds
    it until the ruling (DOMAIN.md, Publicity); a payment recorded after but dated before would have moved the money
    while objections could still come, or while the claim was held."""

    code = "PAID_BEFORE_PUBLICITY"


class RecoveryBeforePaymentError(InvalidInputError):
    """A recovery (追回) dated before the payment it reclaims took effect — a claim's settlement batch or an award's
    batch — or a collection or write-off of it dated so: money cannot be due back, or come back, before it went
    out."""

    code = "RECOVERY_BEFORE_PAYMENT"
