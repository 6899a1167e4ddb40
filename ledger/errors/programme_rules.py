"""Refusals by the rules of the programme up to a claim: eligibility, the year and its catalogue, quotas, the voucher,
a claim's evidence, and the provider whitelist."""

from __future__ import annotations

from ledger.errors.families import RuleViolationError


class NotEligibleError(RuleViolationError):
    code = "NOT_ELIGIBLE"


class ShenzhenExcludedError(NotEligibleError):
    code = "SHENZHEN_EXCLUDED"


class EligibilityNotDecidedError(RuleViolationError):
    """A correction supersedes a decision: there must be one for the year to correct."""

    code = "ELIGIBILITY_NOT_DECIDED"


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


class CatalogueDeadlineMismatchError(RuleViolationError):
    """A catalogue names a redemption deadline other than its programme year's: a voucher is valid until the year's
    deadline (DOMAIN.md "Vouchers"), and one year has one."""

    code = "CATALOGUE_DEADLINE_MISMATCH"


class NotCurrentYearError(RuleViolationError):
    code = "NOT_CURRENT_YEAR"


class YearNotInProgrammeError(RuleViolationError):
    """No programme year of that number has been opened by the province (it may be opened later)."""

    code = "YEAR_NOT_IN_PROGRAMME"


class YearNotOverError(RuleViolationError):
    """The year's vouchers are still redeemable: what judges the whole year (the resource pool's evaluation) waits
    until its redemption deadline has passed."""

    code = "YEAR_NOT_OVER"


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


class WorkingCalendarNotRecordedError(RuleViolationError):
    """An objection window counts working days on the State Council's holiday arrangement of each calendar year it
    spans; without the province's record of a year's arrangement the deadline would be a guess, so nothing that
    needs it is decided (``ledger/working_calendar.py``)."""

    code = "WORKING_CALENDAR_NOT_RECORDED"
