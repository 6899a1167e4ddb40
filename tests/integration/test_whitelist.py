"""The security whitelist and the resource pool, DOMAIN.md "Whitelist, assessments, resource pool".

A provider enters the whitelist by passing a security assessment; a failed assessment or spot check suspends it (no
new claims, approved claims held from settlement) until every failing area has passed again; a low annual rating
eliminates it from the pool for that fiscal year, for good. The status as of any past time is rebuilt from events.
Every test runs on SQLite and PostgreSQL (the ``world`` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from ledger.errors import LedgerError
from tests.support.scenario import World


def voucher_for_new_enterprise(world):
    return world.issue(world.eligible_enterprise(), "APP-ERP").voucher_id


def status(world, provider_id):
    return world.app.provider(provider_id).status


def assert_refused(world, code, attempt):
    """The command is refused with ``code`` and nothing is stored."""
    events_before = world.app.recorder.max_notification_id()
    with pytest.raises(LedgerError) as excinfo:
        attempt()
    assert excinfo.value.code == code
    assert world.app.recorder.max_notification_id() == events_before


def assert_claim_refused(world, voucher_id, provider_id, code):
    balance = world.app.voucher(voucher_id).balance_fen
    remaining = world.app.provider_quota(provider_id, world.year).remaining_fen
    assert_refused(world, code, lambda: world.claim(voucher_id, provider_id, eligible_fee_fen=1_000_001))
    assert world.app.voucher(voucher_id).balance_fen == balance
    assert world.app.provider_quota(provider_id, world.year).remaining_fen == remaining


def claim_accepted(world, voucher_id, provider_id):
    receipt = world.claim(voucher_id, provider_id, eligible_fee_fen=1_000_001)
    assert receipt.amount_fen == 500_000  # APP-ERP: 0.50 × 1,000,001 = 500,000.5 → 500,000
    return receipt


# -- entering the whitelist ------------------------------------------------------------------------------------------
def test_a_newly_admitted_provider_takes_no_claims_until_it_passes_a_security_assessment(world):
    voucher_id = voucher_for_new_enterprise(world)
    newcomer = world.provider(whitelisted=False)
    assert status(world, newcomer) == "PENDING_ASSESSMENT"
    assert_claim_refused(world, voucher_id, newcomer, "PROVIDER_NOT_WHITELISTED")

    assert world.assess(newcomer, passed=True, area="NETWORK") == "WHITELISTED"
    claim_accepted(world, voucher_id, newcomer)


# -- suspension ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["ASSESSMENT", "SPOT_CHECK"])
def test_a_failed_assessment_or_spot_check_suspends_the_provider_from_new_claims(world, kind):
    voucher_id = voucher_for_new_enterprise(world)
    platform = world.provider()
    claim_accepted(world, voucher_id, platform)

    world.advance(days=5)
    assert world.assess(platform, passed=False, area="DATA", kind=kind) == "SUSPENDED"
    assert_claim_refused(world, voucher_id, platform, "PROVIDER_SUSPENDED")


def test_approved_claims_of_a_suspended_provider_are_held_from_settlement_until_it_is_reinstated(world):
    voucher_id = voucher_for_new_enterprise(world)
    platform = world.provider()
    batched = world.approved_claim(voucher_id, platform, eligible_fee_fen=1_000_001)  # → 500,000
    waiting = world.approved_claim(voucher_id, platform, eligible_fee_fen=2_000_003)  # 0.50 × 2,000,003 → 1,000,001
    batch_id = uuid4()
    world.app.open_batch(world.by(), batch_id=batch_id, provider_id=platform, period="2019-04")
    world.app.add_to_batch(world.by(), batch_id=batch_id, voucher_id=voucher_id, claim_id=batched.claim_id)

    world.advance(days=3)
    assert world.assess(platform, passed=False, area="APPLICATION", kind="SPOT_CHECK") == "SUSPENDED"
    # Held: the waiting claim cannot enter a batch, and the batch already filled cannot be paid.
    assert_refused(world, "PROVIDER_SUSPENDED", lambda: world.app.add_to_batch(
        world.by(), batch_id=batch_id, voucher_id=voucher_id, claim_id=waiting.claim_id))
    assert_refused(world, "PROVIDER_SUSPENDED", lambda: world.app.pay_batch(
        world.by(), batch_id=batch_id, effective_at=world.now))
    voucher = world.app.voucher(voucher_id)
    assert [voucher.claim(r.claim_id).status for r in (batched, waiting)] == ["APPROVED", "APPROVED"]

    world.advance(days=10)
    assert world.assess(platform, passed=True, area="APPLICATION") == "WHITELISTED"
    world.app.add_to_batch(world.by(), batch_id=batch_id, voucher_id=voucher_id, claim_id=waiting.claim_id)
    payment = world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    assert payment.total_fen == 500_000 + 1_000_001


def test_a_provider_is_reinstated_only_when_every_failing_area_has_passed_again(world):
    voucher_id = voucher_for_new_enterprise(world)
    platform = world.provider()  # passed NETWORK on admission
    assert world.assess(platform, passed=False, area="NETWORK") == "SUSPENDED"
    assert world.assess(platform, passed=False, area="DATA") == "SUSPENDED"

    world.advance(days=7)
    assert world.assess(platform, passed=True, area="NETWORK") == "SUSPENDED"  # DATA still failing
    assert_claim_refused(world, voucher_id, platform, "PROVIDER_SUSPENDED")

    world.advance(days=7)
    assert world.assess(platform, passed=True, area="DATA") == "WHITELISTED"
    claim_accepted(world, voucher_id, platform)


# -- elimination -----------------------------------------------------------------------------------------------------
def test_an_eliminated_provider_takes_no_claims_for_the_rest_of_that_fiscal_year(world):
    voucher_id = voucher_for_new_enterprise(world)
    platform = world.provider()
    world.advance(days=30)
    world.app.eliminate_provider(world.by(), provider_id=platform, year=2019, rating="D", effective_at=world.now)
    assert_claim_refused(world, voucher_id, platform, "PROVIDER_ELIMINATED")

    # Permanent for the year: a later passed assessment does not bring it back ...
    world.advance(days=30)
    world.assess(platform, passed=True, area="DATA")
    assert_claim_refused(world, voucher_id, platform, "PROVIDER_ELIMINATED")
    # ... up to the last second of 2019 in Shanghai (2019-12-31 23:59:59+08:00).
    world.now = datetime(2019, 12, 31, 15, 59, 59, tzinfo=UTC)
    assert_claim_refused(world, voucher_id, platform, "PROVIDER_ELIMINATED")


def test_a_provider_eliminated_for_a_successor_year_takes_no_claim_on_its_vouchers_before_new_year(ledger):
    """A successor year may open its issuance before 1 January (2027 from 1 December 2026): a provider eliminated
    from the pool for 2027 (its rating for the year before) takes no claim on a 2027 voucher made in December 2026.
    A review found the elimination read against the fiscal year of the claim's time only, so it was let through."""
    world = World(app=ledger, now=datetime(2026, 12, 8, 2, tzinfo=UTC), year=2027)
    ledger.open_year(world.by(), year=2027, issuance_opens=date(2026, 12, 1), redemption_deadline=date(2028, 2, 8))
    world.setup_year(2027)
    voucher_id = voucher_for_new_enterprise(world)
    platform = world.provider()
    world.app.eliminate_provider(world.by(), provider_id=platform, year=2027, rating="D", effective_at=world.now)
    assert_claim_refused(world, voucher_id, platform, "PROVIDER_ELIMINATED")


