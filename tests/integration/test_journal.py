"""The double-entry journal against one simulated programme per store: every entry balances, the journal equals the
posting rules applied to the raw events, the trial balance sums to zero as of any time known at any time, and the
accounts reconcile both ways with per-city spend and provider receivables. On PostgreSQL the database itself refuses
an unbalanced entry at COMMIT.

Expected postings are worked out here from the raw events and the rules of DOMAIN.md (the split is rounded down with
Decimal here, not with the ledger's function), never read back from projection code.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from store.settings import Settings
from simulator.store import open_simulation_store
from ledger.application import VoucherLedger
from ledger.recording import By
from projections import money_flows_queries
from projections.check import check
from projections.journal_queries import balances, trial_balance
from projections.runner import catch_up, close_projections, open_projections
from simulator import simulate
from tests.support.api_helpers import assert_problem, bearer, ok, store_env
from tests.support.cli_runner import run
from tests.conftest import STORES, settings_for
from tests.support.projection_helpers import (
    History,
    END_OF_TIME,
    EPOCH,
    Recorded,
    cash_year_of,
    expected_city_spend,
    lean,
    raw,
    read_events,
    rows,
    spend_lines,
    us,
)

EVENTS = 4_000
SEED = 2  # a small history whose audits raise recoveries (with publicity in 2020, seed 3's no longer do)
BUDGET = "BUDGET"  # PROGRAMME_BUDGET for the province's portion, CITY_BUDGET for the city's
BUDGETS = {"province": "PROGRAMME_BUDGET", "city": "CITY_BUDGET"}


@pytest.fixture(scope="module", params=STORES)
def history(request, tmp_path_factory) -> History:
    settings = lean(settings_for(request.param, request, tmp_path_factory.mktemp(f"journal_{request.param}")))
    app = open_simulation_store(settings)
    simulate(app, events=EVENTS, seed=SEED)
    add_late_reversal(app)
    settle_recoveries(app)
    projections = open_projections(settings)
    catch_up(app, projections)
    try:
        yield History(settings, app, projections, read_events(app))
    finally:
        close_projections(projections)
        app.close()


def add_late_reversal(app: VoucherLedger) -> None:
    """A dispute's fact learned late: a week after the last event, a paid claim is found to have been fraudulent from
    a day after its payment (effective then, recorded now)."""
    events = read_events(app)
    reversed_claims = {r.event.claim_id for r in events if r.kind == "Voucher.ClaimReversed"}
    paid = next(r for r in reversed(events) if r.kind == "Voucher.ClaimSettled"
                and r.event.claim_id not in reversed_claims)
    app.reverse_claim(By(actor="province:audit", at=events[-1].at + timedelta(days=7)),
                      voucher_id=paid.event.originator_id, claim_id=paid.event.claim_id, reason="forged invoice",
                      effective_at=paid.event.effective_at + timedelta(days=1))


def settle_recoveries(app: VoucherLedger) -> None:
    """The province works through the recoveries: for each, a third is collected (effective a day before it is
    recorded); then every other one is collected in full a day later, the others are written off."""
    events = read_events(app)
    at = events[-1].at + timedelta(days=8)
    raised = [r.event for r in events if r.kind == "SettlementBatch.RecoveryRaised"]
    assert len(raised) >= 2, "the history raises recoveries to collect"
    for i, e in enumerate(raised):
        province = By(actor="province:finance", at=at)
        app.collect_recovery(province, batch_id=e.originator_id, claim_id=e.claim_id, amount_fen=e.amount_fen // 3,
                             bank_reference=f"BOC-{i:04d}", effective_at=max(e.effective_at, at - timedelta(days=1)))
        later = By(actor="province:finance", at=at + timedelta(days=1))
        if i % 2 == 0:
            app.collect_recovery(later, batch_id=e.originator_id, claim_id=e.claim_id,
                                 amount_fen=e.amount_fen - e.amount_fen // 3, bank_reference=f"BOC-{i:04d}-2",
                                 effective_at=later.at)
        else:
            app.write_off_recovery(later, batch_id=e.originator_id, claim_id=e.claim_id,
                                   reason="provider deregistered", effective_at=later.at)
        at += timedelta(days=2)


# -- the rules, applied to raw events ---------------------------------------------------------------------------------
def city_part(amount: int, share: Decimal) -> int:
    return int((Decimal(amount) * share).to_integral_value(rounding=ROUND_FLOOR))


@dataclass
class Entry:
    event_type: str
    effective_us: int
    recorded_us: int
    programme_year: int
    cash_year: int
    city: str
    fee_category: str
    provider_id: str | None
    postings: dict[tuple[str, str], int]  # (account, fund source) -> signed fen


def expected_entries(events: list[Recorded]) -> dict[int, Entry]:
    """Debit and credit per event (journal.py's table, restated): a claim moves from the voucher's commitment to
    claims held, to provider payables, to paid; a reversal before payment frees it back to the voucher, one after
    payment raises a receivable due back to the budget, which a collection turns into money received and a write-off
    into a loss, each split as its event says; returned value goes back to the budget. Effective time: the payment's,
    reversal's, collection's or write-off's own, never before the claim's previous move; otherwise when recorded."""
    vouchers: dict[Any, tuple] = {}
    claims: dict[Any, list] = {}  # claim -> [voucher, provider, amount, stage, last moved]
    out: dict[int, Entry] = {}
    award_moved: dict[Any, int] = {}  # award -> its last move's effective time
    for r in events:
        e, kind = r.event, r.kind
        if kind in AWARD_MOVES:
            entry = award_entry(r, award_moved)
            if entry is not None:
                out[r.position] = entry
            continue
        settles_recovery = kind in ("SettlementBatch.RecoveryCollected", "SettlementBatch.RecoveryWrittenOff")
        if not kind.startswith("Voucher.") and not settles_recovery:
            continue
        recorded = us(e.timestamp)
        effective, cash, provider, claim = recorded, None, None, None
        given_split = None  # (city, province): a collection or write-off carries its own
        if settles_recovery:
            claim = claims[e.claim_id]
            account = "RECOVERIES_COLLECTED" if kind.endswith("Collected") else "RECOVERIES_WRITTEN_OFF"
            moves = [(account, "RECOVERIES_RECEIVABLE", e.amount_fen)]
            given_split = {"city": e.city_portion_fen, "province": e.province_portion_fen}
            effective = max(us(e.effective_at), claim[4])
            claim[4] = effective
        elif kind == "Voucher.Issued":
            vouchers[e.originator_id] = (e.city, e.year, e.fee_category, e.city_share)
            moves = [(BUDGET, "VOUCHER_COMMITMENTS", e.face_value_fen)]
        elif kind in ("Voucher.Expired", "Voucher.Revoked", "Voucher.ValueReturned"):
            moves = [("VOUCHER_COMMITMENTS", BUDGET, e.returned_fen)]
        elif kind == "Voucher.Claimed":
            claims[e.claim_id] = [e.originator_id, str(e.provider_id), e.amount_fen, "claimed", 0]
            moves = [("VOUCHER_COMMITMENTS", "CLAIMS_HELD", e.amount_fen)]
        elif kind in ("Voucher.ClaimApproved", "Voucher.ClaimRejected", "Voucher.ClaimSettled",
                      "Voucher.ClaimReversed"):
            claim = claims[e.claim_id]
            amount, stage = claim[2], claim[3]
            if kind == "Voucher.ClaimApproved":
                moves, claim[3] = [("CLAIMS_HELD", "PROVIDER_PAYABLES", amount)], "approved"
            elif kind == "Voucher.ClaimRejected":
                moves, claim[3] = [("CLAIMS_HELD", "VOUCHER_COMMITMENTS", amount)], "rejected"
            elif kind == "Voucher.ClaimSettled":
                moves, claim[3], effective = [("PROVIDER_PAYABLES", "PAID", amount)], "settled", us(e.effective_at)
            else:
                effective = us(e.effective_at)
                if e.after_settlement:
                    moves, cash = [("RECOVERIES_RECEIVABLE", BUDGET, amount)], cash_year_of(e.timestamp)
                else:
                    held_in = {"claimed": "CLAIMS_HELD", "approved": "PROVIDER_PAYABLES"}[stage]
                    moves = [(held_in, "VOUCHER_COMMITMENTS", amount)]
                claim[3] = "reversed"
            effective = max(effective, claim[4])
            claim[4] = effective
        else:
            continue  # ClaimBatched, flags and releases move no money
        if kind == "Voucher.Claimed":
            claim = claims[e.claim_id]
            claim[4] = effective
        if claim is not None:
            provider = claim[1]
        city, year, category, share = vouchers[e.voucher_id if settles_recovery else e.originator_id]
        postings: dict[tuple[str, str], int] = defaultdict(int)
        for debit, credit, amount in moves:
            portions = given_split or {"city": city_part(amount, share)}
            portions["province"] = amount - portions["city"]
            for source, fen in portions.items():
                postings[(BUDGETS[source] if debit == BUDGET else debit, source)] += fen
                postings[(BUDGETS[source] if credit == BUDGET else credit, source)] -= fen
        postings = {k: v for k, v in postings.items() if v}
        if postings:  # an event moving 0 fen has no entry
            cash = cash if cash is not None else cash_year_of(EPOCH + timedelta(microseconds=effective))
            out[r.position] = Entry(kind, effective, recorded, year, cash, city, category, provider, postings)
    return out


# An award's events: (debit, credit), each amount split as the event carries it (projections/award_journal.py restated)
AWARD_MOVES = {
    "Award.Granted": (BUDGET, "AWARDS_PAYABLE"),
    "Award.Paid": ("AWARDS_PAYABLE", "AWARDS_PAID"),
    "Award.RecoveryRaised": ("AWARD_RECOVERIES_RECEIVABLE", BUDGET),
    "Award.RecoveryCollected": ("AWARD_RECOVERIES_COLLECTED", "AWARD_RECOVERIES_RECEIVABLE"),
    "Award.RecoveryWrittenOff": ("AWARD_RECOVERIES_WRITTEN_OFF", "AWARD_RECOVERIES_RECEIVABLE"),
}


def award_entry(r: Recorded, moved: dict[Any, int]) -> Entry | None:
    """An award's entry under its programme (``AWARD:<kind>``), no provider: a grant when recorded, the rest at their
    effective time (never before the award's previous move); a recovery in the cash year it was recorded. A title
    granted 0 fen has none."""
    e = r.event
    if not e.amount_fen:
        return None
    recorded = us(e.timestamp)
    effective = recorded if r.kind == "Award.Granted" else max(us(e.effective_at), moved.get(e.originator_id, 0))
    moved[e.originator_id] = effective
    debit, credit = AWARD_MOVES[r.kind]
    postings: dict[tuple[str, str], int] = {}
    for source, fen in (("city", e.city_portion_fen), ("province", e.province_portion_fen)):
        if fen:
            postings[(BUDGETS[source] if debit == BUDGET else debit, source)] = fen
            postings[(BUDGETS[source] if credit == BUDGET else credit, source)] = -fen
    cash = cash_year_of(e.timestamp if r.kind == "Award.RecoveryRaised"
                        else EPOCH + timedelta(microseconds=effective))
    return Entry(r.kind, effective, recorded, e.year, cash, e.city, f"AWARD:{e.kind}", None, postings)


def stored_entries(settings: Settings) -> dict[int, Entry]:
    found: dict[int, Entry] = {}
    for (position, event_type, effective, recorded, year, cash, city, category, provider) in rows(
            settings, "SELECT position, event_type, effective_us, recorded_us, programme_year, cash_year, city, "
                      "fee_category, provider_id FROM vl_journal_entries"):
        found[position] = Entry(event_type, effective, recorded, year, cash, city, category, provider, {})
    for (position, account, source, fen, effective, recorded, year, cash, city, category, provider) in rows(
            settings, "SELECT position, account, fund_source, amount_fen, effective_us, recorded_us, programme_year, "
                      "cash_year, city, fee_category, provider_id FROM vl_journal_postings"):
        entry = found[position]
        assert (effective, recorded, year, cash, city, category, provider) == (
            entry.effective_us, entry.recorded_us, entry.programme_year, entry.cash_year, entry.city,
            entry.fee_category, entry.provider_id), position  # a posting carries its entry's dimensions
        assert (account, source) not in entry.postings
        entry.postings[(account, source)] = fen
    return found


def expected_trial_balance(entries: dict[int, Entry], as_of_us: int, known_at_us: int | None,
                           **filters: Any) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for entry in entries.values():
        if entry.effective_us > as_of_us or (known_at_us is not None and entry.recorded_us > known_at_us):
            continue
        if any(value is not None and getattr(entry, name) != value for name, value in filters.items()):
            continue
        for (account, _source), fen in entry.postings.items():
            totals[account] += fen
    return {k: v for k, v in totals.items() if v}


def sample_times(history: History, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    moments = [us(r.at) for r in rng.sample(history.events, n)]
    return sorted({us(history.events[0].at) - 1, us(END_OF_TIME), *moments, *(m - 1 for m in moments[: n // 2])})


# =====================================================================================================================
# 1. Every entry balances; the journal is the rules applied to the raw events
# =====================================================================================================================
def test_every_entry_balances_in_total_and_per_fund_source(history):
    unbalanced = rows(history.settings, "SELECT position, fund_source, SUM(amount_fen) FROM vl_journal_postings "
                                        "GROUP BY position, fund_source HAVING SUM(amount_fen) <> 0")
    assert unbalanced == []
    assert rows(history.settings, "SELECT COUNT(*) FROM vl_journal_postings WHERE amount_fen = 0") == [(0,)]
    thin = rows(history.settings, "SELECT e.position FROM vl_journal_entries e LEFT JOIN vl_journal_postings p "
                                  "ON p.position = e.position GROUP BY e.position HAVING COUNT(p.position) < 2")
    assert thin == []
    orphans = rows(history.settings, "SELECT COUNT(*) FROM vl_journal_postings p WHERE NOT EXISTS "
                                     "(SELECT 1 FROM vl_journal_entries e WHERE e.position = p.position)")
    assert orphans == [(0,)]


def test_the_journal_is_the_posting_rules_applied_to_the_raw_events(history):
    expected = expected_entries(history.events)
    stored = stored_entries(history.settings)
    assert set(stored) == set(expected)
    for position, entry in expected.items():
        assert stored[position] == entry, position
    kinds = {e.event_type for e in expected.values()}
    # the simulated history exercises every rule, a reversal after payment included
    assert {"Voucher.Issued", "Voucher.Claimed", "Voucher.ClaimApproved", "Voucher.ClaimSettled",
            "Voucher.ClaimReversed", "Voucher.Expired"} <= kinds
    assert any(("RECOVERIES_RECEIVABLE", "province") in e.postings for e in expected.values())
    assert {"SettlementBatch.RecoveryCollected", "SettlementBatch.RecoveryWrittenOff"} <= kinds
    assert {"Award.Granted", "Award.Paid"} <= kinds  # the simulated awards, on their own accounts


# =====================================================================================================================
# 2. The trial balance sums to zero as of any time, known at any time, with any filter
# =====================================================================================================================
def test_trial_balance_sums_to_zero_and_equals_the_rules_as_of_and_known_at_many_times(history):
    entries = expected_entries(history.events)
    times = sample_times(history, 8, seed=3)
    cities = sorted({e.city for e in entries.values()})
    checked = 0
    for as_of in times:
        for known_at in (None, *times[::3]):
            for filters in ({}, {"city": cities[0]}, {"programme_year": 2019}, {"city": cities[-1],
                                                                                "programme_year": 2020}):
                found = trial_balance(history.db, as_of, known_at, **filters)
                assert found["balanced"] and found["totals"]["balance_fen"] == 0
                assert found["totals"]["debit_fen"] == found["totals"]["credit_fen"]
                assert found["totals"]["province_balance_fen"] == found["totals"]["city_balance_fen"] == 0
                got = {line["account"]: line["balance_fen"] for line in found["accounts"] if line["balance_fen"]}
                assert got == expected_trial_balance(entries, as_of, known_at, **filters), (as_of, known_at, filters)
                checked += 1
    assert checked > 100


# =====================================================================================================================
# 3. Reconciliation, both ways: journal ↔ per-city spend and provider receivables
# =====================================================================================================================
def journal_city_lines(db, city: str, as_of: int, known_at: int | None) -> dict[tuple, int]:
    """(programme year, cash year, category, fund source, stage) → fen, from the journal's balances: recovered is the
    receivable with what was collected and written off from it; spend = settled − recovered; cash out = settled −
    collected."""
    stage_of = {"CLAIMS_HELD": ("claimed",), "PROVIDER_PAYABLES": ("approved",),
                "PAID": ("settled", "spend", "cash_out"),
                "RECOVERIES_RECEIVABLE": ("recovered", "outstanding", "spend"),
                "RECOVERIES_COLLECTED": ("recovered", "collected", "spend", "cash_out"),
                "RECOVERIES_WRITTEN_OFF": ("recovered", "written_off", "spend"),
                "AWARDS_PAYABLE": ("approved",), "AWARDS_PAID": ("settled", "spend", "cash_out"),
                "AWARD_RECOVERIES_RECEIVABLE": ("recovered", "outstanding", "spend"),
                "AWARD_RECOVERIES_COLLECTED": ("recovered", "collected", "spend", "cash_out"),
                "AWARD_RECOVERIES_WRITTEN_OFF": ("recovered", "written_off", "spend")}
    out: dict[tuple, int] = defaultdict(int)
    found = balances(db, as_of, known_at, by=("programme_year", "cash_year", "fee_category"), city=city)
    for (year, cash, category, account, source), fen in found.items():
        for stage in stage_of.get(account, ()):
            credit_side = account in ("CLAIMS_HELD", "PROVIDER_PAYABLES", "PAID", "AWARDS_PAYABLE",
                                      "AWARDS_PAID")  # stage accounts are credits
            subtracted = stage in ("spend", "cash_out") and not credit_side  # recoveries reduce spend and cash out
            out[(year, cash, category, source, stage)] += -fen if credit_side or subtracted else fen
    return {k: v for k, v in out.items() if v}


def both_ways(journal: dict, projection: dict, what: str) -> None:
    for key, fen in journal.items():  # journal → projection
        assert projection.get(key) == fen, (what, "journal figure missing or different in the projection", key)
    for key, fen in projection.items():  # projection → journal
        assert journal.get(key) == fen, (what, "projection figure missing or different in the journal", key)


def test_accounts_reconcile_with_city_spend_both_ways(history):
    entries = expected_entries(history.events)
    cities = sorted({e.city for e in entries.values()})
    stages = ("claimed", "approved", "settled", "recovered", "spend", "collected", "written_off", "outstanding",
              "cash_out")
    for as_of in sample_times(history, 4, seed=5):
        for known_at in (None, as_of):
            for city in cities:
                journal = journal_city_lines(history.db, city, as_of, known_at)
                spend = spend_lines(money_flows_queries.city_spend(history.db, city, as_of, known_at), stages)
                both_ways(journal, spend, (city, as_of, known_at))
    # and against the raw events at the end (settled, recovered, spend)
    independent = expected_city_spend(history.events, END_OF_TIME)
    for city in cities:
        journal = {k: v for k, v in journal_city_lines(history.db, city, us(END_OF_TIME), None).items()
                   if k[4] in ("settled", "recovered", "spend")}
        both_ways(journal, {k: v for k, v in independent.lines[city].items() if v}, city)


def test_accounts_reconcile_with_provider_receivable_both_ways(history):
    providers = sorted({r[0] for r in rows(history.settings, "SELECT DISTINCT provider_id FROM vl_money_movements "
                                                             "WHERE provider_id IS NOT NULL AND claim_id IS NOT NULL")})
    assert providers
    figure_of = {"CLAIMS_HELD": ("claimed_pending_fen", -1), "PROVIDER_PAYABLES": ("approved_unsettled_fen", -1),
                 "PAID": ("settled_fen", -1), "RECOVERIES_RECEIVABLE": ("recoveries_due_fen", 1),
                 "RECOVERIES_COLLECTED": ("recoveries_collected_fen", 1),
                 "RECOVERIES_WRITTEN_OFF": ("recoveries_written_off_fen", 1)}
    for as_of in sample_times(history, 4, seed=9):
        for known_at in (None, as_of - 86_400_000_000):
            by_provider = balances(history.db, as_of, known_at, by=("provider_id",))
            journal: dict[tuple, int] = defaultdict(int)
            for (provider, account, _source), fen in by_provider.items():
                if account in figure_of:
                    name, sign = figure_of[account]
                    journal[(provider, name)] += sign * fen
            projection = {}
            for provider in providers:
                figures = money_flows_queries.provider_receivable(history.db, provider, as_of, known_at)
                for name, _sign in figure_of.values():
                    if figures[name]:
                        projection[(provider, name)] = figures[name]
            both_ways({k: v for k, v in journal.items() if v}, projection, (as_of, known_at))


# =====================================================================================================================
# 4. A dispute: as of T known then, and as of T known now — both balance, and they differ by the late facts
# =====================================================================================================================
def test_a_dispute_balances_as_known_then_and_as_known_now(history):
    late = [r for r in history.events if r.kind in ("Voucher.ClaimSettled", "Voucher.ClaimReversed")
            and r.event.effective_at < r.event.timestamp - timedelta(hours=1)]
    assert late, "the simulated history records some payments or reversals late"
    entries = expected_entries(history.events)
    for r in late[:5]:
        t = us(r.event.effective_at) + 1
        then, now = trial_balance(history.db, t, t), trial_balance(history.db, t)
        assert then["balanced"] and now["balanced"]
        for found, known in ((then, t), (now, None)):
            got = {line["account"]: line["balance_fen"] for line in found["accounts"] if line["balance_fen"]}
            assert got == expected_trial_balance(entries, t, known)
        assert then["accounts"] != now["accounts"]  # the late fact is in the second view only


# =====================================================================================================================
# 5. Live equals a rebuild; the PostgreSQL trigger refuses an unbalanced entry at COMMIT
# =====================================================================================================================
def test_the_live_journal_equals_a_rebuild_from_zero(history):
    assert check(history.app, history.settings, ["journal"]) == []


ENTRY = ("INSERT INTO vl_journal_entries VALUES (%s, 'Test.Entry', 1, 1, 2019, 2019, '440600', "
         "'APPLICATION_SERVICE', 'v', NULL, NULL)")
POSTING = ("INSERT INTO vl_journal_postings VALUES (%s, %s, %s, 'province', %s, 1, 1, 2019, 2019, '440600', "
           "'APPLICATION_SERVICE', NULL)")


def test_postgres_refuses_an_unbalanced_entry_at_commit_and_accepts_a_balanced_one(history):
    if history.settings.store != "postgres":
        pytest.skip("the constraint trigger is PostgreSQL's (migrations/0011_journal_balanced.sql)")
    position = 10**12
    with raw(history.settings) as conn:
        conn.autocommit = False
        conn.execute(ENTRY, (position,))
        conn.execute(POSTING, (position, 0, "PAID", -500))
        conn.execute(POSTING, (position, 1, "PROVIDER_PAYABLES", 499))  # accepted so far: the check is deferred
        with pytest.raises(psycopg.errors.CheckViolation, match=r"journal entry 1000000000000 does not balance.*"
                                                                 r"sum to -1 fen"):
            conn.commit()
        conn.rollback()
        # the same through COPY, the projection's way of writing: refused too
        conn.execute(ENTRY, (position,))
        with conn.cursor().copy("COPY vl_journal_postings (position, seq, account, fund_source, amount_fen, "
                                "effective_us, recorded_us, programme_year, cash_year, city, fee_category) "
                                "FROM STDIN") as copy:
            copy.write_row((position, 0, "PAID", "province", -500, 1, 1, 2019, 2019, "440600", "X"))
        with pytest.raises(psycopg.errors.CheckViolation, match="does not balance"):
            conn.commit()
        conn.rollback()
        # a balanced entry written in several statements, postings first: accepted
        conn.execute(POSTING, (position, 0, "PAID", -500))
        conn.execute(ENTRY, (position,))
        conn.execute(POSTING, (position, 1, "PROVIDER_PAYABLES", 300))
        conn.execute(POSTING, (position, 2, "CLAIMS_HELD", 200))
        conn.commit()
        # changing a posting later is checked as well; so is leaving an entry without postings
        conn.execute("UPDATE vl_journal_postings SET amount_fen = 201 WHERE position = %s AND seq = 2", (position,))
        with pytest.raises(psycopg.errors.CheckViolation, match="does not balance"):
            conn.commit()
        conn.rollback()
        conn.execute("DELETE FROM vl_journal_postings WHERE position = %s", (position,))
        with pytest.raises(psycopg.errors.CheckViolation, match="at least two"):
            conn.commit()
        conn.rollback()
        conn.execute("DELETE FROM vl_journal_postings WHERE position = %s", (position,))
        conn.execute("DELETE FROM vl_journal_entries WHERE position = %s", (position,))
        conn.commit()


# =====================================================================================================================
# 6. The CLI and the API answer
# =====================================================================================================================
def test_the_cli_prints_a_balanced_trial_balance_in_yuan_and_fen(history, tmp_path):
    env = store_env(history.settings)
    entries = expected_entries(history.events)
    paid = expected_trial_balance(entries, us(END_OF_TIME), None)["PAID"]
    done = run(["trial-balance"], tmp_path, **env)  # as of now: after every event (2100 is refused: AS_OF_IN_FUTURE)
    assert done.returncode == 0, done.stdout + done.stderr
    yuan = f"-{-paid // 100:,}.{-paid % 100:02d}"
    assert "PAID" in done.stdout and yuan in done.stdout and f"{paid:,}" in done.stdout
    assert "balanced" in done.stdout
    done = run(["trial-balance", "--as-of", "2020-06-30T00:00:00+08:00", "--known-at", "2020-03-01T00:00:00+08:00",
                "--city", "440600", "--year", "2020"], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "city 440600" in done.stdout
    done = run(["trial-balance", "--as-of", "2020-06-30T00:00:00"], tmp_path, **env)
    assert done.returncode == 2 and "UTC offset" in done.stdout + done.stderr


def test_the_api_answers_province_and_auditor_and_refuses_a_city(history):
    settings = history.settings.model_copy(update={"read_models_in_process": True})
    entries = expected_entries(history.events)
    as_of = "2020-06-30T00:00:00+08:00"
    with TestClient(create_app(settings)) as client:
        for role in ("province", "auditor"):
            body = ok(client.get("/v1/trial-balance", params={"as_of": as_of}, headers=bearer(settings, role)))
            assert body["balanced"] and body["totals"]["balance_fen"] == 0 and body["known_at"] is None
        got = {line["account"]: line["balance_fen"] for line in body["accounts"] if line["balance_fen"]}
        t = us(datetime.fromisoformat(as_of))
        assert got == expected_trial_balance(entries, t, None)
        body = ok(client.get("/v1/trial-balance", headers=bearer(settings, "auditor"),
                             params={"as_of": as_of, "known_at": "2020-03-01T00:00:00+08:00", "city": "440600",
                                     "programme_year": 2020}))
        assert body["balanced"] and body["city"] == "440600" and body["programme_year"] == 2020
        assert_problem(client.get("/v1/trial-balance", headers=bearer(settings, "city:440600")), 403)
        assert_problem(client.get("/v1/trial-balance", params={"known_at": "2020-03-01T00:00:00"},
                                  headers=bearer(settings, "auditor")), 422, "NAIVE_DATETIME")
        assert_problem(client.get("/v1/trial-balance", params={"city": "999999"},
                                  headers=bearer(settings, "auditor")), 422)
