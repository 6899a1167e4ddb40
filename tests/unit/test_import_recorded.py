"""Who records an imported row, and when (importer/recorded.py): on a store that is the real record, the caller at the
service clock's now, and a row that says otherwise is refused; on a training store the row's own time and actor,
never after now and never before what the store or an earlier row of the file recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from importer.recorded import LAST_EVENTS, NotRecordable, Recording
from tests.unit.builders import StoreOf

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
SET_UP = datetime(2018, 3, 20, 0, 0, tzinfo=UTC)  # a training store's set-up, before the history it is given
ROW = "import:ab:2"


def refusal(recording: Recording, at: datetime | None, actor: str | None = None) -> tuple[str, ...]:
    """The codes and columns of the row's problems, flattened: (code, column, code, column, ...)."""
    with pytest.raises(NotRecordable) as refused:
        recording.by(at, actor, ROW)
    return tuple(part for code, column, _ in refused.value.problems for part in (code, column))


def test_on_a_store_that_is_the_real_record_every_row_is_recorded_now_by_the_caller():
    recording = Recording(StoreOf(training=False, recorded=(NOW - timedelta(days=1),)), "province:import", NOW)
    by = recording.by(None, None, ROW)
    assert (by.actor, by.at, by.correlation_id) == ("province:import", NOW, ROW)
    assert recording.by(None, "province:import", ROW).actor == "province:import"  # the caller, said again
    assert refusal(recording, datetime(2018, 5, 1, 1, 0, tzinfo=UTC)) == ("RECORDED_AT_NOT_ALLOWED", "recorded_at")
    assert refusal(recording, NOW) == ("RECORDED_AT_NOT_ALLOWED", "recorded_at")  # even now: the clock says when
    assert refusal(recording, None, "auditor:省审计厅") == ("RECORDED_BY_NOT_ALLOWED", "recorded_by")
    assert refusal(recording, NOW, "auditor:省审计厅") == ("RECORDED_AT_NOT_ALLOWED", "recorded_at",
                                                          "RECORDED_BY_NOT_ALLOWED", "recorded_by")  # both cells
    assert recording.start() == NOW


def test_on_a_training_store_a_row_keeps_its_time_and_actor_between_the_stores_latest_and_now():
    store = StoreOf(training=True, recorded=(SET_UP,))
    recording = Recording(store, "province:import", NOW)
    first = recording.by(datetime(2019, 3, 1, 1, 0, tzinfo=UTC), "enterprise", ROW)
    assert (first.at, first.actor) == (datetime(2019, 3, 1, 1, 0, tzinfo=UTC), "enterprise")
    assert recording.by(first.at, None, ROW).actor == "province:import"  # the same time again; the caller by default
    assert recording.by(NOW, None, ROW).at == NOW
    assert recording.start() == SET_UP and store.pages == 1  # the store's latest time is read once


def test_on_a_training_store_a_row_is_never_recorded_after_now_or_before_what_was_known():
    later = Recording(StoreOf(training=True, recorded=(SET_UP,)), "province:import", NOW)
    assert refusal(later, NOW + timedelta(microseconds=1)) == ("RECORDED_AT_IN_FUTURE", "recorded_at")
    assert refusal(later, datetime(2030, 1, 1, 1, 0, tzinfo=UTC)) == ("RECORDED_AT_IN_FUTURE", "recorded_at")
    assert refusal(later, SET_UP - timedelta(days=30)) == ("RECORDED_AT_OUT_OF_ORDER", "recorded_at")

    in_order = Recording(StoreOf(training=True, recorded=(SET_UP,)), "province:import", NOW)
    in_order.by(datetime(2019, 4, 1, 1, 0, tzinfo=UTC), None, ROW)
    assert refusal(in_order, datetime(2019, 3, 1, 1, 0, tzinfo=UTC)) == ("RECORDED_AT_OUT_OF_ORDER", "recorded_at")
    in_order.by(None, None, ROW)  # a row that gives no time is recorded now: every later row comes after it
    assert refusal(in_order, datetime(2019, 5, 1, 1, 0, tzinfo=UTC)) == ("RECORDED_AT_OUT_OF_ORDER", "recorded_at")


def test_the_stores_latest_time_is_the_greatest_of_its_last_events():
    committed_out_of_clock_order = (SET_UP, SET_UP + timedelta(days=2), SET_UP + timedelta(days=1))
    recording = Recording(StoreOf(training=True, recorded=committed_out_of_clock_order), "province:import", NOW)
    assert refusal(recording, SET_UP + timedelta(days=1, hours=12)) == ("RECORDED_AT_OUT_OF_ORDER", "recorded_at")
    assert recording.start() == SET_UP + timedelta(days=2)
    many = tuple(SET_UP + timedelta(minutes=n) for n in range(3 * LAST_EVENTS))
    recording = Recording(StoreOf(training=True, recorded=many), "province:import", NOW)
    assert refusal(recording, many[-2]) == ("RECORDED_AT_OUT_OF_ORDER", "recorded_at")
    assert recording.by(many[-1], None, ROW).at == many[-1]
