"""Errors are RFC 9457 problems (application/problem+json; type, title, status, detail, code, instance) with the
right status: 422 invalid input, 404 unknown ids, 409 conflicts and duplicates, 405, 403, 401, 503 when the database
is down — and never a 5xx for a request the client got wrong. Also: /docs and /openapi.json."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.problems import SERVICE_CODES, STATUS_OF_KIND
from api.http.models.fields import EARLIEST_YEAR, LATEST_YEAR
from ledger.errors import RuleViolationError, all_error_codes
from ledger.fiscal_time import SHANGHAI as SHANGHAI_TZ
from ledger.parties import CITIES
from store.settings import Settings
from tests.support.api_helpers import (
    FOSHAN, PROBLEM_JSON, PROBLEM_MEMBERS, SHENZHEN, START, YEAR, TcpProxy, api_settings, app_routes, assert_problem,
    bearer, iso, module_store_settings, ok, patched_clock, running_api, store_params,
)


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year(city_quotas={FOSHAN: (1_000_000_000, "0.33")})
        api.provider = api.whitelisted_provider()
        api.enterprise = api.eligible_enterprise()
        clock.advance(days=1)
        api.voucher = ok(api.issue(api.enterprise), 201)["voucher_id"]
        clock.advance(days=1)
        yield api


def unchanged(api):
    """A context manager-ish check: the store has the same number of events before and after."""
    class Check:
        def __enter__(self):
            self.before = api.event_count()

        def __exit__(self, *exc):
            if exc[0] is None:
                assert api.event_count() == self.before, "a refused request recorded events"
    return Check()


# -- 422: invalid input --------------------------------------------------------------------------------------------
BAD_MONEY = [1.5, 100.0, "100", "1.00", "1e3", True, -1, 10**15 + 1, None, [100], {"fen": 100}]


@pytest.mark.parametrize("value", BAD_MONEY, ids=[repr(v) for v in BAD_MONEY])
def test_money_must_be_integer_fen(world, value):
    api = world
    body = {"city": FOSHAN, "year": YEAR, "amount_fen": value, "city_share": "0.33"}
    with unchanged(api):
        problem = assert_problem(api.post("/v1/city-quotas", body), 422, "INVALID_INPUT", instance="/v1/city-quotas")
    assert any(e["location"][-1] == "amount_fen" for e in problem["errors"]), problem


@pytest.mark.parametrize("field, value", [
    ("eligible_fee_fen", 1.5), ("eligible_fee_fen", "100"), ("contract_amount_fen", "1.00"),
    ("payment_proven_fen", 99.99), ("contract_amount_fen", 1e6),
])
def test_claim_amounts_must_be_integer_fen(world, field, value):
    api = world
    body = {**api.claim_body(api.provider, eligible_fee_fen=10_000), field: value}
    path = f"/v1/vouchers/{api.voucher}/claims"
    with unchanged(api):
        problem = assert_problem(api.claim(api.voucher, body), 422, "INVALID_INPUT", instance=path)
    assert any(e["location"] == ["body", field] for e in problem["errors"]), problem


def test_an_enterprise_established_after_the_day_it_is_registered_is_422_and_changes_nothing(world):
    """Found by a black-box review: "established_on": "2030-01-01" was registered (201)."""
    api = world
    body = {"uscc": api.new_uscc(), "name": "未来科技", "city": FOSHAN, "carrier": "CHINA_MOBILE",
            "established_on": "2030-01-01"}
    with unchanged(api):
        problem = assert_problem(api.post("/v1/enterprises", body), 422, "EFFECTIVE_IN_FUTURE",
                                 instance="/v1/enterprises")
    assert "2030-01-01" in problem["detail"]
    today = api.clock.now.astimezone(SHANGHAI_TZ).date().isoformat()  # founded the day it registers: taken
    ok(api.post("/v1/enterprises", {**body, "uscc": api.new_uscc(), "established_on": today}), 201)


@pytest.mark.parametrize("path, body, where", [
    ("/v1/catalogues", {"year": 2019, "items": [{"item_id": "X", "name": "x", "fee_category": "DEVICE_ACCESS",
                                                 "rate": "0.30", "cap_fen": "100"}], "redemption_deadline": "2020-02-08"},
     "cap_fen"),
    ("/v1/catalogues", {"year": 2019, "items": [{"item_id": "X", "name": "x", "fee_category": "DEVICE_ACCESS",
                                                 "rate": 0.3, "cap_fen": 100}], "redemption_deadline": "2020-02-08"},
     "rate"),
    ("/v1/catalogues", {"year": 2019, "items": [{"item_id": "X", "name": "x", "fee_category": "GOLD_PLATING",
                                                 "rate": "0.30", "cap_fen": 100}], "redemption_deadline": "2020-02-08"},
     "fee_category"),
    ("/v1/catalogues", {"year": 2019, "items": [], "redemption_deadline": "2020-02-08"}, "items"),
    ("/v1/catalogues", {"year": 2019, "items": [{"item_id": "X", "name": "x", "fee_category": "DEVICE_ACCESS",
                                                 "rate": "0.30", "cap_fen": 100}], "redemption_deadline": "2020-02-30"},
     "redemption_deadline"),
    ("/v1/catalogues", {"year": 2019, "items": [{"item_id": "X", "name": "x", "fee_category": "DEVICE_ACCESS",
                                                 "rate": "0.30", "cap_fen": 100}], "redemption_deadline": "tomorrow"},
     "redemption_deadline"),
    ("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "amount_fen": 1, "city_share": "1.5"}, "city_share"),
    ("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "amount_fen": 1, "city_share": "0.1234567"}, "city_share"),
    ("/v1/city-quotas", {"city": "44060", "year": YEAR, "amount_fen": 1, "city_share": "0.3"}, "city"),
    ("/v1/city-quotas", {"city": FOSHAN, "year": 1999, "amount_fen": 1, "city_share": "0.3"}, "year"),  # beyond the
    # sanity bound; a year inside it that the programme lacks is the ledger's YEAR_NOT_IN_PROGRAMME (test_api_programme)
    ("/v1/city-quotas", {"city": FOSHAN, "year": "2020", "amount_fen": 1, "city_share": "0.3"}, "year"),
    ("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "amount_fen": 1, "city_share": "0.3", "extra": 1}, "extra"),
    ("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "city_share": "0.3"}, "amount_fen"),
    ("/v1/enterprises", {"uscc": "91440600MA00000019", "name": "x", "city": FOSHAN, "carrier": "CHINA_MOBILE",
                         "established_on": "2020-02-30"}, "established_on"),
    ("/v1/enterprises", {"uscc": "short", "name": "x", "city": FOSHAN, "carrier": "CHINA_MOBILE",
                         "established_on": "2010-01-01"}, "uscc"),
    ("/v1/providers/{provider}/assessments", {"area": "NETWORK", "passed": True, "assessor": "x",
                                              "effective_at": "2020-03-01T00:00:00"}, "effective_at"),
    ("/v1/providers/{provider}/assessments", {"area": "NETWORK", "passed": True, "assessor": "x",
                                              "effective_at": "2020-03-01"}, "effective_at"),
    ("/v1/providers/{provider}/assessments", {"area": "NETWORK", "passed": True, "assessor": "x",
                                              "effective_at": "2020-03-01T25:00:00Z"}, "effective_at"),
    ("/v1/settlement-batches", {"provider_id": "{provider}", "period": "2020-13"}, "period"),
    ("/v1/settlement-batches", {"provider_id": "not-a-uuid", "period": "2020-03"}, "provider_id"),
], ids=lambda v: v if isinstance(v, str) and not v.startswith("/") else None)
def test_bodies_that_do_not_match_the_schema(world, path, body, where):
    api = world
    concrete = path.format(provider=api.provider.id)
    body = {k: (v.format(provider=api.provider.id) if isinstance(v, str) else v) for k, v in body.items()}
    with unchanged(api):
        problem = assert_problem(api.post(concrete, body), 422, "INVALID_INPUT", instance=concrete)
    assert any(where in e["location"] for e in problem["errors"]), problem


@pytest.mark.parametrize("content", [b"{not json", b"[]", b"", b"null", b'"text"'])
def test_a_body_that_is_not_a_json_object(world, content):
    api = world
    headers = {**api.headers("province"), "content-type": "application/json"}
    with unchanged(api):
        assert_problem(api.client.post("/v1/carrier-rates", content=content, headers=headers), 422, "INVALID_INPUT",
                       instance="/v1/carrier-rates")


def test_a_body_that_names_a_member_twice_is_refused_and_changes_nothing(world):
    """Found by the hostile review: ``{"eligible_fee_fen": 1000, ..., "eligible_fee_fen": 99999999}`` was taken with
    its last value, silently, while a gateway, a log or a reviewer reading the first saw another amount (RFC 8259:
    such a body's meaning is unpredictable). Refused, naming the member, at any depth."""
    api = world
    headers = {**api.headers("province"), "content-type": "application/json"}
    body = json.dumps(api.claim_body(api.provider, eligible_fee_fen=1_000))[:-1] + ', "eligible_fee_fen": 900}'
    rates = b'{"year": 2020, "rates": {"CHINA_MOBILE": "0.30", "CHINA_MOBILE": "0.99"}}'
    claimed = ok(api.get(f"/v1/vouchers/{api.voucher}"))["claimed_fen"]
    with unchanged(api):
        claim = api.client.post(f"/v1/vouchers/{api.voucher}/claims", content=body, headers=headers)
        assert "eligible_fee_fen" in assert_problem(claim, 422, "INVALID_INPUT")["detail"]
        again = api.client.post("/v1/carrier-rates", content=rates, headers={**headers, "Idempotency-Key": "dup-2"})
        assert "CHINA_MOBILE" in assert_problem(again, 422, "INVALID_INPUT", instance="/v1/carrier-rates")["detail"]
    assert ok(api.get(f"/v1/vouchers/{api.voucher}"))["claimed_fen"] == claimed


def test_a_body_that_is_not_utf8_is_invalid_input_like_any_unparseable_body(world):
    """Found by this test, fixed: bytes that are not UTF-8 make FastAPI raise HTTPException(400, "There was an error parsing the
    body"); api/http/problems.py http_error maps every status but 404/405 to code INVALID_INPUT, so the answer is
    400 INVALID_INPUT, while INVALID_INPUT is 422 everywhere else (SERVICE_CODES, and ``{not json`` → 422)."""
    api = world
    headers = {**api.headers("province"), "content-type": "application/json"}
    resp = api.client.post("/v1/carrier-rates", content=b"\xf0\x88Dum", headers=headers)
    problem = assert_problem(resp, resp.status_code, instance="/v1/carrier-rates")
    assert (resp.status_code, problem["code"]) in ((422, "INVALID_INPUT"), (400, "MALFORMED_BODY")), problem


def test_invalid_values_the_ledger_refuses(world):
    api = world
    with unchanged(api):
        bad_uscc = {"uscc": "91440600MA0000001X", "name": "x", "city": FOSHAN, "carrier": "CHINA_MOBILE",
                    "established_on": "2010-01-01"}
        assert_problem(api.post("/v1/enterprises", bad_uscc, key=None), 422, "INVALID_USCC",
                       instance="/v1/enterprises")
        unknown_city = {**bad_uscc, "uscc": api.new_uscc("440600"), "city": "000000"}
        assert_problem(api.post("/v1/enterprises", unknown_city, key=None), 422, "UNKNOWN_CITY")
        assert_problem(api.get("/v1/cities/999999/spend"), 422, "UNKNOWN_CITY", instance="/v1/cities/999999/spend")


@pytest.mark.parametrize("path", ["/v1/vouchers/{voucher}", "/v1/whitelist", "/v1/cities/440600/spend",
                                  "/v1/events", "/v1/audit/voucher/{voucher}", "/v1/providers/{provider}",
                                  "/v1/enterprises/{enterprise}"])
def test_as_of_needs_an_offset_and_a_real_time(world, path):
    api = world
    concrete = path.format(voucher=api.voucher, provider=api.provider.id, enterprise=api.enterprise.id)
    for naive in ("2020-03-05T00:00:00", "2020-03-05"):
        problem = assert_problem(api.get(concrete, as_of=naive), 422, "NAIVE_DATETIME", instance=concrete)
        assert "offset" in problem["detail"]
    for garbage in ("yesterday", "2020-13-01T00:00:00Z", "2020-03-05T00:00:00+25:00", ""):
        assert_problem(api.get(concrete, as_of=garbage), 422, None, instance=concrete)


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 1001}, {"after": -1}, {"limit": "ten"}, {"recorded_from": "2020-03-05T00:00:00"},
])
def test_event_feed_parameters(world, params):
    assert_problem(world.get("/v1/events", **params), 422, None, instance="/v1/events")


