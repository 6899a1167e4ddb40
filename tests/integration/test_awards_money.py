"""Awards move money like vouchers (DOMAIN.md "Awards"): a Foshan benchmark project's award shows in Foshan's spend under
its own programme, in the trial balance on the award accounts, in the audit trail and in the export, as of any time
and known at any time; rebuilt from zero, every view equals the live one. On both stores.

Figures are worked from the rules, not read back: a benchmark project is awarded a fixed 500,000 RMB (configured for
2019 in tests/integration/test_awards.py); Foshan co-funds 40 % in 2019, so the city pays 500,000 × 0.40 = 200,000 RMB
and the province 300,000 RMB. Beside it a Foshan voucher claim of 0.50 × 600,000 fen = 300,000 fen is paid, and stays
under the vouchers' programme.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from audit.award_figures import awards as awards_figure
from audit.figures import city_spend as exported_city_spend
from projections import audit_trail_queries, money_flows_queries, spend_movements_queries
from projections.check import check
from projections.journal_queries import trial_balance
from projections.runner import catch_up, close_projections, open_projections
from tests.integration.test_awards import BENCHMARK_FEN, define_programmes
from tests.support.projection_helpers import lean, us
from tests.support.scenario import FOSHAN

CITY_FEN = BENCHMARK_FEN * 40 // 100  # 200,000 RMB
PROVINCE_FEN = BENCHMARK_FEN - CITY_FEN  # 300,000 RMB
CLAIM_FEN = 300_000  # 0.50 × 600,000 fen
CLAIM_CITY_FEN = CLAIM_FEN * 40 // 100
COLLECTED_FEN = 12_345_67  # 12,345.67 RMB back; its city part is 40 % of it, rounded down to the fen


@pytest.fixture
def views(world, store_settings):
    projections = open_projections(lean(store_settings))
    yield projections
    close_projections(projections)


@pytest.fixture
def foshan(world):
    """A Foshan benchmark project paid (its payment recorded two days after it was made), and a Foshan voucher claim
    paid; then the award recovered and partly collected."""
    define_programmes(world)
    app = world.app
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN)).voucher_id
    provider = world.provider()
    world.advance(days=5)
    world.paid_batch(provider, [world.approved_claim(voucher, provider, eligible_fee_fen=600_000)])

    award_id = uuid4()
    app.apply_for_award(world.by("enterprise"), award_id=award_id, year=2019, kind="BENCHMARK_PROJECT",
                        applicant_kind="ENTERPRISE", applicant_id=world.enterprise(city=FOSHAN),
                        project="佛山陶瓷产线工业互联网改造")
    world.advance(days=10)
    app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
    world.advance(days=10)
    app.select_award(world.by(), award_id=award_id)
    app.grant_award(world.by(), award_id=award_id)
    times = {"granted": world.now}
    world.advance(days=20)
    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-05")
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=award_id)
    world.advance(days=2)
    times["paid"], times["payment_recorded"] = world.now - timedelta(days=2), world.now
    app.pay_award_batch(world.by(), batch_id=batch_id, effective_at=times["paid"])
    world.advance(days=60)
    times["recovered"] = world.now
    app.recover_award(world.by(), award_id=award_id, reason="验收材料造假", effective_at=world.now)
    world.advance(days=3)
    times["collected"] = world.now
    app.collect_award_recovery(world.by(), award_id=award_id, amount_fen=COLLECTED_FEN, bank_reference="BOC-001",
                               effective_at=world.now)
    return award_id, batch_id, times


def spend(db, as_of_us, known_at_us=None, **filters) -> dict[tuple[str, str, str], int]:
    """(programme, stage, fund source) → fen, over Foshan's 2019 lines."""
    out: dict[tuple[str, str, str], int] = {}
    for line in money_flows_queries.city_spend(db, FOSHAN, as_of_us, known_at_us, year=2019, **filters)["lines"]:
        key = (line["programme"], line["stage"], line["fund_source"])
        out[key] = out.get(key, 0) + line["amount_fen"]
    return out


