"""Settlement (资金结算): the province pays approved redemptions in batches per provider, each at most once, and
records province and city portions per city; reversals drop unpaid lines or raise a recovery (追回) after payment.

DOMAIN.md "Settlement", "Redemption", "Vouchers" (the city/province split). Scenario figures: the APP-ERP item pays
50 % up to 100,000 RMB; Foshan co-funds 40 %, Dongguan 35 %.
"""

from datetime import timedelta
from uuid import uuid4

import pytest

from store.opening import open_ledger
from ledger.money import YUAN
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher
from tests.support.assertions import refused
from tests.support.scenario import DONGGUAN, FOSHAN

FACE = 100_000 * YUAN  # APP-ERP cap = voucher face value, 10,000,000 fen


@pytest.fixture
def voucher(world):
    world.advance(days=1)
    issued = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP")
    world.advance(days=10)
    return issued.voucher_id


@pytest.fixture
def platform(world):
    return world.provider()


def open_batch(world, provider_id, period="2019-04"):
    batch_id = uuid4()
    world.app.open_batch(world.by(), batch_id=batch_id, provider_id=provider_id, period=period)
    return batch_id


def add(world, batch_id, receipt):
    world.app.add_to_batch(world.by(), batch_id=batch_id, voucher_id=receipt.voucher_id, claim_id=receipt.claim_id)


def pay(world, batch_id):
    return world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=world.now)


def test_a_batch_belongs_to_one_provider_and_refuses_a_claim_owed_to_another(world, voucher, platform):
    other = world.provider()
    receipt = world.approved_claim(voucher, other, eligible_fee_fen=2_000_000)
    batch_id = open_batch(world, platform)

    refused("PROVIDER_MISMATCH", world.app, add, world=world, batch_id=batch_id, receipt=receipt)
    assert world.app.batch(batch_id).lines == {}
    assert world.app.voucher(voucher).claim(receipt.claim_id).batch_id is None

    # The provider it is owed to can still be paid for it: 0.50 × 2,000,000 = 1,000,000 fen.
    assert world.paid_batch(other, [receipt]).total_fen == 1_000_000


def test_only_approved_claims_enter_a_batch_a_claim_still_under_review_is_refused(world, voucher, platform):
    receipt = world.claim(voucher, platform, eligible_fee_fen=2_000_000)
    batch_id = open_batch(world, platform)

    refused("INVALID_TRANSITION", world.app, add, world=world, batch_id=batch_id, receipt=receipt)
    assert world.app.batch(batch_id).lines == {}
    assert world.app.voucher(voucher).claim(receipt.claim_id).status == "CLAIMED"


def test_a_claim_cannot_enter_two_batches(world, voucher, platform):
    receipt = world.approved_claim(voucher, platform, eligible_fee_fen=2_000_000)
    first, second = open_batch(world, platform), open_batch(world, platform)
    add(world, first, receipt)

    refused("INVALID_TRANSITION", world.app, add, world=world, batch_id=second, receipt=receipt)
    assert world.app.batch(second).lines == {}
    assert world.app.voucher(voucher).claim(receipt.claim_id).batch_id == first


def test_a_paid_batch_can_be_neither_paid_again_nor_extended(world, voucher, platform):
    paid_claim = world.approved_claim(voucher, platform, eligible_fee_fen=2_000_000)  # 1,000,000 fen
    waiting = world.approved_claim(voucher, platform, eligible_fee_fen=600_000)  # 300,000 fen
    batch_id = open_batch(world, platform)
    add(world, batch_id, paid_claim)
    assert pay(world, batch_id).total_fen == 1_000_000

    world.advance(days=1)
    refused("INVALID_TRANSITION", world.app, pay, world=world, batch_id=batch_id)
    refused("INVALID_TRANSITION", world.app, add, world=world, batch_id=batch_id, receipt=waiting)
    # A settled claim cannot be put in a new batch either: it is settled at most once.
    refused("INVALID_TRANSITION", world.app, add, world=world, batch_id=open_batch(world, platform), receipt=paid_claim)

    settled = [e for e in world.app.events.get(voucher) if isinstance(e, Voucher.ClaimSettled)]
    assert [e.claim_id for e in settled] == [paid_claim.claim_id]
    assert world.app.voucher(voucher).claim(waiting.claim_id).status == "APPROVED"
    assert world.app.voucher(voucher).claim(waiting.claim_id).batch_id is None