@pytest.mark.parametrize("params", [{"year": 1999}, {"year_kind": "fiscal"}, {"stage": "paid"},
                                    {"fund_source": "central"}, {"fee_category": "AUTOMATION_EQUIPMENT"}])
def test_city_spend_filters_are_checked(world, params):
    path = f"/v1/cities/{FOSHAN}/spend"
    assert_problem(world.get(path, **params), 422, "INVALID_INPUT", instance=path)


def test_an_unknown_audit_entity_kind(world):
    assert_problem(world.get(f"/v1/audit/catalogue/{uuid.uuid4()}"), 422, "INVALID_INPUT")


def test_malformed_ids_in_paths(world):
    api = world
    assert_problem(api.get("/v1/vouchers/not-a-uuid"), 422, "INVALID_INPUT", instance="/v1/vouchers/not-a-uuid")
    assert_problem(api.post("/v1/vouchers/123/claims/456/approval", None), 422, "INVALID_INPUT")


# -- 404, 405 ----------------------------------------------------------------------------------------------------
def test_unknown_ids_are_404(world):
    api, nobody = world, str(uuid.uuid4())
    with unchanged(api):
        for path, code in ((f"/v1/vouchers/{nobody}", "NOT_FOUND"), (f"/v1/enterprises/{nobody}", "ENTERPRISE_NOT_FOUND"),
                           (f"/v1/providers/{nobody}", "PROVIDER_NOT_FOUND"),
                           (f"/v1/settlement-batches/{nobody}", "NOT_FOUND")):
            assert_problem(api.get(path), 404, code, instance=path)
        for path, body, code in (
            (f"/v1/vouchers/{nobody}/claims", api.claim_body(api.provider, eligible_fee_fen=100), "VOUCHER_NOT_FOUND"),
            (f"/v1/vouchers/{api.voucher}/claims/{nobody}/approval", None, "CLAIM_NOT_FOUND"),
            (f"/v1/vouchers/{nobody}/claims/{nobody}/rejection", {"reason": "r"}, "VOUCHER_NOT_FOUND"),
            (f"/v1/enterprises/{nobody}/eligibility", {"year": YEAR, "prior_year_revenue_fen": 1,
                                                       "serious_misuse_5y": False, "effective_at": iso(START)},
             "ENTERPRISE_NOT_FOUND"),
            (f"/v1/providers/{nobody}/quotas", {"year": YEAR, "amount_fen": 1}, "PROVIDER_NOT_FOUND"),
            ("/v1/vouchers", {"enterprise_id": nobody, "year": YEAR, "item_id": "APP-ERP"}, "ENTERPRISE_NOT_FOUND"),
            ("/v1/vouchers", {"enterprise_id": api.enterprise.id, "year": YEAR, "item_id": "NO-SUCH-ITEM"},
             "CATALOGUE_ITEM_NOT_FOUND"),
            (f"/v1/settlement-batches/{nobody}/payment", {"effective_at": iso(START)}, "BATCH_NOT_FOUND"),
        ):
            assert_problem(api.post(path, body), 404, code)


