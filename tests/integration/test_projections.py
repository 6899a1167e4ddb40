"""Read models (projections) against one simulated programme history per store (≥ 10,000 events of real commands).

The history is simulated once per store (module scope) and projected once into the store's own views; tests that
change read-model tables (incremental catch-up, failures, tampering, two workers) project into scratch views (another
PostgreSQL schema or SQLite file) while reading the same events, so the shared views stay as they were.

Expected figures never come from projection code: they are worked out from the raw events (recorder + mapper), from
the domain aggregates (``app.repository.get(id, version=v)`` or replaying events with ``event.mutate``), or from a
second independent record of the same money (settlement batches' ``by_city`` totals, quota aggregates).
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID

import pytest

from store.settings import Settings
from store.opening import open_ledger
from simulator.store import open_simulation_store
from ledger.claims import ClaimStatus
from ledger.fiscal_time import fiscal_year
from ledger.voucher import Voucher
from projections import audit_trail_queries, base, money_flows_queries, whitelist_queries
from projections.check import check
from projections.read_models import ReadModels
from projections.reading import LogReader
from projections.runner import catch_up, close_projections, open_projections
from projections.view import ProjectionConflictError, ReadModelView
from simulator import simulate
from tests.conftest import STORES, settings_for
from tests.support.assertions import typed
from tests.support.projection_helpers import (
    History,
    END_OF_TIME,
    PROJECTION_NAMES,
    PROVIDER_EVENT_TYPES,
    Recorded,
    count,
    execute,
    expected_city_spend,
    lean,
    moves_money,
    nonzero,
    raw,
    read_events,
    rows,
    scratch_views,
    snapshot,
    spend_lines,
    tracking_position,
    us,
    voucher_figures,
    yuan_text,
)

EVENTS = 12_000
SEED = 3  # a history with every kind of story: eliminations, late suspensions with flags and releases, recoveries


@pytest.fixture(scope="module", params=STORES)
def history(request, tmp_path_factory) -> History:
    settings = lean(settings_for(request.param, request, tmp_path_factory.mktemp(f"history_{request.param}")))
    app = open_simulation_store(settings)
    report = simulate(app, events=EVENTS, seed=SEED)
    events = read_events(app)
    assert report.events == len(events) >= 10_000
    projections = open_projections(settings)
    catch_up(app, projections)
    try:
        yield History(settings, app, projections, events)
    finally:
        close_projections(projections)
        app.close()


def expected_counts(history: History) -> dict[str, int]:
    """Rows the projections must hold for the whole history, counted from the raw events by type."""
    kinds = Counter(r.kind for r in history.events)
    return {
        "vl_money_movements": sum(1 for r in history.events if moves_money(r)),
        "vl_whitelist_history": sum(n for k, n in kinds.items() if k in PROVIDER_EVENT_TYPES),
        "vl_audit_events": len(history.events),  # every event of every aggregate is in the audit trail once
        "vl_money_vouchers": kinds["Voucher.Issued"],
        "vl_money_claims": kinds["Voucher.Claimed"],
        "vl_providers": kinds["Provider.Admitted"],
    }


def assert_complete(history: History, views: Settings) -> None:
    for table, expected in expected_counts(history).items():
        assert count(views, table) == expected, table
    for name in PROJECTION_NAMES:
        assert tracking_position(views, name) == history.last, name
    positions = [r[0] for r in rows(views, "SELECT position FROM vl_audit_events ORDER BY position")]
    assert positions == [r.position for r in history.events]


# =====================================================================================================================
# 1. Live projections equal a from-zero rebuild
# =====================================================================================================================
def test_the_shared_views_hold_every_event_once(history):
    assert_complete(history, history.settings)


def test_catching_up_in_uneven_steps_with_restarts_equals_a_rebuild(history, tmp_path):
    """Catch up in uneven steps (``until``) with small, varying page sizes, restarting (new projection objects, so
    their lookups are read back from the tables) every other step; then ``check`` rebuilds from zero into scratch
    tables and compares every table: no difference."""
    views = scratch_views(history.settings, tmp_path)
    last = history.last
    steps = [1, 4, 41, 400, 401, 1_234, 3_999, last // 2, last // 2 + 17, last - 1_000, last - 3, last]
    # the smallest pages over the shorter steps: a page of 5 over the ~5,000 events of the ninth step was 1,000
    # commits of every view, a third of the test, for nothing a page of 5 over 1,000 events does not show
    page_sizes = [1, 2, 7, 97, 1, 313, 499, 1_000, 1_511, 5, 250, 3]
    projections = open_projections(views)
    try:
        for n, (until, page_size) in enumerate(zip(steps, page_sizes, strict=True)):
            catch_up(history.app, projections, until=until, page_size=page_size)
            for name in PROJECTION_NAMES:
                assert tracking_position(views, name) == until
            if n % 2:  # restart: nothing is remembered in memory
                close_projections(projections)
                projections = open_projections(views)
    finally:
        close_projections(projections)
    assert_complete(history, views)
    # the history holds awards paid in award batches and a recovered one: check covers their rows too
    assert history.of("AwardBatch.Paid") and history.of("Award.RecoveryRaised")
    assert check(history.app, views) == []


def test_with_caches_far_smaller_than_the_history_every_lookup_is_read_a_page_at_a_time(history, tmp_path,
                                                                                      monkeypatch):
    """Lookup caches of 25 entries over a history of thousands of vouchers and claims (a rebuild's caches are a small
    part of a million events' working set), pages committed in the background while the next is applied: every key
    a handler looks up was read ahead with its page (one statement per lookup and page), none by a SELECT of its own;
    an entry changed by the page still committing is taken from memory, not from the table (which does not hold it
    yet); the lookups nobody reads hold nothing; and the views equal a rebuild's."""
    monkeypatch.setattr(base, "LOOKUP_SIZE", 25)
    views = scratch_views(history.settings, tmp_path)
    projections = open_projections(views)
    point_reads: Counter[str] = Counter()
    selects = {lookup._select: lookup.table for projection in projections for lookup in projection.lookups}
    original = ReadModelView.fetchone

    def fetchone(view, statement, params=()):
        if statement in selects:
            point_reads[selects[statement]] += 1
        return original(view, statement, params)

    monkeypatch.setattr(ReadModelView, "fetchone", fetchone)
    try:
        catch_up(history.app, projections, until=history.last // 3, page_size=600)
        for projection in projections:
            projection.forget()  # as after a restart: nothing in memory
        catch_up(history.app, projections, page_size=1_000)
        sizes = {lookup.table: len(lookup._cache) for projection in projections for lookup in projection.lookups}
    finally:
        close_projections(projections)
    assert point_reads == Counter()
    assert max(sizes.values()) <= 25 and sizes["vl_list_enterprises"] == sizes["vl_batches"] == 0
    assert_complete(history, views)
    monkeypatch.undo()
    assert check(history.app, views) == []


def test_the_log_reader_gives_projections_the_events_the_library_decodes(history):
    """Catching up reads and decodes the log itself (``projections.reading``): every event, in every page shape, is
    the library's ``Mapper.to_domain_event`` of the same notification — same class, same attributes, same types at
    any depth (the history's events nest ids in lists, decimals in dicts of lists; any state: test_rebuild_json)."""
    app = history.app
    notifications = app.recorder.select_notifications(1, history.last + 1)
    expected = [(n.id, n.topic, app.mapper.to_domain_event(n)) for n in notifications]
    reader = LogReader(app)
    topics = sorted({n.topic for n in notifications})
    for page_size in (1_000, 997):
        got = [item for _, page in reader.pages(0, history.last, topics, page_size) for item in page]
        assert [(p, t, type(e)) for p, t, e in got] == [(p, t, type(e)) for p, t, e in expected]
        for (_, _, ours), (_, _, theirs) in zip(got, expected, strict=True):
            assert typed(vars(ours)) == typed(vars(theirs))
    some = topics[::3]
    got = [(p, t) for _, page in reader.pages(100, history.last - 100, some, 50) for p, t, _ in page]
    assert got == [(p, t) for p, t, _ in expected if 100 < p <= history.last - 100 and t in some]


def test_check_reports_exactly_the_table_with_a_tampered_row(history, tmp_path):
    views = scratch_views(history.settings, tmp_path)
    projections = open_projections(views)
    try:
        catch_up(history.app, projections)
    finally:
        close_projections(projections)

    # One daily total off by one fen: only vl_city_daily differs, by that one row on each side.
    city, day, year, cash, category, settled = rows(
        views, "SELECT city, effective_day, programme_year, cash_year, fee_category, settled_fen FROM vl_city_daily "
        "WHERE settled_fen > 0 ORDER BY city, effective_day, programme_year, cash_year, fee_category LIMIT 1")[0]
    where = "city = ? AND effective_day = ? AND programme_year = ? AND cash_year = ? AND fee_category = ?"
    key = (city, day, year, cash, category)
    assert execute(views, f"UPDATE vl_city_daily SET settled_fen = settled_fen + 1 WHERE {where}", key) == 1
    [difference] = check(history.app, views)
    assert (difference.table, difference.only_live, difference.only_rebuilt) == ("vl_city_daily", 1, 1)
    [live] = [row for side, row in difference.examples if side == "live"]
    [rebuilt] = [row for side, row in difference.examples if side == "rebuilt"]
    with raw(views) as conn:
        columns = [d[0] for d in conn.execute("SELECT * FROM vl_city_daily LIMIT 0").description]
    settled_at = columns.index("settled_fen")
    assert live[:5] == rebuilt[:5] == key
    assert (live[settled_at], rebuilt[settled_at]) == (settled + 1, settled)
    assert [v for i, v in enumerate(live) if i != settled_at] == [v for i, v in enumerate(rebuilt) if i != settled_at]

    # Undo it and lose one whitelist history row instead: only that table differs, one row missing from live.
    execute(views, f"UPDATE vl_city_daily SET settled_fen = settled_fen - 1 WHERE {where}", key)
    [[lost]] = rows(views, "SELECT MAX(position) FROM vl_whitelist_history")
    assert execute(views, "DELETE FROM vl_whitelist_history WHERE position = ?", (lost,)) == 1
    [difference] = check(history.app, views)
    assert (difference.table, difference.only_live, difference.only_rebuilt) == ("vl_whitelist_history", 0, 1)
    assert difference.examples[0][0] == "rebuilt" and difference.examples[0][1][0] == lost


# =====================================================================================================================
# 3. A failure in the middle of a batch rolls back; after a restart nothing is missing or doubled
# =====================================================================================================================
class Injected(RuntimeError):
    pass


def fail_on_call(original, n: int):
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise Injected(f"injected failure on call {n}")
        return original(*args, **kwargs)

    return flaky, calls


def test_a_handler_failing_mid_batch_rolls_back_and_a_restart_completes_the_views(history, tmp_path, monkeypatch):
    views = scratch_views(history.settings, tmp_path)
    first, second = history.last // 3, 2 * history.last // 3
    projections = open_projections(views)
    try:
        catch_up(history.app, projections, until=first)
        before = snapshot(views)
        # The 5th ClaimSettled of the page fails: the handlers have already buffered hundreds of rows of this page
        # (and staged lookup changes) by then. One page covers first..second, so the whole page is one batch.
        settled = [r for r in history.of("Voucher.ClaimSettled") if first < r.position <= second]
        assert len(settled) > 5
        money = projections[0]
        flaky, calls = fail_on_call(money._dispatch[Voucher.ClaimSettled], 5)
        monkeypatch.setitem(money._dispatch, Voucher.ClaimSettled, flaky)
        with pytest.raises(Injected):
            catch_up(history.app, projections, until=second, page_size=1_000_000)
        assert calls["n"] == 5
        assert snapshot(views) == before  # no row, no tracking position moved
    finally:
        close_projections(projections)

    # Restart: new projection objects (nothing in memory), no injected fault, catch up to the end.
    monkeypatch.undo()
    projections = open_projections(views)
    try:
        catch_up(history.app, projections, page_size=777)
    finally:
        close_projections(projections)
    assert_complete(history, views)
    assert check(history.app, views) == []


def test_a_write_failing_inside_the_transaction_rolls_back_and_the_same_worker_carries_on(history, tmp_path,
                                                                                          monkeypatch):
    """Failures after some of the batch's rows were already written in its transaction: the audit trail's second
    insert (after vl_audit_events), and money_flows' lookup upsert (after movements and daily totals). Each rolls
    back the whole batch; the same projection objects then carry on (their memory was dropped with the batch)."""
    views = scratch_views(history.settings, tmp_path)
    first, second, third = history.last // 4, history.last // 2, 3 * history.last // 4
    projections = open_projections(views)
    money, audit = (next(p for p in projections if p.name == name) for name in ("money_flows", "audit_trail"))
    try:
        catch_up(history.app, projections, until=first)

        before = snapshot(views, ["audit_trail"])
        original_insert = audit.view.insert_rows

        def insert_rows(curs, table, columns, batch_rows):
            original_insert(curs, table, columns, batch_rows)
            if table == "vl_audit_entries":
                raise Injected("after both audit inserts ran")

        monkeypatch.setattr(audit.view, "insert_rows", insert_rows)
        with pytest.raises(Injected):
            catch_up(history.app, projections, until=second, page_size=1_000_000)
        assert snapshot(views, ["audit_trail"]) == before
        assert tracking_position(views, "money_flows") == second  # earlier projections of the page committed
        monkeypatch.undo()
        catch_up(history.app, projections, until=second, page_size=1_000_000)

        before = snapshot(views, ["money_flows"])
        def failing_write(view, curs, staged):
            raise Injected("after the movements and daily totals were written")

        monkeypatch.setattr(money.claims, "write", failing_write)
        with pytest.raises(Injected):
            catch_up(history.app, projections, until=third, page_size=1_000_000)
        assert snapshot(views, ["money_flows"]) == before
        monkeypatch.undo()
        catch_up(history.app, projections, page_size=3_333)
    finally:
        close_projections(projections)
    assert_complete(history, views)
    assert check(history.app, views) == []


# =====================================================================================================================
# 4. Two workers on the same projection never double-apply
# =====================================================================================================================
def test_a_page_failing_to_commit_in_the_background_leaves_whole_pages_and_the_same_objects_carry_on(
        history, tmp_path, monkeypatch):
    """Many pages: each page commits on the background thread while the next is applied (projections.page_commits).
    The audit trail's third page fails inside its transaction, after the next page was applied in memory. The
    error reaches the caller; every projection's tables hold exactly the pages up to its tracked position (a check
    of those positions finds no difference); the same objects, which forgot what they had applied, then complete the
    views."""
    views = scratch_views(history.settings, tmp_path)
    page = 700
    projections = open_projections(views)
    audit = next(p for p in projections if p.name == "audit_trail")
    original_insert, calls = audit.view.insert_rows, Counter()

    def insert_rows(curs, table, columns, batch_rows):
        original_insert(curs, table, columns, batch_rows)
        calls[table] += 1
        if table == "vl_audit_entries" and calls[table] == 3:
            assert threading.current_thread() is not threading.main_thread()  # the background path is the one tested
            raise Injected("the third page's audit entries")

    try:
        monkeypatch.setattr(audit.view, "insert_rows", insert_rows)
        with pytest.raises(Injected):
            catch_up(history.app, projections, page_size=page)
        positions = {name: tracking_position(views, name) for name in PROJECTION_NAMES}
        assert positions["audit_trail"] == 2 * page  # two pages committed, the third rolled back
        assert all(position % page == 0 and position < history.last for position in positions.values())
        assert count(views, "vl_audit_events") == sum(1 for r in history.events if r.position <= 2 * page)
        assert all(p.in_flight is None for p in projections)  # forgotten: nothing of the failed run is replayed
        assert check(history.app, views) == []  # each projection's tables equal a rebuild up to its position
        monkeypatch.undo()
        catch_up(history.app, projections, page_size=page)
    finally:
        close_projections(projections)
    assert_complete(history, views)
    assert check(history.app, views) == []


def test_a_second_worker_from_the_same_position_is_refused_and_can_carry_on_after_forgetting(history, tmp_path):
    views = scratch_views(history.settings, tmp_path)
    a, b = open_projections(views), open_projections(views)
    try:
        for p in (*a, *b):
            assert p.position == 0  # both start at the same position (and remember it)
        half = history.last // 2
        catch_up(history.app, a, until=half, page_size=500)
        after_a = snapshot(views)
        # b cuts its pages differently (700): its first page overlaps what a committed; it must not apply it again.
        with pytest.raises(ProjectionConflictError):
            catch_up(history.app, b, until=half, page_size=700)
        assert snapshot(views) == after_a
        for p in b:
            p.forget()
        catch_up(history.app, b, page_size=700)  # b carries on from a's position, to the end
        assert all(tracking_position(views, name) == history.last for name in PROJECTION_NAMES)
        with pytest.raises(ProjectionConflictError):  # now a is the stale one
            catch_up(history.app, a)
        for p in a:
            p.forget()
        assert catch_up(history.app, a) == 0  # nothing left to do
    finally:
        close_projections(a)
        close_projections(b)
    assert_complete(history, views)
    assert check(history.app, views) == []


def test_two_workers_racing_from_an_empty_view_the_second_waits_and_is_refused(history, tmp_path, monkeypatch):
    """Worker A is held inside its first commit (rows written, tracking not yet). Worker B, started from the same
    position 0, must wait for A and then be refused with ProjectionConflictError — and must not get past its
    position check while A's transaction is open. (On PostgreSQL the tracking row does not exist before the first
    commit, so ``SELECT … FOR UPDATE`` has nothing to lock.)"""
    views = scratch_views(history.settings, tmp_path)
    [a], [b] = open_projections(views, ["money_flows"]), open_projections(views, ["money_flows"])
    app_b = open_ledger(history.settings)
    a_inside, release_a, b_past_check = threading.Event(), threading.Event(), threading.Event()
    original_insert_tracking = a.view._insert_tracking
    original_lock = b.view._lock_position

    def held_insert_tracking(curs, tracking):
        a_inside.set()
        assert release_a.wait(30)
        return original_insert_tracking(curs, tracking)

    def observed_lock(curs, application_name):
        found = original_lock(curs, application_name)
        b_past_check.set()
        return found

    monkeypatch.setattr(a.view, "_insert_tracking", held_insert_tracking)
    monkeypatch.setattr(b.view, "_lock_position", observed_lock)
    outcome: dict[str, Any] = {}
    until = history.last // 3

    def run(name, app, projection, page_size):
        try:
            outcome[name] = catch_up(app, [projection], until=until, page_size=page_size)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome[name] = exc

    thread_a = threading.Thread(target=run, args=("a", history.app, a, 500))
    thread_a.start()
    try:
        assert a_inside.wait(30)
        thread_b = threading.Thread(target=run, args=("b", app_b, b, 700))
        thread_b.start()
        passed_while_a_open = b_past_check.wait(1.0)
        release_a.set()
        thread_a.join(30)
        thread_b.join(30)
    finally:
        release_a.set()
        close_projections([a, b])
        app_b.close()
    assert not isinstance(outcome["a"], BaseException), outcome["a"]
    assert isinstance(outcome["b"], ProjectionConflictError), repr(outcome["b"])
    assert not passed_while_a_open, "worker B read the position while worker A's batch was uncommitted"
    money_rows = sum(1 for r in history.events if moves_money(r) and r.position <= until)
    assert count(views, "vl_money_movements") == money_rows
    assert tracking_position(views, "money_flows") == until


# =====================================================================================================================
# 2. Per-city spend equals sums computed from the raw events
# =====================================================================================================================
def test_city_spend_at_the_end_equals_sums_of_the_raw_events(history):
    expected = expected_city_spend(history.events, END_OF_TIME)
    cities = sorted({r.event.city for r in history.of("CityQuota.Set")})
    assert len(cities) == 20
    read = ReadModels(history.settings, history.app)
    try:
        seen_recovery = False
        for city in cities:
            result = read.city_spend(city, END_OF_TIME)
            assert result["city"] == city
            assert spend_lines(result) == nonzero(expected.lines[city]), city
            seen_recovery |= any(k[4] == "recovered" for k in expected.lines[city])
            quotas = {year: {**q, "quota_remaining_fen": q["quota_set_fen"] - q["quota_used_fen"]}
                      for year, q in expected.quotas[city].items()}
            assert result["quotas"] == quotas, city
            # ... and the quota block agrees with the domain's own quota aggregates
            for year, q in result["quotas"].items():
                aggregate = history.app.city_quota(city, year)
                assert (q["quota_set_fen"], q["quota_used_fen"]) == (aggregate.amount_fen, aggregate.used_fen)
        assert seen_recovery
    finally:
        read.close()


def test_settled_and_recovered_spend_agree_with_the_settlement_batches_own_split(history):
    """A second, independent record of the same money: each paid batch's ``by_city`` province/city totals, and each
    recovery's portions as the batch recorded them; for the awards, each paid award batch's lines and each award's
    recovery."""
    paid: dict[str, Counter] = defaultdict(Counter)
    for r in history.of("SettlementBatch.Paid"):
        for city, t in r.event.by_city.items():
            paid[city]["city"] += t["city_fen"]
            paid[city]["province"] += t["province_fen"]
    recovered: dict[str, Counter] = defaultdict(Counter)
    for r in history.of("SettlementBatch.RecoveryRaised"):
        recovered[r.event.city]["city"] += r.event.city_portion_fen
        recovered[r.event.city]["province"] += r.event.province_portion_fen
    assert paid and recovered
    # Awards: the lines each paid award batch recorded, and each award's recovery
    award_lines = {(r.event.originator_id, r.event.award_id): r.event for r in history.of("AwardBatch.AwardAdded")}
    awards_paid: dict[str, Counter] = defaultdict(Counter)
    for r in history.of("AwardBatch.Paid"):
        for award_id in r.event.awards:
            line = award_lines[(r.event.originator_id, award_id)]
            awards_paid[line.city]["city"] += line.city_portion_fen
            awards_paid[line.city]["province"] += line.province_portion_fen
    awards_recovered: dict[str, Counter] = defaultdict(Counter)
    for r in history.of("Award.RecoveryRaised"):
        awards_recovered[r.event.city]["city"] += r.event.city_portion_fen
        awards_recovered[r.event.city]["province"] += r.event.province_portion_fen
    assert awards_paid
    for city in sorted(set(paid) | set(awards_paid)):
        lines = money_flows_queries.city_spend(history.db, city, us(END_OF_TIME))["lines"]
        totals = Counter()
        for x in lines:
            totals[(x["programme"] == "VOUCHERS", x["stage"], x["fund_source"])] += x["amount_fen"]
        for vouchers, (settled, back) in ((True, (paid, recovered)), (False, (awards_paid, awards_recovered))):
            for source in ("city", "province"):
                assert totals[(vouchers, "settled", source)] == settled[city][source]
                assert totals[(vouchers, "recovered", source)] == back[city][source]
                assert totals[(vouchers, "spend", source)] == settled[city][source] - back[city][source]


def test_city_spend_as_of_past_times_and_with_filters(history):
    """As of times in the middle of a day (so both the daily totals and the same day's rows are used) and just
    either side of a Shanghai new year, against the raw events up to that time."""
    rng = random.Random(11)
    settlements = history.of("Voucher.ClaimSettled")
    times = [r.at + timedelta(hours=rng.randint(1, 5), microseconds=rng.randint(0, 999_999))
             for r in rng.sample(settlements, 4)]
    new_year_2020 = datetime(2019, 12, 31, 16, 0, tzinfo=UTC)  # 2020-01-01 00:00 in Shanghai
    times += [new_year_2020 - timedelta(microseconds=1), new_year_2020]
    times += [r.at for r in rng.sample(settlements, 2)]  # exactly at a payment: it counts (at or before T)
    cities = ("441900", "440600", "440100", "445300")
    for as_of in times:
        expected = expected_city_spend(history.events, as_of)
        for city in cities:
            result = money_flows_queries.city_spend(history.db, city, us(as_of))
            assert spend_lines(result) == nonzero(expected.lines[city]), (city, as_of)
            for year, q in expected.quotas[city].items():
                assert result["quotas"][year]["quota_used_fen"] == q["quota_used_fen"], (city, as_of)
                assert result["quotas"][year]["issued_fen"] == q["issued_fen"], (city, as_of)
                assert result["quotas"][year]["quota_set_fen"] == q["quota_set_fen"], (city, as_of)

    expected = expected_city_spend(history.events, END_OF_TIME).lines["441900"]
    by_cash_2019 = money_flows_queries.city_spend(history.db, "441900", us(END_OF_TIME), year=2019, year_kind="cash",
                                      fund_source="city", stage="spend")
    assert {(x["cash_year"], x["fund_source"], x["stage"]) for x in by_cash_2019["lines"]} == {(2019, "city", "spend")}
    assert sum(x["amount_fen"] for x in by_cash_2019["lines"]) == sum(
        v for (py, cy, cat, src, stage), v in expected.items() if cy == 2019 and src == "city" and stage == "spend")
    by_programme = money_flows_queries.city_spend(history.db, "441900", us(END_OF_TIME), year=2019, fee_category="DEVICE_ACCESS",
                                      stage="settled")
    assert {(x["programme_year"], x["fee_category"]) for x in by_programme["lines"]} == {(2019, "DEVICE_ACCESS")}
    for source in ("city", "province"):
        assert sum(x["amount_fen"] for x in by_programme["lines"] if x["fund_source"] == source) == sum(
            v for (py, cy, cat, src, stage), v in expected.items()
            if py == 2019 and cat == "DEVICE_ACCESS" and src == source and stage == "settled")
    assert set(by_programme["quotas"]) == {2019}


# =====================================================================================================================
# 5. As-of queries equal a replay of the events up to that time
# =====================================================================================================================
def effective(event: Any) -> datetime:
    """When an event's money moved per money_flows' table: a payment at its payment time and a reversal at its
    effective time; everything else (including Claimed, whose effective_at is the acceptance) when recorded."""
    if kind_of(event) in ("Voucher.ClaimSettled", "Voucher.ClaimReversed"):
        return event.effective_at
    return event.timestamp


def kind_of(event: Any) -> str:
    return type(event).__qualname__


def settled_in_time(events: list[Recorded], as_of: datetime, clock=effective) -> bool:
    """True when no event straddles T: each is both effective and recorded by T, or neither. Only at such a T does
    "as of T, as known now" (what the queries answer) equal the aggregate as recorded by T."""
    return all((clock(r.event) <= as_of) == (r.at <= as_of) for r in events)


def pick_vouchers(history: History, n: int) -> list[UUID]:
    """Vouchers with every kind of story (reversal before and after payment, rejection, value returned after
    expiry) and a seeded sample of the rest."""
    interesting: list[UUID] = []
    for r in history.of("Voucher.ClaimReversed"):
        if r.event.originator_id not in interesting:
            interesting.append(r.event.originator_id)
    for k in ("Voucher.ClaimRejected", "Voucher.ValueReturned"):
        interesting += [r.event.originator_id for r in history.of(k)[:3]]
    issued = [r.event.originator_id for r in history.of("Voucher.Issued")]
    rng = random.Random(5)
    return list(dict.fromkeys(interesting + rng.sample(issued, n)))


def test_voucher_balance_as_of_times_equals_the_aggregate_at_the_version_recorded_by_then(history):
    rng = random.Random(3)
    checked = straddled = 0
    reversed_after = False
    for voucher_id in pick_vouchers(history, 25):
        stream = history.stream(voucher_id)
        times = {stream[0].at - timedelta(microseconds=1), END_OF_TIME}
        for r in stream:
            times |= {r.at, r.at - timedelta(microseconds=1)}
        times = sorted(times) if len(times) <= 12 else sorted(rng.sample(sorted(times), 12))
        for as_of in times:
            # Payments are recorded the morning after they take effect and reversals are dated back, so "as of T as
            # known now" differs from the aggregate recorded by T; "as of T, known at T" is exactly that aggregate
            # (nothing here takes effect after it is recorded).
            straddled += not settled_in_time(stream, as_of)
            versions = [r.event.originator_version for r in stream if r.at <= as_of]
            got = money_flows_queries.voucher_balance(history.db, str(voucher_id), us(as_of), us(as_of))
            if not versions:
                assert got is None
                continue
            voucher = history.app.repository.get(voucher_id, version=versions[-1])
            assert got == as_read(voucher, as_of), (voucher_id, as_of)
            reversed_after |= got["recovered_fen"] > 0
            checked += 1
    assert checked > 200 and reversed_after and straddled > 0


def as_read(voucher, as_of: datetime) -> dict:
    """The aggregate's figures as the read side states them as of T: an ACTIVE voucher past its expiry instant
    (``Voucher.expires_at``, from which its claims are refused) reads EXPIRED, its expiry not yet recorded."""
    figures = voucher_figures(voucher)
    recorded = figures["status"]
    past = as_of >= voucher.expires_at
    return figures | {"status": "EXPIRED" if past and recorded == "ACTIVE" else recorded,
                      "expiry_recorded": recorded == "EXPIRED", "expires_us": us(voucher.expires_at)}


def test_enterprise_totals_as_of_equal_the_sum_of_its_vouchers_aggregates(history):
    by_enterprise: dict[UUID, list[UUID]] = defaultdict(list)
    for r in history.of("Voucher.Issued"):
        by_enterprise[r.event.enterprise_id].append(r.event.originator_id)
    several = [e for e, vs in by_enterprise.items() if len(vs) >= 3][:8]
    assert several
    for enterprise_id in several:
        streams = {v: history.stream(v) for v in by_enterprise[enterprise_id]}
        firsts = sorted(s[0].at for s in streams.values())
        for as_of in (firsts[0] - timedelta(microseconds=1), firsts[1], firsts[-1] + timedelta(days=100), END_OF_TIME):
            expected: dict[int, dict[str, int]] = {}
            for voucher_id, stream in streams.items():
                versions = [r.event.originator_version for r in stream if r.at <= as_of]
                if not versions:
                    continue
                f = voucher_figures(history.app.repository.get(voucher_id, version=versions[-1]))
                year = expected.setdefault(f["programme_year"], Counter())
                year["vouchers"] += 1
                for name in ("face_value_fen", "claimed_fen", "approved_fen", "settled_fen", "reversed_fen",
                             "recovered_fen", "returned_fen", "remaining_fen"):
                    year[name] += f[name]
            got = money_flows_queries.enterprise_totals(history.db, str(enterprise_id), us(as_of), us(as_of))
            assert {t["programme_year"]: {k: v for k, v in t.items() if k != "programme_year"} for t in got} == \
                {y: dict(c) for y, c in expected.items()}, (enterprise_id, as_of)


def provider_times(history: History) -> list[datetime]:
    """Around every change of standing (each recorded time and a microsecond before) and each Shanghai new year
    (eliminations count for a fiscal year)."""
    times: set[datetime] = set()
    for r in history.of("Provider.Admitted", "Provider.Suspended", "Provider.Whitelisted", "Provider.Eliminated"):
        times |= {r.at, r.at - timedelta(microseconds=1)}
    for year in (2019, 2020, 2021):
        new_year = datetime(year - 1, 12, 31, 16, 0, tzinfo=UTC)
        times |= {new_year, new_year - timedelta(microseconds=1)}
    return sorted(times)


def test_whitelist_as_of_times_equals_the_provider_aggregates_recorded_by_then(history):
    streams = {r.event.originator_id: history.stream(r.event.originator_id) for r in history.of("Provider.Admitted")}
    provider_events = [r for s in streams.values() for r in s]
    assert {"Provider.Suspended", "Provider.Eliminated"} <= {r.kind for r in provider_events}

    def provider_clock(event):
        return getattr(event, "effective_at", event.timestamp)

    checked, straddled = Counter(), 0
    for as_of in provider_times(history):
        straddled += not settled_in_time(provider_events, as_of, provider_clock)
        expected = set()
        for provider_id, stream in streams.items():
            versions = [r.event.originator_version for r in stream if r.at <= as_of]
            if versions:
                provider = history.app.repository.get(provider_id, version=versions[-1])
                expected.add((str(provider_id), provider.uscc, provider.status, fiscal_year(as_of) in
                              provider.eliminated_years))
                checked[provider.status] += 1
                assert whitelist_queries.provider_status(history.db, str(provider_id), us(as_of), us(as_of)) == provider.status
        listed, after = [], ""
        while page := whitelist_queries.whitelist(history.db, us(as_of), us(as_of), after_uscc=after, limit=7):  # pages of 7
            listed += page
            after = page[-1]["uscc"]
        got = {(w["provider_id"], w["uscc"], w["status"], w["eliminated_this_year"]) for w in listed}
        assert len(got) == len(listed)  # no provider on two pages
        assert got == expected, as_of
    assert checked["SUSPENDED"] and checked["WHITELISTED"] and checked["PENDING_ASSESSMENT"]
    assert straddled  # a spot check recorded days after it took effect was among the times


def replay_at(events: list[Recorded], times: list[datetime]):
    """Replay Voucher, Provider and ProviderQuota aggregates with the domain's own ``mutate``, yielding their state
    at each T (all events recorded at or before T; the history's recorded times never go backwards)."""
    assert all(a.at <= b.at for a, b in pairwise(events))
    aggregates: dict[UUID, Any] = {}
    pending = iter(sorted(times))
    as_of = next(pending, None)
    for r in events:
        while as_of is not None and r.at > as_of:
            yield as_of, aggregates
            as_of = next(pending, None)
        if as_of is None:
            return
        if r.kind.split(".")[0] in ("Voucher", "Provider", "ProviderQuota"):
            oid = r.event.originator_id
            aggregates[oid] = r.event.mutate(aggregates.get(oid))
    while as_of is not None:
        yield as_of, aggregates
        as_of = next(pending, None)


def test_provider_receivable_as_of_times_equals_a_replay_of_the_aggregates(history):
    rng = random.Random(17)
    payments = history.of("SettlementBatch.Paid")
    times = sorted({history.events[0].at - timedelta(microseconds=1), END_OF_TIME,
                    *(r.at for r in rng.sample(payments, 4)),
                    *(r.at - timedelta(microseconds=1) for r in rng.sample(payments, 2)),
                    *(r.at + timedelta(minutes=1) for r in history.of("Provider.Suspended"))})
    providers = [r.event.originator_id for r in history.of("Provider.Admitted")]
    held = flagged = 0
    for as_of, aggregates in replay_at(history.events, times):
        claims = defaultdict(list)
        quotas = defaultdict(dict)
        for agg in aggregates.values():
            if type(agg).__name__ == "Voucher":
                for claim in agg.claims.values():
                    claims[claim.provider_id].append(claim)
            elif type(agg).__name__ == "ProviderQuota":
                quotas[agg.provider_id][agg.year] = {"quota_set_fen": agg.amount_fen, "quota_used_fen": agg.used_fen,
                                                     "quota_remaining_fen": agg.amount_fen - agg.used_fen}
        for provider_id in providers:
            mine = claims[provider_id]

            def total(*statuses, after_payment_only=False, mine=mine):
                return sum(c.amount_fen for c in mine if c.status in statuses
                           and (not after_payment_only or c.reversed_after_settlement))

            provider = aggregates.get(provider_id)
            status = provider.status if provider is not None else None
            approved = total(ClaimStatus.APPROVED)
            expected = {
                "provider_id": str(provider_id), "status": status, "approved_unsettled_fen": approved,
                "held_fen": approved if status == "SUSPENDED" else 0,
                "claims_held_fen": sum(c.amount_fen for c in mine if c.held
                                       and c.status in (ClaimStatus.CLAIMED, ClaimStatus.APPROVED)),
                "claimed_pending_fen": total(ClaimStatus.CLAIMED),
                "settled_fen": total(ClaimStatus.SETTLED) + total(ClaimStatus.REVERSED, after_payment_only=True),
                # the simulated history collects and writes off nothing: every recovery raised is still due
                "recoveries_due_fen": total(ClaimStatus.REVERSED, after_payment_only=True),
                "recoveries_raised_fen": total(ClaimStatus.REVERSED, after_payment_only=True),
                "recoveries_collected_fen": 0, "recoveries_written_off_fen": 0,
                "quotas": dict(sorted(quotas[provider_id].items())),
            }
            assert money_flows_queries.provider_receivable(history.db, str(provider_id), us(as_of), us(as_of)) == expected, \
                (provider_id, as_of)
            held += expected["held_fen"]
            flagged += expected["claims_held_fen"]
    assert held > 0  # a suspended provider with approved claims held from settlement was among the checks
    assert flagged > 0  # and claims held after a suspension recorded late


# =====================================================================================================================
# 8. The audit trail tells a voucher's whole story
# =====================================================================================================================
def references(r: Recorded, entity_id: UUID, *fields: str) -> bool:
    return r.event.originator_id == entity_id or any(getattr(r.event, f, None) == entity_id for f in fields)


def test_a_vouchers_audit_trail_reads_from_issuance_to_settlement_and_recovery(history):
    reversal = next(r for r in history.of("Voucher.ClaimReversed") if r.event.after_settlement)
    plain = next(r.event.originator_id for r in history.of("Voucher.Issued")
                 if [x.kind for x in history.stream(r.event.originator_id)][:6] == [
                     "Voucher.Issued", "Voucher.Claimed", "Voucher.ClaimApproved", "Voucher.ClaimBatched",
                     "Voucher.ClaimSettled", "Voucher.Expired"])
    for voucher_id in (plain, reversal.event.originator_id):
        stream = history.stream(voucher_id)
        trail = audit_trail_queries.audit_trail(history.db, "voucher", str(voucher_id), us(END_OF_TIME))
        positions = [t["position"] for t in trail]
        assert positions == sorted(set(positions))
        # Exactly the voucher's own events and the events that name it (its quota holds and releases, its claims'
        # contract keys, the batch lines and recoveries for its claims), in global order.
        expected = [r for r in history.events if references(r, voucher_id, "voucher_id", "ref")]
        assert positions == [r.position for r in expected]
        assert {r.position for r in stream} <= set(positions)
        by_position = {r.position: r for r in expected}
        for t in trail:
            r = by_position[t["position"]]
            assert t["event_type"] == r.kind
            assert t["recorded_us"] == us(r.at)
            assert t["actor"] == r.event.actor
            assert t["summary_zh"].strip() and t["summary_en"].strip()
        story = [t for t in trail if by_position[t["position"]].event.originator_id == voucher_id]
        assert story[0]["event_type"] == "Voucher.Issued"
        issued = stream[0].event
        assert yuan_text(issued.face_value_fen) in story[0]["summary_en"]
        assert yuan_text(issued.face_value_fen) in story[0]["summary_zh"]
        for t in story:
            claim_id = getattr(by_position[t["position"]].event, "claim_id", None)
            if claim_id is not None:
                assert str(claim_id)[:8] in t["summary_en"]

        # Paged with a cursor, the trail is the same; "until" T keeps what was recorded by T.
        paged, after = [], 0
        while page := audit_trail_queries.audit_trail(history.db, "voucher", str(voucher_id), us(END_OF_TIME),
                                          after_position=after, limit=3):
            paged += page
            after = page[-1]["position"]
        assert paged == trail
        approved_at = next(r.at for r in stream if r.kind == "Voucher.ClaimApproved")
        assert audit_trail_queries.audit_trail(history.db, "voucher", str(voucher_id), us(approved_at), us(approved_at)) == [
            t for t in trail if t["recorded_us"] <= us(approved_at)]

    # The reversed claim: in its provider's and its batch's trails, with the batch's payment and the recovery.
    e = reversal.event
    claim_events = [r for r in history.events if getattr(r.event, "claim_id", None) == e.claim_id]
    kinds = {r.kind for r in claim_events}
    assert {"Voucher.Claimed", "Voucher.ClaimApproved", "Voucher.ClaimBatched", "Voucher.ClaimSettled",
            "Voucher.ClaimReversed", "SettlementBatch.ClaimAdded", "SettlementBatch.RecoveryRaised",
            "ProviderQuota.Used", "InvoiceKey.Registered", "ContractKey.Registered"} <= kinds
    provider_id = next(r.event.provider_id for r in claim_events if r.kind == "Voucher.Claimed")
    provider_trail = {t["position"] for t in audit_trail_queries.audit_trail(history.db, "provider", str(provider_id),
                                                                 us(END_OF_TIME), limit=100_000)}
    batch = history.stream(e.batch_id)
    assert {r.position for r in claim_events} | {r.position for r in batch} <= provider_trail
    batch_trail = [t["position"] for t in audit_trail_queries.audit_trail(history.db, "settlement_batch", str(e.batch_id),
                                                              us(END_OF_TIME))]
    # The batch's own events (opened, lines, paid, recovery) and its claims' events that name it.
    assert batch_trail == [r.position for r in history.events if references(r, e.batch_id, "batch_id")]
    assert {"SettlementBatch.Paid", "SettlementBatch.RecoveryRaised", "Voucher.ClaimReversed"} <= {
        t["event_type"] for t in audit_trail_queries.audit_trail(history.db, "settlement_batch", str(e.batch_id),
                                                     us(END_OF_TIME))}


def test_every_events_lines_read_from_its_stored_facts_are_the_lines_of_the_event_itself(history):
    """The trail stores facts and renders its lines when read: for every event of the history, the feed's lines are
    what the summary templates make of the event as the library decodes it (the lines once stored)."""
    from projections.audit_summaries import summarise

    feed, after = [], 0
    while page := audit_trail_queries.event_feed(history.db, as_of_us=us(END_OF_TIME), after_position=after,
                                                 limit=5_000):
        feed += page
        after = page[-1]["position"]
    assert [t["position"] for t in feed] == [r.position for r in history.events]
    for t, r in zip(feed, history.events, strict=True):
        assert (t["summary_zh"], t["summary_en"]) == summarise(r.kind, r.event), r.kind


def test_every_events_facts_are_the_text_the_stdlib_encoder_wrote(history):
    """Facts are written by orjson; rows written before hold the stdlib encoder's text, and read the same because
    every event's facts are that very text."""
    from projections.audit_facts import FIELDS, _tagged, facts_of

    stdlib = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged).encode
    written = 0
    for r in history.events:
        state = vars(r.event)
        facts = facts_of(r.kind, r.event)
        if facts is not None:
            assert facts == stdlib({name: state[name] for name in FIELDS[r.kind] if name in state}), r.kind
            written += 1
    assert written > len(history.events) // 2


def test_late_facts_are_exactly_the_events_recorded_after_k_with_effect_by_t(history):
    """Against the raw events, for K = T (the partial-index path) and K < T (every row recorded in between)."""
    from projections.late_facts import late_facts

    rng = random.Random(23)
    settled = history.of("Voucher.ClaimSettled")
    for r in rng.sample(settled, 3):
        as_of = r.at - timedelta(hours=2)  # payments are recorded the morning after: some straddle T
        for known_at in (as_of, as_of - timedelta(days=3)):
            expected = [e.position for e in history.events
                        if getattr(e.event, "effective_at", None) is not None
                        and e.event.effective_at <= as_of and e.at > known_at]
            found = late_facts(history.db, us(as_of), us(known_at), limit=100_000)
            assert [f["position"] for f in found["facts"]] == expected, (as_of, known_at)
            assert expected  # a payment made by T and recorded after it, at least


def test_every_chinese_line_of_the_history_names_cities_categories_and_areas_in_chinese(history):
    """A Chinese line shows no code and no English word the ledger wrote itself (a black-box review read
    "退回地市额度 ¥22,213.59（voucher expired）", "（DEVICE_ACCESS）", "440200 2018 年度额度", and later
    "资格不通过：SHENZHEN_EXCLUDED", "CHINA_TELECOM 折扣率 0.30", "（…，FIXED）", "（ENTERPRISE:制造企业 49，佛山市）"):
    codes are named (ledger/words.py), cities as 广州市, the ledger's own reasons in Chinese.

    Matching only the codes ledger/words.py names missed every code it did not name yet; so once the ids, USCCs,
    item and evidence numbers and the names a person gave are taken out of a line, no Latin letter may be left."""
    import re

    from ledger.parties import CITIES
    from projections.audit_summaries import summarise

    # Fields that hold an identifier or a name someone gave: shown as they are. (A reason is typed too, but the
    # simulated officials type Chinese, so a reason the ledger itself writes in English still shows.)
    as_given = ("uscc", "item_id", "contract_no", "invoice_no", "bank_reference", "document_number", "document_no",
                "name", "applicant_name", "project", "assessor", "notice", "period", "fund_name", "objector", "note")
    short_id = re.compile(r"(?<![0-9a-f])[0-9a-f]{8}(?![0-9a-f])")
    city = re.compile(r"(?<![0-9A-Z])(" + "|".join(CITIES) + r")(?![0-9])")
    latin = re.compile(r"[A-Za-z]{2,}")
    bad, kinds = [], set()
    for r in history.events:
        zh = summarise(r.kind, r.event)[0]
        kinds.add(r.kind)
        rest = zh
        for field in as_given:
            value = getattr(r.event, field, None)
            if isinstance(value, str) and value:
                rest = rest.replace(value, "")
        if latin.search(short_id.sub("", rest)) or city.search(zh):
            bad.append(f"{r.kind}: {zh}")
    assert not bad, "\n".join(bad[:20])
    # the kinds of line the reviews read are among those checked
    assert {"Enterprise.EligibilityDecided", "NetworkDiscountGrant.Granted", "AwardProgramme.Defined",
            "AwardBatch.AwardAdded", "Voucher.ClaimReversed", "Voucher.ClaimRejected", "Voucher.Issued"} <= kinds
