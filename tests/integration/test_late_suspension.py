"""A suspension recorded late: claims made, approved or paid inside its window are flagged and held from settlement until
the province releases or reverses them (DOMAIN.md, Whitelist; issue 7). The window is [effective time, recorded time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from ledger.errors import LedgerError
from ledger.voucher import Voucher
from tests.support.scenario import World
from writer.unit_of_work_scope import unit_of_work

FAILED_FROM = datetime(2019, 3, 3, 16, 0, tzinfo=UTC)  # 4 March 00:00 in Shanghai
RECORDED = datetime(2019, 3, 10, 2, 0, tzinfo=UTC)


def at(world: World, day: int, hour: int = 3) -> None:
    world.now = datetime(2019, 3, day, hour, 0, tzinfo=UTC)


def refused(code: str, call) -> None:
    with pytest.raises(LedgerError) as caught:
        call()
    assert caught.value.code == code


def flags(world: World, voucher_id) -> dict:
    events = world.app.events.get(voucher_id)
    return {e.claim_id: e.held for e in events if isinstance(e, Voucher.ClaimFlagged)}


def test_claims_made_approved_or_paid_inside_the_window_are_flagged_and_held_until_released(world: World):
    app = world.app
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    claim = lambda: world.claim(voucher, provider, eligible_fee_fen=2_000_000)  # noqa: E731
    approve = lambda r: app.approve_claim(world.by(), voucher_id=voucher, claim_id=r.claim_id)  # noqa: E731

    at(world, 2)
    before = world.approved_claim(voucher, provider, eligible_fee_fen=2_000_000)  # whole life before the window
    settled_inside = world.approved_claim(voucher, provider, eligible_fee_fen=2_000_000)
    approved_inside, batched_inside = claim(), claim()
    at(world, 3, 10)  # still before the failure took effect (16:00 UTC)
    made_before_approved_inside = claim()
    at(world, 5)
    for receipt in (approved_inside, batched_inside, made_before_approved_inside):
        approve(receipt)
    made_inside, made_inside_approved_later = claim(), claim()
    at(world, 6)
    world.paid_batch(provider, [settled_inside], period="2019-03")
    unpaid_batch = world.app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider,
                                        period="2019-03b")
    for receipt in (before, batched_inside):
        app.add_to_batch(world.by(), batch_id=unpaid_batch, voucher_id=voucher, claim_id=receipt.claim_id)

    world.now = RECORDED
    status = app.record_assessment(world.by("assessor:cnitsec"), provider_id=provider, area="DATA", kind="SPOT_CHECK",
                                   passed=False, assessor="国家级信息安全评测机构", report_ref="SPOT-LATE",
                                   effective_at=FAILED_FROM)
    assert status == "SUSPENDED"
    assert flags(world, voucher) == {
        settled_inside.claim_id: False,  # already paid: flagged for review only
        approved_inside.claim_id: True,
        batched_inside.claim_id: True,
        made_before_approved_inside.claim_id: True,
        made_inside.claim_id: True,
        made_inside_approved_later.claim_id: True,
    }

    at(world, 20)
    assert world.assess(provider, passed=True, area="DATA") == "WHITELISTED"
    # The held claim left the unpaid batch when it was flagged; the batch pays the claim from before the window.
    assert batched_inside.claim_id not in app.batch(unpaid_batch).lines
    payment = app.pay_batch(world.by(), batch_id=unpaid_batch, effective_at=world.now)
    assert payment.settled_claims == (before.claim_id,)
    assert payment.dropped_claims == ()

    later = app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider, period="2019-04")
    refused("CLAIM_HELD", lambda: app.add_to_batch(world.by(), batch_id=later, voucher_id=voucher,
                                                   claim_id=approved_inside.claim_id))
    refused("INVALID_TRANSITION", lambda: app.release_claim(world.by(), voucher_id=voucher,
                                                            claim_id=settled_inside.claim_id, reason="reviewed"))
    refused("INVALID_TRANSITION", lambda: app.release_claim(world.by(), voucher_id=voucher,
                                                            claim_id=before.claim_id, reason="reviewed"))
    for receipt in (approved_inside, batched_inside):
        app.release_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="work verified on site")
        app.add_to_batch(world.by(), batch_id=later, voucher_id=voucher, claim_id=receipt.claim_id)
    assert set(app.pay_batch(world.by(), batch_id=later, effective_at=world.now).settled_claims) == {
        approved_inside.claim_id, batched_inside.claim_id}

    # The province reverses the claim made inside the window instead: its amount comes back to the balance.
    balance = app.voucher(voucher).balance_fen
    app.reverse_claim(world.by(), voucher_id=voucher, claim_id=made_inside.claim_id, reason="made while suspended",
                      effective_at=FAILED_FROM)
    assert app.voucher(voucher).balance_fen == balance + made_inside.amount_fen
    # A held claim approved after the flag stays held.
    approve(made_inside_approved_later)
    last = app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider, period="2019-05")
    refused("CLAIM_HELD", lambda: app.add_to_batch(world.by(), batch_id=last, voucher_id=voucher,
                                                   claim_id=made_inside_approved_later.claim_id))


def test_a_suspension_recorded_when_it_takes_effect_flags_nothing(world: World):
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    receipt = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)
    world.advance(days=1)
    assert world.assess(provider, passed=False, kind="SPOT_CHECK") == "SUSPENDED"
    assert flags(world, voucher) == {}
    assert not world.app.voucher(voucher).claims[receipt.claim_id].held


def test_a_second_failure_while_suspended_does_not_flag_again(world: World):
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    world.advance(days=1)
    receipt = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)
    world.advance(days=3)
    app = world.app
    late = dict(area="DATA", kind="SPOT_CHECK", passed=False, assessor="CNITSEC", report_ref="R1",
                effective_at=world.now - timedelta(days=4))  # before the claim
    app.record_assessment(world.by("assessor:cnitsec"), provider_id=provider, **late)
    assert flags(world, voucher) == {receipt.claim_id: True}
    world.advance(days=1)
    app.record_assessment(world.by("assessor:cnitsec"), provider_id=provider, **{**late, "area": "NETWORK"})
    assert len([e for e in app.events.get(voucher) if isinstance(e, Voucher.ClaimFlagged)]) == 1


def test_claims_staged_in_the_same_unit_of_work_as_the_suspension_are_flagged_too(world: World):
    """Group commit and the simulator decide many commands before one commit: the window's claims may not be in the
    store yet when the late suspension is decided."""
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    app = world.app
    with unit_of_work(app) as uow:
        committed = uow.run(lambda: world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000))
        uow.flush(background=True)  # this one may still be in flight when the suspension is decided
        world.advance(days=1)
        staged = uow.run(lambda: world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000))
        world.advance(days=2)
        uow.run(lambda: app.record_assessment(
            world.by("assessor:cnitsec"), provider_id=provider, area="DATA", kind="SPOT_CHECK", passed=False,
            assessor="CNITSEC", report_ref="R-UOW", effective_at=world.now - timedelta(days=5)))
    assert flags(world, voucher) == {committed.claim_id: True, staged.claim_id: True}


# -- found in review: the window moving back, a second window, old vouchers, hold times, batches ----------------------
def fail(world: World, provider, area: str, effective_at: datetime) -> str:
    return world.app.record_assessment(world.by("assessor:cnitsec"), provider_id=provider, area=area,
                                       kind="SPOT_CHECK", passed=False, assessor="CNITSEC", report_ref="R",
                                       effective_at=effective_at)


@pytest.fixture
def read(world: World, store_settings):
    from projections.read_models import ReadModels

    models = ReadModels(store_settings, world.app, in_process=True)
    yield models
    models.close()


def test_a_late_failure_while_already_suspended_moves_the_suspension_back_and_flags_the_new_part(world, read):
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    at(world, 6)
    inside = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)
    at(world, 15)
    assert fail(world, provider, "NETWORK", world.now) == "SUSPENDED"  # recorded when it took effect: no flags
    assert flags(world, voucher) == {}
    at(world, 20)
    fail(world, provider, "DATA", datetime(2019, 3, 4, tzinfo=UTC))  # effective before the suspension began
    assert flags(world, voucher) == {inside.claim_id: True}
    on_8_march = datetime(2019, 3, 8, tzinfo=UTC)
    assert read.provider_receivable(provider, on_8_march)["status"] == "SUSPENDED"
    assert read.provider_receivable(provider, on_8_march, known_at=datetime(2019, 3, 16, tzinfo=UTC))[
        "status"] == "WHITELISTED"


def test_a_claim_released_after_one_window_is_flagged_again_by_a_later_one(world):
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    app = world.app
    at(world, 4)
    receipt = world.claim(voucher, provider, eligible_fee_fen=1_000_000)
    at(world, 5)
    fail(world, provider, "DATA", datetime(2019, 3, 3, tzinfo=UTC))
    at(world, 6)
    app.release_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="reviewed")
    assert world.assess(provider, passed=True, area="DATA") == "WHITELISTED"
    at(world, 12)
    app.approve_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id)
    at(world, 13)
    world.paid_batch(provider, [receipt], period="2019-03")
    at(world, 20)
    fail(world, provider, "NETWORK", datetime(2019, 3, 10, tzinfo=UTC))  # covers the approval and the payment
    found = [e for e in app.events.get(voucher) if isinstance(e, Voucher.ClaimFlagged)]
    assert [(e.claim_id, e.held) for e in found] == [(receipt.claim_id, True), (receipt.claim_id, False)]


def test_a_claim_on_a_voucher_two_years_back_paid_inside_the_window_is_flagged(world):
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id  # a 2019 voucher: its claim holds 2019's quota
    world.now = datetime(2020, 1, 10, 3, tzinfo=UTC)
    receipt = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)
    world.now = datetime(2021, 1, 10, 3, tzinfo=UTC)
    world.paid_batch(provider, [receipt], period="2021-01")
    world.now = datetime(2021, 1, 20, 3, tzinfo=UTC)
    fail(world, provider, "DATA", datetime(2021, 1, 5, tzinfo=UTC))
    assert flags(world, voucher) == {receipt.claim_id: False}


def test_a_hold_takes_effect_no_earlier_than_its_claim(world, read):
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    at(world, 6)
    receipt = world.claim(voucher, provider, eligible_fee_fen=1_000_000)
    at(world, 10)
    fail(world, provider, "DATA", datetime(2019, 3, 1, 12, tzinfo=UTC))
    assert read.claims_held(provider, datetime(2019, 3, 3, tzinfo=UTC)) == []
    assert read.provider_receivable(provider, datetime(2019, 3, 3, tzinfo=UTC))["claims_held_fen"] == 0
    held = read.claims_held(provider, datetime(2019, 3, 7, tzinfo=UTC))
    assert [(h["claim_id"], h["held_fen"]) for h in held] == [(str(receipt.claim_id), receipt.amount_fen)]


def test_a_held_claim_leaves_its_unpaid_batch_so_no_two_batches_list_it(world, read):
    app = world.app
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    at(world, 5)
    receipt = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)
    first = app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider, period="2019-03a")
    app.add_to_batch(world.by(), batch_id=first, voucher_id=voucher, claim_id=receipt.claim_id)
    at(world, 10)
    fail(world, provider, "DATA", datetime(2019, 3, 4, tzinfo=UTC))
    assert receipt.claim_id not in app.batch(first).lines
    at(world, 12)
    world.assess(provider, passed=True, area="DATA")
    app.release_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="reviewed")
    second = app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider, period="2019-03b")
    app.add_to_batch(world.by(), batch_id=second, voucher_id=voucher, claim_id=receipt.claim_id)
    now = datetime(2019, 3, 13, tzinfo=UTC)
    one, two = read.settlement_batch(first, now), read.settlement_batch(second, now)
    assert one["lines"] == [] and [w["claim_id"] for w in one["withdrawn"]] == [str(receipt.claim_id)]
    assert [line["claim_id"] for line in two["lines"]] == [str(receipt.claim_id)]
    before = read.settlement_batch(first, datetime(2019, 3, 9, tzinfo=UTC))  # as of before the flag: still in it
    assert [line["claim_id"] for line in before["lines"]] == [str(receipt.claim_id)]


def test_claims_in_a_batch_the_group_commit_writer_is_committing_are_flagged_too(world: World):
    """The suspension is decided while the batch holding the window's claim is being committed by the writer's
    committer thread: the claim is in neither the store nor the unit of work's staged events until that commit ends,
    so the suspension must wait for it (found in review: it did not, and the claim was never held)."""
    import threading
    import time

    from ledger.commands.values import RecordAssessment
    from tests.integration.test_group_commit import claim_command
    from tests.support.commands import Scripted
    from writer import library_internals
    from writer.group_commit import GroupCommitWriter

    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    app = world.app
    world.advance(days=1)
    claim = claim_command(world, voucher, provider, 1_000_000)
    world.advance(days=2)
    by = world.by("assessor:cnitsec")
    real_save = library_internals.save_without_checks
    claim_committing, suspension_started = threading.Event(), threading.Event()

    def slow_first_commit(*args, **kwargs):
        if not claim_committing.is_set():
            claim_committing.set()
            assert suspension_started.wait(10)
            time.sleep(0.3)  # the suspension reads the claim's history meanwhile: it must wait for this commit
        return real_save(*args, **kwargs)

    spot_check = RecordAssessment(provider_id=provider, area="DATA", kind="SPOT_CHECK", passed=False,
                                  assessor="CNITSEC", report_ref="R-GC", effective_at=world.now - timedelta(days=3))

    def suspend(ledger, by):
        suspension_started.set()
        return ledger.handle(spot_check, by)

    library_internals.save_without_checks = slow_first_commit
    try:
        with GroupCommitWriter(app) as writer:
            receipt = writer.submit(*claim)
            assert claim_committing.wait(10)
            assert writer.execute(Scripted(suspend), by, timeout=10) == "SUSPENDED"
            claim_id = receipt.result(10).claim_id
    finally:
        library_internals.save_without_checks = real_save
    assert set(flags(world, voucher)) == {claim_id}