def test_an_enterprise_claiming_on_an_unknown_voucher_gets_404_not_403(world):
    api = world
    path = f"/v1/vouchers/{uuid.uuid4()}/claims"
    resp = api.post(path, api.claim_body(api.provider, eligible_fee_fen=100), role=f"enterprise:{api.enterprise.uscc}")
    assert_problem(resp, 404, "VOUCHER_NOT_FOUND", instance=path)


def test_unknown_paths_and_methods(world):
    api = world
    assert_problem(api.get("/v1/nothing-here"), 404, "NOT_FOUND", instance="/v1/nothing-here")
    assert_problem(api.client.get("/v1/catalogues", headers=api.auth("province")), 405, "METHOD_NOT_ALLOWED",
                   instance="/v1/catalogues")
    path = f"/v1/vouchers/{api.voucher}"
    assert_problem(api.client.delete(path, headers=api.auth("province")), 405, "METHOD_NOT_ALLOWED", instance=path)


def test_405_names_the_methods_the_path_serves(world):
    """RFC 9110 §15.5.6: a 405 carries Allow."""
    api = world
    resp = api.client.get("/v1/catalogues", headers=api.auth("province"))
    assert_problem(resp, 405, "METHOD_NOT_ALLOWED")
    assert {m.strip() for m in resp.headers["allow"].split(",")} == {"POST"}
    resp = api.client.put(f"/v1/vouchers/{api.voucher}", headers=api.auth("province"))
    assert "GET" in {m.strip() for m in resp.headers["allow"].split(",")}


