"""Refusals of what exists already: a claim, a part of a contract or an item of work funded before, a bank transfer
recorded before, a record or a decision made once."""

from __future__ import annotations

from ledger.errors.families import DuplicateError


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


class DuplicateCollectionError(DuplicateError):
    """A recovery's collection names a bank reference already recorded on that recovery: one transfer counts once."""

    code = "DUPLICATE_COLLECTION"


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
