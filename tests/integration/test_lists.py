"""Work queues and lookups on both stores (projections/lists.py, projections/lists_queries.py).

A scenario written through the ledger's commands, with a record kept here of what each step did (which claim was
approved, paid, flagged, held, released); the lists must show exactly that record. Walking any list a page at a time
meets every row once; filters and queues narrow to what the record says.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from projections.lists_queries import CLAIM_QUEUES, claim_queue
from projections.read_models import ReadModels
from projections.times import from_us
from projections.check import check
from tests.support.projection_helpers import lean
from tests.support.scenario import DEFAULT_CITY_QUOTAS, DONGGUAN, FOSHAN, PROVIDER_QUOTA_FEN, World

APP_ERP_FACE = 100_000 * 100  # DEFAULT_ITEMS: APP-ERP up to 100,000 RMB
DEV_ACCESS_FACE = 50_000 * 100


@pytest.fixture
def scenario(world: World, store_settings):
    """Five enterprises in two cities, three providers (one never assessed), eight vouchers (one revoked), claims in
    every state, two batches (one paid), a suspension recorded late that flags three claims of one provider."""
    app, record = world.app, {"claims": {}, "vouchers": {}, "batches": {}}
    steady, flaky = world.provider(), world.provider(kind="SERVICE")
    pending = world.provider(whitelisted=False, quota_fen=None)
    record["providers"] = {steady: "WHITELISTED", flaky: "SUSPENDED", pending: "PENDING_ASSESSMENT"}
    record["kinds"] = {steady: "PLATFORM", flaky: "SERVICE", pending: "PLATFORM"}
    cities = [FOSHAN, FOSHAN, FOSHAN, DONGGUAN, DONGGUAN]
    enterprises = [world.eligible_enterprise(city=city) for city in cities]
    record["enterprises"] = dict(zip(enterprises, cities, strict=True))
    world.advance(days=1)
    for enterprise, city in record["enterprises"].items():
        record["vouchers"][world.issue(enterprise).voucher_id] = (enterprise, city, APP_ERP_FACE)
    for enterprise in enterprises[:3]:
        record["vouchers"][world.issue(enterprise, "DEV-ACCESS").voucher_id] = (
            enterprise, FOSHAN, DEV_ACCESS_FACE)
    vouchers = list(record["vouchers"])
    revoked = vouchers[-1]  # a DEV-ACCESS voucher of enterprise 3, never claimed on
    world.advance(days=1)

    def claim(voucher, provider, status):
        receipt = world.claim(voucher, provider, eligible_fee_fen=1_000_000)
        record["claims"][receipt.claim_id] = {"voucher": voucher, "provider": provider, "status": status,
                                              "flagged": False, "held": False, "batch": None}
        return receipt

    # claims on the APP-ERP vouchers (0-4), 500,000 fen each (50 % of the fee). steady's: waiting, approved
    # (unbatched), approved in an open batch, paid, rejected, reversed
    waiting = [claim(vouchers[i], steady, "CLAIMED") for i in (0, 1, 3)]
    approved = claim(vouchers[2], steady, "APPROVED")
    app.approve_claim(world.by(), voucher_id=approved.voucher_id, claim_id=approved.claim_id)
    in_open = claim(vouchers[4], steady, "APPROVED")
    app.approve_claim(world.by(), voucher_id=in_open.voucher_id, claim_id=in_open.claim_id)
    paid = claim(vouchers[0], steady, "SETTLED")
    app.approve_claim(world.by(), voucher_id=paid.voucher_id, claim_id=paid.claim_id)
    rejected = claim(vouchers[1], steady, "REJECTED")
    app.reject_claim(world.by(), voucher_id=rejected.voucher_id, claim_id=rejected.claim_id, reason="不符")
    reversed_ = claim(vouchers[0], steady, "REVERSED")
    app.reverse_claim(world.by(), voucher_id=reversed_.voucher_id, claim_id=reversed_.claim_id, reason="抽查",
                      effective_at=world.now)
    world.advance(days=1)
    paid_batch = world.paid_batch(steady, [paid], period="2019-03").batch_id
    record["batches"][paid_batch] = (steady, "PAID")
    record["claims"][paid.claim_id]["batch"] = str(paid_batch)
    open_batch = uuid4()
    app.open_batch(world.by(), batch_id=open_batch, provider_id=steady, period="2019-04")
    app.add_to_batch(world.by(), batch_id=open_batch, voucher_id=in_open.voucher_id, claim_id=in_open.claim_id)
    record["batches"][open_batch] = (steady, "OPEN")
    record["claims"][in_open.claim_id]["batch"] = str(open_batch)

    # flaky's claims, all made after the failure's effective time, which is recorded late: each is flagged, the
    # unsettled ones held; one of them is released after review
    failed_from = world.now
    world.advance(days=1)
    f_waiting = claim(vouchers[1], flaky, "CLAIMED")
    f_approved = claim(vouchers[3], flaky, "APPROVED")
    app.approve_claim(world.by(), voucher_id=f_approved.voucher_id, claim_id=f_approved.claim_id)
    f_paid = claim(vouchers[4], flaky, "SETTLED")
    app.approve_claim(world.by(), voucher_id=f_paid.voucher_id, claim_id=f_paid.claim_id)
    flaky_batch = world.paid_batch(flaky, [f_paid], period="2019-03").batch_id
    record["batches"][flaky_batch] = (flaky, "PAID")
    record["claims"][f_paid.claim_id]["batch"] = str(flaky_batch)
    world.advance(days=1)
    world.app.record_assessment(world.by("assessor:cnitsec"), provider_id=flaky, area="DATA", kind="SPOT_CHECK",
                                passed=False, assessor="CNITSEC", report_ref="R-1", effective_at=failed_from)
    for receipt, held in ((f_waiting, True), (f_approved, True), (f_paid, False)):
        record["claims"][receipt.claim_id] |= {"flagged": True, "held": held}
    world.advance(hours=1)
    app.release_claim(world.by(), voucher_id=f_waiting.voucher_id, claim_id=f_waiting.claim_id, reason="复核通过")
    record["claims"][f_waiting.claim_id]["held"] = False
    app.revoke_voucher(world.by(), voucher_id=revoked, reason="企业注销")
    record["revoked"] = revoked
    assert len(waiting) == 3
    read = ReadModels(store_settings, app, in_process=True)
    yield world, record, read
    read.close()


def walk(read: ReadModels, name: str, *, limit: int, **conditions) -> list[dict]:
    """Every row of a list, page by page (the vouchers list with ``now=``: its statuses are as of a time); fails if
    a walk does not end."""
    items, after = [], None
    for _ in range(1_000):
        page = read.list_page(name, after=after, limit=limit, **conditions)
        assert len(page.items) <= limit
        items += page.items
        if page.next_key is None:
            return items
        after = page.next_key
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_walking_every_list_meets_every_row_exactly_once(scenario, limit):
    world, record, read = scenario
    expected = {"enterprises": {str(e) for e in record["enterprises"]},
                "vouchers": {str(v) for v in record["vouchers"]},
                "claims": {str(c) for c in record["claims"]},
                "batches": {str(b) for b in record["batches"]},
                "providers": {str(p) for p in record["providers"]}}
    ids = {"enterprises": "enterprise_id", "vouchers": "voucher_id", "claims": "claim_id", "batches": "batch_id",
           "providers": "provider_id"}
    for name, wanted in expected.items():
        seen = [row[ids[name]] for row in walk(read, name, limit=limit, now=world.now)]
        assert Counter(seen) == Counter(wanted), name  # each once, none missing, none extra
    claims = walk(read, "claims", limit=limit)
    assert [c["position"] for c in claims] == sorted(c["position"] for c in claims)  # first come, first served


def test_a_page_that_ends_the_list_says_so(scenario):
    _world, record, read = scenario
    total = len(record["claims"])
    assert read.list_page("claims", limit=total).next_key is None
    almost = read.list_page("claims", limit=total - 1)
    assert almost.next_key == almost.items[-1]["position"]
    assert read.list_page("claims", after=almost.next_key, limit=total).items[0]["claim_id"] not in {
        c["claim_id"] for c in almost.items}


def test_claim_queues_hold_what_the_record_says(scenario):
    _world, record, read = scenario
    claims = record["claims"]
    expected = {
        "claimed": {c for c, r in claims.items() if r["status"] == "CLAIMED"},
        "approved": {c for c, r in claims.items() if r["status"] == "APPROVED"},
        "settled": {c for c, r in claims.items() if r["status"] == "SETTLED"},
        "rejected": {c for c, r in claims.items() if r["status"] == "REJECTED"},
        "reversed": {c for c, r in claims.items() if r["status"] == "REVERSED"},
        "held": {c for c, r in claims.items() if r["held"]},
        "flagged": {c for c, r in claims.items() if r["flagged"]},
    }
    assert set(expected) == set(CLAIM_QUEUES)
    assert [len(expected[q]) for q in CLAIM_QUEUES] == [4, 3, 2, 1, 1, 1, 3]  # the scenario as written above
    for queue, wanted in expected.items():
        equal, where = claim_queue(queue)
        rows = walk(read, "claims", limit=2, equal=equal, where=where)
        assert {r["claim_id"] for r in rows} == {str(c) for c in wanted}, queue
    by_id = {r["claim_id"]: r for r in walk(read, "claims", limit=50)}
    for claim_id, r in claims.items():
        row = by_id[str(claim_id)]
        assert (row["status"], row["flagged"], row["held"], row["batch_id"]) == (
            r["status"], r["flagged"], r["held"], r["batch"]), claim_id
        voucher = record["vouchers"][r["voucher"]]
        assert (row["voucher_id"], row["enterprise_id"], row["city"], row["provider_id"]) == (
            str(r["voucher"]), str(voucher[0]), voucher[1], str(r["provider"]))
        assert row["amount_fen"] == 500_000  # 50 % of a 1,000,000 fen fee (APP-ERP)
    with pytest.raises(ValueError):
        claim_queue("waiting")


def test_filters_by_provider_enterprise_city_and_status(scenario):
    world, record, read = scenario
    claims, vouchers = record["claims"], record["vouchers"]
    for provider in record["providers"]:
        rows = walk(read, "claims", limit=3, equal=[("provider_id", str(provider))])
        assert {r["claim_id"] for r in rows} == {str(c) for c, r in claims.items() if r["provider"] == provider}
    for enterprise, city in record["enterprises"].items():
        rows = walk(read, "claims", limit=3, equal=[("enterprise_id", str(enterprise))])
        assert {r["claim_id"] for r in rows} == {
            str(c) for c, r in claims.items() if vouchers[r["voucher"]][0] == enterprise}
        own = walk(read, "vouchers", now=world.now, limit=2, equal=[("enterprise_id", str(enterprise))])
        assert {r["voucher_id"] for r in own} == {str(v) for v, (e, _c, _f) in vouchers.items() if e == enterprise}
    for city in (FOSHAN, DONGGUAN):
        rows = walk(read, "vouchers", now=world.now, limit=2, equal=[("city", city), ("programme_year", world.year)])
        assert {r["voucher_id"] for r in rows} == {str(v) for v, (_e, c, _f) in vouchers.items() if c == city}
        rows = walk(read, "enterprises", limit=2, equal=[("city", city)])
        assert {r["enterprise_id"] for r in rows} == {str(e) for e, c in record["enterprises"].items() if c == city}
    assert walk(read, "vouchers", now=world.now, limit=5, equal=[("programme_year", world.year + 1)]) == []
    revoked = walk(read, "vouchers", now=world.now, limit=5, equal=[("status", "REVOKED")])
    assert [r["voucher_id"] for r in revoked] == [str(record["revoked"])]
    faces = {r["face_value_fen"] for r in walk(read, "vouchers", now=world.now, limit=9)}
    assert faces == {APP_ERP_FACE, DEV_ACCESS_FACE}
    # two conditions on one column (a filter and a caller's scope) that disagree: nothing
    assert walk(read, "vouchers", now=world.now, limit=5, equal=[("city", FOSHAN), ("city", DONGGUAN)]) == []


def test_a_voucher_past_its_deadline_is_listed_and_found_expired_before_the_run(scenario):
    """A voucher's status in the list, and under the status filter, is the one its own figure answers as of the same
    time (projections/voucher_status.py): from the first instant after the deadline day an ACTIVE voucher reads
    EXPIRED, expiry_recorded false, though no expiry is recorded (a review found it listed ACTIVE, and found by
    status=ACTIVE); a revoked one stays REVOKED. Walked a page of two at a time, on both stores."""
    world, record, read = scenario
    revoked = str(record["revoked"])
    rows = walk(read, "vouchers", now=world.now, limit=9)
    [deadline] = {from_us(r["expires_us"]) for r in rows}
    others = {r["voucher_id"] for r in rows} - {revoked}

    def by_status(now: datetime, status: str) -> set[str]:
        return {r["voucher_id"] for r in walk(read, "vouchers", now=now, limit=2, equal=[("status", status)])}

    for now, status in ((deadline - timedelta(microseconds=1), "ACTIVE"), (deadline, "EXPIRED")):
        listed = {r["voucher_id"]: r for r in walk(read, "vouchers", now=now, limit=2)}
        assert {v: (r["status"], r["expiry_recorded"]) for v, r in listed.items()} == {
            **{v: (status, False) for v in others}, revoked: ("REVOKED", False)}, now
        assert by_status(now, status) == others and by_status(now, "REVOKED") == {revoked}
        assert by_status(now, "ACTIVE" if status == "EXPIRED" else "EXPIRED") == set()
        for v, r in listed.items():
            assert read.voucher_balance(v, now)["status"] == r["status"], v
    with pytest.raises(ValueError, match="now"):
        read.list_page("vouchers", limit=1)  # a list of statuses as of no time is a mistake, not the recorded ones


def test_providers_by_kind_status_and_uscc_and_enterprises_by_uscc(scenario):
    _world, record, read = scenario
    providers = walk(read, "providers", limit=2)
    assert [p["uscc"] for p in providers] == sorted(p["uscc"] for p in providers)
    for provider, status in record["providers"].items():
        rows = walk(read, "providers", limit=2, equal=[("status", status)])
        assert [r["provider_id"] for r in rows] == [str(provider)]
    service = walk(read, "providers", limit=2, equal=[("kind", "SERVICE")])
    assert [r["provider_id"] for r in service] == [str(p) for p, k in record["kinds"].items() if k == "SERVICE"]
    one = providers[1]
    assert walk(read, "providers", limit=2, equal=[("uscc", one["uscc"])]) == [one]
    enterprise = walk(read, "enterprises", limit=10)[3]
    assert walk(read, "enterprises", limit=2, equal=[("uscc", enterprise["uscc"])]) == [enterprise]


def test_batches_by_provider_and_status(scenario):
    _world, record, read = scenario
    batches = record["batches"]
    for status in ("OPEN", "PAID"):
        rows = walk(read, "batches", limit=1, equal=[("status", status)])
        assert {r["batch_id"] for r in rows} == {str(b) for b, (_p, s) in batches.items() if s == status}
    for provider in record["providers"]:
        rows = walk(read, "batches", limit=1, equal=[("provider_id", str(provider))])
        assert {r["batch_id"] for r in rows} == {str(b) for b, (p, _s) in batches.items() if p == provider}
    rows = {r["batch_id"]: r for r in walk(read, "batches", limit=10)}
    for batch, (_provider, status) in batches.items():
        row = rows[str(batch)]
        lines = [c for c, r in record["claims"].items() if r["batch"] == str(batch)]
        assert row["lines"] == len(lines) == 1
        assert row["amount_fen"] == 500_000
        assert row["paid_fen"] == (500_000 if status == "PAID" else 0)
        assert (row["paid_us"] is None) == (status == "OPEN")


def test_a_years_quotas_set_used_and_remaining(scenario):
    world, record, read = scenario
    quotas = read.year_quotas(world.year)
    issued = Counter()
    for _enterprise, city, face in record["vouchers"].values():
        issued[city] += face
    assert {q["city"] for q in quotas["cities"]} == set(DEFAULT_CITY_QUOTAS)
    for q in quotas["cities"]:
        amount = DEFAULT_CITY_QUOTAS[q["city"]][0]
        # a revoked voucher gives its face value back to its city's quota; it was still issued
        returned = DEV_ACCESS_FACE if q["city"] == FOSHAN else 0
        assert (q["quota_set_fen"], q["issued_fen"], q["quota_used_fen"], q["quota_remaining_fen"]) == (
            amount, issued[q["city"]], issued[q["city"]] - returned, amount - issued[q["city"]] + returned), q
    used = Counter()
    for r in record["claims"].values():
        if r["status"] not in ("REJECTED", "REVERSED"):  # a rejection or a reversal before payment gives it back
            used[r["provider"]] += 500_000
    by_provider = {q["provider_id"]: q for q in quotas["providers"]}
    with_quota = [p for p, status in record["providers"].items() if status != "PENDING_ASSESSMENT"]
    assert set(by_provider) == {str(p) for p in with_quota}
    for provider in with_quota:
        q = by_provider[str(provider)]
        assert (q["quota_set_fen"], q["quota_used_fen"], q["quota_remaining_fen"]) == (
            PROVIDER_QUOTA_FEN, used[provider], PROVIDER_QUOTA_FEN - used[provider])
    only = read.year_quotas(world.year, city=DONGGUAN, providers=False)
    assert [q["city"] for q in only["cities"]] == [DONGGUAN] and only["providers"] == []
    assert read.year_quotas(world.year + 5) == {"cities": [], "providers": []}


def test_a_rebuild_from_zero_gives_the_same_lists(scenario, store_settings):
    """The lists are a projection like the others: rebuilt from the events, the same rows."""
    world, record, read = scenario
    assert len(walk(read, "claims", limit=4)) == len(record["claims"])  # the live tables are caught up
    assert check(world.app, lean(store_settings), ["lists"]) == []