# -- 409 ------------------------------------------------------------------------------------------------------------
def test_duplicates_are_409(world):
    api = world
    enterprise = api.register(FOSHAN)
    body = {"uscc": enterprise.uscc, "name": "Again Ltd", "city": FOSHAN, "carrier": "CHINA_MOBILE",
            "established_on": "2010-06-01"}
    with unchanged(api):
        assert_problem(api.post("/v1/enterprises", body, key=None), 409, "ALREADY_EXISTS", instance="/v1/enterprises")
        provider = {"uscc": api.provider.uscc, "name": "Again Cloud", "kind": "PLATFORM"}
        assert_problem(api.post("/v1/providers", provider, key=None), 409, "ALREADY_EXISTS", instance="/v1/providers")
        eligibility = {"year": YEAR, "prior_year_revenue_fen": 2_000_000_000, "serious_misuse_5y": False,
                       "effective_at": iso(api.clock.now)}
        assert_problem(api.post(f"/v1/enterprises/{api.enterprise.id}/eligibility", eligibility, key=None), 409,
                       "ELIGIBILITY_ALREADY_DECIDED")
        assert_problem(api.issue(api.enterprise), 409, "DUPLICATE_VOUCHER")
    claim = api.claim_body(api.provider, eligible_fee_fen=10_000)
    receipt = ok(api.claim(api.voucher, claim), 201)
    with unchanged(api):
        assert_problem(api.claim(api.voucher, claim), 409, "DUPLICATE_CLAIM")
        # the same contract and invoice, even written differently (spaces, case of the invoice) and on a new key
        respelled = {**claim, "contract_no": f"  {claim['contract_no']} ",
                     "invoice_nos": [claim["invoice_nos"][0].lower()]}
        assert_problem(api.claim(api.voucher, respelled), 409, "DUPLICATE_CLAIM")
    ok(api.approve(api.voucher, receipt["claim_id"]))
    with unchanged(api):
        assert_problem(api.approve(api.voucher, receipt["claim_id"]), 409, "INVALID_TRANSITION")
        assert_problem(api.reject(api.voucher, receipt["claim_id"]), 409, "INVALID_TRANSITION")


@pytest.mark.parametrize("case", ["not-eligible", "shenzhen", "category", "payment", "before-policy",
                                  "not-whitelisted", "fee-over-contract", "zero-subsidy", "not-current-year",
                                  "city-share-fixed", "catalogue-not-covered"])
