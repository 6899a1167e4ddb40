"""AnsweredRequest: a caller's idempotency key, what it asked for and the answer it got, recorded in the same
transaction as the command it ran.

So a key is either absent (the command never committed: run it) or answered (replay the answer) — never "in
progress" after a crash — and it costs no commit of its own. Only final answers are recorded: a result, or a refusal
by the rules; a transient one (a version conflict that outlasted its retries, a store not ready) is not, so a retry
with the same key runs the command again.

The id derives from the caller's scope and key (``ids.answered_request_id``): two concurrent first requests with one
key create the same aggregate, and the store's unique index lets only one of them commit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic

from ledger.errors import IdempotencyKeyReusedError, LedgerError
from ledger.recording import By, LedgerAggregate


@dataclass(frozen=True)
class Replayed:
    """A result given again under the key that first got it (nothing was decided this time)."""

    value: Any


class AnsweredRequest(LedgerAggregate):
    read_after_write = False

    class Answered(LedgerAggregate.Created):
        fingerprint: str  # a hash of the request (method, path, body): the same key with another request is refused
        result_topic: str | None  # the result's class (for a reader of the store), None for a plain value or a refusal
        result: dict[str, Any] | None  # {"value": the result, as plain data with each nested value's class}
        refusal_topic: str | None  # the refusal's class, when the rules refused the command
        refusal: dict[str, Any] | None

        def apply(self, request: AnsweredRequest) -> None:
            request.fingerprint = self.fingerprint
            request.result_topic, request.result = self.result_topic, self.result
            request.refusal_topic, request.refusal = self.refusal_topic, self.refusal

    @classmethod
    def answered(cls, by: By, *, request_id: UUID, fingerprint: str, result: Any) -> AnsweredRequest:
        value_class = _value_class(type(result))
        topic = value_class[0] if value_class is not None else None
        return cls._start(cls.Answered, request_id, by, fingerprint=fingerprint, result_topic=topic,
                          result={"value": _encoded(result)}, refusal_topic=None, refusal=None)

    @classmethod
    def refused(cls, by: By, *, request_id: UUID, fingerprint: str, refusal: LedgerError) -> AnsweredRequest:
        return cls._start(cls.Answered, request_id, by, fingerprint=fingerprint, result_topic=None, result=None,
                          refusal_topic=get_topic(type(refusal)),
                          refusal={"detail": refusal.detail, "violations": [list(v) for v in refusal.violations]})

    def replay(self, fingerprint: str) -> Replayed:
        """The first answer again: its result, or its refusal raised again (marked ``replayed``). Another request
        under the key is refused."""
        if fingerprint != self.fingerprint:
            raise IdempotencyKeyReusedError("this Idempotency-Key was used with a different request; use a new key")
        if self.refusal_topic is not None:
            assert self.refusal is not None
            error = resolve_topic(self.refusal_topic)(self.refusal["detail"])
            error.violations = tuple((code, message) for code, message in self.refusal["violations"])
            error.replayed = True
            raise error
        assert self.result is not None
        return Replayed(_decoded(self.result["value"]))


_CLASS = "_value_class_"  # marks a result value (a frozen dataclass) within the stored answer
_SET = "_frozenset_"  # marks a set (kept sorted, so that the same answer is stored as the same bytes)


# Kept as they are: what the library's transcoder writes itself (ids, times) or JSON holds (never a value class).
_PLAIN_TYPES = frozenset((str, int, bool, float, type(None), UUID, datetime, date, Decimal))


@cache  # by class: every answer encodes its result (one per claim), and fields()/get_topic() are costly each time
def _value_class(cls: type) -> tuple[str, tuple[str, ...]] | None:
    """The topic and field names of a value class (a dataclass), None for any other class."""
    if dataclasses.is_dataclass(cls) and not issubclass(cls, type):
        return get_topic(cls), tuple(f.name for f in dataclasses.fields(cls))
    return None


def _encoded(obj: Any) -> Any:
    """Results are frozen dataclasses of ids, amounts, times and tuples, possibly nested: kept as plain data with each
    value's class, for the library's transcoder (which knows ids, times and decimals, not our classes)."""
    cls = type(obj)
    if cls in _PLAIN_TYPES:
        return obj
    value_class = _value_class(cls)
    if value_class is not None:
        topic, names = value_class
        return {_CLASS: topic, **{name: _encoded(getattr(obj, name)) for name in names}}
    if isinstance(obj, (list, tuple)):
        return [_encoded(item) for item in obj]
    if isinstance(obj, (set, frozenset)):
        return {_SET: [_encoded(item) for item in sorted(obj, key=repr)]}
    if isinstance(obj, dict):
        return {key: _encoded(item) for key, item in obj.items()}
    return obj


def _decoded(data: Any) -> Any:
    if isinstance(data, dict) and _CLASS in data:
        fields = {key: _decoded(item) for key, item in data.items() if key != _CLASS}
        return resolve_topic(data[_CLASS])(**fields)
    if isinstance(data, dict) and _SET in data:
        return frozenset(_decoded(item) for item in data[_SET])
    if isinstance(data, list):
        return tuple(_decoded(item) for item in data)
    if isinstance(data, dict):
        return {key: _decoded(item) for key, item in data.items()}
    return data
