"""A dispute, as the province would argue it, through the HTTP API on both stores.

Platform 甲 fails a data-security spot check on 1 March 2020; the assessor's report reaches the ledger on 10 March.
In between, on 5 March, the province approved two of its claims — not knowing. A third claim was approved before
1 March; another platform's claim was approved on 5 March too. The dispute asks about 5 March:
- "as known then" (known_at = the end of 5 March): 甲 was whitelisted, nothing was held;
- "as known now": 甲 was suspended from 1 March, and exactly the two claims approved inside the window are held.
The two answers differ by those claims (and 甲's standing), nothing else; every money figure and the journal balance
in both views. Expected figures come from the amounts sent and DOMAIN.md's rules, not from the service.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.api_helpers import (
    ITEM, assert_problem, floor_rate, iso, module_store_settings, ok, patched_clock, running_api, store_env,
    store_params,
)
from tests.support.cli_runner import run

SHANGHAI = timezone(timedelta(hours=8))
SET_UP = datetime(2020, 2, 20, 9, 0, tzinfo=SHANGHAI)
CLAIMED = datetime(2020, 2, 25, 10, 0, tzinfo=SHANGHAI)
APPROVED_BEFORE = datetime(2020, 2, 27, 15, 0, tzinfo=SHANGHAI)
FAILED = datetime(2020, 3, 1, 0, 0, tzinfo=SHANGHAI)  # the spot check's effective time
APPROVED_INSIDE = datetime(2020, 3, 5, 11, 0, tzinfo=SHANGHAI)
END_OF_5_MARCH = datetime(2020, 3, 5, 23, 59, 59, tzinfo=SHANGHAI)
RECORDED = datetime(2020, 3, 10, 14, 30, tzinfo=SHANGHAI)
FEES = {"inside_1": 2_000_000, "inside_2": 3_000_000, "before": 1_000_000, "other": 4_000_000}
RATE = ITEM["APP-ERP"]["rate"]


@pytest.fixture(scope="module", params=store_params())
def dispute(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(SET_UP) as clock, running_api(settings, clock) as api:
        api.setup_year()
        jia, other = api.whitelisted_provider(), api.whitelisted_provider()
        vouchers = {name: ok(api.issue(api.eligible_enterprise()), 201)["voucher_id"] for name in FEES}
        clock.set(CLAIMED)
        claims = {name: ok(api.claim(vouchers[name], api.claim_body(other if name == "other" else jia,
                                                                     eligible_fee_fen=fee)), 201)["claim_id"]
                  for name, fee in FEES.items()}
        clock.set(APPROVED_BEFORE)
        ok(api.approve(vouchers["before"], claims["before"]))
        clock.set(APPROVED_INSIDE)
        for name in ("inside_1", "inside_2", "other"):
            ok(api.approve(vouchers[name], claims[name]))
        clock.set(RECORDED)
        suspended = ok(api.post(f"/v1/providers/{jia.id}/suspension",
                                {"area": "DATA", "assessor": "国家级信息安全评测机构", "report_ref": "SPOT-2020-031",
                                 "effective_at": iso(FAILED)}))
        assert suspended["status"] == "SUSPENDED"
        yield {"api": api, "jia": jia, "other": other, "vouchers": vouchers, "claims": claims, "clock": clock}


def ask(d, path: str, *, known_at: datetime | None, **params):
    return ok(d["api"].get(path, as_of=iso(END_OF_5_MARCH), known_at=None if known_at is None else iso(known_at),
                           **params))


def amount(name: str) -> int:
    return floor_rate(FEES[name], RATE)


def test_the_provider_as_of_5_march_known_then_and_known_now_differ_by_the_two_claims(dispute):
    jia = dispute["jia"].id
    then = ask(dispute, f"/v1/providers/{jia}", known_at=END_OF_5_MARCH)
    now = ask(dispute, f"/v1/providers/{jia}", known_at=None)
    approved = amount("inside_1") + amount("inside_2") + amount("before")
    assert then["status"] == "WHITELISTED" and now["status"] == "SUSPENDED"
    assert then["approved_unsettled_fen"] == now["approved_unsettled_fen"] == approved
    assert then["claims_held"] == [] and then["claims_held_fen"] == 0 and then["held_fen"] == 0
    held = {c["claim_id"]: c["held_fen"] for c in now["claims_held"]}
    assert held == {dispute["claims"]["inside_1"]: amount("inside_1"), dispute["claims"]["inside_2"]: amount("inside_2")}
    assert now["claims_held_fen"] == amount("inside_1") + amount("inside_2")
    assert now["held_fen"] == approved  # while suspended, every approved unpaid claim waits (DOMAIN.md)
    # Everything else about 甲 is the same in both views.
    same = ("approved_unsettled_fen", "claimed_pending_fen", "settled_fen", "recoveries_due_fen", "quotas", "batches")
    assert {k: then[k] for k in same} == {k: now[k] for k in same}


def test_the_other_platform_and_the_vouchers_read_the_same_in_both_views(dispute):
    other = dispute["other"].id
    assert (ask(dispute, f"/v1/providers/{other}", known_at=END_OF_5_MARCH) | {"known_at": None}
            == ask(dispute, f"/v1/providers/{other}", known_at=None))
    for name, voucher_id in dispute["vouchers"].items():
        then = ask(dispute, f"/v1/vouchers/{voucher_id}", known_at=END_OF_5_MARCH)
        now = ask(dispute, f"/v1/vouchers/{voucher_id}", known_at=None)
        assert then | {"known_at": None} == now
        assert now["approved_fen"] == amount(name)


def test_the_whitelist_known_then_and_known_now(dispute):
    def status(known_at):
        page = ask(dispute, "/v1/whitelist", known_at=known_at)["providers"]
        return {p["provider_id"]: p["status"] for p in page}

    then, now = status(END_OF_5_MARCH), status(None)
    assert then == {dispute["jia"].id: "WHITELISTED", dispute["other"].id: "WHITELISTED"}
    assert now == {dispute["jia"].id: "SUSPENDED", dispute["other"].id: "WHITELISTED"}


def test_late_facts_list_the_report_and_exactly_the_two_held_claims(dispute):
    found = ask(dispute, "/v1/late-facts", known_at=END_OF_5_MARCH)
    kinds = sorted(f["event_type"] for f in found["facts"])
    assert kinds == ["Provider.AssessmentRecorded", "Provider.Suspended", "Voucher.ClaimFlagged",
                     "Voucher.ClaimFlagged"]
    flagged = {f["originator_id"] for f in found["facts"] if f["event_type"] == "Voucher.ClaimFlagged"}
    assert flagged == {dispute["vouchers"]["inside_1"], dispute["vouchers"]["inside_2"]}
    changed = {(c["figure"], c["key"]): c for c in found["changed_figures"]}
    assert set(changed) == {("provider", dispute["jia"].id)}
    jia = changed[("provider", dispute["jia"].id)]
    assert jia["known_then"]["status"] == "WHITELISTED" and jia["known_now"]["status"] == "SUSPENDED"
    assert jia["known_now"]["claims_held_fen"] - jia["known_then"]["claims_held_fen"] == (
        amount("inside_1") + amount("inside_2"))


def test_the_journal_balances_in_both_views(dispute):
    for known_at in (END_OF_5_MARCH, None):
        balance = ask(dispute, "/v1/trial-balance", known_at=known_at)
        debits = sum(a["debit_fen"] for a in balance["accounts"])
        credits = sum(a["credit_fen"] for a in balance["accounts"])
        assert debits == credits > 0


def test_the_command_line_gives_the_same_two_answers(dispute, tmp_path):
    jia, env = dispute["jia"].id, store_env(dispute["api"].settings)
    for known_at in (END_OF_5_MARCH, None):
        args = ["figure", "provider", jia, "--as-of", iso(END_OF_5_MARCH)]
        done = run(args + ([] if known_at is None else ["--known-at", iso(known_at)]), tmp_path, **env)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)["answer"]
        expected = ask(dispute, f"/v1/providers/{jia}", known_at=known_at)
        assert answer["status"] == expected["status"]
        assert answer["claims_held"] == expected["claims_held"]
    done = run(["late-facts", "--as-of", iso(END_OF_5_MARCH)], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["facts"]) == 4
    assert run(["figure", "voucher", "--as-of", "2020-03-05"], tmp_path, **env).returncode == 2  # no id, no offset


def test_after_reinstatement_the_held_claims_wait_for_release_and_the_one_before_is_paid(dispute):
    api, clock, jia = dispute["api"], dispute["clock"], dispute["jia"]
    vouchers, claims = dispute["vouchers"], dispute["claims"]
    clock.set(RECORDED + timedelta(days=20))
    assert ok(api.post(f"/v1/providers/{jia.id}/reinstatement",
                       {"area": "DATA", "assessor": "国家级信息安全评测机构", "effective_at": iso(clock.now)}))[
        "status"] == "WHITELISTED"
    batch = api.open_batch(jia, "2020-03")
    ok(api.add_to_batch(batch, vouchers["before"], claims["before"]))
    assert_problem(api.add_to_batch(batch, vouchers["inside_1"], claims["inside_1"]), 409, "CLAIM_HELD")
    ok(api.post(f"/v1/vouchers/{vouchers['inside_1']}/claims/{claims['inside_1']}/release",
                {"reason": "on-site review found the service delivered"}))
    ok(api.add_to_batch(batch, vouchers["inside_1"], claims["inside_1"]))
    paid = ok(api.pay(batch))
    assert paid["total_fen"] == amount("before") + amount("inside_1")
    assert_problem(api.post(f"/v1/vouchers/{vouchers['before']}/claims/{claims['before']}/release",
                            {"reason": "not held"}), 409, "INVALID_TRANSITION")
    still = ok(api.get(f"/v1/providers/{jia.id}"))
    assert [c["claim_id"] for c in still["claims_held"]] == [claims["inside_2"]]