def test_rules_refused_with_409(world, case):
    api = world
    code = {"not-eligible": "NOT_ELIGIBLE", "shenzhen": "SHENZHEN_EXCLUDED", "category": "CATEGORY_MISMATCH",
            "payment": "PAYMENT_INSUFFICIENT", "before-policy": "CONTRACT_BEFORE_POLICY",
            "not-whitelisted": "PROVIDER_NOT_WHITELISTED", "fee-over-contract": "ELIGIBLE_FEE_EXCEEDS_CONTRACT",
            "zero-subsidy": "ZERO_SUBSIDY", "not-current-year": "NOT_CURRENT_YEAR",
            "city-share-fixed": "CITY_SHARE_FIXED", "catalogue-not-covered": "CATEGORY_NOT_COVERED"}[case]
    claim = api.claim_body(api.provider, eligible_fee_fen=100_000)
    if case == "not-eligible":
        poor = api.register(FOSHAN)
        decision = api.decide(poor, revenue_fen=999_999_999)  # just below 10,000,000 RMB
        assert decision["granted"] is False and decision["reasons"]
        send = lambda: api.issue(poor)
    elif case == "shenzhen":
        shenzhen = api.register(SHENZHEN)
        assert api.decide(shenzhen)["granted"] is False
        send = lambda: api.issue(shenzhen)
    elif case == "not-current-year":
        send = lambda: api.issue(api.enterprise, year=2019)
    elif case == "catalogue-not-covered":  # a name the ledger knows, never covered: its refusal, not a schema error
        item = {"item_id": "ROBOT", "name": "工业机器人", "fee_category": "AUTOMATION_EQUIPMENT", "rate": "0.30",
                "cap_fen": 100}
        send = lambda: api.post("/v1/catalogues", {"year": 2019, "items": [item], "redemption_deadline": "2020-02-08"})
    elif case == "city-share-fixed":
        send = lambda: api.post("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "amount_fen": 1_000_000_000,
                                                     "city_share": "0.34"})
    else:
        if case == "category":
            claim["fee_category"] = "DEVICE_ACCESS"
        elif case == "payment":
            claim["payment_proven_fen"] = 89_999  # below 90 % of 100,000
        elif case == "before-policy":
            claim["contract_date"] = "2018-03-19T12:00:00+08:00"  # the day before 粤府〔2018〕23号
        elif case == "not-whitelisted":
            claim["provider_id"] = api.admit().id
        elif case == "fee-over-contract":
            claim["eligible_fee_fen"] = 100_001
        elif case == "zero-subsidy":
            claim.update(eligible_fee_fen=1, contract_amount_fen=1, payment_proven_fen=1)  # 50 % of 1 fen is 0
        send = lambda: api.claim(api.voucher, claim)
    with unchanged(api):
        assert_problem(send(), 409, code)


def test_the_policy_date_itself_is_fine(world):
    api = world
    claim = {**api.claim_body(api.provider, eligible_fee_fen=100_000), "contract_date": "2018-03-20T00:00:00+08:00"}
    assert ok(api.claim(api.voucher, claim), 201)["amount_fen"] == 50_000


# -- every refusal carries its instance ------------------------------------------------------------------------------
def test_a_refusal_under_an_idempotency_key_has_the_same_shape_as_without(world):
    """Found by this test, fixed: a ledger refusal of a request with an Idempotency-Key is built without the request
    (api/http/idempotency.py, IdempotencyKeys.run: ``problem(...)`` without ``request``), so it lacks ``instance``
    — and so does its replay — while the same refusal without a key has it."""
    api = world
    body = {"uscc": api.enterprise.uscc, "name": "Again Ltd", "city": FOSHAN, "carrier": "CHINA_MOBILE",
            "established_on": "2010-06-01"}
    without_key = assert_problem(api.post("/v1/enterprises", body, key=None), 409, "ALREADY_EXISTS")
    with_key = assert_problem(api.post("/v1/enterprises", body, key="refusal-shape"), 409, "ALREADY_EXISTS")
    assert without_key["instance"] == "/v1/enterprises"
    assert with_key.pop("request_id") != without_key.pop("request_id")  # each answer names its own request
    assert with_key == without_key


# -- 5xx never for the client's mistakes ------------------------------------------------------------------------------
EXTREME_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z",
                 "0001-01-01T00:00:00Z"]
AS_OF_PATHS = [("/v1/vouchers/{voucher}", "as_of"), ("/v1/whitelist", "as_of"), ("/v1/events", "as_of"),
               ("/v1/cities/440600/spend", "as_of"), ("/v1/audit/voucher/{voucher}", "as_of"),
               ("/v1/providers/{provider}", "as_of"), ("/v1/enterprises/{enterprise}", "as_of"),
               ("/v1/events", "recorded_from")]


