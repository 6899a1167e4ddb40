"""The whole chain once, on both stores: eligible enterprise → voucher → claim → approval → batch paid."""

from tests.support.scenario import FOSHAN
from ledger.money import YUAN


def test_a_foshan_factory_redeems_part_of_its_voucher_and_the_province_pays_the_platform(world):
    # A Foshan factory with 12,000,000 RMB revenue in 2018 is eligible for 2019 and gets the ERP item's voucher:
    # face value = the item's cap, 100,000 RMB; Foshan's 40 % share of it is 40,000 RMB.
    factory = world.eligible_enterprise(city=FOSHAN)
    voucher = world.issue(factory, "APP-ERP")
    assert voucher.face_value_fen == 100_000 * YUAN
    assert (voucher.city_portion_fen, voucher.province_portion_fen) == (40_000 * YUAN, 60_000 * YUAN)

    # It buys 60,000.01 RMB of ERP service from a whitelisted platform: 50 % of it, rounded down to the fen.
    platform = world.provider()
    world.advance(days=10)
    receipt = world.approved_claim(voucher.voucher_id, platform, eligible_fee_fen=6_000_001)
    assert receipt.amount_fen == 3_000_000  # 0.50 × 6,000,001 fen = 3,000,000.5 → 3,000,000
    assert receipt.balance_after_fen == 100_000 * YUAN - 3_000_000

    payment = world.paid_batch(platform, [receipt])
    assert payment.total_fen == 3_000_000
    assert payment.by_city == {FOSHAN: {"city_fen": 1_200_000, "province_fen": 1_800_000}}
    assert world.app.voucher(voucher.voucher_id).claim(receipt.claim_id).status == "SETTLED"
