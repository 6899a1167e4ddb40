"""The web console (/console/) in Debian's Chromium, driven by Playwright, against a service on a small simulated
programme on each store: the figures the page shows (read from the DOM) equal the API's answers for the same
as_of; the voucher's story is its audit trail; a city sees its own city only; a one-time link signs in once; the
English switch; and no request ever leaves 127.0.0.1 (the outside is cut off, and any attempt is recorded)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.http.console.links import console_link
from ledger.parties import CITIES, SHENZHEN, VOUCHER_CITIES
from ledger.words import named
from tests.support.api_helpers import module_store_settings, store_params
from tests.support.console_browser import (
    VIEWPORT, Served, end_of_day, fen, figures, screenshot, serving, shanghai, signed_in, simulated_store,
)

pytest.importorskip("playwright")
from playwright.sync_api import Page  # noqa: E402

DAY = "2019-12-31"  # the pickers' date: the end of that day in Guangdong
YEAR = 2019


@pytest.fixture(scope="module", params=store_params())
def served(request, tmp_path_factory) -> Iterator[Served]:
    settings = module_store_settings(request, tmp_path_factory)
    simulated_store(settings, events=4_000, seed=7)
    with serving(settings) as service:
        yield service


def settled_voucher(served: Served) -> str:
    """A voucher with a claim paid by the end of the day, found through the API's own list."""
    claims = served.api("province", "/v1/claims", status="settled", limit=1)["items"]
    assert claims, "the simulated programme settled no claim"
    return claims[0]["voucher_id"]