def test_as_of_at_the_ends_of_the_calendar_is_not_a_server_error(world):
    """Found by this test, fixed: an as_of (or recorded_from) whose UTC equivalent falls outside datetime's range raises OverflowError →
    500: ledger/fiscal_time.py:22 require_aware (``moment.astimezone(UTC)``) ← projections/times.py:18 to_us ←
    projections/read_models.py. On /v1/whitelist, /v1/providers/{id} and the city spend even 9999-12-31T23:59:59Z
    does (shanghai_day / start_of_shanghai_day_us in projections/times.py build a date in year 10000)."""
    api, crashed = world, []
    for template, parameter in AS_OF_PATHS:
        for moment in EXTREME_TIMES:
            concrete = template.format(voucher=api.voucher, provider=api.provider.id, enterprise=api.enterprise.id)
            resp = api.get(concrete, **{parameter: moment})
            if resp.status_code >= 500:
                crashed.append(f"{concrete} {parameter}={moment}: {resp.status_code}")
            elif resp.status_code >= 400:
                assert_problem(resp, resp.status_code)
    assert not crashed, "\n".join(crashed)


def test_command_times_at_the_ends_of_the_calendar_are_refused_not_crashed(world):
    """Found by this test, fixed: the same overflow in command bodies → 500 instead of 422: a claim's contract_date / accepted_at
    (ledger/claims.py ClaimEvidence.checked → ledger/fiscal_time.py require_aware, shanghai_date), an eligibility's,
    assessment's or elimination's effective_at. The schemas (api/http/models/ AwareDatetime) accept any year."""
    api, crashed = world, []
    requests = []
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        for field in ("contract_date", "accepted_at"):
            body = {**api.claim_body(api.provider, eligible_fee_fen=1_000), field: moment}
            requests.append((f"/v1/vouchers/{api.voucher}/claims", body, f"{field}={moment}"))
        requests += [
            (f"/v1/enterprises/{api.enterprise.id}/eligibility",
             {"year": 2019, "prior_year_revenue_fen": 1, "serious_misuse_5y": False, "effective_at": moment},
             f"effective_at={moment}"),
            (f"/v1/providers/{api.provider.id}/assessments",
             {"area": "DATA", "passed": True, "assessor": "x", "effective_at": moment}, f"effective_at={moment}"),
            (f"/v1/providers/{api.provider.id}/elimination", {"year": 2019, "rating": "C", "effective_at": moment},
             f"effective_at={moment}"),
        ]
    with unchanged(api):
        for path, body, what in requests:
            resp = api.post(path, body)
            if not 400 <= resp.status_code < 500:
                crashed.append(f"{path} {what}: {resp.status_code}")
            else:
                assert_problem(resp, resp.status_code)
    assert not crashed, "\n".join(crashed)


def test_a_cursor_beyond_any_position_is_not_a_server_error(world):
    """Found by this test, fixed (SQLite): ``after`` has no upper bound (api/http/routes/queries.py, audit_trail and event_feed:
    ``Query(0, ge=0)``); past 2**63-1 sqlite3 raises OverflowError ("Python int too large to convert to SQLite
    INTEGER") → 500. PostgreSQL compares it as numeric and answers an empty page. Fix: ``le=2**63 - 1``."""
    api, crashed = world, []
    for path in ("/v1/events", f"/v1/audit/voucher/{api.voucher}"):
        for after in (2**63 - 1, 2**63, 10**20):
            resp = api.get(path, after=after)
            if resp.status_code >= 500:
                crashed.append(f"{path}?after={after}: {resp.status_code}")
            elif resp.status_code == 200:
                assert resp.json()["items"] == [] and resp.json()["next_after"] is None
            else:
                assert_problem(resp, 422, "INVALID_INPUT", instance=path)
    assert not crashed, "\n".join(crashed)


# -- 401, 403 shapes ------------------------------------------------------------------------------------------------
def test_401_and_403_are_problems(world):
    api = world
    resp = api.client.get("/v1/events")
    assert_problem(resp, 401, "UNAUTHENTICATED", instance="/v1/events")
    assert resp.headers["www-authenticate"] == "Bearer"
    resp = api.get("/v1/events", role=f"city:{FOSHAN}")
    problem = assert_problem(resp, 403, "FORBIDDEN", instance="/v1/events")
    assert f"city:{FOSHAN}" in problem["detail"]


