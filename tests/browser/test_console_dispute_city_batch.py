"""Disputes about a city and a settlement batch, in the console: platform 乙's batch of two approved claims (Foshan
vouchers) was paid on 4 March 2020 but the payment was recorded only on 8 March. As of 5 March, "known then" (5 March)
and "known now" side by side: the batch unpaid then and paid now, its settled total 0 then and the two claims' subsidy
now; Foshan's approved and settled figures trade places by the same amount; the payment's events are listed as facts
recorded late, and what they moved adds up to the difference. The page's figures are the API's for the same times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.api_helpers import (
    FOSHAN, ITEM, floor_rate, iso, module_store_settings, ok, patched_clock, running_api, store_params,
)
from tests.support.console_browser import Served, end_of_day, fen, screenshot, serving, signed_in

pytest.importorskip("playwright")

SHANGHAI = timezone(timedelta(hours=8))
FEES = (2_000_000, 3_000_000)
DAY = "2020-03-05"
SUBSIDY = sum(floor_rate(fee, ITEM["APP-ERP"]["rate"]) for fee in FEES)  # worked out from the rules


@pytest.fixture(scope="module", params=store_params())
def paid_late(request, tmp_path_factory) -> Iterator[tuple[Served, dict]]:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(datetime(2020, 2, 20, 9, tzinfo=SHANGHAI)) as clock, running_api(settings, clock) as api:
        api.setup_year()
        yi = api.whitelisted_provider()
        vouchers = [ok(api.issue(api.eligible_enterprise(FOSHAN)), 201)["voucher_id"] for _ in FEES]
        clock.set(datetime(2020, 2, 25, 10, tzinfo=SHANGHAI))
        claims = [ok(api.claim(v, api.claim_body(yi, eligible_fee_fen=fee)), 201)["claim_id"]
                  for v, fee in zip(vouchers, FEES, strict=True)]
        clock.set(datetime(2020, 2, 27, 15, tzinfo=SHANGHAI))
        batch = api.open_batch(yi, period="2020-02")
        for voucher, claim in zip(vouchers, claims, strict=True):
            ok(api.approve(voucher, claim))
            ok(api.add_to_batch(batch, voucher, claim))
        clock.set(datetime(2020, 3, 8, 16, tzinfo=SHANGHAI))  # the payment of 4 March, recorded four days late
        ok(api.post(f"/v1/settlement-batches/{batch}/payment",
                    {"effective_at": iso(datetime(2020, 3, 4, 10, tzinfo=SHANGHAI))}))
    with serving(settings) as served:
        yield served, {"batch": batch, "claims": claims, "vouchers": vouchers}


def side_by_side(page) -> dict[str, tuple[str, str, bool]]:
    rows = page.locator("#side-by-side tbody tr")
    return {rows.nth(i).get_attribute("data-name"): (rows.nth(i).locator("td").nth(0).get_attribute("data-then"),
                                                     rows.nth(i).locator("td").nth(1).get_attribute("data-now"),
                                                     "differs" in (rows.nth(i).get_attribute("class") or ""))
            for i in range(rows.count())}


def stage_sums(served: Served, role: str, **times: str) -> dict[str, int]:
    sums: dict[str, int] = {}
    for line in served.api(role, f"/v1/cities/{FOSHAN}/spend", year=2020, **times)["lines"]:
        sums[line["stage"]] = sums.get(line["stage"], 0) + line["amount_fen"]
    return sums


@pytest.mark.parametrize("role", ["auditor", f"city:{FOSHAN}"])
def test_a_city_dispute_shows_the_late_payment(browser, paid_late, watch, role):
    served, ids = paid_late
    page = signed_in(browser, served, watch, role, f"/console/cities/{FOSHAN}?as_of={DAY}&year=2020")
    page.click("#to-dispute")  # from the city's page, by a click
    page.wait_for_selector("body[data-ready=true] #side-by-side")
    assert f"/console/disputes/city/{FOSHAN}?" in page.url and f"as_of={DAY}" in page.url
    shown = side_by_side(page)
    then = stage_sums(served, role, as_of=end_of_day(DAY), known_at=end_of_day(DAY))
    now = stage_sums(served, role, as_of=end_of_day(DAY))
    for stage in ("claimed", "approved", "settled", "spend", "cash_out"):
        name = f"{stage}_fen"
        assert shown[name] == (str(then.get(stage, 0)), str(now.get(stage, 0)), then.get(stage) != now.get(stage))
    assert shown["settled_fen"] == ("0", str(SUBSIDY), True) and shown["approved_fen"] == (str(SUBSIDY), "0", True)
    assert not shown["quota_set_fen"][2] and not shown["claimed_fen"][2]  # only what the late fact moved differs
    moved = page.locator("#late-movements tbody tr[data-position]")
    assert moved.count() == 2 and {moved.nth(i).get_attribute("data-event") for i in range(2)} == {
        "Voucher.ClaimSettled"}
    settled = page.locator("#late-movements .move[data-stage=settled]")
    assert sum(int(settled.nth(i).get_attribute("data-fen")) for i in range(settled.count())) == SUBSIDY
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits 1366 wide
    screenshot(page, f"dispute-city-{role.replace(':', '-')}-{served.settings.store}")
    watch.assert_clean()


def test_a_batch_dispute_shows_it_unpaid_then_and_paid_now(browser, paid_late, watch):
    served, ids = paid_late
    page = signed_in(browser, served, watch, "province", f"/console/batches/{ids['batch']}?as_of={DAY}")
    page.click("#to-dispute")
    page.wait_for_selector("body[data-ready=true] #side-by-side")
    shown = side_by_side(page)
    then = served.api("province", f"/v1/settlement-batches/{ids['batch']}", as_of=end_of_day(DAY),
                      known_at=end_of_day(DAY))
    now = served.api("province", f"/v1/settlement-batches/{ids['batch']}", as_of=end_of_day(DAY))
    for name in (n for n in now if n.endswith("_fen")):
        assert shown[name] == (str(then[name]), str(now[name]), then[name] != now[name]), name
    assert shown["status"] == ("UNPAID", "PAID", True)
    assert shown["total_settled_fen"] == ("0", str(SUBSIDY), True)
    lines = page.locator("#lines-side-by-side tbody tr[data-claim]")
    assert sorted(lines.nth(i).get_attribute("data-claim") for i in range(lines.count())) == sorted(ids["claims"])
    assert sum(fen(lines.nth(i).locator("td").nth(4).inner_text()) for i in range(lines.count())) == sum(
        line["amount_fen"] for line in now["lines"])
    assert page.locator("#lines-side-by-side tr.differs").count() == 0  # the same claims, paid late
    facts = page.locator("#late-facts > li")
    kinds = sorted(facts.nth(i).get_attribute("data-event") for i in range(facts.count()))
    assert kinds == ["SettlementBatch.Paid", "Voucher.ClaimSettled", "Voucher.ClaimSettled"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits 1366 wide
    screenshot(page, f"dispute-batch-{served.settings.store}")
    watch.assert_clean()
