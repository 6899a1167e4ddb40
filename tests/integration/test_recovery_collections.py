"""Recovery (追回) collections and write-offs (DOMAIN.md, Redemption, "Recovery"): a recovery is a receivable until
the province collects it (amount, date, bank reference; partial collections allowed, never more than is due) or
writes it off with a reason. Collected money returns to the budgets of its fund sources, split like the payment;
per-city spend stays settled − recovered, and beside it each city reports collected, written off, outstanding and
cash out (settled − collected).

Worked figures (scenario: APP-ERP pays 50 %, Foshan co-funds 40 %), all worked out here from the rules:

* claim A, eligible fee 2,469,135 → subsidy 1,234,567 fen (0.50 × fee, rounded down); city 0.40 × 1,234,567 =
  493,826.8 → 493,826, province 740,741. Paid, then reversed: a recovery of 1,234,567 (city 493,826 / province
  740,741).
* claim B, eligible fee 600,000 → 300,000 fen; city 120,000, province 180,000. Paid and kept.
* Collection 1: 1,000,000 fen. City part = 1,000,000 × 493,826 / 1,234,567 = 399,999.35… → 399,999 (within
  [1,000,000 − 740,741, 493,826]); province 600,001.
* Collection 2: the rest, 234,567 fen: city takes its remainder 493,826 − 399,999 = 93,827, province 740,741 −
  600,001 = 140,740 (93,827 + 140,740 = 234,567), so the collections add up to the raised split exactly.
"""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from uuid import uuid4

import pytest

from audit.export import export
from ledger.money import YUAN
from ledger.settlement import SettlementBatch
from projections import audit_trail_queries, money_flows_queries, settlement_batches_queries
from projections.check import check
from projections.journal_queries import trial_balance
from projections.runner import catch_up, close_projections, open_projections
from tests.support.api_helpers import store_env
from tests.support.assertions import refused
from tests.support.projection_helpers import lean, us
from tests.support.scenario import FOSHAN
from tests.support.cli_runner import run

SETTLED = (1_234_567 + 300_000, 493_826 + 120_000)  # (total, city part) settled: claims A and B
RAISED = (1_234_567, 493_826)
FIRST = (1_000_000, 399_999)
SECOND = (234_567, 93_827)


@pytest.fixture
def paid(world):
    """Claims A and B of a Foshan voucher paid in one batch; claim A reversed after payment (a recovery raised)."""
    world.advance(days=1)
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    provider = world.provider()
    world.advance(days=10)
    a = world.approved_claim(voucher, provider, eligible_fee_fen=2_469_135)
    b = world.approved_claim(voucher, provider, eligible_fee_fen=600_000)
    assert (a.amount_fen, b.amount_fen) == (1_234_567, 300_000)
    world.advance(days=1)
    payment = world.paid_batch(provider, [a, b])
    world.advance(days=30)
    assert world.app.reverse_claim(world.by("province:audit"), voucher_id=voucher, claim_id=a.claim_id,
                                   reason="spot check: forged acceptance report",
                                   effective_at=world.now).recovery_fen == RAISED[0]
    world.raised_at = world.now
    return payment.batch_id, a.claim_id, provider, voucher


def collect(world, batch_id, claim_id, amount_fen, ref="BOC-2019-0001", effective_at=None):
    return world.app.collect_recovery(world.by("province:finance"), batch_id=batch_id, claim_id=claim_id,
                                      amount_fen=amount_fen, bank_reference=ref,
                                      effective_at=effective_at or world.now)


def write_off(world, batch_id, claim_id, reason="provider dissolved; nothing to recover", effective_at=None):
    return world.app.write_off_recovery(world.by("province:finance"), batch_id=batch_id, claim_id=claim_id,
                                        reason=reason, effective_at=effective_at or world.now)


@pytest.fixture
def views(world, store_settings):
    projections = open_projections(lean(store_settings))
    yield projections
    close_projections(projections)


