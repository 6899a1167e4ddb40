"""Bad input: a value the ledger cannot take whatever the state (``INVALID_INPUT`` and its finer codes)."""

from __future__ import annotations

from ledger.errors.families import InvalidInputError


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


class EffectiveInFutureError(InvalidInputError):
    """A fact's effective time (when it happened) is later than the time the ledger records it: the ledger records
    what has happened, so "paid on 2030-01-01" recorded today is a typing error, not a plan."""

    code = "EFFECTIVE_IN_FUTURE"


class InvalidWorkingCalendarError(InvalidInputError):
    """A year's working calendar that cannot be the State Council's arrangement: a date outside the year, a day both
    off and worked, a make-up working day that is not a weekend day, no notice named."""

    code = "INVALID_WORKING_CALENDAR"
