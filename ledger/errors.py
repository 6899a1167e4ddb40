"""One error hierarchy for every rule the ledger refuses.

Each error has a stable ``code`` (part of the public contract: the HTTP API puts it in the problem+json ``code``
member) and a ``kind`` that says which family of HTTP status it belongs to, without the domain knowing about HTTP.
"""

from __future__ import annotations

from typing import ClassVar


class LedgerError(Exception):
    code: ClassVar[str] = "LEDGER_ERROR"
    kind: ClassVar[str] = "invalid"  # invalid | not_found | conflict | unavailable

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        # Every rule a refused command broke, as (code, message), when it was judged on several (a claim): this
        # error is the first of them in the documented order.
        self.violations: tuple[tuple[str, str], ...] = ()


def first_refusal(refusals: list[LedgerError]) -> LedgerError:
    """The first of several refusals (in the order they were listed), carrying the list of them all."""
    first = refusals[0]
    first.violations = tuple((r.code, r.detail) for r in refusals)
    return first


# -- bad input -------------------------------------------------------------------------------------------------------
class InvalidInputError(LedgerError):
    code = "INVALID_INPUT"


class FundingNotDeclaredError(InvalidInputError):
    """A claim states whether its contract has other fiscal funding (DOMAIN.md "Awards": one item funded once); a
    claim that does not say is refused, never read as a "no"."""

    code = "FUNDING_NOT_DECLARED"


class InvalidUSCCError(InvalidInputError):
    code = "INVALID_USCC"


class UnknownCityError(InvalidInputError):
    code = "UNKNOWN_CITY"


class InvalidAmountError(InvalidInputError):
    code = "INVALID_AMOUNT"


class InvalidRateError(InvalidInputError):
    code = "INVALID_RATE"


class NaiveDatetimeError(InvalidInputError):
    code = "NAIVE_DATETIME"


class BankReferenceRequiredError(InvalidInputError):
    code = "BANK_REFERENCE_REQUIRED"


class WriteOffReasonRequiredError(InvalidInputError):
    code = "WRITE_OFF_REASON_REQUIRED"


# -- rules of the programme ------------------------------------------------------------------------------------------
class RuleViolationError(LedgerError):
    code = "RULE_VIOLATION"
    kind = "conflict"


class NotEligibleError(RuleViolationError):
    code = "NOT_ELIGIBLE"


class ShenzhenExcludedError(NotEligibleError):
    code = "SHENZHEN_EXCLUDED"


class CategoryNotCoveredError(RuleViolationError):
    code = "CATEGORY_NOT_COVERED"


class CategoryMismatchError(RuleViolationError):
    code = "CATEGORY_MISMATCH"


class DiscountRateTooLowError(RuleViolationError):
    code = "DISCOUNT_RATE_TOO_LOW"


class CarrierRateNotSetError(RuleViolationError):
    code = "CARRIER_RATE_NOT_SET"


class CatalogueNotPublishedError(RuleViolationError):
    code = "CATALOGUE_NOT_PUBLISHED"


class NotCurrentYearError(RuleViolationError):
    code = "NOT_CURRENT_YEAR"


class YearNotInProgrammeError(RuleViolationError):
    """No programme year of that number has been opened by the province (it may be opened later)."""

    code = "YEAR_NOT_IN_PROGRAMME"


class QuotaExhaustedError(RuleViolationError):
    code = "QUOTA_EXHAUSTED"


class CityQuotaExhaustedError(QuotaExhaustedError):
    code = "CITY_QUOTA_EXHAUSTED"


class ProviderQuotaExhaustedError(QuotaExhaustedError):
    code = "PROVIDER_QUOTA_EXHAUSTED"


class QuotaNotSetError(RuleViolationError):
    code = "QUOTA_NOT_SET"


class CityShareFixedError(RuleViolationError):
    code = "CITY_SHARE_FIXED"


class QuotaBelowUsageError(RuleViolationError):
    code = "QUOTA_BELOW_USAGE"


class VoucherExpiredError(RuleViolationError):
    code = "VOUCHER_EXPIRED"


class VoucherNotYetExpiredError(RuleViolationError):
    code = "VOUCHER_NOT_YET_EXPIRED"


class VoucherRevokedError(RuleViolationError):
    code = "VOUCHER_REVOKED"


class VoucherExhaustedError(RuleViolationError):
    code = "VOUCHER_EXHAUSTED"


class ZeroSubsidyError(RuleViolationError):
    code = "ZERO_SUBSIDY"


class ContractBeforePolicyError(RuleViolationError):
    code = "CONTRACT_BEFORE_POLICY"


class PaymentInsufficientError(RuleViolationError):
    code = "PAYMENT_INSUFFICIENT"


class EligibleFeeExceedsContractError(RuleViolationError):
    code = "ELIGIBLE_FEE_EXCEEDS_CONTRACT"


class ProviderNotWhitelistedError(RuleViolationError):
    code = "PROVIDER_NOT_WHITELISTED"


class ProviderSuspendedError(ProviderNotWhitelistedError):
    code = "PROVIDER_SUSPENDED"


class ProviderEliminatedError(ProviderNotWhitelistedError):
    code = "PROVIDER_ELIMINATED"


class InvalidTransitionError(RuleViolationError):
    """A claim, voucher or batch is not in a state that allows the command."""

    code = "INVALID_TRANSITION"


class ProviderMismatchError(RuleViolationError):
    code = "PROVIDER_MISMATCH"


class EmptyBatchError(RuleViolationError):
    code = "EMPTY_BATCH"