def city_figures(db, as_of_us, known_at_us=None) -> dict[str, tuple[int, int]]:
    """figure → (total, city part) over the city's lines (Foshan, programme year 2019)."""
    out: dict[str, list[int]] = {}
    for line in money_flows_queries.city_spend(db, FOSHAN, as_of_us, known_at_us, year=2019)["lines"]:
        total = out.setdefault(line["stage"], [0, 0])
        total[0] += line["amount_fen"]
        if line["fund_source"] == "city":
            total[1] += line["amount_fen"]
    return {k: tuple(v) for k, v in out.items()}


def minus(a: tuple[int, int], *bs: tuple[int, int]) -> tuple[int, int]:
    return (a[0] - sum(b[0] for b in bs), a[1] - sum(b[1] for b in bs))


def test_a_recovery_collected_in_two_parts_closes_the_receivable_and_shows_in_cash_out_and_the_journal(
        world, paid, views, store_settings):
    batch_id, claim_id, provider, voucher = paid
    untouched = (world.app.voucher(voucher).balance_fen, world.app.provider_quota(provider, 2019).remaining_fen)
    world.advance(days=5)
    first = collect(world, batch_id, claim_id, FIRST[0])
    first_at = world.now
    assert (first.amount_fen, first.city_portion_fen, first.province_portion_fen) == (
        FIRST[0], FIRST[1], FIRST[0] - FIRST[1])
    assert first.outstanding_fen == RAISED[0] - FIRST[0]
    world.advance(days=20)
    # the second collection is recorded late: the money arrived two days before the province recorded it
    second = collect(world, batch_id, claim_id, SECOND[0], ref="BOC-2019-0002",
                     effective_at=world.now - timedelta(days=2))
    assert (second.city_portion_fen, second.province_portion_fen) == (SECOND[1], SECOND[0] - SECOND[1])
    assert second.outstanding_fen == 0
    # the two collections return exactly the raised split to each fund source
    assert (FIRST[1] + SECOND[1], FIRST[0] - FIRST[1] + SECOND[0] - SECOND[1]) == (493_826, 740_741)
    # closed: nothing more can be collected or written off; the voucher and the provider's quota are untouched
    refused("RECOVERY_CLOSED", world.app, collect, world=world, batch_id=batch_id, claim_id=claim_id, amount_fen=1,
            ref="BOC-2019-0003")  # a new transfer: the one recorded already is refused as a repeat
    refused("RECOVERY_CLOSED", world.app, write_off, world=world, batch_id=batch_id, claim_id=claim_id)
    assert world.app.batch(batch_id).outstanding_fen(claim_id) == 0
    # collected money goes back to the budgets of its fund sources, never to the voucher or the provider's quota
    assert (world.app.voucher(voucher).balance_fen,
            world.app.provider_quota(provider, 2019).remaining_fen) == untouched

    catch_up(world.app, views)
    db = views[0].view
    now = us(world.now)
    collected = (FIRST[0] + SECOND[0], FIRST[1] + SECOND[1])
    figures = city_figures(db, now)
    assert figures["settled"] == SETTLED
    assert figures["recovered"] == RAISED
    assert figures["spend"] == minus(SETTLED, RAISED)  # settled − recoveries raised: unchanged by collection
    assert figures["collected"] == collected == RAISED
    assert figures["written_off"] == (0, 0)
    assert figures["outstanding"] == (0, 0)
    assert figures["cash_out"] == minus(SETTLED, collected) == (300_000, 120_000)

    # between the two collections: outstanding is what the second one brought
    between = city_figures(db, us(first_at) + 1)
    assert between["collected"] == FIRST
    assert between["outstanding"] == minus(RAISED, FIRST) == SECOND
    assert between["cash_out"] == minus(SETTLED, FIRST)
    # before the first collection (after the recovery was raised): all of it outstanding
    before = city_figures(db, us(world.raised_at) + 1)
    assert (before["collected"], before["outstanding"]) == ((0, 0), RAISED)
    # as of now, as known just before the late second collection was recorded: still outstanding by SECOND
    known_then = city_figures(db, now, us(world.now) - 1)
    assert (known_then["collected"], known_then["outstanding"]) == (FIRST, SECOND)

    receivable = money_flows_queries.provider_receivable(db, str(provider), now)
    assert (receivable["recoveries_raised_fen"], receivable["recoveries_collected_fen"],
            receivable["recoveries_written_off_fen"], receivable["recoveries_due_fen"]) == (RAISED[0], RAISED[0], 0, 0)
    assert money_flows_queries.provider_receivable(db, str(provider), us(first_at) + 1)["recoveries_due_fen"] == SECOND[0]

    batch = settlement_batches_queries.settlement_batch(db, str(batch_id), now)
    assert [(c["amount_fen"], c["city_fen"], c["province_fen"], c["reference"]) for c in batch["collections"]] == [
        (FIRST[0], FIRST[1], FIRST[0] - FIRST[1], "BOC-2019-0001"),
        (SECOND[0], SECOND[1], SECOND[0] - SECOND[1], "BOC-2019-0002")]
    assert (batch["total_recoveries_fen"], batch["total_collections_fen"], batch["recoveries_outstanding_fen"]) == (
        RAISED[0], RAISED[0], 0)

    # the journal: the receivable is closed into RECOVERIES_COLLECTED, per fund source; debits equal credits
    for as_of, receivable_left, received in ((now, 0, collected), (us(first_at) + 1, SECOND[0], FIRST)):
        tb = trial_balance(db, as_of, city=FOSHAN)
        assert tb["balanced"]
        lines = {line["account"]: line for line in tb["accounts"]}
        assert lines["RECOVERIES_RECEIVABLE"]["balance_fen"] == receivable_left
        assert (lines["RECOVERIES_COLLECTED"]["balance_fen"], lines["RECOVERIES_COLLECTED"]["city_balance_fen"]) \
            == received
        # cash out from the journal: −(PAID + RECOVERIES_COLLECTED)
        assert -(lines["PAID"]["balance_fen"] + lines["RECOVERIES_COLLECTED"]["balance_fen"]) == SETTLED[0] - received[0]

    # every view rebuilt from zero equals the live one
    assert check(world.app, lean(store_settings), ["money_flows", "journal", "settlement_batches", "audit_trail"]) == []


