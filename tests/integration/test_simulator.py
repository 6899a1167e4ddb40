"""The simulator: a seeded, deterministic programme driven through the ledger's real commands."""

import re
from collections import Counter
from datetime import date, timedelta

import psycopg

from store.settings import Settings
from ledger.fiscal_time import SHANGHAI
from projections.check import check
from projections.runner import catch_up, close_projections, open_projections
from simulator import simulate
from simulator.run import Scale
from simulator.store import open_simulation_store
from tests.support.projection_helpers import lean

SMALL = 6_000  # events: a few hundred enterprises over the three years


def history(app):
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in app.recorder.select_notifications(1, 1_000_000)]


def simulated(settings, seed, events=SMALL):
    app = open_simulation_store(settings)  # its set-up recorded on the simulation's clock: the same bytes each run
    report = simulate(app, events=events, seed=seed, flush_events=500)
    return app, report


def test_the_same_seed_gives_the_same_history_on_sqlite_and_postgresql(tmp_path, postgres_database):
    on_sqlite, report_sqlite = simulated(Settings(store="sqlite", sqlite_path=tmp_path / "a.sqlite3"), seed=42)
    postgres = Settings(store="postgres", postgres_url=postgres_database, postgres_schema="sim_determinism")
    on_postgres, report_postgres = simulated(postgres, seed=42)
    try:
        events = history(on_sqlite)
        assert len(events) == report_sqlite.events > SMALL * 0.8
        assert history(on_postgres) == events  # ids, versions, topics, payload bytes and global order
        assert report_postgres.refusals == report_sqlite.refusals
    finally:
        on_sqlite.close()
        on_postgres.close()
        with psycopg.connect(postgres_database, autocommit=True) as conn:
            conn.execute("DROP SCHEMA sim_determinism CASCADE")


def test_another_seed_gives_another_history(tmp_path):
    first, _ = simulated(Settings(store="sqlite", sqlite_path=tmp_path / "a.sqlite3"), seed=1, events=2_000)
    second, _ = simulated(Settings(store="sqlite", sqlite_path=tmp_path / "b.sqlite3"), seed=2, events=2_000)
    try:
        assert [e[1:] for e in history(first)] != [e[1:] for e in history(second)]
    finally:
        first.close()
        second.close()


def test_a_simulated_programme_is_realistic_and_the_rules_do_the_refusing(ledger):
    report = simulate(ledger, events=20_000, seed=3, flush_events=1_000)
    events = [ledger.mapper.to_domain_event(n) for n in ledger.recorder.select_notifications(1, 1_000_000)]
    kinds = Counter(type(e).__qualname__ for e in events)
    # Every stage of the programme happens.
    for kind in ("Enterprise.EligibilityDecided", "NetworkDiscountGrant.Granted", "Voucher.Issued", "Voucher.Claimed",
                 "Voucher.ClaimApproved", "Voucher.ClaimRejected", "SettlementBatch.Paid", "Voucher.ClaimReversed",
                 "SettlementBatch.RecoveryRaised", "Provider.Suspended", "Voucher.Expired", "CityQuota.Returned"):
        assert kinds[kind] > 0, kind
    # Refusals come from the ledger's rules, at low rates, and cover the main refusal rules.
    assert {"DUPLICATE_CLAIM", "CATEGORY_NOT_COVERED", "PAYMENT_INSUFFICIENT", "VOUCHER_EXPIRED",
            "NOT_ELIGIBLE", "CONTRACT_BEFORE_POLICY"} <= set(report.refusals)
    assert sum(report.refusals.values()) < 0.1 * report.commands
    # Recorded times move forward with the global order, through 2018-2021 in Asia/Shanghai, across new year's eve.
    times = [e.timestamp for e in events]
    assert times == sorted(times)
    local = [t.astimezone(SHANGHAI) for t in times]
    assert {t.year for t in local} >= {2018, 2019, 2020, 2021}
    around_new_year = [t for t in local if (t.month, t.day) in ((12, 31), (1, 1)) and t.hour in (23, 0)]
    assert around_new_year, "some events fall near midnight on 31 December"
    # Shenzhen enterprises are registered and refused; none holds a voucher.
    shenzhen = {e.originator_id for e in events if type(e).__qualname__ == "Enterprise.Registered" and e.city == "440300"}
    assert shenzhen
    assert not any(type(e).__qualname__ == "Voucher.Issued" and e.enterprise_id in shenzhen for e in events)
    # From the first claims (March 2018) to past the last redemption deadline (2020's, 8 February 2021).
    assert min(local).date() < date(2018, 4, 1) and max(local).date() > date(2021, 2, 8)