def test_a_paid_benchmark_project_is_in_foshans_spend_under_its_programme(world, foshan, views):
    award_id, _batch, times = foshan
    catch_up(world.app, views)
    db = views[0].view

    paid = spend(db, us(times["paid"]) + 1)
    assert paid[("BENCHMARK_PROJECT", "settled", "city")] == CITY_FEN
    assert paid[("BENCHMARK_PROJECT", "settled", "province")] == PROVINCE_FEN
    assert paid[("BENCHMARK_PROJECT", "spend", "city")] + paid[("BENCHMARK_PROJECT", "spend", "province")] \
        == BENCHMARK_FEN
    # the vouchers' programme holds the claim only
    assert (paid[("VOUCHERS", "settled", "city")], paid[("VOUCHERS", "settled", "province")]) == (
        CLAIM_CITY_FEN, CLAIM_FEN - CLAIM_CITY_FEN)
    lines = money_flows_queries.city_spend(db, FOSHAN, us(times["paid"]) + 1, year=2019)["lines"]
    assert {line["fee_category"] for line in lines if line["programme"] == "BENCHMARK_PROJECT"} == {None}

    # granted, not yet paid: payable (approved), nothing settled
    granted = spend(db, us(times["granted"]) + 1, programme="BENCHMARK_PROJECT")
    assert granted[("BENCHMARK_PROJECT", "approved", "city")] == CITY_FEN
    assert granted[("BENCHMARK_PROJECT", "settled", "city")] == 0
    # paid as of then, but not as known before the payment was recorded (it was recorded two days late)
    known_before = spend(db, us(times["paid"]) + 1, us(times["payment_recorded"]) - 1, programme="BENCHMARK_PROJECT")
    assert known_before[("BENCHMARK_PROJECT", "settled", "province")] == 0
    assert known_before[("BENCHMARK_PROJECT", "approved", "province")] == PROVINCE_FEN

    # recovered: spend = settled − recovered = 0; part collected, the rest outstanding; cash out = settled − collected
    now = spend(db, us(world.now), programme="BENCHMARK_PROJECT")
    collected_city = COLLECTED_FEN * 40 // 100
    both = {stage: now[("BENCHMARK_PROJECT", stage, "city")] + now[("BENCHMARK_PROJECT", stage, "province")]
            for stage in ("settled", "recovered", "spend", "collected", "outstanding", "cash_out")}
    assert both == {"settled": BENCHMARK_FEN, "recovered": BENCHMARK_FEN, "spend": 0, "collected": COLLECTED_FEN,
                    "outstanding": BENCHMARK_FEN - COLLECTED_FEN, "cash_out": BENCHMARK_FEN - COLLECTED_FEN}
    assert now[("BENCHMARK_PROJECT", "collected", "city")] == collected_city
    assert ("VOUCHERS", "settled", "city") not in now  # the programme filter

    # the events behind Foshan's settled figure (the console's "explain") add up to it, the award's payment among them
    behind = spend_movements_queries.city_movements(db, FOSHAN, us(times["paid"]) + 1, stage="settled", year=2019)
    assert sum(row["amount_fen"] for row in behind["items"]) == BENCHMARK_FEN + CLAIM_FEN
    assert [row["fee_category"] for row in behind["items"] if row["event_type"] == "Award.Paid"] == [
        "AWARD:BENCHMARK_PROJECT"]