def test_over_collection_is_refused_and_changes_nothing(world, paid, views):
    batch_id, claim_id, _provider, _voucher = paid
    world.advance(days=1)
    collect(world, batch_id, claim_id, FIRST[0])
    catch_up(world.app, views)
    db = views[0].view
    before = city_figures(db, us(world.now))
    world.advance(days=1)
    refused("RECOVERY_OVER_COLLECTED", world.app, collect, world=world, batch_id=batch_id, claim_id=claim_id,
            amount_fen=SECOND[0] + 1, ref="BOC-2019-0002")
    catch_up(world.app, views)
    assert city_figures(db, us(world.now)) == before
    assert world.app.batch(batch_id).outstanding_fen(claim_id) == SECOND[0]


def test_a_bank_reference_is_recorded_once_per_recovery_and_a_repeat_changes_no_figure(world, paid, views):
    batch_id, claim_id, _provider, _voucher = paid
    world.advance(days=1)
    collect(world, batch_id, claim_id, 200_000, ref="BANK-0001")
    catch_up(world.app, views)
    db = views[0].view
    before, stored = city_figures(db, us(world.now)), world.app.recorder.max_notification_id()
    world.advance(days=1)
    for again in ("BANK-0001", "ｂａｎｋ－０００１", "BANK–0001\u200b"):  # the same transfer, however it is typed
        refused("DUPLICATE_COLLECTION", world.app, collect, world=world, batch_id=batch_id, claim_id=claim_id,
                amount_fen=200_000, ref=again)
    assert world.app.recorder.max_notification_id() == stored
    catch_up(world.app, views)
    assert city_figures(db, us(world.now)) == before
    assert before["collected"] == (200_000, 200_000 * RAISED[1] // RAISED[0])
    assert world.app.batch(batch_id).outstanding_fen(claim_id) == RAISED[0] - 200_000


def test_a_write_off_closes_the_receivable_with_its_reason(world, paid, views, store_settings):
    batch_id, claim_id, provider, _voucher = paid
    world.advance(days=3)
    collect(world, batch_id, claim_id, 100 * YUAN)  # 10,000 fen: city 10,000 × 493,826 / 1,234,567 = 3,999.99 → 3,999
    world.advance(days=60)
    off = write_off(world, batch_id, claim_id)
    # written off = what was still due, split as what each fund source still had due
    assert (off.amount_fen, off.city_portion_fen, off.province_portion_fen, off.outstanding_fen) == (
        RAISED[0] - 10_000, RAISED[1] - 3_999, RAISED[0] - RAISED[1] - (10_000 - 3_999), 0)
    refused("RECOVERY_CLOSED", world.app, collect, world=world, batch_id=batch_id, claim_id=claim_id, amount_fen=1,
            ref="BOC-2019-0003")  # a new transfer: the one recorded already is refused as a repeat
    refused("RECOVERY_CLOSED", world.app, write_off, world=world, batch_id=batch_id, claim_id=claim_id)
    events = [e for e in world.app.events.get(batch_id) if isinstance(e, SettlementBatch.RecoveryWrittenOff)]
    assert [(e.amount_fen, e.reason) for e in events] == [(RAISED[0] - 10_000, "provider dissolved; nothing to recover")]

    catch_up(world.app, views)
    db = views[0].view
    figures = city_figures(db, us(world.now))
    assert figures["collected"] == (10_000, 3_999)
    assert figures["written_off"] == (RAISED[0] - 10_000, RAISED[1] - 3_999)
    assert figures["outstanding"] == (0, 0)
    assert figures["spend"] == minus(SETTLED, RAISED)
    assert figures["cash_out"] == minus(SETTLED, (10_000, 3_999))
    assert money_flows_queries.provider_receivable(db, str(provider), us(world.now))["recoveries_due_fen"] == 0
    tb = trial_balance(db, us(world.now))
    lines = {line["account"]: line["balance_fen"] for line in tb["accounts"]}
    assert tb["balanced"] and lines["RECOVERIES_RECEIVABLE"] == 0
    assert (lines["RECOVERIES_COLLECTED"], lines["RECOVERIES_WRITTEN_OFF"]) == (10_000, RAISED[0] - 10_000)
    batch = settlement_batches_queries.settlement_batch(db, str(batch_id), us(world.now))
    assert [(w["amount_fen"], w["reference"]) for w in batch["write_offs"]] == [
        (RAISED[0] - 10_000, "provider dissolved; nothing to recover")]
    trail = audit_trail_queries.audit_trail(db, "city", FOSHAN, us(world.now))
    assert any(row["summary_zh"].startswith("核销追回款") for row in trail)
    assert any(row["summary_en"].startswith("recovery collected") for row in trail)
    assert check(world.app, lean(store_settings), ["money_flows", "journal", "settlement_batches"]) == []


def test_bad_collections_and_write_offs_are_refused_with_their_codes(world, paid):
    batch_id, claim_id, _provider, _voucher = paid
    args = {"world": world, "batch_id": batch_id, "claim_id": claim_id}
    refused("INVALID_AMOUNT", world.app, collect, **args, amount_fen=0)
    refused("INVALID_AMOUNT", world.app, collect, **args, amount_fen=-5)
    refused("BANK_REFERENCE_REQUIRED", world.app, collect, **args, amount_fen=100, ref="  ")
    refused("WRITE_OFF_REASON_REQUIRED", world.app, write_off, **args, reason="")
    refused("COLLECTION_BEFORE_RECOVERY", world.app, collect, **args, amount_fen=100,
            effective_at=world.raised_at - timedelta(seconds=1))
    refused("RECOVERY_NOT_FOUND", world.app, collect, world=world, batch_id=batch_id, claim_id=uuid4(),
            amount_fen=100)
    refused("BATCH_NOT_FOUND", world.app, write_off, world=world, batch_id=uuid4(), claim_id=claim_id)
    assert world.app.batch(batch_id).outstanding_fen(claim_id) == RAISED[0]


def test_the_cli_collects_and_writes_off_as_the_province(world, paid, store_settings, tmp_path):
    batch_id, claim_id, _provider, _voucher = paid
    env = store_env(store_settings)
    base = [str(batch_id), str(claim_id)]
    at = (world.now + timedelta(days=1)).isoformat()
    done = run(["collect-recovery", *base, "--amount-fen", str(FIRST[0]), "--bank-reference", "ICBC-7781",
                "--received-at", at], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    assert (answer["amount_fen"], answer["city_portion_fen"], answer["outstanding_fen"]) == (
        FIRST[0], FIRST[1], RAISED[0] - FIRST[0])
    done = run(["collect-recovery", *base, "--amount-fen", str(SECOND[0] + 1), "--bank-reference", "ICBC-7782",
                "--received-at", at], tmp_path, **env)
    assert done.returncode == 1 and "RECOVERY_OVER_COLLECTED" in done.stdout
    # the same collection run again: refused, nothing recorded
    done = run(["collect-recovery", *base, "--amount-fen", "1", "--bank-reference", "ICBC-7781",
                "--received-at", at], tmp_path, **env)
    assert done.returncode == 1 and "DUPLICATE_COLLECTION" in done.stdout
    assert world.app.batch(batch_id).outstanding_fen(claim_id) == RAISED[0] - FIRST[0]
    done = run(["write-off-recovery", *base, "--reason", "provider bankrupt", "--effective-at", at,
                "--actor", f"city:{FOSHAN}"], tmp_path, **env)
    assert done.returncode == 2  # only the province
    done = run(["write-off-recovery", *base, "--reason", "provider bankrupt", "--effective-at", at], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (json.loads(done.stdout)["amount_fen"], json.loads(done.stdout)["outstanding_fen"]) == (SECOND[0], 0)
    assert world.app.batch(batch_id).outstanding_fen(claim_id) == 0


def test_the_export_shows_collected_written_off_outstanding_and_cash_out(world, paid, store_settings, tmp_path):
    batch_id, claim_id, provider, _voucher = paid
    world.advance(days=2)
    collect(world, batch_id, claim_id, FIRST[0])
    world.advance(days=2)
    write_off(world, batch_id, claim_id)
    manifest = export(world.app, lean(store_settings), tmp_path / "export", as_of_us=us(world.now) + 1).manifest

    def rows(name: str) -> list[dict[str, str]]:
        """A file of the (Chinese) export by its columns' keys, as the manifest names them."""
        with open(tmp_path / "export" / name, newline="", encoding="utf-8-sig") as f:
            next(f)  # the Chinese header
            return list(csv.DictReader(f, fieldnames=manifest["columns"][name]))

    spend = [row for row in rows("city_spend.csv") if row["city"] == FOSHAN]
    def total(column: str, source: str | None = None) -> int:
        return sum(int(r[column]) for r in spend if source is None or r["fund_source"] == source)
    assert (total("collected_fen"), total("collected_fen", "city")) == FIRST
    assert (total("written_off_fen"), total("written_off_fen", "city")) == minus(RAISED, FIRST)
    assert total("outstanding_fen") == 0
    assert (total("cash_out_fen"), total("cash_out_fen", "city")) == minus(SETTLED, FIRST)
    assert total("spend_fen") == SETTLED[0] - RAISED[0]

    row = next(r for r in rows("provider_receivables.csv") if r["provider_id"] == str(provider))
    assert (int(row["recoveries_raised_fen"]), int(row["recoveries_collected_fen"]),
            int(row["recoveries_written_off_fen"]), int(row["recoveries_due_fen"])) == (
        RAISED[0], FIRST[0], RAISED[0] - FIRST[0], 0)
    row = next(r for r in rows("settlement_batches.csv") if r["batch_id"] == str(batch_id))
    assert (int(row["total_collections_fen"]), int(row["total_write_offs_fen"]),
            int(row["recoveries_outstanding_fen"])) == (FIRST[0], RAISED[0] - FIRST[0], 0)
    accounts = {r["account"]: int(r["balance_fen"]) for r in rows("trial_balance.csv")[:-1]}  # less the totals
    assert (accounts["RECOVERIES_COLLECTED"], accounts["RECOVERIES_WRITTEN_OFF"]) == (FIRST[0], RAISED[0] - FIRST[0])
