"""Expiry (DOMAIN.md "Vouchers"): a voucher is redeemable until the end of its year's redemption deadline
(Asia/Shanghai); afterwards it cannot be redeemed and its unused value goes back to the city's quota. Value freed
later by a claim on an expired or revoked voucher goes back too. Quotas follow the programme year, not the cash year.

The 2019 deadline is 2020-02-08; the end of that day in Asia/Shanghai (UTC+8) is 2020-02-08T16:00Z.
Scenario figures: APP-ERP pays 50 % up to 100,000 RMB (face 10,000,000 fen); Foshan's 2019 quota is 5,000,000 RMB.
"""

from datetime import UTC, datetime

import pytest

from ledger.money import YUAN
from tests.support.assertions import refused
from tests.support.scenario import FOSHAN

FACE = 100_000 * YUAN  # 10,000,000 fen
LAST_REDEEMABLE = datetime(2020, 2, 8, 15, 59, 59, tzinfo=UTC)  # 2020-02-08 23:59:59 in Shanghai
EXPIRY = datetime(2020, 2, 8, 16, 0, tzinfo=UTC)  # 2020-02-09 00:00 in Shanghai


def city_remaining(world) -> int:
    return world.app.city_quota(FOSHAN, 2019).remaining_fen


@pytest.fixture
def platform(world):
    return world.provider()


@pytest.fixture
def voucher(world):
    issued = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP")
    world.advance(days=10)
    return issued.voucher_id


def expire(world, voucher_id, at):
    return world.app.expire_voucher(world.by("province:ops", at=at), voucher_id=voucher_id)


def test_a_2019_voucher_cannot_be_expired_before_the_end_of_8_february_2020_shanghai_time(world, voucher, platform):
    remaining = city_remaining(world)
    refused("VOUCHER_NOT_YET_EXPIRED", world.app, expire, world=world, voucher_id=voucher, at=LAST_REDEEMABLE)
    assert world.app.voucher(voucher).status == "ACTIVE"
    assert city_remaining(world) == remaining

    # Still redeemable in the last second of 8 February (Shanghai): 0.50 × 2,000,000 = 1,000,000 fen.
    world.now = LAST_REDEEMABLE
    assert world.claim(voucher, platform, eligible_fee_fen=2_000_000).amount_fen == 1_000_000

    assert expire(world, voucher, EXPIRY) == FACE - 1_000_000
    assert world.app.voucher(voucher).status == "EXPIRED"


def test_from_the_deadline_on_a_voucher_cannot_be_redeemed(world, voucher, platform):
    world.now = EXPIRY
    refused(
        "VOUCHER_EXPIRED", world.app, world.claim, voucher_id=voucher, provider_id=platform, eligible_fee_fen=2_000_000
    )
    expire(world, voucher, EXPIRY)
    world.advance(days=1)
    refused(
        "VOUCHER_EXPIRED", world.app, world.claim, voucher_id=voucher, provider_id=platform, eligible_fee_fen=2_000_000
    )
    assert world.app.voucher(voucher).balance_fen == FACE


def test_expiry_returns_face_value_minus_live_claims_to_the_city_quota_once(world, platform):
    before_issue = city_remaining(world)
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    assert city_remaining(world) == before_issue - FACE
    world.advance(days=10)
    approved = world.approved_claim(voucher, platform, eligible_fee_fen=2_469_135)  # 1,234,567.5 → 1,234,567
    pending = world.claim(voucher, platform, eligible_fee_fen=1_000_001)  # 500,000.5 → 500,000
    settled = world.approved_claim(voucher, platform, eligible_fee_fen=100_001)  # 50,000.5 → 50,000
    world.paid_batch(platform, [settled])
    rejected = world.claim(voucher, platform, eligible_fee_fen=600_000)  # 300,000, given back to the voucher
    world.app.reject_claim(world.by(), voucher_id=voucher, claim_id=rejected.claim_id, reason="invoice unreadable")
    assert city_remaining(world) == before_issue - FACE  # a rejection before expiry stays on the voucher

    returned = expire(world, voucher, EXPIRY)

    # Live claims hold 1,234,567 + 500,000 + 50,000 = 1,784,567; unused 10,000,000 − 1,784,567 = 8,215,433.
    assert (approved.amount_fen, pending.amount_fen, settled.amount_fen) == (1_234_567, 500_000, 50_000)
    assert returned == 8_215_433
    assert city_remaining(world) == before_issue - FACE + 8_215_433
    # Expiring again is refused and returns nothing more.
    refused("INVALID_TRANSITION", world.app, expire, world=world, voucher_id=voucher, at=EXPIRY)
    assert city_remaining(world) == before_issue - FACE + 8_215_433


