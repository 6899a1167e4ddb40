"""The auditors' pages of the console in Debian's Chromium: the trial balance and the event feed show the API's
answers (/v1/trial-balance, /v1/journal-lines, /v1/events) for the same as_of and known_at; the trial balance
balances and an account's lines sum to its row; the feed pages on, filters by type, and leads from an event to its
subject's story; a city may see neither; and a city's spend over time is the API's city spend at each month's end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.parties import VOUCHER_CITIES
from tests.support.api_helpers import module_store_settings, store_params
from tests.support.console_browser import (
    Served, end_of_day, figures, screenshot, serving, signed_in, simulated_store,
)

pytest.importorskip("playwright")

DAY = "2019-12-31"
EARLIER = "2019-09-30"
ACCOUNT_FIGURES = ("debit_fen", "credit_fen", "balance_fen", "province_balance_fen", "city_balance_fen")


@pytest.fixture(scope="module", params=store_params())
def served(request, tmp_path_factory) -> Iterator[Served]:
    settings = module_store_settings(request, tmp_path_factory)
    simulated_store(settings, events=3_000, seed=11)
    with serving(settings) as service:
        yield service


def shown_accounts(page) -> dict[str, dict[str, int]]:
    rows = page.locator("#trial-balance tbody tr[data-account]")
    accounts = [rows.nth(i).get_attribute("data-account") for i in range(rows.count())]
    return {a: figures(page, f"#trial-balance tr[data-account='{a}']") for a in accounts}


def assert_trial_balance(page, served: Served, **params: str) -> dict:
    answer = served.api("auditor", "/v1/trial-balance", **params)
    assert shown_accounts(page) == {a["account"]: {k: a[k] for k in ACCOUNT_FIGURES} for a in answer["accounts"]}
    totals = figures(page, "#tb-totals")
    assert totals == {k: answer["totals"][k] for k in ACCOUNT_FIGURES}
    # balanced, judged from the page's own figures: debits equal credits, in total and per fund source
    assert totals["debit_fen"] == totals["credit_fen"] > 0
    assert totals["balance_fen"] == totals["province_balance_fen"] == totals["city_balance_fen"] == 0
    assert page.locator("#tb-balanced").get_attribute("data-balanced") == "true"
    return answer


def test_the_trial_balance_is_the_apis_and_balances(browser, served, watch):
    page = signed_in(browser, served, watch, "auditor", f"/console/trial-balance?as_of={DAY}")
    now = assert_trial_balance(page, served, as_of=end_of_day(DAY))
    screenshot(page, f"trial-balance-{served.settings.store}")
    page.fill("#known-at", EARLIER)  # what the books said then, about the same day
    page.click("#pickers button[type=submit]")
    page.wait_for_selector("body[data-ready=true] time#shown-known-at")
    assert f"known_at={EARLIER}" in page.url and f"as_of={DAY}" in page.url
    then = assert_trial_balance(page, served, as_of=end_of_day(DAY), known_at=end_of_day(EARLIER))
    assert then["totals"]["debit_fen"] < now["totals"]["debit_fen"]  # fewer postings were known then
    city = VOUCHER_CITIES[0]
    page.select_option("#tb-filters select[name=city]", city)
    page.click("#tb-filters button[type=submit]")
    page.wait_for_selector("body[data-ready=true] #trial-balance")
    assert f"city={city}" in page.url and f"known_at={EARLIER}" in page.url
    one = assert_trial_balance(page, served, as_of=end_of_day(DAY), known_at=end_of_day(EARLIER), city=city)
    assert one["totals"]["debit_fen"] < then["totals"]["debit_fen"]
    watch.assert_clean()


def shown_feed(page) -> list[tuple[int, str]]:
    rows = page.locator("#event-feed tbody tr[data-position]")
    return [(int(rows.nth(i).get_attribute("data-position")), rows.nth(i).get_attribute("data-event"))
            for i in range(rows.count())]


def api_feed(served: Served, **params) -> tuple[list[tuple[int, str]], int | None]:
    answer = served.api("auditor", "/v1/events", as_of=end_of_day(DAY), limit=100, **params)
    return [(e["position"], e["event_type"]) for e in answer["items"]], answer["next_after"]


def test_the_event_feed_is_the_apis_paged_and_filtered(browser, served, watch):
    page = signed_in(browser, served, watch, "auditor", f"/console/events?as_of={DAY}")
    first, after = api_feed(served)
    assert shown_feed(page) == first and len(first) == 100 and after == first[-1][0]
    page.click("#next-page")
    page.wait_for_selector(f"body[data-ready=true] tr[data-position='{after + 1}'], body[data-ready=true] #first-page")
    assert f"after={after}" in page.url and f"as_of={DAY}" in page.url
    second, _ = api_feed(served, after=after)
    assert shown_feed(page) == second and second[0][0] > after
    kind = "Voucher.ClaimSettled"
    page.click(f"#event-feed tr[data-event='{kind}'] a.type >> nth=0")  # a type filters the feed, from the start
    page.wait_for_selector("body[data-ready=true] #all-types")
    assert "after=" not in page.url and "type=Voucher.ClaimSettled" in page.url
    settled, _ = api_feed(served, event_type=kind)
    assert shown_feed(page) == settled and {t for _, t in settled} == {kind}
    screenshot(page, f"events-{served.settings.store}")
    position = settled[0][0]
    page.click(f"#event-feed tr[data-position='{position}'] a.story")  # the event's subject: the voucher's story
    page.wait_for_selector("body[data-ready=true] #voucher-figures")
    assert "/console/vouchers/" in page.url and f"as_of={DAY}" in page.url and "type=" not in page.url
    assert page.locator(f"ol.timeline > li[data-position='{position}']").count() == 1
    watch.assert_clean()


def test_a_city_sees_neither_the_books_nor_the_feed(browser, served, watch):
    for path in ("/console/trial-balance", "/console/events"):
        page = signed_in(browser, served, watch, f"city:{VOUCHER_CITIES[0]}", f"{path}?as_of={DAY}")
        assert "当前角色无权查看此页面" in page.locator(".refused h1").inner_text()
        assert page.locator("[data-figure], tr[data-position]").count() == 0
    watch.assert_clean(allowed_errors=("403",))


def api_lines(served: Served, account: str, **params) -> list[dict]:
    """Every line of an account, paging through the API."""
    lines, after = [], 0
    while after is not None:
        answer = served.api("auditor", "/v1/journal-lines", account=account, after=after, limit=50, **params)
        lines += answer["items"]
        after = answer["next_after"]
    return lines


def test_an_accounts_lines_sum_to_its_trial_balance_row(browser, served, watch):
    times = {"as_of": end_of_day(DAY)}
    balance = {a["account"]: a for a in served.api("auditor", "/v1/trial-balance", **times)["accounts"]}
    for account in ("PAID", "VOUCHER_COMMITMENTS"):  # through the API, every page: the row is its lines' sum
        lines = api_lines(served, account, **times)
        assert len({(line["position"], line["seq"]) for line in lines}) == len(lines) > 0  # no line twice
        assert (sum(line["debit_fen"] for line in lines), sum(line["credit_fen"] for line in lines)) == (
            balance[account]["debit_fen"], balance[account]["credit_fen"])
    page = signed_in(browser, served, watch, "auditor", f"/console/trial-balance?as_of={DAY}")
    account = "RECOVERIES_RECEIVABLE"  # few lines: one page of the console holds them all
    row = figures(page, f"#trial-balance tr[data-account='{account}']")
    page.click(f"#trial-balance tr[data-account='{account}'] a.lines")  # from the row to its lines, by a click
    page.wait_for_selector("body[data-ready=true] #journal-lines")
    assert f"account={account}" in page.url and f"as_of={DAY}" in page.url
    lines = api_lines(served, account, **times)
    shown = page.locator("#journal-lines tbody tr[data-position]")
    assert [(int(shown.nth(i).get_attribute("data-position")), int(shown.nth(i).get_attribute("data-seq")))
            for i in range(shown.count())] == [(line["position"], line["seq"]) for line in lines]
    assert page.locator("#next-page").count() == 0
    sums = figures(page, "#jl-sums")
    assert sums == {"debit_fen": row["debit_fen"], "credit_fen": row["credit_fen"]} and sums["debit_fen"] > 0
    screenshot(page, f"journal-lines-{served.settings.store}")
    watch.assert_clean()


def test_a_citys_spend_over_time_is_the_apis_at_each_months_end(browser, served, watch):
    year = 2019
    spent = {city: sum(line["amount_fen"] for line in served.api("auditor", f"/v1/cities/{city}/spend",
                                                                  as_of=end_of_day(DAY), year=year)["lines"]
                       if line["stage"] == "spend") for city in VOUCHER_CITIES}
    city = max(spent, key=spent.get)
    page = signed_in(browser, served, watch, f"city:{city}", f"/console/cities/{city}?as_of={DAY}&year={year}")
    lines = page.locator("#city-over-time polyline[data-stage]")
    series = {lines.nth(i).get_attribute("data-stage"): [int(v) for v in lines.nth(i).get_attribute(
        "data-values").split(",")] for i in range(lines.count())}
    assert "spend" in series and len(series["spend"]) == 12  # the ends of January to November, then as_of
    totals = figures(page, "#stage-totals")  # the last point is the table's figure at the page's as_of
    assert {stage: v[-1] for stage, v in series.items()} == {stage: totals[stage] for stage in series}
    assert {stage for stage, total in totals.items() if total} <= set(series)
    for month, index in (("2019-03-31", 2), ("2019-06-30", 5), ("2019-09-30", 8)):
        answer = served.api(f"city:{city}", f"/v1/cities/{city}/spend", as_of=end_of_day(month), year=year)
        expected = dict.fromkeys(series, 0)
        for line in answer["lines"]:
            if line["stage"] in expected:
                expected[line["stage"]] += line["amount_fen"]
        assert {stage: v[index] for stage, v in series.items()} == expected, month
    highest = max(max(v) for v in series.values())
    assert int(page.locator("#chart-high").get_attribute("data-fen")) == highest > 0
    top = min(float(p.split(",")[1]) for i in range(lines.count())
              for p in lines.nth(i).get_attribute("points").split())  # the highest figure is drawn highest
    assert top == 10.0
    screenshot(page, f"city-over-time-{served.settings.store}")
    watch.assert_clean()
