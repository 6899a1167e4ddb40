"""Refusals of the awards (二, 三): who may apply, a city acting on another's application, the selection cap, the amount,
a base a rate needs, a title withdrawn, and lookups of programmes and awards."""

from __future__ import annotations

from ledger.errors.families import InvalidInputError, NotFoundError, RuleViolationError


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


class AwardBaseRequiredError(InvalidInputError):
    """An application to a programme whose amount is a rate of a base (key platforms: 30 % of R&D spend) declares
    no base: it could never be granted, so it is refused before it can take a place under the programme's cap."""

    code = "AWARD_BASE_REQUIRED"


class AwardTitleWithdrawnError(RuleViolationError):
    """The province withdrew the award's title (it gave up its place under the cap): it is neither granted nor paid.
    Money already paid stays paid; reclaiming it is a recovery (追回)."""

    code = "AWARD_TITLE_WITHDRAWN"


class AwardProgrammeNotFoundError(NotFoundError):
    code = "AWARD_PROGRAMME_NOT_FOUND"


class AwardNotFoundError(NotFoundError):
    code = "AWARD_NOT_FOUND"
