"""The money_flows and journal handlers fed a claim's events in memory: each event's rows of signed stage amounts and
its balanced postings, computed here from DOMAIN.md's rules. No view is touched: every lookup a handler makes is
answered by what earlier events of the same batch staged."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.settlement import SettlementBatch
from projections.journal import Journal, postings_for
from projections.money_flows import AMOUNTS, MOVEMENT_COLUMNS, MoneyFlows
from projections.spend import spend_figure
from projections.times import to_us
from tests.unit.builders import Desk, by, later, uid, voucher

GUANGDONG = ZoneInfo("Asia/Shanghai")
FACE, SHARE = 100_001, "0.40"
FEE = 66_667  # 0.50 × 66,667 fen = 33,333.5 → a claim of 33,333 fen
PAID_AT = later(days=20)
REVERSAL_RECORDED = datetime(2021, 1, 1, 1, 0, tzinfo=GUANGDONG)  # 2020-12-31 17:00 UTC: cash year 2021
COLLECTED = 10_000


class NoDatabase:
    """The view a handler would fall back on for a lookup it has not staged: any use fails the test."""

    def __getattr__(self, name: str):
        raise AssertionError(f"a handler reached for the view ({name}) instead of working in memory")


def history() -> list:
    """Issue, claim, approve, batch, pay, reverse after payment (dated back before the payment), collect part."""
    desk = Desk(voucher(cap_fen=FACE, city_share=SHARE))
    v, claim_id, batch_id = desk.voucher, uid("claim-1"), uid("batch-1")
    desk.claim(fee=FEE)
    v.approve(by(later(days=1)), claim_id=claim_id)
    batch = SettlementBatch.open(by(later(days=2)), batch_id=batch_id, provider_id=desk.provider.id, period="2020-11")
    claim = v.add_to_batch(by(later(days=2)), claim_id=claim_id, batch_id=batch_id, provider_id=desk.provider.id)
    batch.add(by(later(days=2)), voucher_id=v.id, claim=claim, city=v.city, year=v.year, fee_category=v.fee_category,
              city_share=v.city_share)
    batch.pay(by(PAID_AT), payable={claim_id}, effective_at=PAID_AT)
    v.settle(by(PAID_AT), claim_id=claim_id, batch_id=batch_id, effective_at=PAID_AT)
    reversed_before_the_payment(v, batch, claim_id, by(REVERSAL_RECORDED), effective_at=later(days=5))
    batch.collect_recovery(by(REVERSAL_RECORDED), claim_id=claim_id, amount_fen=COLLECTED, bank_reference="BANK-1",
                           effective_at=REVERSAL_RECORDED)
    return sorted([*v.collect_events(), *batch.collect_events()], key=lambda e: e.timestamp)


def reversed_before_the_payment(v, batch, claim_id, at, *, effective_at) -> None:
    """A reversal after payment dated before the payment, with its recovery, as a store written before the ledger
    refused that (``RECOVERY_BEFORE_PAYMENT``) holds it: the read models still count it from the payment."""
    claim, line = v.claims[claim_id], batch.lines[claim_id]
    v._record(v.ClaimReversed, at, claim_id=claim_id, reason="虚假发票", after_settlement=True, freed_fen=0,
              recovery_fen=claim.amount_fen, batch_id=batch.id, effective_at=effective_at)
    batch._record(batch.RecoveryRaised, at, voucher_id=v.id, claim_id=claim_id, amount_fen=claim.amount_fen,
                  city=line["city"], city_portion_fen=line["city_portion_fen"],
                  province_portion_fen=line["province_portion_fen"], reason="虚假发票", effective_at=effective_at)


def feed(projection: MoneyFlows, events: list) -> MoneyFlows:
    for position, event in enumerate(events, start=1):
        handler = projection.handlers.get(type(event))
        if handler is not None:
            getattr(projection, handler)(event, position)
    return projection


@pytest.fixture(scope="module")
def movements() -> dict[str, dict[str, object]]:
    rows = feed(MoneyFlows(NoDatabase()), history()).movements
    return {row[2]: dict(zip(MOVEMENT_COLUMNS, row)) for row in rows}  # one row per event type here


def city_part(fen: int) -> int:
    return fen * 40 // 100  # the city's share of any amount, rounded down to the fen


def test_issuance_is_face_value_with_the_city_part_rounded_down(movements):
    issued = movements["Voucher.Issued"]
    assert (issued["face_fen"], issued["face_city_fen"]) == (FACE, city_part(FACE))


def test_a_claim_moves_its_amount_from_stage_to_stage_with_its_own_city_split(movements):
    amount = FEE // 2
    assert movements["Voucher.Claimed"]["claimed_fen"] == amount
    assert movements["Voucher.Claimed"]["claimed_city_fen"] == city_part(amount)
    approved = movements["Voucher.ClaimApproved"]
    assert (approved["claimed_fen"], approved["approved_fen"]) == (-amount, amount)
    settled = movements["Voucher.ClaimSettled"]
    assert (settled["approved_fen"], settled["settled_fen"], settled["settled_city_fen"]) == (
        -amount, amount, city_part(amount))
    assert settled["effective_us"] == to_us(PAID_AT)  # the money moved when the batch was paid


def test_a_reversal_after_payment_is_recovered_in_the_year_it_was_recorded_and_never_before_the_payment(movements):
    reversed_ = movements["Voucher.ClaimReversed"]
    amount = FEE // 2
    assert (reversed_["reversed_fen"], reversed_["recovered_fen"], reversed_["settled_fen"]) == (amount, amount, 0)
    assert reversed_["cash_year"] == 2021  # recorded on 1 January 2021 in Guangdong, dated back to 2020
    assert reversed_["effective_us"] == to_us(PAID_AT)  # dated back before the payment: counts from the payment


def test_a_collection_carries_its_own_split_and_leaves_the_rest_outstanding(movements):
    collected = movements["SettlementBatch.RecoveryCollected"]
    amount = FEE // 2
    city = COLLECTED * city_part(amount) // amount  # the collection's city part follows the recovery's split
    assert (collected["collected_fen"], collected["collected_city_fen"]) == (COLLECTED, city)
    sums = {name: sum(row[name] for row in movements.values()) for name in AMOUNTS}
    assert spend_figure(sums, "spend") == 0  # settled − recovered
    assert spend_figure(sums, "outstanding") == amount - COLLECTED
    assert spend_figure(sums, "cash_out") == amount - COLLECTED


def test_every_journal_entry_balances_per_fund_source_and_paid_less_recoveries_is_spend():
    journal = feed(Journal(NoDatabase()), history())
    by_entry: dict[tuple[int, str], int] = defaultdict(int)
    balances: dict[str, int] = defaultdict(int)
    for position, _, account, source, fen, *_ in journal.postings:
        by_entry[(position, source)] += fen
        balances[account] += fen
    assert by_entry and all(total == 0 for total in by_entry.values())
    amount = FEE // 2
    assert balances["PAID"] == -amount
    assert balances["RECOVERIES_RECEIVABLE"] == amount - COLLECTED
    assert balances["RECOVERIES_COLLECTED"] == COLLECTED
    spend = -(balances["PAID"] + balances["RECOVERIES_RECEIVABLE"] + balances["RECOVERIES_COLLECTED"]
              + balances["RECOVERIES_WRITTEN_OFF"])
    assert spend == 0  # settled − recovered


@pytest.mark.parametrize("source", ["province", "city"])
def test_a_collection_posts_received_money_against_the_receivable_and_leaves_the_budget_alone(source):
    posted = postings_for({"collected": 700}, source)
    assert {a: f for a, f in posted.items() if f} == {"RECOVERIES_COLLECTED": 700, "RECOVERIES_RECEIVABLE": -700}


def test_a_stage_without_an_account_is_refused_rather_than_posted_nowhere():
    with pytest.raises(LookupError):
        postings_for({"donated": 1}, "province")