def test_the_award_is_on_its_own_accounts_in_the_trial_balance(world, foshan, views):
    award_id, _batch, times = foshan
    catch_up(world.app, views)
    db = views[0].view

    def accounts(as_of_us, **filters):
        tb = trial_balance(db, as_of_us, city=FOSHAN, **filters)
        assert tb["balanced"]
        return {line["account"]: line for line in tb["accounts"]}

    paid = accounts(us(times["paid"]) + 1, programme="BENCHMARK_PROJECT")
    assert (paid["AWARDS_PAID"]["balance_fen"], paid["AWARDS_PAID"]["city_balance_fen"]) == (-BENCHMARK_FEN, -CITY_FEN)
    assert paid["AWARDS_PAYABLE"]["balance_fen"] == 0
    assert (paid["PROGRAMME_BUDGET"]["balance_fen"], paid["CITY_BUDGET"]["balance_fen"]) == (PROVINCE_FEN, CITY_FEN)
    assert paid["PAID"]["balance_fen"] == 0  # the vouchers' account holds no award money
    granted = accounts(us(times["granted"]) + 1, programme="BENCHMARK_PROJECT")
    assert granted["AWARDS_PAYABLE"]["balance_fen"] == -BENCHMARK_FEN

    # every programme together: the claim on PAID, the award on AWARDS_PAID, one balanced book
    together = accounts(us(times["paid"]) + 1)
    assert together["PAID"]["balance_fen"] == -CLAIM_FEN
    assert together["AWARDS_PAID"]["balance_fen"] == -BENCHMARK_FEN
    vouchers = accounts(us(times["paid"]) + 1, programme="VOUCHERS")
    assert vouchers["AWARDS_PAID"]["balance_fen"] == 0 and vouchers["PAID"]["balance_fen"] == -CLAIM_FEN

    # after the recovery and the collection: spend from the journal, −(paid + receivable + collected + written off)
    now = accounts(us(world.now), programme="BENCHMARK_PROJECT")
    assert now["AWARD_RECOVERIES_RECEIVABLE"]["balance_fen"] == BENCHMARK_FEN - COLLECTED_FEN
    assert now["AWARD_RECOVERIES_COLLECTED"]["balance_fen"] == COLLECTED_FEN
    assert -(now["AWARDS_PAID"]["balance_fen"] + now["AWARD_RECOVERIES_RECEIVABLE"]["balance_fen"]
             + now["AWARD_RECOVERIES_COLLECTED"]["balance_fen"]
             + now["AWARD_RECOVERIES_WRITTEN_OFF"]["balance_fen"]) == 0
    # the budget got back what is due: the recovery credited it
    assert now["PROGRAMME_BUDGET"]["balance_fen"] + now["CITY_BUDGET"]["balance_fen"] == 0


def test_the_award_is_in_the_audit_trail_the_export_and_every_view_rebuilds_equal(world, foshan, views,
                                                                                   store_settings):
    award_id, _batch, times = foshan
    catch_up(world.app, views)
    db = views[0].view
    trail = audit_trail_queries.audit_trail(db, "award", str(award_id), us(world.now))
    assert [row["event_type"] for row in trail] == [
        "Award.Applied", "Award.Recommended", "Award.Selected", "Award.Granted", "AwardBatch.AwardAdded",
        "Award.Batched", "AwardBatch.Paid", "Award.Paid", "Award.RecoveryRaised", "Award.RecoveryCollected"]
    foshan_trail = {row["event_type"] for row in audit_trail_queries.audit_trail(db, "city", FOSHAN, us(world.now))}
    assert {"Award.Paid", "AwardBatch.AwardAdded"} <= foshan_trail
    assert "AwardBatch.Paid" not in foshan_trail  # a batch's total may hold other cities' awards

    figure = exported_city_spend(db, us(times["paid"]) + 1)
    rows = [dict(zip(figure.columns, row, strict=True)) for row in figure.rows]
    award_rows = [r for r in rows if r["programme"] == "BENCHMARK_PROJECT"]
    assert {(r["fund_source"], r["settled_fen"], r["fee_category"]) for r in award_rows} == {
        ("province", PROVINCE_FEN, None), ("city", CITY_FEN, None)}

    exported = awards_figure(db, us(world.now))
    by_award = {row[0]: dict(zip(exported.columns, row, strict=True)) for row in exported.rows}
    assert {k: by_award[str(award_id)][k] for k in ("programme", "paid_fen", "paid_city_fen", "recovered_fen",
                                                     "collected_fen", "outstanding_fen", "spend_fen")} == {
        "programme": "BENCHMARK_PROJECT", "paid_fen": BENCHMARK_FEN, "paid_city_fen": CITY_FEN,
        "recovered_fen": BENCHMARK_FEN, "collected_fen": COLLECTED_FEN,
        "outstanding_fen": BENCHMARK_FEN - COLLECTED_FEN, "spend_fen": 0}

    assert check(world.app, lean(store_settings), ["money_flows", "journal", "audit_trail"]) == []
