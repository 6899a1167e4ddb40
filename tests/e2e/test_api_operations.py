"""Running the programme over HTTP and on the command line: revocation, cloud discount agreements, eligibility
corrections, quota revisions and the year-end expiry run, each through its route and its `voucher-ledger` command,
on both stores, with every figure read back from the queries.

Figures (tests/support/api_helpers.py): APP-ERP pays 50 % up to 9,999,999 fen, DEV-ACCESS 30 % up to 5,000,000 fen;
Foshan's 2020 quota is 50,000,000 fen at a city share of 0.33; the 2020 deadline is 2021-02-08 (Asia/Shanghai), so
the window closes at 2021-02-08T16:00Z. The command line runs on the real clock, long after that.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api_helpers import (
    FOSHAN, ITEM, START, YEAR, assert_problem, floor_rate, iso, module_store_settings, ok, patched_clock, running_api,
    store_env, store_params,
)
from tests.support.cli_runner import voucher_ledger

APP, DEV = ITEM["APP-ERP"]["cap_fen"], ITEM["DEV-ACCESS"]["cap_fen"]
CLOSED = datetime(2021, 2, 8, 16, 0, tzinfo=UTC)  # 2021-02-09 00:00 in Shanghai
BELOW_LINE_FEN = 999_999_999


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        api.provider = api.whitelisted_provider()
        clock.advance(days=1)
        yield api


def quota_of(api, city: str = FOSHAN, as_of: str | None = None) -> dict:
    spend = ok(api.get(f"/v1/cities/{city}/spend", as_of=as_of))
    return spend["quotas"][str(YEAR)]


def trail(api, kind: str, entity: str) -> list[dict]:
    return ok(api.get(f"/v1/audit/{kind}/{entity}"))["items"]


# -- revocation --------------------------------------------------------------------------------------------------------
def test_revocation_returns_the_unused_value_and_is_recorded_with_its_reason(api):
    voucher = ok(api.issue(api.eligible_enterprise()), 201)["voucher_id"]
    claim = ok(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=300_001)), 201)
    assert claim["amount_fen"] == floor_rate(300_001, "0.50") == 150_000
    used = quota_of(api)["quota_used_fen"]
    path = f"/v1/vouchers/{voucher}/revocation"
    assert_problem(api.post(path, {"reason": "x"}, key=None), 400, "IDEMPOTENCY_KEY_REQUIRED")

    answer = ok(api.post(path, {"reason": "虚报收入"}))

    assert answer == {"voucher_id": voucher, "status": "REVOKED", "returned_fen": APP - 150_000}
    assert quota_of(api)["quota_used_fen"] == used - (APP - 150_000)
    figures = ok(api.get(f"/v1/vouchers/{voucher}"))
    assert (figures["status"], figures["returned_fen"], figures["claimed_fen"]) == ("REVOKED", APP - 150_000, 150_000)
    revoked = [t for t in trail(api, "voucher", voucher) if t["event_type"] == "Voucher.Revoked"]
    assert revoked[0]["reason"] == "虚报收入" and revoked[0]["summary_zh"].startswith("服务券撤回（虚报收入）")
    assert_problem(api.post(path, {"reason": "again"}), 409, "INVALID_TRANSITION")
    assert_problem(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=2_000)), 409, "VOUCHER_REVOKED")


# -- cloud discount agreements -----------------------------------------------------------------------------------------
def test_a_cloud_agreement_is_recorded_once_per_provider_and_year_at_30_percent_or_more(api):
    cloud = api.admit(kind="NATIONAL_PLATFORM")
    path = f"/v1/providers/{cloud.id}/cloud-agreements"
    assert_problem(api.post(path, {"year": YEAR, "rate": "0.29"}), 409, "DISCOUNT_RATE_TOO_LOW")
    created = ok(api.post(path, {"year": YEAR, "rate": "0.30"}, key=None), 201)
    assert_problem(api.post(path, {"year": YEAR, "rate": "0.35"}), 409, "ALREADY_EXISTS")
    assert_problem(api.post(f"/v1/providers/{uuid.uuid4()}/cloud-agreements",
                            {"year": YEAR, "rate": "0.30"}), 404, "PROVIDER_NOT_FOUND")
    agreed = [t for t in trail(api, "provider", cloud.id) if t["event_type"] == "CloudDiscountAgreement.Agreed"]
    assert len(agreed) == 1 and "公有云资费优惠协议：折扣率 0.30" in agreed[0]["summary_zh"]
    assert created["id"]


# -- eligibility corrections -------------------------------------------------------------------------------------------
def test_a_refusal_is_corrected_to_granted_and_every_answer_shows_both(api):
    enterprise = api.register()
    decided_at = api.clock.advance(hours=1)
    assert api.decide(enterprise, revenue_fen=BELOW_LINE_FEN)["granted"] is False
    assert_problem(api.post(f"/v1/enterprises/{enterprise.id}/eligibility",
                            {"year": YEAR, "prior_year_revenue_fen": 1_500_000_000, "serious_misuse_5y": False,
                             "effective_at": iso(api.clock.now)}), 409, "ELIGIBILITY_ALREADY_DECIDED")
    assert_problem(api.issue(enterprise), 409, "NOT_ELIGIBLE")
    effect = api.clock.advance(days=2)
    recorded = api.clock.advance(days=3)  # recorded three days after it takes effect

    body = {"prior_year_revenue_fen": 1_500_000_000, "serious_misuse_5y": False, "effective_at": iso(effect),
            "reason": "税务部门更正上年度收入"}
    answer = ok(api.post(f"/v1/enterprises/{enterprise.id}/eligibility/{YEAR}/correction", body))

    assert (answer["granted"], answer["previously_granted"], answer["reasons"]) == (True, False, [])
    assert answer["network_discount_id"] and answer["active_voucher_ids"] == []
    now = ok(api.get(f"/v1/enterprises/{enterprise.id}"))["eligibility"]
    assert [(e["year"], e["granted"], e["corrected"], e["correction_reason"]) for e in now] == [
        (YEAR, True, True, "税务部门更正上年度收入")]
    before = ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(effect - timedelta(seconds=1))))["eligibility"]
    assert [(e["granted"], e["reasons"], e["corrected"]) for e in before] == [
        (False, ["REVENUE_BELOW_THRESHOLD"], False)]
    then = ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(effect),
                      known_at=iso(recorded - timedelta(seconds=1))))["eligibility"]
    assert [e["granted"] for e in then] == [False]  # in effect by then, but not known yet
    assert ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(decided_at - timedelta(seconds=1))))[
        "eligibility"] == []
    corrected = [t for t in trail(api, "enterprise", enterprise.id)
                 if t["event_type"] == "Enterprise.EligibilityCorrected"]
    assert corrected[0]["reason"] == "税务部门更正上年度收入"
    assert corrected[0]["summary_zh"].startswith(f"{YEAR} 年度资格更正：不通过 → 通过")
    assert ok(api.issue(enterprise), 201)["face_value_fen"] == APP  # eligible now


def test_a_grant_corrected_to_refused_leaves_the_voucher_to_be_revoked_separately(api):
    enterprise = api.eligible_enterprise()
    voucher = ok(api.issue(enterprise), 201)["voucher_id"]
    body = {"prior_year_revenue_fen": 1_500_000_000, "serious_misuse_5y": True, "effective_at": iso(api.clock.now),
            "reason": "发现五年内严重违规"}
    answer = ok(api.post(f"/v1/enterprises/{enterprise.id}/eligibility/{YEAR}/correction", body))
    assert (answer["granted"], answer["reasons"], answer["active_voucher_ids"]) == (
        False, ["SERIOUS_FUNDS_MISUSE"], [voucher])
    assert ok(api.get(f"/v1/vouchers/{voucher}"))["status"] == "ACTIVE"
    assert_problem(api.issue(enterprise, "DEV-ACCESS"), 409, "NOT_ELIGIBLE")
    assert ok(api.post(f"/v1/vouchers/{voucher}/revocation", {"reason": "资格更正为不通过"}))["returned_fen"] == APP


def test_a_year_never_decided_cannot_be_corrected(api):
    enterprise = api.register()
    body = {"prior_year_revenue_fen": 1_500_000_000, "serious_misuse_5y": False, "effective_at": iso(api.clock.now),
            "reason": "x"}
    assert_problem(api.post(f"/v1/enterprises/{enterprise.id}/eligibility/{YEAR}/correction", body), 409,
                   "ELIGIBILITY_NOT_DECIDED")
    assert_problem(api.post(f"/v1/enterprises/{enterprise.id}/eligibility/{YEAR}/correction",
                            {**body, "reason": ""}), 422, "INVALID_INPUT")


# -- quota revisions ---------------------------------------------------------------------------------------------------
def test_quotas_are_revised_but_never_below_what_is_used(api):
    provider = api.whitelisted_provider()
    # an issued voucher uses the city's quota, whichever tests of the module ran before in this process
    voucher = ok(api.issue(api.eligible_enterprise(), "DEV-ACCESS"), 201)["voucher_id"]
    before = quota_of(api)
    assert before["quota_used_fen"] > 0
    path = f"/v1/city-quotas/{FOSHAN}/{YEAR}/revision"
    answer = ok(api.post(path, {"amount_fen": before["quota_set_fen"] + 1_000_000}))
    assert (answer["previous_fen"], answer["amount_fen"], answer["used_fen"]) == (
        before["quota_set_fen"], before["quota_set_fen"] + 1_000_000, before["quota_used_fen"])
    assert quota_of(api)["quota_set_fen"] == before["quota_set_fen"] + 1_000_000
    assert_problem(api.post(path, {"amount_fen": before["quota_used_fen"] - 1}), 409, "QUOTA_BELOW_USAGE")
    assert_problem(api.post(f"/v1/city-quotas/{FOSHAN}/2019/revision", {"amount_fen": 1}), 409, "QUOTA_NOT_SET")
    assert_problem(api.post(f"/v1/city-quotas/110100/{YEAR}/revision", {"amount_fen": 1}), 422)

    held = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=100_003, fee_category="DEVICE_ACCESS")),
              201)["amount_fen"]
    assert held == floor_rate(100_003, "0.30") == 30_000
    ppath = f"/v1/providers/{provider.id}/quotas/{YEAR}/revision"
    assert_problem(api.post(ppath, {"amount_fen": held - 1}), 409, "QUOTA_BELOW_USAGE")
    assert ok(api.post(ppath, {"amount_fen": held}))["used_fen"] == held


# -- the year-end expiry run (last: it closes the year's vouchers) -----------------------------------------------------
def test_the_expiry_run_after_the_deadline_expires_open_vouchers_once(api):
    open_ones = []
    for item in ("APP-ERP", "DEV-ACCESS"):
        open_ones.append(ok(api.issue(api.eligible_enterprise(), item), 201)["voucher_id"])
    path = f"/v1/programme/years/{YEAR}/expiry-run"
    assert_problem(api.post(path), 409, "VOUCHER_NOT_YET_EXPIRED")
    expected_open = [v for v in _vouchers_of_the_year(api) if ok(api.get(f"/v1/vouchers/{v}"))["status"] == "ACTIVE"]
    assert set(open_ones) <= set(expected_open)
    remaining = {v: ok(api.get(f"/v1/vouchers/{v}"))["remaining_fen"] for v in expected_open}
    used = quota_of(api)["quota_used_fen"]
    spend = ok(api.get(f"/v1/cities/{FOSHAN}/spend"))["lines"]
    api.clock.set(CLOSED)

    # Past the deadline, before the run: the voucher reads EXPIRED, as its claims are refused VOUCHER_EXPIRED (a
    # review found ACTIVE with a balance), but no money has moved: the unused value is still in remaining_fen and
    # returns to the city's quota only by the recorded run.
    deadline = "2021-02-09T00:00:00+08:00"
    for v in expected_open:
        found = ok(api.get(f"/v1/vouchers/{v}"))
        assert (found["status"], found["expiry_recorded"], found["expires_at"]) == (
            "EXPIRED", False, "2021-02-08T16:00:00Z"), found
        assert (found["remaining_fen"], found["returned_fen"]) == (remaining[v], 0)
        before = ok(api.get(f"/v1/vouchers/{v}", as_of="2021-02-08T23:59:59.999999+08:00"))
        assert (before["status"], before["expiry_recorded"]) == ("ACTIVE", False)
        assert ok(api.get(f"/v1/vouchers/{v}", as_of=deadline))["status"] == "EXPIRED"
    assert_problem(api.claim(open_ones[0], api.claim_body(api.whitelisted_provider(), eligible_fee_fen=100_000)), 409,
                   "VOUCHER_EXPIRED")
    assert quota_of(api)["quota_used_fen"] == used
    assert ok(api.get(f"/v1/cities/{FOSHAN}/spend"))["lines"] == spend
    page = api.client.get(f"/console/parts/vouchers/{open_ones[0]}", params={"lang": "en"}, headers=api.auth("auditor"))
    assert page.status_code == 200 and 'id="expiry-not-recorded"' in page.text
    assert "expiry run is not recorded" in page.text

    run = ok(api.post(path, key=None))

    assert (run["found"], run["expired"], run["skipped"], run["failed"]) == (len(expected_open),) * 2 + (0, {})
    assert run["by_city"] == {FOSHAN: {"expired": len(expected_open), "returned_fen": sum(remaining.values())}}
    assert run["returned_fen"] == sum(remaining.values())
    assert quota_of(api)["quota_used_fen"] == used - sum(remaining.values())
    assert {ok(api.get(f"/v1/vouchers/{v}"))["status"] for v in expected_open} == {"EXPIRED"}
    for v in expected_open:
        found = ok(api.get(f"/v1/vouchers/{v}"))
        assert (found["expiry_recorded"], found["returned_fen"], found["remaining_fen"]) == (True, remaining[v], 0)
    page = api.client.get(f"/console/parts/vouchers/{open_ones[0]}", headers=api.auth("auditor"))
    assert page.status_code == 200 and 'id="voucher-status">已过期' in page.text and "expiry-not-recorded" not in page.text
    again = ok(api.post(path))
    assert (again["found"], again["expired"], again["returned_fen"]) == (0, 0, 0)
    assert quota_of(api)["quota_used_fen"] == used - sum(remaining.values())


def _vouchers_of_the_year(api) -> list[str]:
    """Every voucher the module issued, from the event feed (the API's own record)."""
    feed = ok(api.get("/v1/events", event_type="Voucher.Issued", limit=1000))["items"]
    return [item["originator_id"] for item in feed]


# -- the same operations on the command line ---------------------------------------------------------------------------
@pytest.fixture(scope="module", params=store_params())
def cli_world(request, tmp_path_factory):
    """A separate store, set up over HTTP; the command line then runs on the real clock (after the 2020 deadline)."""
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        api.provider = api.whitelisted_provider()
        clock.advance(days=1)
        yield api


def cli(api, *args: str, tmp_path) -> tuple[int, str]:
    """`voucher-ledger ARGS` on the store ``api`` serves (in this process: tests/support/cli_runner.py)."""
    env = {**store_env(api.settings), "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true"}
    done = voucher_ledger(list(args), env, cwd=tmp_path)
    return done.returncode, done.stdout + done.stderr


def test_the_command_line_runs_every_operation(cli_world, tmp_path):
    w = cli_world
    refused_one, kept = w.register(), w.eligible_enterprise()
    assert w.decide(refused_one, revenue_fen=BELOW_LINE_FEN)["granted"] is False
    voucher = ok(w.issue(kept), 201)["voucher_id"]
    revoked = ok(w.issue(kept, "DEV-ACCESS"), 201)["voucher_id"]

    code, out = cli(w, "correct-eligibility", refused_one.uscc, str(YEAR), "--revenue-fen", "1500000000",
                    "--effective-at", iso(w.clock.now), "--reason", "收入更正", tmp_path=tmp_path)
    assert code == 0, out
    assert (json.loads(out)["granted"], json.loads(out)["previously_granted"]) == (True, False)
    assert ok(w.get(f"/v1/enterprises/{refused_one.id}"))["eligibility"][0]["corrected"] is True

    code, out = cli(w, "revoke-voucher", revoked, "--reason", "另案处理", tmp_path=tmp_path)
    assert code == 0 and json.loads(out) == DEV, out

    # The command line records on the real clock: the service reads after it from here on (a time after its own now
    # would be refused AS_OF_IN_FUTURE).
    w.clock.set(datetime.now(UTC) + timedelta(hours=1))
    used = quota_of(w)["quota_used_fen"]
    assert used == APP  # the revoked voucher's value is back
    code, out = cli(w, "revise-city-quota", FOSHAN, str(YEAR), "--amount-fen", str(used - 1), tmp_path=tmp_path)
    assert code == 1 and "QUOTA_BELOW_USAGE" in out
    code, out = cli(w, "revise-city-quota", FOSHAN, str(YEAR), "--amount-fen", str(used), tmp_path=tmp_path)
    assert code == 0 and json.loads(out)["amount_fen"] == used, out
    code, out = cli(w, "revise-provider-quota", w.provider.uscc, str(YEAR), "--amount-fen", "1000",
                    tmp_path=tmp_path)
    assert code == 0 and json.loads(out)["previous_fen"] == 300_000_000, out
    code, out = cli(w, "cloud-agreement", w.provider.id, str(YEAR), "--rate", "0.31", tmp_path=tmp_path)
    assert code == 0 and json.loads(out), out
    code, out = cli(w, "revise-city-quota", FOSHAN, str(YEAR), "--amount-fen", "1", "--actor", "city:440600",
                    tmp_path=tmp_path)
    assert code == 2

    code, out = cli(w, "expire-year", str(YEAR), tmp_path=tmp_path)
    assert code == 0, out
    run_answer = json.loads(out)
    assert (run_answer["found"], run_answer["expired"], run_answer["returned_fen"]) == (1, 1, APP)
    assert run_answer["by_city"] == {FOSHAN: {"expired": 1, "returned_fen": APP}}
    found = ok(w.get(f"/v1/vouchers/{voucher}"))
    assert (found["status"], found["expiry_recorded"]) == ("EXPIRED", True)
    code, out = cli(w, "expire-year", str(YEAR), tmp_path=tmp_path)
    assert code == 0 and (json.loads(out)["found"], json.loads(out)["expired"]) == (0, 0), out