def test_overview_shows_the_apis_city_figures(browser, served, watch):
    page = signed_in(browser, served, watch, "province", f"/console/overview?as_of={DAY}&year={YEAR}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == f"项目概览 · {YEAR}"
    rows = page.locator("#city-spend tbody tr[data-city]")
    codes = [rows.nth(i).get_attribute("data-city") for i in range(rows.count())]
    shown = {code: figures(page, f"#city-spend tr[data-city='{code}']") for code in codes}
    assert set(shown) == set(CITIES)  # every city, Shenzhen as outside the programme
    assert shown.pop(SHENZHEN) == {}
    assert "不在本项目范围内" in page.locator(f"tr[data-city='{SHENZHEN}']").inner_text()
    spent_somewhere = 0
    for city in VOUCHER_CITIES:
        answer = served.api("auditor", f"/v1/cities/{city}/spend", as_of=end_of_day(DAY), year=YEAR)
        quota = answer["quotas"].get(str(YEAR), {})
        spend = {source: sum(line["amount_fen"] for line in answer["lines"]
                             if line["stage"] == "spend" and line["fund_source"] == source
                             and line["programme_year"] == YEAR) for source in ("province", "city")}
        expected = {"quota_set_fen": quota.get("quota_set_fen", 0), "issued_fen": quota.get("issued_fen", 0),
                    "quota_used_fen": quota.get("quota_used_fen", 0),
                    "quota_remaining_fen": quota.get("quota_remaining_fen", 0),
                    "province_fen": spend["province"], "city_fen": spend["city"],
                    "spend_fen": spend["province"] + spend["city"]}
        assert shown[city] == expected, city
        spent_somewhere += expected["spend_fen"]
    assert spent_somewhere > 0  # the comparison is about real figures, not zeros
    totals = figures(page, "#totals")
    assert totals == {k: sum(row[k] for row in shown.values()) for k in totals}
    screenshot(page, f"overview-{served.settings.store}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits 1366 wide
    page.emulate_media(media="print")  # printed: the figures, without the header's controls
    assert not page.locator("#pickers").is_visible() and not page.locator("#print").is_visible()
    assert page.locator("#city-spend").is_visible() and page.locator("h1").is_visible()
    watch.assert_clean()


def test_voucher_story_is_its_audit_trail(browser, served, watch):
    voucher = settled_voucher(served)
    page = signed_in(browser, served, watch, "auditor", f"/console/overview?as_of={DAY}")
    page.select_option("#open select[name=kind]", "voucher")  # from the overview to the voucher, by the header
    page.fill("#open input[name=key]", voucher)
    page.click("#open button[type=submit]")
    page.wait_for_selector("body[data-ready=true] #voucher-figures")
    assert f"/console/vouchers/{voucher}?" in page.url and f"as_of={DAY}" in page.url
    trail = assert_story(page, served, voucher, as_of=end_of_day(DAY))
    screenshot(page, f"voucher-{served.settings.store}")
    # As known on the day before its first settlement was recorded: the page asks the API the same question.
    settled = next(e for e in trail if e["event_type"] == "Voucher.ClaimSettled")
    known_day = shanghai(settled["recorded_us"] - 86_400_000_000)[:10]
    page.fill("#known-at", known_day)
    page.click("#pickers button[type=submit]")
    page.wait_for_selector("body[data-ready=true] time#shown-known-at")
    assert f"known_at={known_day}" in page.url
    earlier = assert_story(page, served, voucher, as_of=end_of_day(DAY), known_at=end_of_day(known_day))
    assert len(earlier) < len(trail) and settled["position"] not in {e["position"] for e in earlier}
    watch.assert_clean()


def assert_story(page: Page, served: Served, voucher: str, **times: str) -> list[dict]:
    """The page's figures and timeline are the API's voucher and audit trail for the same times."""
    answer = served.api("auditor", f"/v1/vouchers/{voucher}", **times)
    assert figures(page, "#voucher-figures") == {k: v for k, v in answer.items() if k.endswith("_fen")}
    lang = "en" if (page.locator("html").get_attribute("lang") or "").startswith("en") else "zh"
    assert page.locator("#voucher-status").inner_text() == named(answer["status"], lang)  # ACTIVE → 有效
    trail = served.api("auditor", f"/v1/audit/voucher/{voucher}", limit=1000, **times)["items"]
    steps = page.locator("ol.timeline > li")
    assert steps.count() == len(trail) > 1
    for i, event in enumerate(trail):
        step = steps.nth(i)
        assert step.get_attribute("data-position") == str(event["position"])
        assert step.get_attribute("data-event") == event["event_type"]
        effective = event["effective_us"] if event["effective_us"] is not None else event["recorded_us"]
        when = step.locator(".when time")
        assert [when.nth(0).inner_text(), when.nth(1).inner_text()] == [shanghai(effective),
                                                                       shanghai(event["recorded_us"])]
        assert event["actor"] in step.locator(".who").inner_text()
        assert event["summary_zh"] in step.locator(".what").inner_text()
    return trail


def test_provider_and_batch_pages_show_the_apis_figures(browser, served, watch):
    claim = served.api("province", "/v1/claims", status="settled", limit=1)["items"][0]
    page = signed_in(browser, served, watch, "province", f"/console/providers/{claim['provider_id']}?as_of={DAY}")
    answer = served.api("province", f"/v1/providers/{claim['provider_id']}", as_of=end_of_day(DAY))
    assert figures(page, "#provider-figures") == {k: answer[k] for k in figures(page, "#provider-figures")}
    assert page.locator("#whitelist > li").count() == len(answer["whitelist_history"]) > 0
    assert page.locator("#provider-batches a").count() == len(answer["batches"]) > 0
    screenshot(page, f"provider-{served.settings.store}")
    page.click(f"#provider-batches a[href*='{claim['batch_id']}']")  # a click, as a user goes on
    page.wait_for_selector("#batch-totals")
    assert f"as_of={DAY}" in page.url
    batch = served.api("province", f"/v1/settlement-batches/{claim['batch_id']}", as_of=end_of_day(DAY))
    assert figures(page, "#batch-totals") == {k: batch[k] for k in figures(page, "#batch-totals")}
    by_city: dict[str, int] = {}
    for line in batch["lines"]:
        by_city[line["city"]] = by_city.get(line["city"], 0) + line["amount_fen"]
    rows = page.locator("#batch-by-city tr[data-city]")
    assert {rows.nth(i).get_attribute("data-city"): fen(rows.nth(i).locator("[data-figure=amount_fen]").inner_text())
            for i in range(rows.count())} == by_city
    screenshot(page, f"batch-{served.settings.store}")
    watch.assert_clean()


def test_a_city_page_is_the_apis_spend_by_fee_category_and_stage(browser, served, watch):
    page = signed_in(browser, served, watch, "auditor", f"/console/overview?as_of={DAY}&year={YEAR}")
    spent = max(VOUCHER_CITIES, key=lambda c: figures(page, f"#city-spend tr[data-city='{c}']")["spend_fen"])
    page.click(f"#city-spend tr[data-city='{spent}'] th a")  # from the overview to the city, by a click
    page.wait_for_selector("body[data-ready=true] #city-stages")
    assert f"/console/cities/{spent}?" in page.url and f"as_of={DAY}" in page.url and f"year={YEAR}" in page.url
    answer = served.api("auditor", f"/v1/cities/{spent}/spend", as_of=end_of_day(DAY), year=YEAR)
    rows = page.locator("#city-stages tbody tr[data-category]")
    categories = [rows.nth(i).get_attribute("data-category") for i in range(rows.count())]
    # a row per fee category of the vouchers, and one per award programme (whose lines have no fee category)
    row_of = lambda line: line["fee_category"] or line["programme"]  # noqa: E731
    assert categories and set(categories) == {row_of(line) for line in answer["lines"]}
    for category in categories:
        expected: dict[str, int] = {}
        for line in answer["lines"]:
            if row_of(line) == category:
                expected[line["stage"]] = expected.get(line["stage"], 0) + line["amount_fen"]
        shown = figures(page, f"#city-stages tr[data-category='{category}']")
        assert shown == {stage: expected.get(stage, 0) for stage in shown}, category
    quota = answer["quotas"][str(YEAR)]
    assert {k: v for k, v in figures(page, "#city-quota").items() if k in quota} == {
        k: quota[k] for k in figures(page, "#city-quota") if k in quota}
    vouchers = served.api("auditor", "/v1/vouchers", city=spent, year=YEAR, limit=100)["items"]
    assert page.locator("#city-vouchers tbody a").count() == len(vouchers) > 0
    screenshot(page, f"city-{served.settings.store}")
    watch.assert_clean()


def test_an_enterprise_page_is_the_apis_answer(browser, served, watch):
    voucher = settled_voucher(served)
    page = signed_in(browser, served, watch, "auditor", f"/console/vouchers/{voucher}?as_of={DAY}")
    page.click("#to-enterprise")  # from the voucher to its enterprise, by a click
    page.wait_for_selector("body[data-ready=true] #enterprise-years")
    enterprise_id = served.api("auditor", f"/v1/vouchers/{voucher}")["enterprise_id"]
    answer = served.api("auditor", f"/v1/enterprises/{enterprise_id}", as_of=end_of_day(DAY))
    assert page.locator("#enterprise-uscc").inner_text() == answer["uscc"]
    assert answer["years"]
    for year in answer["years"]:
        shown = figures(page, f"#enterprise-years tr[data-year='{year['programme_year']}']")
        assert shown == {k: year[k] for k in shown}
    assert page.locator("#eligibility tbody tr[data-year]").count() == len(answer["eligibility"])
    listed = served.api("auditor", "/v1/vouchers", enterprise=enterprise_id, limit=100)["items"]
    assert page.locator("#enterprise-vouchers tbody a").count() == len(listed) > 0
    screenshot(page, f"enterprise-{served.settings.store}")
    watch.assert_clean()


def test_english_switch_keeps_the_time_and_the_figures(browser, served, watch):
    page = signed_in(browser, served, watch, "province", f"/console/overview?as_of={DAY}&year={YEAR}")
    before = figures(page, "#totals")
    page.click("#lang-switch")
    page.wait_for_selector("body[data-ready=true][data-lang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == f"Programme overview · {YEAR}"
    assert "lang=en" in page.url and f"as_of={DAY}" in page.url
    assert page.locator("#as-of").input_value() == DAY
    assert "Outside the programme" in page.locator(f"tr[data-city='{SHENZHEN}']").inner_text()
    assert figures(page, "#totals") == before
    screenshot(page, f"overview-en-{served.settings.store}")
    watch.assert_clean()


def test_a_city_sees_its_own_city_only(browser, served, watch):
    voucher = served.api("province", f"/v1/vouchers/{settled_voucher(served)}")
    own = voucher["city"]
    other = next(c for c in VOUCHER_CITIES if c != own)
    parts: list[str] = []
    page = signed_in(browser, served, watch, f"city:{other}", f"/console/overview?as_of={DAY}&year={YEAR}")
    rows = page.locator("#city-spend tr[data-city]")
    assert sorted(rows.nth(i).get_attribute("data-city") for i in range(rows.count())) == sorted([other, SHENZHEN])
    page.on("response", lambda r: parts.append(r.text()) if "/console/parts/" in r.url else None)
    page.goto(f"{served.url}/console/vouchers/{voucher['voucher_id']}?as_of={DAY}")
    page.wait_for_selector("body[data-ready=true] .refused")
    assert "未找到，或当前角色无权查看" in page.locator(".refused h1").inner_text()
    assert parts and not any(str(voucher["face_value_fen"] // 100) in p or "timeline" in p for p in parts)
    watch.assert_clean(allowed_errors=("404",))  # the browser logs the refused fragment's status


def test_a_provider_is_pointed_at_its_own_page(browser, served, watch):
    claim = served.api("province", "/v1/claims", status="settled", limit=1)["items"][0]
    uscc = served.api("province", "/v1/providers", limit=1000)
    uscc = next(p["uscc"] for p in uscc["items"] if p["provider_id"] == claim["provider_id"])
    page = signed_in(browser, served, watch, f"provider:{uscc}", f"/console/overview?as_of={DAY}")
    assert "当前角色无权查看此页面" in page.locator(".refused h1").inner_text()  # city spend is not a provider's
    page.click("#own-page")
    page.wait_for_selector("body[data-ready=true] #provider-figures")
    answer = served.api(f"provider:{uscc}", f"/v1/providers/{uscc}", as_of=end_of_day(DAY))
    assert figures(page, "#provider-figures") == {k: answer[k] for k in figures(page, "#provider-figures")}
    watch.assert_clean(allowed_errors=("403",))  # the browser logs the refused overview's status


def test_a_console_link_signs_in_once(browser, served, watch):
    link = console_link(served.settings, "auditor", base_url=served.url)
    token = link.partition("#link=")[2]
    refused = httpx.get(f"{served.url}/v1/whitelist", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401  # the link is not itself a bearer token
    context = browser.new_context(viewport=VIEWPORT)
    watch.attach(context)
    page = watch.page(context.new_page())
    page.goto(link)
    page.wait_for_selector("body[data-ready=true] #city-spend")
    assert "#" not in page.url  # taken out of the address bar and the history
    again = watch.page(browser.new_context(viewport=VIEWPORT).new_page())
    again.goto(link)
    again.wait_for_selector("#sign-in:not([hidden])")
    assert "令牌无效" in again.locator("#sign-in-message").inner_text()
    watch.assert_clean(allowed_errors=("401",))  # the second use, refused


def test_docs_render_offline(browser, served, watch):
    context = browser.new_context(viewport=VIEWPORT)
    watch.attach(context)
    page = watch.page(context.new_page())
    page.goto(f"{served.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "voucher-ledger" in page.locator(".swagger-ui .info .title").inner_text()
    page.goto(f"{served.url}/redoc")
    page.wait_for_selector("[role=search], .api-content", timeout=30_000)
    watch.assert_clean()