def test_enterprises_rate_and_complain_the_2020_round_is_publicised_and_spot_checks_are_routine(ledger):
    """Issue 19 at realistic low rates: ratings on most approved claims, a few complaints, one or two objections a
    month while 2020's claims are in publicity (some upheld, some sustained: reversed), routine spot checks."""
    simulate(ledger, events=20_000, seed=3, flush_events=1_000)
    events = [ledger.mapper.to_domain_event(n) for n in ledger.recorder.select_notifications(1, 1_000_000)]
    kinds = Counter(type(e).__qualname__ for e in events)
    of = lambda kind: [e for e in events if type(e).__qualname__ == kind]  # noqa: E731
    assert 0.6 * kinds["Voucher.ClaimApproved"] < kinds["ServiceRating.Rated"] < kinds["Voucher.ClaimApproved"]
    assert kinds["ServiceRating.Rated"] == kinds["ProviderReview.RatingCounted"]
    assert {e.score for e in of("ServiceRating.Rated")} <= {1, 2, 3, 4, 5}
    assert 0 < kinds["Complaint.Filed"] == kinds["ProviderReview.ComplaintCounted"] < 0.05 * kinds["Voucher.Claimed"]

    lists = of("PublicityList.Opened")
    assert lists and {e.year for e in lists} == {2020} and kinds["PublicityList.Closed"] == len(lists)
    objections = Counter(e.timestamp.astimezone(SHANGHAI).strftime("%Y-%m") for e in of("PublicityList.ObjectionLodged"))
    publicity_months = {e.timestamp.astimezone(SHANGHAI).strftime("%Y-%m") for e in lists}
    assert set(objections) <= publicity_months and max(objections.values()) <= 5
    assert 0.5 <= sum(objections.values()) / len(publicity_months) <= 3
    sustained = {e.claim_id for e in of("PublicityList.ObjectionSustained")}
    assert sustained and kinds["PublicityList.ClaimUpheld"] > 0
    assert sustained <= {e.claim_id for e in of("Voucher.ClaimReversed")}  # a sustained objection reverses
    listed = {e.claim_id for e in of("Voucher.ClaimPublicised")}
    assert not listed & {e.claim_id for e in of("Voucher.ClaimSettled") if e.claim_id in sustained}
    assert len(listed & {e.claim_id for e in of("Voucher.ClaimSettled")}) > 0.8 * len(listed)  # then paid

    # The windows count on the holiday arrangements the province recorded (2020's, revised for the extended Spring
    # Festival, and 2021's): a list published on Tuesday 29 September 2020 (week 40) takes objections until 24:00 on
    # Tuesday 13 October (30 Sep 1; 1-8 Oct off; 9 Oct 2; Saturday 10 Oct worked 3; 12, 13 Oct 4, 5), not 6 October.
    assert kinds["WorkingCalendar.Published"] == 2 and kinds["WorkingCalendar.Revised"] == 1
    national_day = [e for e in lists if e.period == "2020-W40"]
    last_second = [(e.window_ends_at - timedelta(seconds=1)).astimezone(SHANGHAI).date() for e in national_day]
    assert last_second == [date(2020, 10, 13)]

    spot_checks = [e for e in of("Provider.AssessmentRecorded") if e.kind == "SPOT_CHECK"]
    assert any(e.passed for e in spot_checks)
    assert len(spot_checks) < kinds["Provider.Admitted"] * 3  # fewer than one a provider a year


def test_snapshots_taken_in_memory_equal_a_replay_of_the_events(ledger):
    """The unit of work snapshots quotas from its in-memory aggregates; loading from such a snapshot must give
    exactly the state that replaying every event from the start gives."""
    simulate(ledger, events=20_000, seed=5, flush_events=700)
    snapshotted = {n.originator_id for n in ledger.recorder.select_notifications(1, 1_000_000)
                   if n.topic.endswith(("CityQuota.Used", "ProviderQuota.Used"))}
    checked = 0
    for aggregate_id in snapshotted:
        if not list(ledger.snapshots.get(aggregate_id, limit=1)):
            continue
        replayed = None
        for event in ledger.events.get(aggregate_id):
            replayed = event.mutate(replayed)
        assert ledger.repository.get(aggregate_id).__dict__ == replayed.__dict__
        checked += 1
    assert checked >= 3  # some quotas crossed their snapshot interval of 100 events: the check is not vacuous


CHINESE = re.compile(r"[\u4e00-\u9fff]")
AWARD_KINDS = {"BENCHMARK_PROJECT", "DEMONSTRATION_BASE", "FINANCE_PILOT", "KEY_PLATFORM", "INNOVATION_CENTRE"}


