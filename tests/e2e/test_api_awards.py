"""Awards over HTTP, on both stores: a Foshan enterprise's benchmark project (标杆示范项目) is recommended by Foshan —
never by Dongguan —, selected, granted and paid by the province, and shows in Foshan's spend under its programme and
on the award accounts of the trial balance.

Figures from the rules: the 2020 benchmark project is configured at a fixed 500,000 RMB = 50,000,000 fen; Foshan's 2020
city share is 0.33 (tests/support/api_helpers.py), so the city pays 50,000,000 × 0.33 = 16,500,000 fen and the province
the other 33,500,000.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.e2e.test_api_operations import cli
from tests.support.api_helpers import (
    FOSHAN, START, YEAR, assert_problem, iso, module_store_settings, ok, patched_clock, running_api, store_params,
)

AWARD_FEN = 50_000_000
CITY_FEN = 16_500_000
PROVINCE_FEN = AWARD_FEN - CITY_FEN


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        ok(api.post(f"/v1/programme/years/{YEAR}/award-programmes", {
            "kind": "BENCHMARK_PROJECT", "name": "工业互联网应用标杆示范项目", "applicants": ["ENTERPRISE"],
            "amount_rule": "FIXED", "amount_fen": AWARD_FEN}), 201)
        yield api


def test_a_foshan_benchmark_project_through_the_api(api):
    factory = api.register(FOSHAN)
    provider = api.whitelisted_provider()
    as_factory = f"enterprise:{factory.uscc}"
    programmes = ok(api.get(f"/v1/programme/years/{YEAR}/award-programmes", role=as_factory))["programmes"]
    assert [(p["kind"], p["amount_fen"]) for p in programmes] == [("BENCHMARK_PROJECT", AWARD_FEN)]
    award = ok(api.post("/v1/awards", {"year": YEAR, "kind": "BENCHMARK_PROJECT", "project": "陶瓷产线工业互联网改造",
                                       "contracts": [{"provider_uscc": provider.uscc, "contract_no": "ht-01"}]},
                        role=as_factory), 201)["id"]
    mine = ok(api.get(f"/v1/awards/{award}", role=as_factory))
    assert (mine["status"], mine["city"], mine["applicant_id"]) == ("APPLIED", FOSHAN, factory.id)
    assert mine["contracts"] == [{"provider_uscc": provider.uscc, "provider_id": provider.id, "contract_no": "HT-01"}]
    # the province applies for nobody; it cannot recommend either
    assert_problem(api.post("/v1/awards", {"year": YEAR, "kind": "BENCHMARK_PROJECT", "project": "x"}), 403,
                   "FORBIDDEN")

    # Foshan finds the application among its city's; Dongguan does not, nor does another enterprise
    listed = ok(api.get("/v1/awards", role=f"city:{FOSHAN}"))["items"]
    assert award in [a["award_id"] for a in listed] and {a["city"] for a in listed} == {FOSHAN}
    assert award not in [a["award_id"] for a in ok(api.get("/v1/awards", role="city:441900"))["items"]]
    assert [a["award_id"] for a in ok(api.get("/v1/awards", role=as_factory))["items"]] == [award]
    assert ok(api.get("/v1/awards", role=f"enterprise:{api.register(FOSHAN).uscc}"))["items"] == []
    # a scoped caller's `city` filter naming another city finds nothing, as every list's filter does (README)
    assert ok(api.get("/v1/awards", role=f"city:{FOSHAN}", city="441900"))["items"] == []
    assert ok(api.get("/v1/awards", role=as_factory, city="441900"))["items"] == []
    assert [a["award_id"] for a in ok(api.get("/v1/awards", role=as_factory, city=FOSHAN))["items"]] == [award]
    # Dongguan cannot recommend (nor see) a Foshan application: answered as an unknown award
    assert_problem(api.post(f"/v1/awards/{award}/recommendation", {}, role="city:441900"), 404, "AWARD_NOT_FOUND")
    assert_problem(api.post(f"/v1/awards/{award}/selection"), 409, "INVALID_TRANSITION")  # not recommended yet
    recommendation = {"opinion": "同意推荐"}
    recommended = ok(api.post(f"/v1/awards/{award}/recommendation", recommendation, role=f"city:{FOSHAN}",
                              key="recommend-1"))
    assert recommended["status"] == "RECOMMENDED"
    assert ok(api.post(f"/v1/awards/{award}/selection"))["status"] == "SELECTED"
    # a repeated recommendation gets its first answer (the award as recommended), not the award as it stands now
    again = api.post(f"/v1/awards/{award}/recommendation", recommendation, role=f"city:{FOSHAN}", key="recommend-1")
    assert ok(again) == recommended and again.headers.get("Idempotent-Replayed") == "true"
    assert ok(api.post(f"/v1/awards/{award}/national-recommendation", {"note": "推荐国家级"}))["nationally_recommended"]
    assert_problem(api.post(f"/v1/awards/{award}/grant", {}, key=None), 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert_problem(api.post(f"/v1/awards/{award}/grant", {"amount_fen": 1}), 409, "AWARD_AMOUNT_INVALID")
    assert ok(api.post(f"/v1/awards/{award}/grant", {}))["amount_fen"] == AWARD_FEN

    batch = ok(api.post("/v1/award-batches", {"period": "2020-03"}), 201)["id"]
    ok(api.post(f"/v1/award-batches/{batch}/awards", {"award_id": award}))
    payment = {"effective_at": iso(api.clock.now)}
    paid = ok(api.post(f"/v1/award-batches/{batch}/payment", payment, key="pay-award-batch-1"))
    assert paid["by_city"] == {FOSHAN: {"city_fen": CITY_FEN, "province_fen": PROVINCE_FEN}}
    again = api.post(f"/v1/award-batches/{batch}/payment", payment, key="pay-award-batch-1")  # paid once
    assert ok(again) == paid and again.headers.get("Idempotent-Replayed") == "true"
    assert_problem(api.post(f"/v1/award-batches/{batch}/payment", payment), 409, "INVALID_TRANSITION")
    batch_read = ok(api.get(f"/v1/award-batches/{batch}", role="auditor"))
    assert (batch_read["paid"], batch_read["total_fen"], batch_read["awards"]) == (True, AWARD_FEN, [award])
    api.clock.advance(hours=1)

    spend = ok(api.get(f"/v1/cities/{FOSHAN}/spend", role=f"city:{FOSHAN}", year=YEAR,
                       programme="BENCHMARK_PROJECT", stage="settled"))
    assert {(line["fund_source"], line["amount_fen"], line["fee_category"]) for line in spend["lines"]} == {
        ("city", CITY_FEN, None), ("province", PROVINCE_FEN, None)}
    vouchers = ok(api.get(f"/v1/cities/{FOSHAN}/spend", role="auditor", year=YEAR, programme="VOUCHERS"))
    assert all(line["programme"] == "VOUCHERS" for line in vouchers["lines"])

    # the award programme's settled figure is explained by the award's payment (both fund sources), not by vouchers
    explained = ok(api.get(f"/v1/cities/{FOSHAN}/spend/movements", role=f"city:{FOSHAN}", year=YEAR,
                           programme="BENCHMARK_PROJECT", stage="settled"))["items"]
    assert [(i["event_type"], i["city_fen"], i["province_fen"]) for i in explained] == [
        ("Award.Paid", CITY_FEN, PROVINCE_FEN)]
    voucher_rows = ok(api.get(f"/v1/cities/{FOSHAN}/spend/movements", role="auditor", year=YEAR,
                              programme="VOUCHERS", stage="settled"))["items"]
    assert all(not i["event_type"].startswith("Award.") for i in voucher_rows)

    # the console's city page shows the award as a row of its own, beside the fee categories, and its figures
    # explain through the programme (a fee category it does not have would be refused)
    page = api.client.get(f"/console/parts/cities/{FOSHAN}?year={YEAR}", headers=api.auth(f"city:{FOSHAN}"))
    assert page.status_code == 200 and 'data-category="BENCHMARK_PROJECT"' in page.text, page.text[:300]
    link = f"/console/parts/explain/spend/{FOSHAN}?year={YEAR}&amp;stage=settled&amp;programme=BENCHMARK_PROJECT"
    assert link.replace("/parts", "") in page.text
    why = api.client.get(link.replace("&amp;", "&"), headers=api.auth(f"city:{FOSHAN}"))
    assert why.status_code == 200 and "Award.Paid" in why.text
    # its events' category column names the award programme as the city page does, never the stored AWARD:<kind>
    shown = re.sub(r"<code>.*?</code>|<[^>]+>", " ", why.text, flags=re.S)
    assert "标杆示范项目（奖补）" in shown and "AWARD:" not in shown and "BENCHMARK_PROJECT" not in shown
    # the applicant's own figures: the award beside (never inside) its voucher years
    assert ok(api.get(f"/v1/enterprises/{factory.id}", role=as_factory))["awards"] == [
        {"programme": "BENCHMARK_PROJECT", "programme_year": YEAR, "granted_unpaid_fen": 0, "paid_fen": AWARD_FEN,
         "recovered_fen": 0, "spend_fen": AWARD_FEN}]
    # ... and its console page shows them as the API answers them, in words (a page without them hid the award)
    page = api.client.get(f"/console/parts/enterprises/{factory.id}", headers=api.auth(as_factory))
    awards = page.text[page.text.index('id="applicant-awards"'):]
    awards = awards[:awards.index("</table>")]
    assert 'data-programme="BENCHMARK_PROJECT"' in awards and "标杆示范项目" in awards, awards
    assert f'data-figure="paid_fen">{AWARD_FEN // 100:,}.00<' in awards
    assert "BENCHMARK_PROJECT<" not in awards
    provider_page = api.client.get(f"/console/parts/providers/{provider.id}?lang=en", headers=api.auth("province"))
    assert 'id="applicant-awards"' in provider_page.text and "Awards" in provider_page.text
    books = api.client.get(f"/console/parts/trial-balance?city={FOSHAN}", headers=api.auth("auditor"))
    assert books.status_code == 200 and 'AWARDS_PAID' in books.text
    balance = ok(api.get("/v1/trial-balance", role="auditor", city=FOSHAN, programme="BENCHMARK_PROJECT"))
    accounts = {line["account"]: line for line in balance["accounts"]}
    assert balance["balanced"]
    assert (accounts["AWARDS_PAID"]["balance_fen"], accounts["AWARDS_PAID"]["city_balance_fen"]) == (
        -AWARD_FEN, -CITY_FEN)
    assert (accounts["PROGRAMME_BUDGET"]["balance_fen"], accounts["CITY_BUDGET"]["balance_fen"]) == (
        PROVINCE_FEN, CITY_FEN)
    lines = ok(api.get("/v1/journal-lines", role="auditor", account="AWARDS_PAID", city=FOSHAN))["items"]
    assert [(line["award_id"], line["voucher_id"], line["credit_fen"]) for line in lines] == [
        (award, None, PROVINCE_FEN), (award, None, CITY_FEN)]


def test_the_command_line_keeps_the_same_role_rules(api, tmp_path):
    """The command line records on the real clock: the payment is dated after the grant it records now, and not
    after the time it is recorded."""
    factory = api.register(FOSHAN)

    def run(*args: str) -> tuple[int, str]:
        return cli(api, "awards", *args, tmp_path=tmp_path)

    code, out = run("apply", str(YEAR), "BENCHMARK_PROJECT", "--project", "命令行申报", "--actor",
                    f"enterprise:{factory.uscc}")
    assert code == 0, out
    award = json.loads(out)["result"]
    code, out = run("recommend", award, "--actor", "city:441900")
    assert code == 1 and "AWARD_OTHER_CITY" in out, out
    code, out = run("recommend", award, "--actor", "province:ops")
    assert code == 2, out  # only a city recommends
    code, out = run("recommend", award, "--actor", f"city:{FOSHAN}")
    assert code == 0 and json.loads(out)["result"]["status"] == "RECOMMENDED", out  # JSON, not a Python repr
    assert run("select", award)[0] == 0
    code, out = run("grant", award)
    assert code == 0 and json.loads(out) == AWARD_FEN, out
    code, out = run("open-batch", "cli-1")
    batch = json.loads(out)
    assert run("add-to-batch", batch, award)[0] == 0
    code, out = run("pay-batch", batch, "--effective-at", "2099-01-01T00:00:00+08:00")
    assert code == 1 and "EFFECTIVE_IN_FUTURE" in out, out  # a payment is recorded once it is made
    code, out = run("pay-batch", batch, "--effective-at", datetime.now(UTC).isoformat())
    assert code == 0 and json.loads(out)["by_city"] == {FOSHAN: {"city_fen": CITY_FEN, "province_fen": PROVINCE_FEN}}
    code, out = run("show", award)
    assert code == 0 and json.loads(out)["status"] == "PAID", out


def test_a_withdrawn_key_platform_title_is_neither_granted_nor_paid_over_http(api):
    """The review's case: one key platform at most at any time. p1 is selected, p3 refused for the cap; p1's title is
    withdrawn and p3 selected into its place; p1 can then be neither granted nor paid (409 AWARD_TITLE_WITHDRAWN,
    problem+json). An application without the R&D spend its 30 % is computed from is refused when made (422)."""
    ok(api.post(f"/v1/programme/years/{YEAR}/award-programmes", {
        "kind": "KEY_PLATFORM", "name": "重点平台企业", "applicants": ["PROVIDER"], "amount_rule": "RATE",
        "rate": "0.30", "cap_fen": 200_000_000, "max_selected": 1, "city_share": "0"}), 201)
    p1, p3 = api.whitelisted_provider(), api.whitelisted_provider()
    no_base = api.post("/v1/awards", {"year": YEAR, "kind": "KEY_PLATFORM", "project": "平台研发", "city": FOSHAN},
                       role=f"provider:{p1.uscc}")
    assert_problem(no_base, 422, "AWARD_BASE_REQUIRED")
    awards = [ok(api.post("/v1/awards", {"year": YEAR, "kind": "KEY_PLATFORM", "project": "平台研发", "city": FOSHAN,
                                         "base_fen": 500_000_000}, role=f"provider:{p.uscc}"), 201)["id"]
              for p in (p1, p3)]
    for award in awards:
        ok(api.post(f"/v1/awards/{award}/recommendation", {}, role=f"city:{FOSHAN}"))
    first, third = awards
    ok(api.post(f"/v1/awards/{first}/selection"))
    assert_problem(api.post(f"/v1/awards/{third}/selection"), 409, "AWARD_SELECTION_CAP_REACHED")
    ok(api.post(f"/v1/awards/{first}/title-withdrawal", {"reason": "不再符合重点平台企业条件"}))
    assert ok(api.post(f"/v1/awards/{third}/selection"))["status"] == "SELECTED"

    assert_problem(api.post(f"/v1/awards/{first}/grant", {}), 409, "AWARD_TITLE_WITHDRAWN")
    assert ok(api.get(f"/v1/awards/{first}", role="auditor"))["status"] == "SELECTED"  # unchanged
    assert ok(api.post(f"/v1/awards/{third}/grant", {}))["amount_fen"] == 150_000_000  # 30 % of 5,000,000 RMB
    batch = ok(api.post("/v1/award-batches", {"period": "2020-04"}), 201)["id"]
    # never granted, so there is nothing of it to pay (the review's repro had it granted and paid: 200 twice)
    assert_problem(api.post(f"/v1/award-batches/{batch}/awards", {"award_id": first}), 409, "INVALID_TRANSITION")
    ok(api.post(f"/v1/award-batches/{batch}/awards", {"award_id": third}))
    paid = ok(api.post(f"/v1/award-batches/{batch}/payment", {"effective_at": iso(api.clock.now)}))
    assert paid["awards"] == [third] and paid["total_fen"] == 150_000_000