def test_payment_records_city_and_province_portions_per_city_each_line_rounded_down_for_the_city(
    world, voucher, platform, store_settings
):
    dongguan_voucher = world.issue(world.eligible_enterprise(city=DONGGUAN), "APP-ERP").voucher_id
    foshan_big = world.approved_claim(voucher, platform, eligible_fee_fen=2_469_135)
    foshan_small = world.approved_claim(voucher, platform, eligible_fee_fen=333)
    dongguan = world.approved_claim(dongguan_voucher, platform, eligible_fee_fen=777_777)
    # Subsidies (0.50 × fee, rounded down): 1,234,567.5 → 1,234,567; 166.5 → 166; 388,888.5 → 388,888.
    assert (foshan_big.amount_fen, foshan_small.amount_fen, dongguan.amount_fen) == (1_234_567, 166, 388_888)

    payment = world.paid_batch(platform, [foshan_big, foshan_small, dongguan])

    # Foshan 40 %: 0.40 × 1,234,567 = 493,826.8 → 493,826 (province 740,741); 0.40 × 166 = 66.4 → 66 (province 100).
    # Per line, not on the city total: 0.40 × 1,234,733 would give 493,893.
    # Dongguan 35 %: 0.35 × 388,888 = 136,110.8 → 136,110 (province 252,778).
    expected = {
        FOSHAN: {"city_fen": 493_826 + 66, "province_fen": 740_741 + 100},
        DONGGUAN: {"city_fen": 136_110, "province_fen": 252_778},
    }
    assert payment.total_fen == 1_234_567 + 166 + 388_888
    assert payment.by_city == expected
    # The batch as stored (read back through another application on the same store) says the same.
    other = open_ledger(store_settings)
    try:
        stored = other.batch(payment.batch_id)
        assert (stored.paid, stored.total_fen, stored.by_city) == (True, 1_623_621, expected)
    finally:
        other.close()


def test_a_claim_reversed_while_waiting_in_an_unpaid_batch_is_dropped_not_paid(world, voucher, platform):
    reversed_claim = world.approved_claim(voucher, platform, eligible_fee_fen=2_000_000)  # 1,000,000 fen
    kept = world.approved_claim(voucher, platform, eligible_fee_fen=600_000)  # 300,000 fen
    batch_id = open_batch(world, platform)
    add(world, batch_id, reversed_claim)
    add(world, batch_id, kept)
    world.advance(days=2)
    recovery = world.app.reverse_claim(
        world.by("province:audit"), voucher_id=voucher, claim_id=reversed_claim.claim_id,
        reason="spot check: invoice forged", effective_at=world.now,
    ).recovery_fen
    assert recovery == 0  # nothing was paid, so nothing to recover

    payment = pay(world, batch_id)
    assert payment.settled_claims == (kept.claim_id,)
    assert payment.dropped_claims == (reversed_claim.claim_id,)
    # Only the kept line: 300,000 fen, Foshan 0.40 × 300,000 = 120,000, province 180,000.
    assert payment.total_fen == 300_000
    assert payment.by_city == {FOSHAN: {"city_fen": 120_000, "province_fen": 180_000}}
    state = world.app.voucher(voucher)
    assert state.claim(reversed_claim.claim_id).status == "REVERSED"
    assert state.claim(kept.claim_id).status == "SETTLED"
    assert state.balance_fen == FACE - 300_000


def test_a_batch_whose_every_claim_was_reversed_refuses_payment_as_empty(world, voucher, platform):
    receipt = world.approved_claim(voucher, platform, eligible_fee_fen=2_000_000)
    batch_id = open_batch(world, platform)
    add(world, batch_id, receipt)
    world.app.reverse_claim(
        world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="fraud", effective_at=world.now
    )

    refused("EMPTY_BATCH", world.app, pay, world=world, batch_id=batch_id)
    assert world.app.batch(batch_id).paid is False
    assert world.app.voucher(voucher).claim(receipt.claim_id).status == "REVERSED"


