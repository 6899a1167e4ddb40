"""When an imported row is recorded, and by whom (importer/recorded.py), on both stores. On a store that is the real
record the service clock and the caller say it, and a file whose recorded_at or recorded_by cells say otherwise is
refused whole: the ledger may never claim it knew in 2018 what it learned today. On a training store the cells are
the history being loaded, kept between the store's latest recorded time and now, in file order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from importer.run import run_import
from ledger import ids
from ledger.application import VoucherLedger
from ledger.provenance import imported_rows_id
from store.opening import open_ledger
from tests.integration.test_import import NOW, do_import, event_count, import_programme
from tests.support import import_scenario as s

NEW = s.make_uscc("91440600MA8000001")
LATER = s.make_uscc("91440600MA8000002")


def enterprise(uscc: str, **cells: str) -> dict[str, str]:
    return {"uscc": uscc, "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01",
            **cells}


# The file of the review that found the defect: one row "recorded" in 2018 by an auditor, one in 2030.
BACKDATED = [enterprise(NEW, recorded_at="2018-05-01T09:00:00+08:00", recorded_by="auditor:省审计厅"),
             enterprise(LATER, recorded_at="2030-01-01T09:00:00+08:00", recorded_by=f"enterprise:{LATER}")]


@pytest.fixture
def real_record(store_settings) -> Iterator[VoucherLedger]:
    """A store opened on the real clock: not a training store, the record itself."""
    app = open_ledger(store_settings)
    try:
        assert app.training_mark() is None
        yield app
    finally:
        app.close()


def first_event(ledger: VoucherLedger, aggregate_id):
    return next(iter(ledger.events.get(aggregate_id)))


def test_on_the_real_record_a_file_that_says_when_or_by_whom_is_refused_and_writes_nothing(real_record):
    before = event_count(real_record)
    for options in ({}, {"dry_run": True}):
        result = do_import(real_record, "enterprises", s.csv_file("enterprises", BACKDATED), **options)
        assert [(e.row, e.column, e.code) for e in result.errors] == [
            (2, "recorded_at", "RECORDED_AT_NOT_ALLOWED"), (2, "recorded_by", "RECORDED_BY_NOT_ALLOWED"),
            (3, "recorded_at", "RECORDED_AT_NOT_ALLOWED"), (3, "recorded_by", "RECORDED_BY_NOT_ALLOWED")]
        assert "training store" in result.errors[0].message and result.written == 0
    assert event_count(real_record) == before
    assert not real_record.stored(ids.enterprise_id(NEW)) and not real_record.stored(ids.enterprise_id(LATER))


def test_on_the_real_record_rows_are_recorded_now_by_the_caller(real_record):
    rows = [enterprise(NEW), enterprise(LATER, recorded_by="province:import")]  # the caller, said again: taken
    data = s.csv_file("enterprises", rows)
    result = do_import(real_record, "enterprises", data)
    assert (result.errors, result.written) == ([], 2)
    for uscc in (NEW, LATER):
        registered = first_event(real_record, ids.enterprise_id(uscc))
        assert (registered.timestamp, registered.actor) == (NOW, "province:import")
    marker = first_event(real_record, imported_rows_id(result.sha256, 2))
    assert (marker.timestamp, marker.actor) == (NOW, "province:import")


def test_on_the_real_record_a_partial_import_writes_only_the_rows_that_leave_the_cells_empty(real_record):
    rows = [enterprise(NEW), enterprise(LATER, recorded_at="2018-05-01T09:00:00+08:00")]
    result = do_import(real_record, "enterprises", s.csv_file("enterprises", rows), partial=True)
    assert result.written == 1 and [(e.row, e.code) for e in result.errors] == [(3, "RECORDED_AT_NOT_ALLOWED")]
    assert real_record.stored(ids.enterprise_id(NEW)) and not real_record.stored(ids.enterprise_id(LATER))


def test_on_a_training_store_a_row_is_never_recorded_after_now_nor_before_what_the_store_knew(ledger):
    import_programme(ledger)  # its last rows are recorded on 2019-04-12
    before = event_count(ledger)
    result = do_import(ledger, "enterprises", s.csv_file("enterprises", BACKDATED))
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "recorded_at", "RECORDED_AT_OUT_OF_ORDER"), (3, "recorded_at", "RECORDED_AT_IN_FUTURE")]
    assert event_count(ledger) == before and result.written == 0
    assert not ledger.stored(ids.enterprise_id(NEW)) and not ledger.stored(ids.enterprise_id(LATER))


def test_on_a_training_store_rows_keep_their_time_and_actor_in_file_order(ledger):
    import_programme(ledger)
    rows = [enterprise(NEW, recorded_at="2019-05-02T09:00:00+08:00", recorded_by="province:gd-miit"),
            enterprise(LATER, recorded_at="2019-05-01T09:00:00+08:00")]  # before the row above it
    refused = do_import(ledger, "enterprises", s.csv_file("enterprises", rows))
    assert [(e.row, e.code) for e in refused.errors] == [(3, "RECORDED_AT_OUT_OF_ORDER")] and refused.written == 0

    result = do_import(ledger, "enterprises", s.csv_file("enterprises", rows[:1]))
    assert (result.errors, result.written) == ([], 1)
    registered = first_event(ledger, ids.enterprise_id(NEW))
    assert (registered.timestamp, registered.actor) == (datetime.fromisoformat("2019-05-02T09:00:00+08:00"),
                                                        "province:gd-miit")
    # The file's record is recorded with its latest row, not at the importer's now: a register of the months after
    # it can still be loaded.
    marker = first_event(ledger, imported_rows_id(result.sha256, 2))
    assert marker.timestamp == registered.timestamp and marker.actor == "province:import"
    follows = do_import(ledger, "enterprises", s.csv_file("enterprises", [
        enterprise(LATER, recorded_at="2019-06-01T09:00:00+08:00")]))
    assert (follows.errors, follows.written) == ([], 1)


def test_a_training_store_takes_a_register_up_to_the_service_clocks_now(ledger):
    at_now = [enterprise(NEW, recorded_at=NOW.isoformat())]
    assert run_import(ledger, "enterprises", s.csv_file("enterprises", at_now), file_name="e.csv",
                      actor="province:import", now=NOW).written == 1
    just_after = [enterprise(LATER, recorded_at=NOW.replace(microsecond=1).isoformat())]
    result = run_import(ledger, "enterprises", s.csv_file("enterprises", just_after), file_name="e.csv",
                        actor="province:import", now=NOW)
    assert [(e.row, e.code) for e in result.errors] == [(2, "RECORDED_AT_IN_FUTURE")]