# -- 503: the database is down ----------------------------------------------------------------------------------------
def _until(predicate, timeout_s: float = 5.0):
    """``predicate()``'s first true value within ``timeout_s`` (the service recovers within 5 s: api/http/outage.py),
    else its last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _timed(send):
    started = time.monotonic()
    answer = send()
    return answer, time.monotonic() - started


def test_503_while_the_database_is_down_and_recovery_after(store_settings):
    """A real outage. PostgreSQL: the app reaches the server through a TCP proxy that the test cuts (refused
    connections, open ones dropped), then restores; every request answers within the 2 s budget
    (``store_down_answer_s``) while it is down, /readyz says so, and the service recovers within 5 s, unrestarted.
    SQLite: another connection holds the database's write lock."""
    budget_s = Settings.model_fields["store_down_answer_s"].default
    assert budget_s == 2.0  # the default
    settings = api_settings(store_settings).model_copy(update={"postgres_connect_timeout_s": 1,
                                                               "sqlite_lock_timeout_s": 1,
                                                               "store_down_answer_s": budget_s})
    proxy = None
    if settings.store == "postgres":
        proxy = TcpProxy(settings.postgres_host, settings.postgres_port).start()
        settings = settings.model_copy(update={"postgres_port": proxy.port, "postgres_url": None})
    rates = {"year": YEAR, "rates": {"CHINA_TELECOM": "0.30"}}
    try:
        with patched_clock(START) as clock, running_api(settings, clock) as api:
            ok(api.post("/v1/carrier-rates", rates))
            ok(api.get("/v1/whitelist"))
            assert api.client.get("/readyz").status_code == 200
            events = api.event_count()
            if proxy is not None:
                proxy.stop()
                holder = None
            else:
                holder = sqlite3.connect(settings.sqlite_path, isolation_level=None, timeout=5)
                holder.execute("BEGIN EXCLUSIVE")
            try:
                down = [_timed(lambda: api.post("/v1/carrier-rates", rates, key=None)),  # the ledger's write path
                        _timed(lambda: api.post("/v1/carrier-rates", rates, key="during-the-outage"))]  # the keys'
                if proxy is not None:  # a query (SQLite readers are not blocked by a writer's lock)
                    down += [_timed(lambda: api.get("/v1/whitelist")) for _ in range(3)]
                print("answers while down (s):", [round(s, 2) for _, s in down])
                for resp, seconds in down:
                    problem = assert_problem(resp, 503, "STORE_UNAVAILABLE")
                    assert problem.get("instance", "").startswith("/v1/")
                    if proxy is not None:
                        assert seconds < budget_s, f"a 503 took {seconds:.2f} s"
                # every request the outage failed is counted, not only the one that tripped the breaker: an
                # alert on the rate saw one error in an outage of any length
                scraped = api.client.get("/metrics").text
                assert f'voucher_ledger_store_errors_total{{kind="unavailable"}} {float(len(down))}' in scraped
                if proxy is not None:
                    readiness, seconds = _timed(lambda: api.client.get("/readyz"))
                    assert seconds < budget_s
                    problem = assert_problem(readiness, 503, "NOT_READY")
                    assert problem["checks"]["store"]["reachable"] is False and problem["checks"]["store"]["down_since"]
            finally:
                if proxy is not None:
                    proxy.start()
                else:
                    holder.rollback() if holder.in_transaction else None
                    holder.close()
            back = time.monotonic()
            assert _until(lambda: api.get("/v1/whitelist").status_code == 200), "the service did not recover in 5 s"
            if proxy is not None:
                assert time.monotonic() - back < 5.0
                readiness = _until(lambda: (r := api.client.get("/readyz")).status_code == 200 and r.json())
                assert readiness and readiness["checks"]["store"]["reachable"] is True
                assert readiness["checks"]["store"]["recovered_at"] is not None
            # a key sent during the outage was not taken: the command runs now, once
            first = _until(lambda: (r := api.post("/v1/carrier-rates", rates, key="during-the-outage"))
                           .status_code != 503 and r)
            ok(first)
            assert api.event_count() == events + 1
    finally:
        if proxy is not None:
            proxy.stop()


@pytest.mark.postgres
def test_a_fresh_app_whose_database_is_down_answers_503(request):
    """REQUIREMENT GAP: an app started while PostgreSQL is unreachable does not start at all (the lifespan,
    api/http/app.py create_app → open_ledger → store/opening.py ensure_postgres_schema, raises psycopg.OperationalError),
    so there is nothing to answer 503 — TestClient's start-up raises."""
    url = request.getfixturevalue("postgres_database")
    closed = TcpProxy("127.0.0.1", 9)  # a free port nobody listens on
    settings = api_settings(module_settings_for_url(url)).model_copy(
        update={"postgres_port": closed.port, "postgres_url": None, "postgres_connect_timeout_s": 1})
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            resp = client.get("/v1/whitelist", headers=bearer(settings, "auditor"))
    except psycopg.OperationalError as exc:
        pytest.fail(f"the app does not start while the database is down, so it cannot answer 503: {exc}")
    assert_problem(resp, 503, "STORE_UNAVAILABLE")


def module_settings_for_url(url: str):
    return Settings(store="postgres", postgres_url=url, postgres_schema=f"t_{uuid.uuid4().hex[:12]}")


# -- /docs, /openapi.json -------------------------------------------------------------------------------------------
def test_openapi_and_docs(world):
    client = world.client
    schema = ok(client.get("/openapi.json"))
    assert schema["info"]["title"] == "voucher-ledger" and schema["openapi"].startswith("3.")
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text and "/openapi.json" in docs.text
    assert client.get("/redoc").status_code == 200
    documented = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    served = {(method, path) for method, path, _ in app_routes(client.app) if path.startswith("/v1/")}
    assert documented == served


