"""Deciding many commands in memory and committing them together changes nothing about what is recorded.

Cross-checked by running one deterministic scenario two ways — command by command, and inside a unit of work that
commits every few commands — and comparing the stored events byte for byte.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid5

import pytest
from eventsourcing.persistence import RecordConflictError

from ledger.stored_names import SET_UP_TOPICS
from store.opening import open_ledger
from ledger.errors import LedgerError
from tests.support.scenario import FOSHAN, World
from writer.unit_of_work_scope import unit_of_work

NS = UUID("3b0b8c33-95c4-4c4e-9a39-8f6c2f3a2d10")


def second_store(settings, tmp_path):
    """Another, empty store of the same kind."""
    if settings.store == "sqlite":
        return settings.model_copy(update={"sqlite_path": tmp_path / "second.sqlite3"})
    return settings.model_copy(update={"postgres_schema": settings.postgres_schema + "_b"})


def scenario(app, step):
    """Set-up, issuance, claims (one refused in the middle), approval, payment, reversal; ``step`` runs each command."""
    world = World(app=app, now=datetime(2019, 3, 1, 1, 0, tzinfo=UTC))
    step(lambda: world.setup_year(2019))
    factory = step(lambda: world.eligible_enterprise(city=FOSHAN))
    platform = step(lambda: world.provider())
    voucher = step(lambda: world.issue(factory, "APP-ERP")).voucher_id
    receipts = []
    for n, fee in enumerate((4_000_001, 99_999_999, 3_000_000)):
        world.now += timedelta(days=3)
        evidence = world.evidence(contract_amount_fen=fee, contract_no=f"HT-{n}")
        try:
            receipts.append(step(lambda e=evidence, f=fee, n=n: world.claim(
                voucher, platform, eligible_fee_fen=f, evidence=e, claim_id=uuid5(NS, f"claim-{n}"))))
        except LedgerError:
            pass
        if n == 1:  # the same contract and invoice again: refused, and must not sink the rest
            with pytest.raises(LedgerError):
                step(lambda e=evidence: world.claim(voucher, platform, eligible_fee_fen=100, evidence=e,
                                                    claim_id=uuid5(NS, "dup")))
    for r in receipts:
        step(lambda r=r: app.approve_claim(world.by(), voucher_id=voucher, claim_id=r.claim_id))
    batch = uuid5(NS, "batch")
    step(lambda: app.open_batch(world.by(), batch_id=batch, provider_id=platform, period="2019-04"))
    for r in receipts:
        step(lambda r=r: app.add_to_batch(world.by(), batch_id=batch, voucher_id=voucher, claim_id=r.claim_id))
    step(lambda: app.pay_batch(world.by(), batch_id=batch, effective_at=world.now))
    step(lambda: app.reverse_claim(world.by(), voucher_id=voucher, claim_id=receipts[0].claim_id, reason="forged",
                                   effective_at=world.now))
    return voucher


def stored(app):
    """What the scenario recorded: each store's set-up (its programme, recorded when it was opened) aside."""
    return [(n.originator_id, n.originator_version, n.topic, n.state) for n in app.recorder.select_notifications(1, 10_000)
            if n.topic not in SET_UP_TOPICS]


def test_a_unit_of_work_records_exactly_what_one_command_at_a_time_records(store_settings, tmp_path):
    direct, batched = open_ledger(store_settings), open_ledger(second_store(store_settings, tmp_path))
    try:
        scenario(direct, lambda command: command())
        with unit_of_work(batched) as uow:
            def step(command):
                result = uow.run(command)
                if uow.commands_since_flush >= 4:
                    uow.flush()
                return result
            scenario(batched, step)
        # year set-up 5 + enterprise 3 + provider 4 + issuance 2 + 2 claims × 4 (claimed, quota used, invoice key,
        # contract key) + 2 approvals + batch opened 1 + 2 × (added, batched) + paid 1 + 2 settled + reversal 2
        # (reversed, recovery raised) = 34
        assert len(stored(direct)) == 34
        assert stored(batched) == stored(direct)
    finally:
        direct.close()
        batched.close()


def test_nothing_is_written_until_the_flush(world):
    app = world.app
    before = app.recorder.max_notification_id()
    with unit_of_work(app) as uow:
        uow.run(lambda: world.eligible_enterprise())
        assert app.recorder.max_notification_id() == before
        assert uow.pending_event_count == 3  # registered, eligibility decided, network discount granted
    assert app.recorder.max_notification_id() == before + 3


def test_a_command_that_fails_after_recording_leaves_no_trace(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    receipt = world.claim(voucher, world.provider(), eligible_fee_fen=1_000_000)
    before = app.recorder.max_notification_id()

    def approve_then_fail():
        app.approve_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id)
        raise RuntimeError("the reviewer's session dropped")

    with unit_of_work(app) as uow:
        with pytest.raises(RuntimeError):
            uow.run(approve_then_fail)
        assert app.voucher(voucher).claim(receipt.claim_id).status == "CLAIMED"  # the in-memory state is restored
        uow.run(lambda: app.approve_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id))
    assert app.recorder.max_notification_id() == before + 1  # only the second approval
    assert app.voucher(voucher).claim(receipt.claim_id).status == "APPROVED"


def test_a_flush_the_store_refuses_commits_nothing(world, store_settings):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    other_writer = open_ledger(store_settings)
    try:
        with pytest.raises(RecordConflictError):
            with unit_of_work(app) as uow:
                uow.run(lambda: world.claim(voucher, platform, eligible_fee_fen=1_000_000))
                world.now += timedelta(minutes=1)
                # Meanwhile another process claims on the same voucher and commits first.
                other = World(app=other_writer, now=world.now, _serial=world._serial)
                other.claim(voucher, platform, eligible_fee_fen=2_000_000)
                after_other = app.recorder.max_notification_id()
        assert app.recorder.max_notification_id() == after_other
        assert app.voucher(voucher).held_fen == 1_000_000  # only the other writer's claim: 0.50 × 2,000,000
    finally:
        other_writer.close()
