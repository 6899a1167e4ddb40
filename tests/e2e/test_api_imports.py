"""`POST /v1/imports`: the same import as the command line, for the province only; a raw body or a multipart form;
a file with refused rows is answered 422 IMPORT_ROWS_REFUSED with every row error and writes nothing. Rows are
recorded at the service clock's now by the caller (a training store alone takes a file's recorded times, between
what it knows and now), and an Idempotency-Key is honoured as on every POST."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from ledger import ids
from store.clock import RealClock
from tests.support import import_scenario as s
from tests.support.api_helpers import (
    PROBLEM_JSON, assert_problem, bearer, module_store_settings, patched_clock, running_api, store_params,
)

REPLAYED = "Idempotent-Replayed"


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory) -> Any:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock() as clock, running_api(settings, clock) as api:
        yield api


@pytest.fixture(scope="module", params=store_params())
def record_api(request, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """The service on the real clock and a store that is not a training store: the record itself."""
    settings = module_store_settings(request, tmp_path_factory)
    with TestClient(create_app(settings, clock=RealClock()), raise_server_exceptions=False) as client:
        assert client.app.state.backend.ledger.training_mark() is None
        yield SimpleNamespace(client=client, settings=settings)


def post(api, kind: str | None, data: bytes, role: str = "province", key: str | None = None, **params: Any):
    query = {"kind": kind, **params} if kind else params
    headers = {**bearer(api.settings, role), "Content-Type": "text/csv"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post("/v1/imports", params=query, content=data, headers=headers)


def enterprise(api, uscc: str, **params: str):
    return api.client.get(f"/v1/enterprises/{ids.enterprise_id(uscc)}", params=params,
                          headers=bearer(api.settings, "auditor"))


def enterprises(*usccs: str, **cells: str) -> bytes:
    return s.csv_file("enterprises", [{"uscc": u, "name": f"厂{u[-4:]}", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
                                       "established_on": "2010-01-01", **cells} for u in usccs])


def event_count(api) -> int:
    return api.client.app.state.backend.ledger.recorder.max_notification_id() or 0


# The file of the review that found the defect: one row "recorded" in 2018 by the provincial audit office, one in 2030.
def backdated(first: str, second: str) -> bytes:
    rows = [{"uscc": first, "recorded_at": "2018-05-01T09:00:00+08:00", "recorded_by": "auditor:省审计厅"},
            {"uscc": second, "recorded_at": "2030-01-01T09:00:00+08:00", "recorded_by": f"enterprise:{second}"}]
    return s.csv_file("enterprises", [{"name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
                                       "established_on": "2010-01-01", **row} for row in rows])


def test_the_province_imports_a_programme_and_a_repeat_changes_nothing(api):
    files = [(kind, s.unrecorded(data)) for kind, data in s.programme_files()]  # recorded now, by the province
    for kind, data in files[:2]:
        answer = post(api, kind, data)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["written"], body["errors"], body["kind"]) == (body["rows"], [], kind)
    again = post(api, "enterprises", files[0][1]).json()
    assert (again["written"], again["already_imported"]) == (0, 3)
    # multipart, kind as a form field
    kind, data = files[2]
    form = api.client.post("/v1/imports", files={"file": ("rates.csv", data, "text/csv")}, data={"kind": kind},
                           headers=bearer(api.settings, "province"))
    assert form.status_code == 200, form.text
    assert form.json()["file_name"] == "rates.csv" and form.json()["written"] == 3
    enterprise = api.client.get(f"/v1/enterprises/{ids.enterprise_id(s.E1)}", headers=bearer(api.settings, "province"))
    assert enterprise.status_code == 200


def test_refused_rows_are_answered_each_and_nothing_is_written(api):
    rows = [{"uscc": s.make_uscc("91440600MA7777777"), "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
             "established_on": "2010-01-01"},
            {"uscc": "NOT-A-USCC", "name": "乙", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
             "established_on": "2010-01-01"}]
    answer = post(api, "enterprises", s.csv_file("enterprises", rows))
    body = assert_problem(answer, 422, "IMPORT_ROWS_REFUSED")
    assert body["written"] == 0 and [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (3, "uscc", "INVALID_USCC")]
    assert body["errors"][0]["problem_zh"].startswith("统一社会信用代码有误")  # said in Chinese, as the report's 问题
    unknown = api.client.get(f"/v1/enterprises/{ids.enterprise_id(rows[0]['uscc'])}",
                             headers=bearer(api.settings, "province"))
    assert unknown.status_code == 404
    dry = post(api, "enterprises", s.csv_file("enterprises", rows[:1]), dry_run="true")
    assert dry.status_code == 200 and dry.json()["written"] == 0 and dry.json()["dry_run"] is True


def appended_counter(api) -> float:
    found = re.search(r"^voucher_ledger_events_appended_total (\S+)$", api.client.get("/metrics").text, re.M)
    return float(found[1])


def test_the_events_appended_counter_counts_every_event_an_import_writes_once(api):
    """An operator's rate or alert on voucher_ledger_events_appended_total must see whole imports: the counter moves
    by exactly the events the store gained, whichever way they went in (an all-or-nothing import's one transaction,
    a partial import's chunks, the answer kept under an Idempotency-Key, a command through the group-commit writer),
    and a refused import moves neither."""
    usccs = [s.make_uscc(f"91440600MA84{n:05d}") for n in range(5)]

    def gained(send) -> tuple[float, int]:
        counted, before = appended_counter(api), event_count(api)
        send()
        return appended_counter(api) - counted, event_count(api) - before

    whole = gained(lambda: ok_import(post(api, "enterprises", enterprises(*usccs[:2]), key="imp-count-1"), 2))
    assert whole[0] == whole[1] > 2  # two enterprises, the import's record, the answer kept under the key
    refused_row = {"uscc": "NOT-A-USCC", "name": "乙", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
                   "established_on": "2010-01-01"}
    partial = s.csv_file("enterprises", [{"uscc": usccs[2], "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
                                          "established_on": "2010-01-01"}, refused_row])
    chunked = gained(lambda: ok_import(post(api, "enterprises", partial, partial="true"), 1))
    assert chunked[0] == chunked[1] > 0
    refused = gained(lambda: assert_problem(post(api, "enterprises", s.csv_file("enterprises", [refused_row])), 422,
                                            "IMPORT_ROWS_REFUSED"))
    assert refused == (0, 0)
    body = {"uscc": usccs[3], "name": "丙", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"}
    command = gained(lambda: api.post("/v1/enterprises", body).raise_for_status())
    assert command[0] == command[1] > 0  # counted once, not by the writer and the store both


def ok_import(answer, written: int) -> None:
    assert answer.status_code == 200, answer.text
    assert answer.json()["written"] == written


def test_only_the_province_imports_and_the_kind_must_be_known(api):
    data = s.programme_files()[0][1]
    assert_problem(post(api, "enterprises", data, role="auditor"), 403, "FORBIDDEN")
    assert_problem(post(api, "nonsense", data), 422, "INVALID_INPUT")
    assert_problem(post(api, None, data), 422, "INVALID_INPUT")
    assert_problem(post(api, "enterprises", b""), 400, "MALFORMED_BODY")


def test_on_the_record_a_file_that_says_when_or_by_whom_is_refused_and_nothing_is_known_then(record_api):
    first, second = s.make_uscc("91440600MA8100001"), s.make_uscc("91440600MA8100002")
    before = event_count(record_api)
    body = assert_problem(post(record_api, "enterprises", backdated(first, second)), 422, "IMPORT_ROWS_REFUSED")
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (2, "recorded_at", "RECORDED_AT_NOT_ALLOWED"), (2, "recorded_by", "RECORDED_BY_NOT_ALLOWED"),
        (3, "recorded_at", "RECORDED_AT_NOT_ALLOWED"), (3, "recorded_by", "RECORDED_BY_NOT_ALLOWED")]
    assert body["written"] == 0 and event_count(record_api) == before
    then = "2018-06-01T09:00:00+08:00"
    assert enterprise(record_api, first, as_of=then, known_at=then).status_code == 404
    assert enterprise(record_api, first).status_code == 404 and enterprise(record_api, second).status_code == 404


def test_on_the_record_rows_are_recorded_at_the_service_clock_by_the_caller(record_api):
    uscc = s.make_uscc("91440600MA8100003")
    started = datetime.now(UTC)
    answer = post(record_api, "enterprises", enterprises(uscc, recorded_by="province"))  # the caller: taken
    assert answer.status_code == 200 and answer.json()["written"] == 1, answer.text
    [registered] = record_api.client.app.state.backend.ledger.events.get(ids.enterprise_id(uscc))
    assert registered.actor == "province" and started <= registered.timestamp <= datetime.now(UTC)
    assert enterprise(record_api, uscc).status_code == 200
    then = "2018-06-01T09:00:00+08:00"
    assert enterprise(record_api, uscc, as_of=then, known_at=then).status_code == 404


def test_a_training_store_refuses_rows_recorded_before_what_it_knew_or_after_now(api):
    first, second = s.make_uscc("91440600MA8200001"), s.make_uscc("91440600MA8200002")
    before = event_count(api)
    body = assert_problem(post(api, "enterprises", backdated(first, second)), 422, "IMPORT_ROWS_REFUSED")
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (2, "recorded_at", "RECORDED_AT_OUT_OF_ORDER"), (3, "recorded_at", "RECORDED_AT_IN_FUTURE")]
    assert event_count(api) == before
    then = "2018-06-01T09:00:00+08:00"
    assert enterprise(api, first, as_of=then, known_at=then).status_code == 404
    assert enterprise(api, second).status_code == 404
    at_now = post(api, "enterprises", enterprises(first, recorded_at=api.clock.now.isoformat(),
                                                  recorded_by="province:gd-miit"))
    assert at_now.status_code == 200 and at_now.json()["written"] == 1, at_now.text
    [registered] = api.client.app.state.backend.ledger.events.get(ids.enterprise_id(first))
    assert (registered.timestamp, registered.actor) == (api.clock.now, "province:gd-miit")


def test_an_idempotency_key_gets_its_answer_again_and_is_refused_for_another_file(api):
    usccs = [s.make_uscc(f"91440600MA83{n:05d}") for n in range(4)]
    first = post(api, "enterprises", enterprises(usccs[0]), key="imp-1")
    assert first.status_code == 200 and first.json()["written"] == 1 and REPLAYED not in first.headers
    before = event_count(api)
    again = post(api, "enterprises", enterprises(usccs[0]), key="imp-1")
    assert again.status_code == 200 and again.headers[REPLAYED] == "true"
    assert again.json() == first.json() and event_count(api) == before  # written 1, as first answered

    other = assert_problem(post(api, "enterprises", enterprises(usccs[1]), key="imp-1"), 409,
                           "IDEMPOTENCY_KEY_REUSED")
    assert "different request" in other["detail"]
    assert_problem(post(api, "enterprises", enterprises(usccs[0]), key="imp-1", dry_run="true"), 409,
                   "IDEMPOTENCY_KEY_REUSED")  # the same file with other options is another request
    assert event_count(api) == before and enterprise(api, usccs[1]).status_code == 404

    refused = post(api, "enterprises", enterprises(usccs[2], city="999999"), key="imp-2")
    body = assert_problem(refused, 422, "IMPORT_ROWS_REFUSED")
    replayed = post(api, "enterprises", enterprises(usccs[2], city="999999"), key="imp-2")
    assert replayed.status_code == 422 and replayed.headers[REPLAYED] == "true"
    assert replayed.headers["content-type"].startswith(PROBLEM_JSON)
    assert {k: v for k, v in replayed.json().items() if k != "request_id"} == {
        k: v for k, v in body.items() if k != "request_id"}

    # a key is the caller's: another province token's same key is a first request
    mine = post(api, "enterprises", enterprises(usccs[3]), key="imp-1")
    assert mine.status_code == 409
    theirs = api.client.post("/v1/imports", params={"kind": "enterprises"}, content=enterprises(usccs[3]),
                             headers={**bearer(api.settings, "province", subject="province:ops"),
                                      "Content-Type": "text/csv", "Idempotency-Key": "imp-1"})
    assert theirs.status_code == 200 and theirs.json()["written"] == 1, theirs.text


def test_a_cell_with_a_nul_byte_refuses_its_row_and_every_read_goes_on(api):
    """Found by the hostile review: a name cell holding a NUL byte (a file saved by a careless tool) was recorded;
    PostgreSQL text cannot hold it, so the read models stopped at that event and every read answered 422."""
    uscc = s.make_uscc("91440600MA8300001")
    before = event_count(api)
    body = assert_problem(post(api, "enterprises", enterprises(uscc, name="佛山\x00制造")), 422, "IMPORT_ROWS_REFUSED")
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [(2, "name", "INVALID_INPUT")]
    assert body["written"] == 0 and event_count(api) == before
    assert enterprise(api, uscc).status_code == 404
    listed = api.client.get("/v1/enterprises", headers=bearer(api.settings, "auditor"))
    assert listed.status_code == 200, listed.text


def test_an_amount_beyond_what_the_store_holds_refuses_its_row_and_every_read_goes_on(api):
    """Found by the hostile review: a city quota of 10**23 fen in an import file (no schema bounds a cell) was
    recorded; the read models' bigint columns cannot hold it, so on PostgreSQL every read answered 422 from then on."""
    before = event_count(api)
    data = s.csv_file("city-quotas", [{"city": "441900", "year": 2020, "amount_fen": 10**23, "city_share": "0.3"}])
    body = assert_problem(post(api, "city-quotas", data), 422, "IMPORT_ROWS_REFUSED")
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(2, "INVALID_AMOUNT")]
    assert body["written"] == 0 and event_count(api) == before
    quotas = api.client.get("/v1/programme/years/2020/quotas", headers=bearer(api.settings, "auditor"))
    assert quotas.status_code == 200, quotas.text


