"""The families every refusal of the ledger belongs to, under ``LedgerError``: bad input, a rule of the programme, a
duplicate, a lookup that found nothing, and the few that say the command could not run now. A family's ``kind`` says
which family of HTTP status its codes answer with, without the domain knowing about HTTP."""

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


class InvalidInputError(LedgerError):
    code = "INVALID_INPUT"


class RuleViolationError(LedgerError):
    code = "RULE_VIOLATION"
    kind = "conflict"


class DuplicateError(LedgerError):
    code = "DUPLICATE"
    kind = "conflict"


class NotFoundError(LedgerError):
    code = "NOT_FOUND"
    kind = "not_found"


class ConcurrentUpdateError(LedgerError):
    """Version conflicts persisted after the configured number of attempts; nothing was written."""

    code = "CONCURRENT_UPDATE"
    kind = "conflict"


class IdempotencyKeyReusedError(LedgerError):
    """An idempotency key already answered another request: the caller must use a new key."""

    code = "IDEMPOTENCY_KEY_REUSED"
    kind = "conflict"


class EvidenceKeysNotDerivedError(LedgerError):
    """The store holds claims made before invoice and contract keys existed and their keys are not derived yet: a new
    claim could reuse their evidence unseen, so claims wait (every other command works)."""

    code = "EVIDENCE_KEYS_NOT_DERIVED"
    kind = "unavailable"
