"""Every figure explained: a spend cell of the overview or a city's page, or a trial balance line, leads (by a click)
to the events that make it up, and the amounts the page lists add up to the figure the page showed, which is the
API's (/v1/cities/{city}/spend, /v1/trial-balance) for the same as_of and known_at. Beside it, through the API
alone: for every city, stage and fund source, /v1/cities/{city}/spend/movements adds up to /v1/cities/{city}/spend
(the one read through daily totals, the other row by row)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.parties import VOUCHER_CITIES
from tests.support.api_helpers import module_store_settings, store_params
from tests.support.console_browser import (
    Served, end_of_day, fen, figures, screenshot, serving, signed_in, simulated_store,
)

pytest.importorskip("playwright")

DAY = "2019-12-31"
EARLIER = "2019-09-30"
YEAR = 2019
STAGES = ("claimed", "approved", "settled", "reversed", "recovered", "spend", "collected", "written_off",
          "outstanding", "cash_out")


@pytest.fixture(scope="module", params=store_params())
def served(request, tmp_path_factory) -> Iterator[Served]:
    settings = module_store_settings(request, tmp_path_factory)
    simulated_store(settings, events=3_000, seed=13)
    with serving(settings) as service:
        yield service


def city_figure(served: Served, city: str, **filters) -> int:
    lines = served.api("auditor", f"/v1/cities/{city}/spend", **filters)["lines"]
    return sum(line["amount_fen"] for line in lines)


def movements(served: Served, city: str, **filters) -> list[dict]:
    found, after = [], 0
    while after is not None:
        page = served.api("auditor", f"/v1/cities/{city}/spend/movements", after=after, **filters)
        found += page["items"]
        after = page["next_after"]
    return found


def listed(page) -> list[tuple[int, int]]:
    """(position, amount) of every event the explain page lists, read from the DOM."""
    rows = page.locator("#explain-events tbody tr[data-position]").evaluate_all(
        "rows => rows.map(r => [r.dataset.position, r.querySelector('[data-figure]').innerText])")
    return [(int(position), fen(amount)) for position, amount in rows]


@pytest.mark.parametrize("known_at", [None, EARLIER])
def test_the_movements_add_up_to_every_city_figure(served, known_at):
    times = {"as_of": end_of_day(DAY)} | ({"known_at": end_of_day(known_at)} if known_at else {})
    moved = 0
    for city in VOUCHER_CITIES:
        figure: dict[tuple[str, str], int] = {}
        for line in served.api("auditor", f"/v1/cities/{city}/spend", year=YEAR, **times)["lines"]:
            key = (line["stage"], line["fund_source"])
            figure[key] = figure.get(key, 0) + line["amount_fen"]
        for stage in STAGES:
            events = movements(served, city, year=YEAR, stage=stage, **times)
            assert all(e["amount_fen"] == e["province_fen"] + e["city_fen"] != 0 for e in events)
            for source in ("province", "city"):
                assert sum(e[f"{source}_fen"] for e in events) == figure.get((stage, source), 0), (city, stage)
            moved += len(events)
    assert moved > 0


def test_an_overview_spend_cell_explains_itself(browser, served, watch):
    page = signed_in(browser, served, watch, "auditor", f"/console/overview?as_of={DAY}&year={YEAR}")
    city = max(VOUCHER_CITIES, key=lambda c: figures(page, f"#city-spend tr[data-city='{c}']")["spend_fen"])
    shown = figures(page, f"#city-spend tr[data-city='{city}']")["province_fen"]
    page.click(f"#city-spend tr[data-city='{city}'] [data-figure=province_fen] a.explain")
    page.wait_for_selector("body[data-ready=true] #explain-events")
    assert f"/console/explain/spend/{city}?" in page.url and "fund_source=province" in page.url
    expected = city_figure(served, city, as_of=end_of_day(DAY), year=YEAR, stage="spend", fund_source="province")
    events = listed(page)
    assert shown == expected > 0 and sum(amount for _, amount in events) == expected
    assert figures(page, "#explain-check") == {"figure": expected, "total": expected}
    assert page.locator("#explain-equal").get_attribute("data-equal") == "true"
    api = movements(served, city, as_of=end_of_day(DAY), year=YEAR, stage="spend", fund_source="province")
    assert events == [(e["position"], e["amount_fen"]) for e in api]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits 1366 wide
    screenshot(page, f"explain-spend-{served.settings.store}")
    watch.assert_clean()


def test_a_city_stage_cell_explains_itself_as_known_then(browser, served, watch):
    city = max(VOUCHER_CITIES, key=lambda c: city_figure(served, c, as_of=end_of_day(DAY), year=YEAR, stage="settled"))
    times = f"as_of={DAY}&known_at={EARLIER}&year={YEAR}"
    page = signed_in(browser, served, watch, "auditor", f"/console/cities/{city}?{times}")
    row = page.locator("#city-stages tbody tr[data-category]").first
    category = row.get_attribute("data-category")
    shown = fen(row.locator("[data-figure=approved]").inner_text())
    row.locator("[data-figure=approved] a.explain").click()
    page.wait_for_selector("body[data-ready=true] #explain-events")
    assert f"known_at={EARLIER}" in page.url and f"fee_category={category}" in page.url
    expected = city_figure(served, city, as_of=end_of_day(DAY), known_at=end_of_day(EARLIER), year=YEAR,
                           stage="approved", fee_category=category)
    assert shown == expected == sum(amount for _, amount in listed(page))
    assert page.locator("#explain-equal").get_attribute("data-equal") == "true"
    watch.assert_clean()


def test_a_trial_balance_line_explains_itself(browser, served, watch):
    page = signed_in(browser, served, watch, "auditor", f"/console/trial-balance?as_of={DAY}")
    row = figures(page, "#trial-balance tr[data-account=PAID]")
    page.click("#trial-balance tr[data-account=PAID] [data-figure=balance_fen] a.explain")
    page.wait_for_selector("body[data-ready=true] #explain-lines")
    assert "account=PAID" in page.url
    answer = served.api("auditor", "/v1/trial-balance", as_of=end_of_day(DAY))
    paid = next(a for a in answer["accounts"] if a["account"] == "PAID")
    assert row == {k: paid[k] for k in row} and paid["debit_fen"] + paid["credit_fen"] > 0
    lines = page.locator("#explain-lines tbody tr[data-position]").evaluate_all(
        "rows => rows.map(r => [r.dataset.fundSource, r.querySelector('[data-figure=debit_fen]').innerText,"
        " r.querySelector('[data-figure=credit_fen]').innerText])")
    debit = credit = 0
    by_source = {"province": 0, "city": 0}
    for source, debit_text, credit_text in lines:
        debit, credit = debit + fen(debit_text), credit + fen(credit_text)
        by_source[source] += fen(debit_text) - fen(credit_text)
    assert (debit, credit, debit - credit) == (paid["debit_fen"], paid["credit_fen"], paid["balance_fen"])
    assert by_source == {"province": paid["province_balance_fen"], "city": paid["city_balance_fen"]}
    assert page.locator("#explain-equal").get_attribute("data-equal") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"explain-account-{served.settings.store}")
    watch.assert_clean()


def test_a_city_may_explain_its_own_figures_only(browser, served, watch):
    own, other = VOUCHER_CITIES[0], VOUCHER_CITIES[1]
    page = signed_in(browser, served, watch, f"city:{own}", f"/console/explain/spend/{other}?as_of={DAY}")
    assert page.locator(".refused").count() == 1 and page.locator("#explain-events").count() == 0
    watch.assert_clean(allowed_errors=("404",))


def test_a_voucher_figure_explains_itself_in_either_language(browser, served, watch):
    claim = served.api("auditor", "/v1/claims", status="settled", limit=1)["items"][0]
    voucher = claim["voucher_id"]
    page = signed_in(browser, served, watch, "auditor", f"/console/vouchers/{voucher}?as_of={DAY}")
    balance = served.api("auditor", f"/v1/vouchers/{voucher}", as_of=end_of_day(DAY))
    for figure in ("settled", "remaining"):
        page.click(f"#voucher-figures [data-figure={figure}_fen] a.explain")
        page.wait_for_selector("body[data-ready=true] #explain-events")
        assert f"figure={figure}" in page.url and f"as_of={DAY}" in page.url
        events = listed(page)
        assert sum(amount for _, amount in events) == balance[f"{figure}_fen"]
        assert figures(page, "#explain-check") == {"figure": balance[f"{figure}_fen"], "total": balance[f"{figure}_fen"]}
        api = served.api("auditor", f"/v1/vouchers/{voucher}/movements", figure=figure, as_of=end_of_day(DAY))
        assert events == [(e["position"], e["amount_fen"]) for e in api["items"]]
        trail = {e["position"] for e in served.api("auditor", f"/v1/audit/voucher/{voucher}", as_of=end_of_day(DAY),
                                                    limit=1000)["items"]}
        assert {position for position, _ in events} <= trail  # every one of them is in the voucher's story
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.go_back()
        page.wait_for_selector("body[data-ready=true] #voucher-figures")
    page.click("#voucher-figures [data-figure=settled_fen] a.explain")
    page.wait_for_selector("body[data-ready=true] #explain-events")
    before = figures(page, "#explain-check")
    page.click("#lang-switch")
    page.wait_for_selector("body[data-ready=true][data-lang=en] #explain-events")
    assert page.locator("h1").inner_text().startswith("Where the figure comes from · Voucher · Settled")
    assert figures(page, "#explain-check") == before
    assert page.locator("#explain-equal").inner_text() == "The events below add up to the figure."
    watch.assert_clean()


PROVIDER_FIGURES = ("claimed_pending", "approved_unsettled", "settled", "recoveries_raised", "recoveries_collected",
                    "recoveries_written_off", "recoveries_due")


def test_a_provider_figure_explains_itself(browser, served, watch):
    provider = served.api("auditor", "/v1/claims", status="settled", limit=1)["items"][0]["provider_id"]
    for known_at in (None, EARLIER):  # by the API alone: each figure is its events, as known now and then
        times = {"as_of": end_of_day(DAY)} | ({"known_at": end_of_day(known_at)} if known_at else {})
        answer = served.api("auditor", f"/v1/providers/{provider}", **times)
        for figure in PROVIDER_FIGURES:
            events = served.api("auditor", f"/v1/providers/{provider}/movements", figure=figure, **times)
            assert events["next_after"] is None
            assert sum(e["amount_fen"] for e in events["items"]) == answer[f"{figure}_fen"], (figure, known_at)
    page = signed_in(browser, served, watch, "auditor", f"/console/providers/{provider}?as_of={DAY}")
    shown = figures(page, "#provider-figures")["settled_fen"]
    assert page.locator("#provider-figures a.explain").count() == len(PROVIDER_FIGURES)
    assert page.locator("#provider-figures [data-figure=held_fen] a").count() == 0  # held: not a sum of events
    page.click("#provider-figures [data-figure=settled_fen] a.explain")
    page.wait_for_selector("body[data-ready=true] #explain-events")
    assert "figure=settled" in page.url
    assert shown == sum(amount for _, amount in listed(page)) > 0
    assert figures(page, "#explain-check") == {"figure": shown, "total": shown}
    watch.assert_clean()