def test_a_time_in_the_year_1_refuses_its_row_and_is_no_server_error(api):
    """Found by the hostile review: an eligibility row effective at 0001-01-01T00:00:00+08:00 (a date typed short)
    answered 500: its UTC time does not exist. Refused as the API's schema refuses it: the years 2000 to 2100."""
    uscc = s.make_uscc("91440600MA8300002")
    assert post(api, "enterprises", enterprises(uscc)).status_code == 200
    before = event_count(api)
    data = s.csv_file("eligibility", [{"uscc": uscc, "year": 2020, "prior_year_revenue_fen": 1_200_000_000,
                                       "serious_misuse_5y": "否", "effective_at": "0001-01-01T00:00:00+08:00"}])
    body = assert_problem(post(api, "eligibility", data), 422, "IMPORT_ROWS_REFUSED")
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [(2, "effective_at", "INVALID_INPUT")]
    assert event_count(api) == before


def test_a_rate_of_more_than_six_decimals_refuses_its_row(api):
    """Found by the hostile review: a city share of 1e-999999999 in an import file was recorded (no schema bounds a
    cell), and every claim of the city then rounded its portion with a 10**999999999 denominator, holding the writer
    for hours. Refused as the API's schema refuses it."""
    before = event_count(api)
    row = {"city": "441900", "year": 2020, "amount_fen": 1000, "city_share": "1e-999999999"}
    data = s.csv_file("city-quotas", [row])
    body = assert_problem(post(api, "city-quotas", data), 422, "IMPORT_ROWS_REFUSED")
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(2, "INVALID_RATE")]
    assert body["written"] == 0 and event_count(api) == before