def test_a_provider_cannot_be_eliminated_twice_for_one_year(world):
    platform = world.provider()
    world.app.eliminate_provider(world.by(), provider_id=platform, year=2019, rating="D", effective_at=world.now)
    world.advance(days=1)
    assert_refused(world, "ALREADY_EXISTS", lambda: world.app.eliminate_provider(
        world.by(), provider_id=platform, year=2019, rating="C", effective_at=world.now))
    assert world.app.provider(platform).eliminated_years == [2019]


def test_approved_claims_of_an_eliminated_provider_can_still_be_settled(world):
    voucher_id = voucher_for_new_enterprise(world)
    platform = world.provider()
    receipt = world.approved_claim(voucher_id, platform, eligible_fee_fen=3_000_005)  # 0.50 × 3,000,005 → 1,500,002
    world.advance(days=20)
    world.app.eliminate_provider(world.by(), provider_id=platform, year=2019, rating="D", effective_at=world.now)

    payment = world.paid_batch(platform, [receipt])
    assert payment.total_fen == 1_500_002
    assert world.app.voucher(voucher_id).claim(receipt.claim_id).status == "SETTLED"


# -- history ---------------------------------------------------------------------------------------------------------
def test_the_whitelist_status_as_of_any_past_time_is_rebuilt_from_the_events(world):
    admitted_at = world.now
    platform = world.provider(whitelisted=False, quota_fen=None)
    passed_at = world.advance(days=10)
    world.assess(platform, passed=True, area="NETWORK")
    failed_at = world.advance(days=40)
    world.assess(platform, passed=False, area="DATA", kind="SPOT_CHECK")
    reinstated_at = world.advance(days=20)
    world.assess(platform, passed=True, area="DATA")

    events = list(world.app.events.get(platform))

    def status_as_of(moment):
        version = max(e.originator_version for e in events if e.timestamp <= moment)
        return world.app.repository.get(platform, version=version).status

    assert status_as_of(admitted_at) == "PENDING_ASSESSMENT"
    assert status_as_of(passed_at) == "WHITELISTED"
    assert status_as_of(failed_at - (failed_at - passed_at) / 2) == "WHITELISTED"  # midway: still on the list
    assert status_as_of(failed_at) == "SUSPENDED"
    assert status_as_of(reinstated_at - (reinstated_at - failed_at) / 2) == "SUSPENDED"
    assert status_as_of(reinstated_at) == "WHITELISTED"
    assert status(world, platform) == "WHITELISTED"
    # The suspension and the reinstatement are events of their own, with the effective time of the assessment.
    changes = [(type(e).__name__, e.effective_at) for e in events if type(e).__name__ in ("Suspended", "Whitelisted")]
    assert changes == [("Whitelisted", passed_at), ("Suspended", failed_at), ("Whitelisted", reinstated_at)]