def test_the_readme_status_table_matches_what_the_code_answers():
    """Each code in README's status table answers the status of its row: the service's own codes
    (api/http/problems.py SERVICE_CODES) and the ledger's by their family (STATUS_OF_KIND)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\s*\| (\d{3}) \|[^|]*\|(.*)\|\s*$", readme, flags=re.MULTILINE)
    assert {status for status, _ in rows} == {"400", "401", "403", "404", "405", "409", "413", "422", "503"}
    ledger_codes, wrong = all_error_codes(), []
    for status, codes in rows:
        for code in re.findall(r"`([A-Z_]+)`", codes):
            answered = SERVICE_CODES.get(code) or STATUS_OF_KIND[ledger_codes[code].kind]
            if answered != int(status):
                wrong.append(f"{code}: README says {status}, the code answers {answered}")
    assert not wrong, wrong
    # every rule the ledger refuses answers 409, as the table says
    assert {STATUS_OF_KIND[c.kind] for c in ledger_codes.values() if issubclass(c, RuleViolationError)} == {409}


def test_every_route_has_a_summary(world):
    schema = world.client.get("/openapi.json").json()
    missing = [f"{m.upper()} {p}" for p, item in schema["paths"].items() for m, op in item.items()
               if not (op.get("summary") or "").strip()]
    assert not missing
    for method, path, route in app_routes(world.client.app):
        if path.startswith("/v1/"):
            assert (route.summary or "").strip(), f"{method} {path}"


def test_error_statuses_are_documented(world):
    """Every error status an operation can answer is documented with the problem schema and media type."""
    schema = world.client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            expected = {"401", "403", "404", "405", "422", "503"} | ({"400", "409"} if method == "post" else set())
            assert expected <= set(op["responses"]), f"{method} {path}"
            for status in expected:
                content = op["responses"][status]["content"]
                assert list(content) == [PROBLEM_JSON], f"{method} {path} {status}"
                assert content[PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert "Allow" in op["responses"]["405"]["headers"]
    assert set(schema["components"]["schemas"]["Problem"]["required"]) == set(PROBLEM_MEMBERS)
    assert PROBLEM_JSON in schema["info"]["description"] or "problem+json" in schema["info"]["description"]


def test_the_document_declares_what_the_server_enforces(world):
    """The USCC alphabet, the city codes and the years' sanity bound, as the ledger checks them (ledger/uscc.py,
    ledger/parties.py, ledger/programme.py: which years exist is the programme's, GET /v1/programme); and the server
    accepts what the declared USCC pattern allows."""
    api, schema = world, world.client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    uscc = re.compile(components["RegisterEnterprise"]["properties"]["uscc"]["pattern"])
    valid = api.new_uscc(FOSHAN)
    assert uscc.search(valid) and uscc.search(valid.lower())
    for outside in ("I", "O", "S", "V", "Z", "-", " "):  # not in GB 32100's alphabet
        assert not uscc.search(outside + valid[1:]), outside
    assert components["RegisterEnterprise"]["properties"]["city"]["enum"] == list(CITIES)
    assert components["SetCityQuota"]["properties"]["city"]["enum"] == list(CITIES)
    year = components["SetCityQuota"]["properties"]["year"]
    assert (year["minimum"], year["maximum"]) == (EARLIEST_YEAR, LATEST_YEAR)
    spend = schema["paths"]["/v1/cities/{city}/spend"]["get"]["parameters"]
    assert next(p for p in spend if p["name"] == "city")["schema"]["enum"] == list(CITIES)
    moment = re.compile(components["CollectRecovery"]["properties"]["effective_at"]["pattern"])
    as_of = re.compile(next(p for p in spend if p["name"] == "as_of")["schema"]["pattern"])
    for year in range(1990, 2111):  # the window within_years enforces, and an offset
        inside = EARLIEST_YEAR <= year <= LATEST_YEAR
        for pattern in (moment, as_of):
            assert bool(pattern.search(f"{year}-03-05T09:30:00+08:00")) == inside, year
            assert not pattern.search(f"{year}-03-05T09:30:00")  # naive: refused (NAIVE_DATETIME)
        day = re.compile(components["RegisterEnterprise"]["properties"]["established_on"]["pattern"])
        assert bool(day.search(f"{year}-06-30")) == (year <= LATEST_YEAR)
    text = re.compile(components["Reason"]["properties"]["reason"]["pattern"])
    for code in range(0, 128):  # printable(): no control character but tab and newline
        assert bool(text.search(f"a{chr(code)}b")) == (code >= 32 or chr(code) in "\t\n"), code
    body = {"uscc": valid.lower(), "name": "Lower Case Ltd", "city": FOSHAN, "carrier": "CHINA_MOBILE",
            "established_on": "2010-06-01"}
    created = ok(api.post("/v1/enterprises", body), 201)["id"]
    assert ok(api.get(f"/v1/enterprises/{created}"))["uscc"] == valid


def test_every_money_post_documents_its_idempotency_key(world):
    schema = world.client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method == "post":
                names = {p["name"] for p in op.get("parameters", [])}
                assert "Idempotency-Key" in names, path


def test_clock_helper_is_the_services_clock(world):
    """The tests' clock drives the service: the default as_of is the clock's time."""
    api = world
    saved = api.clock.now
    try:
        api.clock.advance(hours=5)
        assert ok(api.get("/v1/whitelist"))["as_of"].startswith(iso(api.clock.now)[:19])
    finally:
        api.clock.set(saved)