@pytest.mark.parametrize("give_back", ["rejected", "reversed"])
def test_a_claim_made_before_expiry_and_freed_after_it_returns_its_amount_to_the_city_quota(
    world, platform, give_back
):
    before_issue = city_remaining(world)
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    world.advance(days=10)
    quota_before = world.app.provider_quota(platform, 2019).remaining_fen
    receipt = world.claim(voucher, platform, eligible_fee_fen=1_000_001)  # 500,000 fen
    assert expire(world, voucher, EXPIRY) == FACE - 500_000
    assert city_remaining(world) == before_issue - 500_000

    by = world.by("province:review", at=datetime(2020, 3, 2, 2, 0, tzinfo=UTC))
    if give_back == "rejected":
        world.app.reject_claim(by, voucher_id=voucher, claim_id=receipt.claim_id, reason="acceptance report missing")
    else:
        world.app.reverse_claim(by, voucher_id=voucher, claim_id=receipt.claim_id, reason="fraud", effective_at=by.at)

    # The whole face value is back with the city: 9,500,000 at expiry + 500,000 now; the provider quota is free too.
    assert city_remaining(world) == before_issue
    assert world.app.provider_quota(platform, 2019).remaining_fen == quota_before
    # ... but the voucher stays expired: the freed value cannot be redeemed.
    world.now = by.at
    refused(
        "VOUCHER_EXPIRED", world.app, world.claim, voucher_id=voucher, provider_id=platform, eligible_fee_fen=2_000
    )


def test_revocation_returns_the_unused_value_and_later_freed_claims_to_the_city_quota(world, platform):
    before_issue = city_remaining(world)
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    world.advance(days=10)
    pending = world.claim(voucher, platform, eligible_fee_fen=1_000_001)  # 500,000 fen
    approved = world.approved_claim(voucher, platform, eligible_fee_fen=600_000)  # 300,000 fen

    returned = world.app.revoke_voucher(world.by(), voucher_id=voucher, reason="false revenue declaration")

    assert returned == FACE - 500_000 - 300_000  # 9,200,000
    assert city_remaining(world) == before_issue - 800_000
    refused(
        "VOUCHER_REVOKED", world.app, world.claim, voucher_id=voucher, provider_id=platform, eligible_fee_fen=2_000
    )
    world.app.reject_claim(world.by(), voucher_id=voucher, claim_id=pending.claim_id, reason="revoked voucher")
    assert city_remaining(world) == before_issue - 300_000  # the approved claim still holds 300,000
    refused("INVALID_TRANSITION", world.app, expire, world=world, voucher_id=voucher, at=EXPIRY)
    assert world.app.voucher(voucher).claim(approved.claim_id).status == "APPROVED"


def test_a_2019_voucher_redeemed_in_january_2020_uses_the_providers_2019_quota(world, voucher, platform):
    # Programme year 2019 (the voucher's), cash year 2020: 2019-12-31T20:00Z is 2020-01-01 04:00 in Shanghai.
    world.app.set_provider_quota(world.by(), provider_id=platform, year=2020, amount_fen=500_000 * YUAN)
    quota_2019 = world.app.provider_quota(platform, 2019).remaining_fen
    quota_2020 = world.app.provider_quota(platform, 2020).remaining_fen
    world.now = datetime(2019, 12, 31, 20, 0, tzinfo=UTC)

    receipt = world.claim(voucher, platform, eligible_fee_fen=2_469_135)  # 1,234,567 fen

    assert receipt.amount_fen == 1_234_567
    assert world.app.provider_quota(platform, 2019).remaining_fen == quota_2019 - 1_234_567
    assert world.app.provider_quota(platform, 2020).remaining_fen == quota_2020


def test_a_provider_with_its_2019_quota_used_up_cannot_redeem_2019_vouchers_in_january_2020(world, voucher):
    # Its 2020 quota is ample, but a 2019 voucher draws on the 2019 quota (programme year), here 100,000 fen.
    platform = world.provider(quota_fen=100_000)
    world.app.set_provider_quota(world.by(), provider_id=platform, year=2020, amount_fen=500_000 * YUAN)
    world.now = datetime(2020, 1, 15, 2, 0, tzinfo=UTC)
    refused(
        "PROVIDER_QUOTA_EXHAUSTED", world.app, world.claim, voucher_id=voucher, provider_id=platform,
        eligible_fee_fen=2_000_000,  # 1,000,000 fen > 100,000 fen left in 2019
    )
    assert world.app.voucher(voucher).balance_fen == FACE
