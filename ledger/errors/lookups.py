"""Lookups that found nothing (``NOT_FOUND`` and its finer codes)."""

from __future__ import annotations

from ledger.errors.families import NotFoundError


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


class WorkingCalendarNotFoundError(NotFoundError):
    code = "WORKING_CALENDAR_NOT_FOUND"
