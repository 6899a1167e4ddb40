"""An objection in the console's story of a voucher: the province and auditors read who objected; the voucher's own
enterprise reads that, and why, its claim was objected to, and neither the objector's name nor who entered it (README,
"Publicity"). The page's story is the API's trail for the same role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.http.models.examples import EXAMPLES
from tests.support.api_helpers import DONGGUAN, YEAR, module_store_settings, ok, patched_clock, running_api, \
    store_params
from tests.support.console_browser import Served, serving, signed_in

pytest.importorskip("playwright")

OBJECTOR = "李四 13900000000"
LODGED = "PublicityList.ObjectionLodged"


@pytest.fixture(scope="module", params=store_params())
def objected(request, tmp_path_factory) -> Iterator[tuple[Served, dict]]:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock() as clock, running_api(settings, clock) as api:
        api.setup_year()
        provider, enterprise, objector = api.whitelisted_provider(), api.eligible_enterprise(), api.register(DONGGUAN)
        voucher = ok(api.issue(enterprise), 201)["voucher_id"]
        claim = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=1_000_000)), 201)["claim_id"]
        ok(api.approve(voucher, claim))
        lists = f"/v1/programme/years/{YEAR}/publicity-lists"
        ok(api.post("/v1/programme/working-calendars", EXAMPLES["PublishWorkingCalendar"]), 201)  # windows count on it
        ok(api.post(lists, {"period": "2020-03", "claims": [{"voucher_id": voucher, "claim_id": claim}]}), 201)
        ok(api.post(f"{lists}/2020-03/objections", {"claim_id": claim, "objector": OBJECTOR, "reason": "服务未交付"},
                    role=f"enterprise:{objector.uscc}"), 201)
    with serving(settings) as served:  # the same store, served on the real clock, for the browser
        yield served, {"voucher": voucher, "enterprise": enterprise.uscc, "objector": objector.uscc}


def story_step(page, served: Served, role: str, voucher: str) -> tuple[str, str, dict]:
    """The objection's step on the page (what, who) and the API's trail item for the same role."""
    trail = served.api(role, f"/v1/audit/voucher/{voucher}", limit=1000)["items"]
    item = next(e for e in trail if e["event_type"] == LODGED)
    step = page.locator(f"ol.timeline > li[data-event='{LODGED}']")
    assert step.count() == 1 and step.get_attribute("data-position") == str(item["position"])
    return step.locator(".what").inner_text(), step.locator(".who").inner_text(), item


def test_the_voucher_story_names_the_objector_to_auditors_only(browser, objected, watch):
    served, ids = objected
    page = signed_in(browser, served, watch, "auditor", f"/console/vouchers/{ids['voucher']}")
    what, who, item = story_step(page, served, "auditor", ids["voucher"])
    assert OBJECTOR in item["summary_zh"] and item["summary_zh"] in what
    assert item["actor"] == f"enterprise:{ids['objector']}" and item["actor"] in who

    role = f"enterprise:{ids['enterprise']}"
    page = signed_in(browser, served, watch, role, f"/console/vouchers/{ids['voucher']}")
    what, who, item = story_step(page, served, role, ids["voucher"])
    assert item["summary_zh"] in what and "服务未交付" in what and item["actor"] in who
    shown = page.locator("body").inner_text()
    assert not [s for s in ("李四", "13900000000", ids["objector"]) if s in shown]
    watch.assert_clean()
