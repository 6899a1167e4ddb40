"""The answer kept under an idempotency key survives the store's encoding: nested result values, sets, tuples, ids
and times come back equal, and a refusal comes back as the same refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex,
)

from ledger.answered_requests import AnsweredRequest, Replayed
from ledger.commands.base import DateAsISO
from ledger.errors import DuplicateClaimError, IdempotencyKeyReusedError
from tests.unit.builders import by, uid


@dataclass(frozen=True)
class Window:
    opens: date
    closes: date


@dataclass(frozen=True)
class Opened:
    year: int
    window: Window
    categories: frozenset[str]
    ids: tuple
    at: datetime
    rate: Decimal


def through_the_store(request: AnsweredRequest) -> AnsweredRequest:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper = Mapper(transcoder=transcoder)
    aggregate = None
    for event in request.collect_events():
        aggregate = mapper.to_domain_event(mapper.to_stored_event(event)).mutate(aggregate)
    return aggregate


def test_a_nested_result_comes_back_equal():
    result = Opened(2026, Window(date(2026, 1, 1), date(2027, 2, 8)), frozenset({"DEVICE_ACCESS", "APPLICATION_SERVICE"}),
                    (uid("a"), uid("b")), datetime(2026, 12, 6, 1, 0, tzinfo=UTC), Decimal("0.90"))
    stored = through_the_store(AnsweredRequest.answered(by(), request_id=uid("k"), fingerprint="f", result=result))
    replayed = stored.replay("f")
    assert isinstance(replayed, Replayed) and replayed.value == result
    with pytest.raises(IdempotencyKeyReusedError):
        stored.replay("another request")


def test_a_plain_result_and_a_refusal_come_back():
    assert through_the_store(AnsweredRequest.answered(by(), request_id=uid("k"), fingerprint="f",
                                                      result=uid("new"))).replay("f").value == uid("new")
    refusal = DuplicateClaimError("invoice 4400 is on claim 1")
    refusal.violations = (("DUPLICATE_CLAIM", "invoice 4400 is on claim 1"), ("PROVIDER_QUOTA_EXHAUSTED", "full"))
    stored = through_the_store(AnsweredRequest.refused(by(), request_id=uid("k"), fingerprint="f", refusal=refusal))
    with pytest.raises(DuplicateClaimError) as again:
        stored.replay("f")
    assert again.value.detail == refusal.detail and again.value.violations == refusal.violations
    assert again.value.replayed
