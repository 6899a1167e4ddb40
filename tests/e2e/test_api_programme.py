"""GET /v1/programme and POST /v1/programme/years; a training service says so on every answer; on the real clock,
with no training setting, the province opens the current year and a voucher goes from issuance to payment; a year
never covers a fee category the policy excludes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.http.app import create_app
from tests.e2e.test_api_operations import cli
from tests.support.api_helpers import (
    FOSHAN, START, Api, ServiceClock, api_settings, assert_problem, ok, patched_clock, running_api,
)

TRAINING = "Voucher-Ledger-Training"


def test_a_training_service_shows_its_programme_and_marks_every_answer(store_settings):
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        answer = api.get("/v1/programme", role="enterprise:91440600MA00000014")  # every role reads it
        body = ok(answer)
        assert answer.headers[TRAINING] == "true"
        assert body["training"] is True and body["document_number"] == "粤府〔2018〕23号"
        assert [y["year"] for y in body["years"]] == [2018, 2019, 2020]
        # 2 March 2020: 2018's vouchers ran to 28 Feb 2019 and 2019's to 8 Feb 2020; 2020's are being issued.
        phases = {y["year"]: y["phase"] for y in body["years"]}
        assert phases == {2018: "CLOSED", 2019: "CLOSED", 2020: "ISSUING"} and body["open_years"] == [2020]
        assert body["years"][2]["redemption_deadline"] == "2021-02-08"
        assert body["years"][2]["revenue_threshold_fen"] == 1_000_000_000
        unauthenticated = api.client.get("/v1/programme")
        assert_problem(unauthenticated, 401) and unauthenticated.headers[TRAINING] == "true"  # errors too
        year = {"city": FOSHAN, "year": 2021, "amount_fen": 1_000, "city_share": "0.3"}
        assert_problem(api.post("/v1/city-quotas", year), 409, "YEAR_NOT_IN_PROGRAMME")
        opened = ok(api.post("/v1/programme/years", {"year": 2021, "redemption_deadline": "2022-02-08",
                                                     "revenue_threshold_fen": 1_500_000_000}), 201)
        assert (opened["year"], opened["phase"], opened["revenue_threshold_fen"]) == (2021, "UPCOMING", 1_500_000_000)
        assert opened["min_payment_ratio"] == "0.90"  # carried from 2020
        ok(api.post("/v1/city-quotas", year))
        assert_problem(api.post("/v1/programme/years", {"year": 2021, "redemption_deadline": "2022-02-08"}), 409,
                       "YEAR_ALREADY_OPEN")
        assert_problem(api.post("/v1/programme/years", {"year": 2022, "redemption_deadline": "2023-02-08"},
                                role="auditor"), 403, "FORBIDDEN")


def test_on_the_real_clock_the_province_opens_the_current_year_and_pays_a_claim(store_settings):
    settings = api_settings(store_settings)
    now = datetime.now(UTC)
    year = (now + timedelta(hours=8)).year  # the fiscal year in Guangdong
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client=client, settings=settings, clock=ServiceClock(now - timedelta(minutes=1)))  # body times
        first = api.get("/v1/programme")
        assert TRAINING not in first.headers and ok(first)["training"] is False
        assert year not in ok(first)["open_years"]
        opened = ok(api.post("/v1/programme/years", {"year": year, "redemption_deadline": f"{year + 1}-02-08"}), 201)
        assert opened["phase"] == "ISSUING"
        api.setup_year(year)
        provider = api.admit()
        assert api.assess(provider)["status"] == "WHITELISTED"
        api.provider_quota(provider, year=year)
        enterprise = api.register()
        assert api.decide(enterprise, year=year)["granted"] is True
        voucher = ok(api.issue(enterprise, year=year), 201)["voucher_id"]
        claim = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=200_001)), 201)
        assert claim["amount_fen"] == 100_000  # 50 % rounded down to the fen
        ok(api.approve(voucher, claim["claim_id"]))
        batch = api.open_batch(provider, period=f"{year}-01")
        ok(api.add_to_batch(batch, voucher, claim["claim_id"]))
        api.clock = ServiceClock(datetime.now(UTC))  # paid now: a payment is not dated before its approval
        ok(api.pay(batch))
        balance = ok(api.get(f"/v1/vouchers/{voucher}"))
        assert balance["settled_fen"] == 100_000
        recorded = [e["recorded_us"] for e in ok(api.get(f"/v1/audit/voucher/{voucher}"))["items"]]
        real = (now - timedelta(minutes=5)).timestamp() * 1e6, (now + timedelta(minutes=5)).timestamp() * 1e6
        assert len(recorded) >= 5 and all(real[0] <= r <= real[1] for r in recorded)  # recorded on the real clock
        assert ok(api.get("/v1/programme"))["open_years"][-1] == year


def test_a_year_covering_a_category_the_policy_never_covers_is_refused_and_nothing_is_written(store_settings,
                                                                                              tmp_path):
    """一(二): automation/intelligent equipment and non-cloud software are never covered. A year listing one is refused
    as a catalogue item or a claim of it would be (CATEGORY_NOT_COVERED), over HTTP and on the command line, and no
    successor year can inherit it."""
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        for never in ("AUTOMATION_EQUIPMENT", "NON_CLOUD_SOFTWARE"):
            before = api.event_count()
            body = {"year": 2099, "redemption_deadline": "2100-02-08", "covered_fee_categories": [never]}
            refused = assert_problem(api.post("/v1/programme/years", body), 409, "CATEGORY_NOT_COVERED")
            assert never in refused["detail"] and api.event_count() == before
            mixed = {**body, "covered_fee_categories": ["APPLICATION_SERVICE", never]}
            assert_problem(api.post("/v1/programme/years", mixed), 409, "CATEGORY_NOT_COVERED")
            assert api.event_count() == before
        code, out = cli(api, "programme", "open-year", "2099", "--redemption-deadline", "2100-02-08",
                        "--covered", "AUTOMATION_EQUIPMENT", tmp_path=tmp_path)
        assert code == 1 and "CATEGORY_NOT_COVERED" in out and "AUTOMATION_EQUIPMENT" in out, out
        assert [y["year"] for y in ok(api.get("/v1/programme"))["years"]] == [2018, 2019, 2020]
        inherited = ok(api.post("/v1/programme/years", {"year": 2099, "redemption_deadline": "2100-02-08"}), 201)
        assert inherited["covered_fee_categories"] == ["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"]


def test_a_quota_factor_the_evaluation_cannot_apply_is_refused_and_nothing_is_written(store_settings):
    """Found by the hostile review: a quota band's factor was any decimal. 1e999999999 was recorded with the year, and
    its pool evaluation could never run (cap x factor overflows); 1e308 made a next-year quota of 316 digits, beyond
    what a quota may be, so that year could never be evaluated either (a year's rules are never edited); 1e-999999999
    is a factor of nothing. A factor is at most 10 (ten times the kind's cap) with six decimals at most."""
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        rules = ok(api.get("/v1/programme"))["years"][2]["evaluation"]
        before = api.event_count()
        for factor in ("1e999999999", "1e308", "1e-999999999", "10.5", "0.1234567"):
            bands = [[90, factor], [60, "0.8"]]
            body = {"year": 2099, "redemption_deadline": "2100-02-08", "evaluation": {**rules, "quota_bands": bands}}
            refused = assert_problem(api.post("/v1/programme/years", body), 422, "INVALID_INPUT")
            assert "quota factor" in refused["detail"] and api.event_count() == before, refused
        bands = [[90, "10"], [60, "0.123456"]]
        body = {"year": 2099, "redemption_deadline": "2100-02-08", "evaluation": {**rules, "quota_bands": bands}}
        assert ok(api.post("/v1/programme/years", body), 201)["evaluation"]["quota_bands"] == bands


def test_a_year_that_cannot_work_and_a_catalogue_with_its_own_deadline_are_refused_and_nothing_is_written(
        store_settings, tmp_path):
    """Found by a black-box review: ``open-year 2034 --min-payment-ratio 0`` was opened (the payment proof switched
    off, and inherited by later years), so was an application window closing after the redemption deadline, and a
    catalogue "redeemable until 2040-12-31" in a year redeemable until 2035-02-08 (201)."""
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        before = api.event_count()
        code, out = cli(api, "programme", "open-year", "2034", "--redemption-deadline", "2035-02-08",
                        "--min-payment-ratio", "0", tmp_path=tmp_path)
        assert code == 1 and "INVALID_RATE" in out, out
        late = {"year": 2038, "redemption_deadline": "2039-02-08", "applications_open": "2038-01-01",
                "applications_close": "2039-06-01"}
        assert "application window" in assert_problem(api.post("/v1/programme/years", late), 422,
                                                       "INVALID_INPUT")["detail"]
        assert_problem(api.post("/v1/programme/years", {"year": 2034, "redemption_deadline": "2035-02-08",
                                                        "objection_working_days": 0}), 422, "INVALID_INPUT")
        assert api.event_count() == before
        assert [y["year"] for y in ok(api.get("/v1/programme"))["years"]] == [2018, 2019, 2020]

        ok(api.post("/v1/programme/years", {"year": 2034, "redemption_deadline": "2035-02-08"}), 201)
        before = api.event_count()
        item = {"item_id": "APP-ERP", "name": "ERP 上云", "fee_category": "APPLICATION_SERVICE", "rate": "0.50",
                "cap_fen": 1_000_000}
        body = {"year": 2034, "items": [item], "redemption_deadline": "2040-12-31"}
        refused = assert_problem(api.post("/v1/catalogues", body), 409, "CATALOGUE_DEADLINE_MISMATCH")
        assert "2035-02-08" in refused["detail"] and api.event_count() == before
        ok(api.post("/v1/catalogues", {**body, "redemption_deadline": "2035-02-08"}), 201)


def test_the_command_line_opens_a_successor_year_with_every_figure_of_its_own(store_settings, tmp_path):
    """Found by a black-box review: `programme open-year` had no option for the date contracts are covered from, the
    years established, the misuse look-back or the provider caps, so a successor year opened on the command line
    under a new policy covered contracts from 2018-03-20 and kept 2020's caps; POST /v1/programme/years takes them."""
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        code, out = cli(api, "programme", "open-year", "2027", "--redemption-deadline", "2028-02-08",
                        "--contracts-from", "2026-11-01", "--established-years", "2", "--misuse-lookback-years", "3",
                        "--provider-cap", "PLATFORM=1000000000", "--provider-cap", "SERVICE=600000000",
                        tmp_path=tmp_path)
        assert code == 0, out
        [opened] = [y for y in ok(api.get("/v1/programme"))["years"] if y["year"] == 2027]
        assert (opened["contracts_from"], opened["established_years"], opened["misuse_lookback_years"]) == (
            "2026-11-01", 2, 3)
        assert opened["provider_caps_fen"] == {"PLATFORM": 1_000_000_000, "SERVICE": 600_000_000}
        before = api.event_count()
        for wrong in (["--provider-cap", "PLATFORM"], ["--provider-cap", "NOBODY=1"], ["--contracts-from", "1.11.26"]):
            code, out = cli(api, "programme", "open-year", "2028", "--redemption-deadline", "2029-02-08", *wrong,
                            tmp_path=tmp_path)
            assert code in (1, 2) and api.event_count() == before, out


SUCCESSOR = {"name": "广东省推动工业企业上云上平台实施方案（2026—2027年）", "document_number": "粤工信数字〔2026〕88号",
             "policy_date": "2026-11-01"}


def test_a_successor_year_is_opened_under_its_own_policy_and_every_year_names_the_one_it_runs_under(
        store_settings, tmp_path):
    """Found by a black-box review: a successor year could not name its policy, so a 2027 year under a new document
    ran under 粤府〔2018〕23号 and covered contracts from 2018-03-20. The province gives the policy with the year; the
    programme's answer names each year's, and the command line takes it as the API does."""
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        before = api.event_count()
        assert_problem(api.post("/v1/programme/years", {"year": 2027, "redemption_deadline": "2028-02-08",
                                                        "policy": {**SUCCESSOR, "name": " "}}), 422)
        assert api.event_count() == before
        opened = ok(api.post("/v1/programme/years", {"year": 2027, "redemption_deadline": "2028-02-08",
                                                     "policy": SUCCESSOR}), 201)
        assert opened["policy"] == SUCCESSOR and opened["own_policy"] is True
        assert opened["contracts_from"] == "2026-11-01"
        code, out = cli(api, "programme", "open-year", "2029", "--redemption-deadline", "2030-02-08",
                        "--policy-name", "后续政策", "--policy-document-number", "粤府〔2028〕9号",
                        "--policy-date", "2028-12-01", tmp_path=tmp_path)
        assert code == 0, out
        code, out = cli(api, "programme", "open-year", "2030", "--redemption-deadline", "2031-02-08",
                        "--policy-name", "只有名称", tmp_path=tmp_path)
        assert code == 2 and "INVALID_INPUT" in out, out
        years = {y["year"]: y for y in ok(api.get("/v1/programme"))["years"]}
        assert years[2020]["policy"] == {"name": "广东省支持企业“上云上平台”加快发展工业互联网的若干扶持政策（2018—2020年）",
                                         "document_number": "粤府〔2018〕23号", "policy_date": "2018-03-20"}
        assert years[2020]["own_policy"] is False and years[2020]["contracts_from"] == "2018-03-20"
        assert years[2029]["policy"]["document_number"] == "粤府〔2028〕9号"
        assert years[2029]["contracts_from"] == "2028-12-01"


def test_the_console_names_the_policy_of_the_year_it_shows(store_settings):
    """An official reading a successor year's overview or city page sees which policy (文号) its figures are under,
    and the 2018-2020 years still say 粤府〔2018〕23号."""
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        ok(api.post("/v1/programme/years", {"year": 2027, "redemption_deadline": "2028-02-08", "policy": SUCCESSOR}),
           201)
        for part, year, named in (("/console/parts/overview", 2027, "粤工信数字〔2026〕88号"),
                                  ("/console/parts/cities/440600", 2027, "粤工信数字〔2026〕88号"),
                                  ("/console/parts/overview", 2020, "粤府〔2018〕23号")):
            page = api.client.get(f"{part}?year={year}", headers=api.auth("auditor"))
            assert page.status_code == 200 and f"政策依据：{named}" in page.text, page.text[:400]
        english = api.client.get("/console/parts/overview?year=2027&lang=en", headers=api.auth("auditor"))
        assert "Policy: 粤工信数字〔2026〕88号" in english.text
