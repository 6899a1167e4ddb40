"""`POST /v1/imports`: the same import as the command line, for the province only; a raw body or a multipart form;
a file with refused rows is answered 422 IMPORT_ROWS_REFUSED with every row error and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ledger import ids
from tests.support import import_scenario as s
from tests.support.api_helpers import (
    assert_problem, bearer, module_store_settings, patched_clock, running_api, store_params,
)


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory) -> Any:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock() as clock, running_api(settings, clock) as api:
        yield api


def post(api, kind: str | None, data: bytes, role: str = "province", **params: Any):
    query = {"kind": kind, **params} if kind else params
    return api.client.post("/v1/imports", params=query, content=data,
                           headers={**bearer(api.settings, role), "Content-Type": "text/csv"})


def test_the_province_imports_a_programme_and_a_repeat_changes_nothing(api):
    files = s.programme_files()
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
    unknown = api.client.get(f"/v1/enterprises/{ids.enterprise_id(rows[0]['uscc'])}",
                             headers=bearer(api.settings, "province"))
    assert unknown.status_code == 404
    dry = post(api, "enterprises", s.csv_file("enterprises", rows[:1]), dry_run="true")
    assert dry.status_code == 200 and dry.json()["written"] == 0 and dry.json()["dry_run"] is True


def test_only_the_province_imports_and_the_kind_must_be_known(api):
    data = s.programme_files()[0][1]
    assert_problem(post(api, "enterprises", data, role="auditor"), 403, "FORBIDDEN")
    assert_problem(post(api, "nonsense", data), 422, "INVALID_INPUT")
    assert_problem(post(api, None, data), 422, "INVALID_INPUT")
    assert_problem(post(api, "enterprises", b""), 400, "MALFORMED_BODY")