class RecoveryClosedError(RuleViolationError):
    """The recovery (追回) was collected in full or written off: nothing is due on it any more."""

    code = "RECOVERY_CLOSED"


class RecoveryOverCollectedError(RuleViolationError):
    """A collection larger than what is still due on the recovery."""

    code = "RECOVERY_OVER_COLLECTED"


class CollectionBeforeRecoveryError(RuleViolationError):
    """A collection or write-off dated before the recovery it settles took effect."""

    code = "COLLECTION_BEFORE_RECOVERY"


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


# -- duplicates and concurrency --------------------------------------------------------------------------------------
class DuplicateError(LedgerError):
    code = "DUPLICATE"
    kind = "conflict"


class DuplicateClaimError(DuplicateError):
    code = "DUPLICATE_CLAIM"


class ContractOverclaimedError(DuplicateError):
    """The parts claimed on one contract would add up to more than its amount."""

    code = "CONTRACT_OVERCLAIMED"


class ContractAmountMismatchError(DuplicateError):
    """A part of a contract states another contract amount than the parts claimed before it."""

    code = "CONTRACT_AMOUNT_MISMATCH"


class AlreadyFundedError(DuplicateError):
    """One item of work is funded once: a contract funded by an award or another fiscal fund is not claimed on a
    voucher, and a contract claimed on a voucher funds nothing else."""

    code = "ALREADY_FUNDED"


class DuplicateVoucherError(DuplicateError):
    code = "DUPLICATE_VOUCHER"


class AlreadyExistsError(DuplicateError):
    code = "ALREADY_EXISTS"


class YearAlreadyOpenError(DuplicateError):
    code = "YEAR_ALREADY_OPEN"


class AlreadyRatedError(DuplicateError):
    """An enterprise rates the service of one claim once."""

    code = "ALREADY_RATED"


class YearAlreadyEvaluatedError(DuplicateError):
    """A programme year's resource pool is evaluated once; its ratings and complaints are closed after it."""

    code = "YEAR_ALREADY_EVALUATED"


class EligibilityAlreadyDecidedError(DuplicateError):
    code = "ELIGIBILITY_ALREADY_DECIDED"


class EligibilityNotDecidedError(RuleViolationError):
    """A correction supersedes a decision: there must be one for the year to correct."""

    code = "ELIGIBILITY_NOT_DECIDED"


class ConcurrentUpdateError(LedgerError):
    """Version conflicts persisted after the configured number of attempts; nothing was written."""

    code = "CONCURRENT_UPDATE"
    kind = "conflict"


class IdempotencyKeyReusedError(LedgerError):
    """An idempotency key already answered another request: the caller must use a new key."""

    code = "IDEMPOTENCY_KEY_REUSED"
    kind = "conflict"


# -- the store is not ready for the command --------------------------------------------------------------------------
class EvidenceKeysNotDerivedError(LedgerError):
    """The store holds claims made before invoice and contract keys existed and their keys are not derived yet: a new
    claim could reuse their evidence unseen, so claims wait (every other command works)."""

    code = "EVIDENCE_KEYS_NOT_DERIVED"
    kind = "unavailable"


# -- lookups ---------------------------------------------------------------------------------------------------------
class NotFoundError(LedgerError):
    code = "NOT_FOUND"
    kind = "not_found"


class EnterpriseNotFoundError(NotFoundError):
    code = "ENTERPRISE_NOT_FOUND"


class ProviderNotFoundError(NotFoundError):
    code = "PROVIDER_NOT_FOUND"


class VoucherNotFoundError(NotFoundError):
    code = "VOUCHER_NOT_FOUND"


class ClaimNotFoundError(NotFoundError):
    code = "CLAIM_NOT_FOUND"


class CatalogueItemNotFoundError(NotFoundError):
    code = "CATALOGUE_ITEM_NOT_FOUND"


class BatchNotFoundError(NotFoundError):
    code = "BATCH_NOT_FOUND"


class PublicityListNotFoundError(NotFoundError):
    code = "PUBLICITY_LIST_NOT_FOUND"
class EvaluationNotRunError(NotFoundError):
    code = "EVALUATION_NOT_RUN"


class RecoveryNotFoundError(NotFoundError):
    code = "RECOVERY_NOT_FOUND"


def all_error_codes() -> dict[str, type[LedgerError]]:
    """Every stable code, for documentation and for a test that codes stay unique."""
    found: dict[str, type[LedgerError]] = {}
    pending: list[type[LedgerError]] = [LedgerError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


# -- awards (二, 三) ---------------------------------------------------------------------------------------------------
class AwardApplicantNotAllowedError(RuleViolationError):
    """The award programme does not take applications from this kind of applicant."""

    code = "AWARD_APPLICANT_NOT_ALLOWED"


class AwardOtherCityError(RuleViolationError):
    """A city recommends (or declines) only the applications of its own city."""

    code = "AWARD_OTHER_CITY"


class AwardSelectionCapError(RuleViolationError):
    """The programme's cap of awards selected at any time is reached (key platforms: at most 20)."""

    code = "AWARD_SELECTION_CAP_REACHED"


class AwardAmountError(RuleViolationError):
    """The amount granted does not follow the programme's rule (fixed amount, rate of a base, cap, title only)."""

    code = "AWARD_AMOUNT_INVALID"


class AwardProgrammeNotFoundError(NotFoundError):
    code = "AWARD_PROGRAMME_NOT_FOUND"


class AwardNotFoundError(NotFoundError):
    code = "AWARD_NOT_FOUND"
