"""The dispute of the audit tests, in the console: platform 甲 fails a spot check on 1 March 2020, recorded on
10 March; on 5 March the province approved two of its claims, not knowing. As of 5 March, "known then" and "known
now" side by side show exactly those two claims as held now and not then, 甲's status as the figure that differs,
and the late spot check as the fact learned late; the page's figures are the API's for the same times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.api_helpers import ITEM, floor_rate, iso, module_store_settings, ok, patched_clock, running_api, \
    store_params
from tests.support.console_browser import Served, end_of_day, fen, screenshot, serving, signed_in

pytest.importorskip("playwright")

SHANGHAI = timezone(timedelta(hours=8))
FEES = {"inside_1": 2_000_000, "inside_2": 3_000_000, "before": 1_000_000}
DAY = "2020-03-05"


@pytest.fixture(scope="module", params=store_params())
def dispute(request, tmp_path_factory) -> Iterator[tuple[Served, dict]]:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(datetime(2020, 2, 20, 9, tzinfo=SHANGHAI)) as clock, running_api(settings, clock) as api:
        api.setup_year()
        jia = api.whitelisted_provider()
        vouchers = {name: ok(api.issue(api.eligible_enterprise()), 201)["voucher_id"] for name in FEES}
        clock.set(datetime(2020, 2, 25, 10, tzinfo=SHANGHAI))
        claims = {name: ok(api.claim(vouchers[name], api.claim_body(jia, eligible_fee_fen=fee)), 201)["claim_id"]
                  for name, fee in FEES.items()}
        clock.set(datetime(2020, 2, 27, 15, tzinfo=SHANGHAI))
        ok(api.approve(vouchers["before"], claims["before"]))
        clock.set(datetime(2020, 3, 5, 11, tzinfo=SHANGHAI))
        for name in ("inside_1", "inside_2"):
            ok(api.approve(vouchers[name], claims[name]))
        clock.set(datetime(2020, 3, 10, 14, 30, tzinfo=SHANGHAI))
        ok(api.post(f"/v1/providers/{jia.id}/suspension",
                    {"area": "DATA", "assessor": "国家级信息安全评测机构", "report_ref": "SPOT-2020-031",
                     "effective_at": iso(datetime(2020, 3, 1, tzinfo=SHANGHAI))}))
    with serving(settings) as served:  # the same store, served on the real clock, for the browser
        yield served, {"jia": jia.id, "claims": claims}


def test_the_dispute_shows_exactly_the_two_claims_as_the_difference(browser, dispute, watch):
    served, ids = dispute
    path = f"/console/disputes/provider/{ids['jia']}?as_of={DAY}&known_at={DAY}"
    page = signed_in(browser, served, watch, "auditor", path)
    rows = page.locator("#side-by-side tbody tr")
    shown = {rows.nth(i).get_attribute("data-name"): (rows.nth(i).locator("td").nth(0).get_attribute("data-then"),
                                                      rows.nth(i).locator("td").nth(1).get_attribute("data-now"),
                                                      "differs" in (rows.nth(i).get_attribute("class") or ""))
             for i in range(rows.count())}
    then = served.api("auditor", f"/v1/providers/{ids['jia']}", as_of=end_of_day(DAY), known_at=end_of_day(DAY))
    now = served.api("auditor", f"/v1/providers/{ids['jia']}", as_of=end_of_day(DAY))
    for name, (shown_then, shown_now, differs) in shown.items():
        expected = (str(then[name]), str(now[name]))
        assert (shown_then, shown_now) == expected, name
        assert differs == (then[name] != now[name]), name
    assert shown["status"] == ("WHITELISTED", "SUSPENDED", True)
    labels = page.locator("#side-by-side tbody th").all_inner_texts()
    assert not [label for label in labels if "_" in label], labels  # every figure has its words
    held = floor_rate(FEES["inside_1"], ITEM["APP-ERP"]["rate"]) + floor_rate(FEES["inside_2"], ITEM["APP-ERP"]["rate"])
    assert shown["claims_held_fen"] == ("0", str(held), True)  # worked out from the fees, not read from the service
    held_rows = page.locator("#held-side-by-side tbody tr.differs")
    assert sorted(held_rows.nth(i).get_attribute("data-claim") for i in range(held_rows.count())) == sorted(
        [ids["claims"]["inside_1"], ids["claims"]["inside_2"]])
    assert sum(fen(held_rows.nth(i).locator("[data-figure=held_fen]").inner_text())
               for i in range(held_rows.count())) == held
    facts = page.locator("#late-facts > li")
    # the failed spot check, recorded late: its assessment and the suspension it caused, nothing else
    assert [facts.nth(i).get_attribute("data-event") for i in range(facts.count())] == [
        "Provider.AssessmentRecorded", "Provider.Suspended"]
    screenshot(page, f"dispute-{served.settings.store}")
    watch.assert_clean()


def test_a_provider_sees_its_own_dispute_without_the_late_facts_list(browser, dispute, watch):
    served, ids = dispute
    uscc = served.api("province", "/v1/providers", limit=10)["items"][0]["uscc"]
    page = signed_in(browser, served, watch, f"provider:{uscc}",
                     f"/console/providers/{ids['jia']}?as_of={DAY}&known_at={DAY}")
    page.click("#to-dispute")  # from its page to the dispute, by a click
    page.wait_for_selector("body[data-ready=true] #side-by-side")
    assert "known_at=" + DAY in page.url
    assert page.locator("tr[data-name=status]").get_attribute("class") == "differs"
    assert page.locator(".refused-part").count() == 1 and page.locator("#late-facts").count() == 0
    watch.assert_clean()
