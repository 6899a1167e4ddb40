"""Corrections and revisions (DOMAIN.md "Eligibility", "Programme years"): a wrong eligibility decision is superseded
by a correction — a new decision from corrected facts, judged by the same rules, with its reason — never edited; a
quota already set is revised explicitly, never below what is used. Both stores (the ``world`` fixture).

Scenario figures (tests/support/scenario.py): the revenue line is 10,000,000 RMB = 1,000,000,000 fen; CHINA_MOBILE's
2019 network discount is 0.35; APP-ERP's face value is 10,000,000 fen; Foshan's 2019 quota is 500万元 =
500,000,000 fen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ledger import ids
from ledger.commands import values as v
from ledger.discounts import NetworkDiscountGrant
from ledger.enterprise import Enterprise
from projections.check import check
from projections.read_models import ReadModels
from tests.support.assertions import last_event_id, refused
from tests.support.projection_helpers import lean
from tests.support.scenario import FOSHAN

BELOW_LINE_FEN = 999_999_999  # one fen under 10,000,000 RMB
ABOVE_LINE_FEN = 1_200_000_000
FACE = 10_000_000  # APP-ERP
FOSHAN_2019_FEN = 500_000_000


def correct(world, enterprise_id, *, revenue_fen=ABOVE_LINE_FEN, misuse=False, reason="审计复核更正", at=None,
            year=2019):
    at = at or world.now
    return world.app.handle(v.CorrectEligibility(enterprise_id=enterprise_id, year=year,
                                                 prior_year_revenue_fen=revenue_fen, serious_misuse_5y=misuse,
                                                 effective_at=at, reason=reason), world.by())


def events_of(world, aggregate_id) -> list:
    return list(world.app.repository.event_store.get(aggregate_id))


# -- eligibility corrections -------------------------------------------------------------------------------------------
def test_a_plain_second_decision_is_still_refused(world):
    enterprise = world.enterprise(eligible_for=2019, revenue_fen=BELOW_LINE_FEN)
    refused("ELIGIBILITY_ALREADY_DECIDED", world.app, world.app.decide_eligibility, by=world.by(),
            enterprise_id=enterprise, year=2019, prior_year_revenue_fen=ABOVE_LINE_FEN, serious_misuse_5y=False,
            effective_at=world.now)


def test_a_correction_to_granted_supersedes_the_refusal_and_records_the_network_discount(world):
    enterprise = world.enterprise(eligible_for=2019, revenue_fen=BELOW_LINE_FEN)
    assert not world.app.enterprise(enterprise).is_eligible(2019)
    assert not world.app.stored(ids.network_discount_id(enterprise, 2019))
    world.advance(days=3)

    answer = correct(world, enterprise, reason="税务报表更正：上年度收入 1,200 万元")

    assert (answer.granted, answer.previously_granted, answer.reasons) == (True, False, ())
    assert answer.network_discount_id == ids.network_discount_id(enterprise, 2019)
    grant = world.app.repository.get(answer.network_discount_id)
    assert isinstance(grant, NetworkDiscountGrant) and grant.rate == Decimal("0.35")  # CHINA_MOBILE in 2019
    assert world.app.enterprise(enterprise).is_eligible(2019)
    last = events_of(world, enterprise)[-1]
    assert isinstance(last, Enterprise.EligibilityCorrected)
    assert (last.previously_granted, last.granted, last.reason) == (False, True, "税务报表更正：上年度收入 1,200 万元")
    assert last.prior_year_revenue_fen == ABOVE_LINE_FEN and last.effective_at == world.now
    # Now a voucher can be issued, as for any granted enterprise.
    assert world.issue(enterprise).face_value_fen == FACE


def test_a_correction_to_granted_keeps_an_existing_network_discount(world):
    enterprise = world.eligible_enterprise()
    correct(world, enterprise, revenue_fen=BELOW_LINE_FEN, reason="收入虚报")
    before = len(events_of(world, ids.network_discount_id(enterprise, 2019)))
    again = correct(world, enterprise, reason="复议后恢复")
    assert again.granted and again.network_discount_id is None
    assert len(events_of(world, ids.network_discount_id(enterprise, 2019))) == before == 1


def test_a_correction_to_refused_leaves_issued_vouchers_and_lists_them(world):
    enterprise = world.eligible_enterprise()
    kept = world.issue(enterprise, "APP-ERP").voucher_id
    revoked = world.issue(enterprise, "DEV-ACCESS").voucher_id
    world.app.revoke_voucher(world.by(), voucher_id=revoked, reason="另案处理")
    quota_before = world.app.city_quota(FOSHAN, 2019).remaining_fen
    world.advance(days=1)

    answer = correct(world, enterprise, misuse=True, reason="发现五年内严重违规使用财政资金")

    assert (answer.granted, answer.previously_granted) == (False, True)
    assert answer.reasons == ("SERIOUS_FUNDS_MISUSE",)
    assert answer.active_voucher_ids == (kept,)  # the revoked one is not "still redeemable"
    voucher = world.app.voucher(kept)
    assert voucher.status == "ACTIVE" and voucher.balance_fen == FACE
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == quota_before  # nothing went back
    assert world.app.stored(ids.network_discount_id(enterprise, 2019))  # the carrier's grant stays on record
    refused("NOT_ELIGIBLE", world.app, world.issue, enterprise_id=enterprise, item_id="NET-RENO")


def test_a_year_never_decided_cannot_be_corrected(world):
    enterprise = world.enterprise()
    before = last_event_id(world.app)
    with pytest.raises(Exception) as caught:
        correct(world, enterprise)
    assert caught.value.code == "ELIGIBILITY_NOT_DECIDED"
    assert last_event_id(world.app) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_records_its_reason(world, reason):
    enterprise = world.enterprise(eligible_for=2019, revenue_fen=BELOW_LINE_FEN)
    before = last_event_id(world.app)
    with pytest.raises(Exception) as caught:
        correct(world, enterprise, reason=reason)
    assert caught.value.code == "INVALID_INPUT"
    assert last_event_id(world.app) == before


def test_eligibility_as_of_and_known_at_shows_the_decision_then_and_the_correction_from_its_effect(
        world, store_settings):
    decided_at = world.now
    enterprise = world.enterprise(eligible_for=2019, revenue_fen=BELOW_LINE_FEN)
    effect = decided_at + timedelta(days=10)
    world.now = decided_at + timedelta(days=30)  # recorded 30 days on, effective from day 10
    correct(world, enterprise, at=effect, reason="更正收入")
    recorded = world.now
    read = ReadModels(store_settings, world.app, in_process=True)
    try:
        def year_2019(as_of, known_at=None):
            (line,) = read.eligibility(enterprise, as_of, known_at)
            return line["granted"], line["corrected"], line["correction_reason"]

        assert read.eligibility(enterprise, decided_at - timedelta(seconds=1)) == []
        assert year_2019(effect - timedelta(seconds=1)) == (False, False, None)
        assert year_2019(effect) == (True, True, "更正收入")
        assert year_2019(effect, known_at=recorded - timedelta(seconds=1)) == (False, False, None)  # not known yet
        line = read.eligibility(enterprise, datetime(2030, 1, 1, tzinfo=UTC))[0]
        assert line["effective_at"] == effect and line["recorded_at"] == recorded and line["reasons"] == []
        trail = read.audit_trail("enterprise", enterprise, datetime(2030, 1, 1, tzinfo=UTC))
        correction = [t for t in trail if t["event_type"] == "Enterprise.EligibilityCorrected"]
        assert len(correction) == 1 and correction[0]["reason"] == "更正收入"
        assert "资格更正" in correction[0]["summary_zh"] and "不通过 → 通过" in correction[0]["summary_zh"]
    finally:
        read.close()
    # A rebuild from the events writes exactly the rows the live projection wrote, the register included.
    assert check(world.app, lean(store_settings), ["audit_trail"]) == []


# -- quota revisions ---------------------------------------------------------------------------------------------------
def test_a_city_quota_is_revised_up_and_down_but_never_below_what_vouchers_use(world):
    world.issue(world.eligible_enterprise())  # uses 10,000,000 fen of Foshan's 2019 quota
    up = world.app.handle(v.ReviseCityQuota(city=FOSHAN, year=2019, amount_fen=600_000_000), world.by())
    assert (up.previous_fen, up.amount_fen, up.used_fen) == (FOSHAN_2019_FEN, 600_000_000, FACE)
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == 600_000_000 - FACE
    refused("QUOTA_BELOW_USAGE", world.app, world.app.revise_city_quota, by=world.by(), city=FOSHAN, year=2019,
            amount_fen=FACE - 1)
    exact = world.app.revise_city_quota(world.by(), city=FOSHAN, year=2019, amount_fen=FACE)
    assert exact.amount_fen == FACE and world.app.city_quota(FOSHAN, 2019).remaining_fen == 0
    assert world.app.city_quota(FOSHAN, 2019).city_share == Decimal("0.40")  # the share is never revised


def test_revising_a_quota_never_set_is_refused(world):
    provider = world.provider(quota_fen=None)
    refused("QUOTA_NOT_SET", world.app, world.app.revise_city_quota, by=world.by(), city=FOSHAN, year=2020,
            amount_fen=1)
    refused("QUOTA_NOT_SET", world.app, world.app.revise_provider_quota, by=world.by(), provider_id=provider,
            year=2019, amount_fen=1)
    refused("UNKNOWN_CITY", world.app, world.app.revise_city_quota, by=world.by(), city="110100", year=2019,
            amount_fen=1)


def test_a_provider_quota_is_never_revised_below_what_its_claims_hold(world):
    provider = world.provider(quota_fen=5_000_000)
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    world.advance(days=5)
    world.claim(voucher, provider, eligible_fee_fen=2_000_001)  # 0.50 × 2,000,001 = 1,000,000.5 → 1,000,000
    refused("QUOTA_BELOW_USAGE", world.app, world.app.revise_provider_quota, by=world.by(), provider_id=provider,
            year=2019, amount_fen=999_999)
    revised = world.app.revise_provider_quota(world.by(), provider_id=provider, year=2019, amount_fen=1_000_000)
    assert (revised.previous_fen, revised.amount_fen, revised.used_fen) == (5_000_000, 1_000_000, 1_000_000)
    refused("PROVIDER_QUOTA_EXHAUSTED", world.app, world.claim, voucher_id=voucher, provider_id=provider,
            eligible_fee_fen=2)