def test_a_reversal_after_payment_raises_a_recovery_with_the_same_split_and_keeps_the_balance_used(
    world, voucher, platform
):
    receipt = world.approved_claim(voucher, platform, eligible_fee_fen=2_469_135)  # 1,234,567 fen
    payment = world.paid_batch(platform, [receipt])
    world.advance(days=40)

    recovery = world.app.reverse_claim(
        world.by("province:audit"), voucher_id=voucher, claim_id=receipt.claim_id,
        reason="spot check failed", effective_at=world.now,
    )

    assert (recovery.status, recovery.freed_fen, recovery.recovery_fen) == ("REVERSED", 0, 1_234_567)
    raised = [e for e in world.app.events.get(payment.batch_id) if isinstance(e, SettlementBatch.RecoveryRaised)]
    assert len(raised) == 1
    # Same split as the payment line: city 0.40 × 1,234,567 = 493,826.8 → 493,826; province 1,234,567 − 493,826.
    assert (raised[0].claim_id, raised[0].amount_fen, raised[0].city) == (receipt.claim_id, 1_234_567, FOSHAN)
    assert (raised[0].city_portion_fen, raised[0].province_portion_fen) == (493_826, 740_741)
    # The money was paid out; it is recovered from the provider, not handed back to the voucher.
    state = world.app.voucher(voucher)
    assert state.claim(receipt.claim_id).status == "REVERSED"
    assert state.balance_fen == FACE - 1_234_567
    # A reversed claim cannot be reversed (and recovered) a second time.
    refused(
        "INVALID_TRANSITION", world.app, world.app.reverse_claim, by=world.by(), voucher_id=voucher,
        claim_id=receipt.claim_id, reason="again", effective_at=world.now,
    )


def test_a_reversal_before_settlement_frees_the_voucher_balance_and_the_provider_quota(world, voucher, platform):
    quota_before = world.app.provider_quota(platform, 2019).remaining_fen
    receipt = world.approved_claim(voucher, platform, eligible_fee_fen=2_469_135)  # holds 1,234,567 fen
    assert world.app.voucher(voucher).balance_fen == FACE - 1_234_567
    assert world.app.provider_quota(platform, 2019).remaining_fen == quota_before - 1_234_567

    recovery = world.app.reverse_claim(
        world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="fraud", effective_at=world.now
    )

    assert (recovery.status, recovery.freed_fen, recovery.recovery_fen) == ("REVERSED", 1_234_567, 0)
    assert world.app.voucher(voucher).balance_fen == FACE
    assert world.app.provider_quota(platform, 2019).remaining_fen == quota_before
    # The freed value can be claimed again: 0.50 × 20,000,000 = 10,000,000 = the whole face value.
    assert world.claim(voucher, platform, eligible_fee_fen=20_000_000).amount_fen == FACE


def test_a_reversal_of_a_paid_claim_cannot_take_effect_before_the_payment(world, voucher, platform):
    """The recovery a reversal after payment raises is money due back: it cannot be due before it went out. Paid on
    the 12th (the batch opened on the 10th, the payment recorded on the 13th), a reversal dated the 11th is refused
    and changes nothing — else the batch as of the 11th would show a recovery of a claim it had not paid yet, while
    the provider's figures count it from the payment. Dated at the payment it is taken. (A reversal of an unpaid
    claim may still be dated back: tests/integration/test_projections_world.py.)"""
    receipt = world.approved_claim(voucher, platform, eligible_fee_fen=1_000_000)  # 0.50 × → 500,000 fen
    world.advance(days=1)
    opened_at = world.now
    batch_id = open_batch(world, platform)
    add(world, batch_id, receipt)
    world.advance(days=3)
    paid_at = opened_at + timedelta(days=2)
    world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=paid_at)

    for dated in (opened_at + timedelta(days=1), paid_at - timedelta(microseconds=1)):
        refused("RECOVERY_BEFORE_PAYMENT", world.app, world.app.reverse_claim, by=world.by("province:audit"),
                voucher_id=voucher, claim_id=receipt.claim_id, reason="forged invoice", effective_at=dated)
    assert world.app.voucher(voucher).claim(receipt.claim_id).status == "SETTLED"
    assert world.app.batch(batch_id).receivables == {}

    change = world.app.reverse_claim(world.by("province:audit"), voucher_id=voucher, claim_id=receipt.claim_id,
                                     reason="forged invoice", effective_at=paid_at)
    assert change.recovery_fen == 500_000
    # Its collection is held to the recovery (COLLECTION_BEFORE_RECOVERY), hence never before the payment either.
    refused("COLLECTION_BEFORE_RECOVERY", world.app, world.app.collect_recovery, by=world.by("province:finance"),
            batch_id=batch_id, claim_id=receipt.claim_id, amount_fen=100_000, bank_reference="BOC-1",
            effective_at=paid_at - timedelta(hours=13))
