"""Refusals of the awards (二, 三): who may apply, a city acting on another's application, the selection cap, the amount,
and lookups of programmes and awards."""

from __future__ import annotations

from ledger.errors.families import NotFoundError, RuleViolationError


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