def test_awards_come_at_a_few_dozen_a_year_and_check_is_clean_after_them(ledger, store_settings):
    """Issue 19 item 5: each year 2018-2020 defines its award programmes; a few dozen applications a year, most
    recommended by their city and most of those selected, the rest refused with a reason in Chinese; every selected
    project granted, every award with money paid in an award batch a few weeks later, a title never paid, a recovery
    rare; no application's contract is one a voucher claimed (the rules refuse nothing of the awards); and every view
    rebuilt from zero equals the live one."""
    report = simulate(ledger, events=8_000, seed=4, flush_events=700)
    events = [ledger.mapper.to_domain_event(n) for n in ledger.recorder.select_notifications(1, 1_000_000)]
    of = lambda kind: [e for e in events if type(e).__qualname__ == kind]  # noqa: E731

    assert {(e.year, e.kind) for e in of("AwardProgramme.Defined")} == {
        (year, kind) for year in (2018, 2019, 2020) for kind in AWARD_KINDS}
    applied = of("Award.Applied")
    per_year = Counter(e.year for e in applied)
    assert set(per_year) == {2018, 2019, 2020} and all(12 <= n <= 60 for n in per_year.values()), per_year
    recommended, selected = of("Award.Recommended"), of("Award.Selected")
    refused = of("Award.Refused")
    assert 0.7 * len(applied) <= len(recommended) < len(applied)
    assert 0.6 * len(recommended) <= len(selected) < len(recommended)
    assert {e.stage for e in refused} == {"CITY", "PROVINCE"} and all(CHINESE.search(e.reason) for e in refused)
    assert len(recommended) + sum(e.stage == "CITY" for e in refused) == len(applied)  # every one decided
    # a city recommends only its own city's applications
    city_of = {e.originator_id: e.city for e in applied}
    assert all(e.city == city_of[e.originator_id] for e in recommended)

    granted = {e.originator_id: e for e in of("Award.Granted")}
    assert set(granted) == {e.originator_id for e in selected}
    titles = {a for a, e in granted.items() if e.kind == "DEMONSTRATION_BASE"}
    assert titles and all(granted[a].amount_fen == 0 for a in titles)
    paid = {e.originator_id: e for e in of("Award.Paid")}
    assert set(paid) == {a for a, e in granted.items() if e.amount_fen > 0}  # every award with money, once
    assert all(timedelta(days=1) < e.effective_at - granted[a].timestamp < timedelta(days=45) for a, e in paid.items())
    assert {e.originator_id for e in of("AwardBatch.Paid")} == {e.batch_id for e in paid.values()}
    assert len(of("AwardRoster.PlaceTaken")) <= 20  # key platforms: at most 20 at any time
    assert len(of("Award.RecoveryRaised")) <= 0.1 * len(paid)

    named = {(c["provider_id"], c["contract_no"]) for e in applied for c in e.contracts}
    claimed = {(str(e.provider_id), e.contract_no) for e in of("Voucher.Claimed")}
    assert named and not named & claimed
    award_codes = {code for code in report.refusals if code.startswith("AWARD") or code in (
        "ALREADY_FUNDED", "QUOTA_NOT_SET")}
    assert award_codes == set()

    views = lean(store_settings)
    projections = open_projections(views)
    try:
        catch_up(ledger, projections)
    finally:
        close_projections(projections)
    assert check(ledger, views) == []


def reloads_while_simulating(settings, events, cache_size):
    """How many aggregates the simulation had to read back from the store (the cache missed them)."""
    app = open_simulation_store(settings)
    reads, get = [], app.repository.get
    app.repository.get = lambda *args, **kwargs: reads.append(args) or get(*args, **kwargs)
    try:
        report = simulate(app, events=events, seed=3, cache_size=cache_size)
    finally:
        app.close()
    return len(reads), report.events


def test_the_default_cache_holds_a_programme_years_aggregates_in_use(tmp_path):
    scale = Scale.for_events(20_000)
    reloads, events = reloads_while_simulating(
        Settings(store="sqlite", sqlite_path=tmp_path / "a.sqlite3"), 20_000, scale.aggregates_in_use)
    assert reloads < events / 500  # each reload is a store round trip (~1 ms); 16 in ~26,000 events when written
    # A third of that (a year's enterprises and vouchers only) reloads vouchers months after issue: the count is live.
    fewer, _ = reloads_while_simulating(
        Settings(store="sqlite", sqlite_path=tmp_path / "b.sqlite3"), 20_000, scale.aggregates_in_use // 3)
    assert fewer > 10 * max(reloads, 1)
