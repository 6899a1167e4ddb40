"""One error hierarchy for every rule the ledger refuses, importable from here (``from ledger.errors import ...``).

Each error has a stable ``code`` (part of the public contract: the HTTP API puts it in the problem+json ``code``
member) and a ``kind`` that says which family of HTTP status it belongs to, without the domain knowing about HTTP.
The classes live by family in this package's modules. An answer kept under an idempotency key names a refusal by its
class's topic, stored as ``ledger.errors:Name``: every class is importable from here, and each says this package is
its module (below), so the topic a store writes stays ``ledger.errors:Name`` whichever module of the package defines
the class and wherever it moves later (``tests/integration/test_stored_names.py``).
"""

from __future__ import annotations

from ledger.errors.awards import (  # noqa: F401
    AwardAmountError,
    AwardApplicantNotAllowedError,
    AwardBaseRequiredError,
    AwardNotFoundError,
    AwardOtherCityError,
    AwardProgrammeNotFoundError,
    AwardSelectionCapError,
    AwardTitleWithdrawnError,
)
from ledger.errors.duplicates import (  # noqa: F401
    AlreadyExistsError,
    AlreadyFundedError,
    AlreadyRatedError,
    ContractAmountMismatchError,
    ContractOverclaimedError,
    DuplicateClaimError,
    DuplicateCollectionError,
    DuplicateVoucherError,
    EligibilityAlreadyDecidedError,
    YearAlreadyEvaluatedError,
    YearAlreadyOpenError,
)
from ledger.errors.families import (  # noqa: F401
    ConcurrentUpdateError,
    DuplicateError,
    EvidenceKeysNotDerivedError,
    IdempotencyKeyReusedError,
    InvalidInputError,
    LedgerError,
    NotFoundError,
    RuleViolationError,
    first_refusal,
)
from ledger.errors.input import (  # noqa: F401
    BankReferenceRequiredError,
    EffectiveInFutureError,
    FundingNotDeclaredError,
    InvalidAmountError,
    InvalidRateError,
    InvalidUSCCError,
    InvalidWorkingCalendarError,
    NaiveDatetimeError,
    UnknownCityError,
    WriteOffReasonRequiredError,
)
from ledger.errors.lookups import (  # noqa: F401
    BatchNotFoundError,
    CatalogueItemNotFoundError,
    ClaimNotFoundError,
    EnterpriseNotFoundError,
    EvaluationNotRunError,
    ProviderNotFoundError,
    PublicityListNotFoundError,
    RecoveryNotFoundError,
    VoucherNotFoundError,
    WorkingCalendarNotFoundError,
)
from ledger.errors.payment_rules import (  # noqa: F401
    ClaimHeldError,
    ClaimNotPublicisedError,
    ClaimUnderObjectionError,
    CollectionBeforeRecoveryError,
    EmptyBatchError,
    InvalidTransitionError,
    ObjectionWindowClosedError,
    PaidBeforeApprovalError,
    PaidBeforePublicityError,
    ProviderMismatchError,
    PublicityNotClosedError,
    PublicityWindowOpenError,
    RecoveryBeforePaymentError,
    RecoveryClosedError,
    RecoveryOverCollectedError,
)
from ledger.errors.programme_rules import (  # noqa: F401
    CarrierRateNotSetError,
    CatalogueDeadlineMismatchError,
    CatalogueNotPublishedError,
    CategoryMismatchError,
    CategoryNotCoveredError,
    CityQuotaExhaustedError,
    CityShareFixedError,
    ContractBeforePolicyError,
    DiscountRateTooLowError,
    EligibilityNotDecidedError,
    EligibleFeeExceedsContractError,
    NotCurrentYearError,
    NotEligibleError,
    PaymentInsufficientError,
    ProviderEliminatedError,
    ProviderNotWhitelistedError,
    ProviderQuotaExhaustedError,
    ProviderSuspendedError,
    QuotaBelowUsageError,
    QuotaExhaustedError,
    QuotaNotSetError,
    ShenzhenExcludedError,
    VoucherExhaustedError,
    VoucherExpiredError,
    VoucherNotYetExpiredError,
    VoucherRevokedError,
    WorkingCalendarNotRecordedError,
    YearNotInProgrammeError,
    YearNotOverError,
    ZeroSubsidyError,
)


def all_error_codes() -> dict[str, type[LedgerError]]:
    """Every stable code, for documentation and for a test that codes stay unique."""
    found: dict[str, type[LedgerError]] = {}
    pending: list[type[LedgerError]] = [LedgerError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


def _named_from_here() -> None:
    # Topics are stored data: a refusal's topic must not follow its class into whichever module of the package
    # defines it today (eventsourcing's get_topic reads ``__module__``).
    pending: list[type] = [LedgerError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(__name__ + "."):
            cls.__module__ = __name__


_named_from_here()
