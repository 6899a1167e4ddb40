"""The group-commit writer: concurrent callers' commands decided in memory and committed together, with each caller
answered only after its batch committed; refusals do not sink a batch; a failed commit fails exactly its commands."""

import threading
from datetime import timedelta
from uuid import uuid4

import pytest

from ledger.commands.values import SubmitClaim
from ledger.errors import LedgerError
from ledger.money import YUAN
from ledger.claims import ClaimStatus
from ledger.voucher import Voucher
from tests.support.assertions import last_event_id
from tests.support.commands import Scripted
from writer import library_internals
from writer.group_commit import GroupCommitWriter
from writer.library_internals import load_many
from writer.unit_of_work_scope import unit_of_work


def claim_command(world, voucher_id, provider_id, fee, category="APPLICATION_SERVICE", **evidence):
    """Prepare a claim in the caller's thread, as a value and its ``By``; the writer decides it."""
    evidence = world.evidence(contract_amount_fen=fee, **evidence)
    return SubmitClaim(voucher_id=voucher_id, claim_id=uuid4(), provider_id=provider_id, evidence=evidence,
                       fee_category=category, eligible_fee_fen=fee), world.by("enterprise")


def test_a_refused_command_does_not_sink_its_batch(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    before = last_event_id(app)
    writer = GroupCommitWriter(app)
    ok_1 = writer.submit(*claim_command(world, voucher, platform, 2_000_000, contract_no="HT-A", invoice_nos=("I-1",)))
    dup = writer.submit(*claim_command(world, voucher, platform, 1_000_000, contract_no="HT-A", invoice_nos=("I-1",)))
    short = writer.submit(*claim_command(world, voucher, platform, 1_000_000, paid_fen=899_999))  # < 90 % paid
    ok_2 = writer.submit(*claim_command(world, voucher, platform, 3_000_001))
    with writer:  # everything was queued before the writer started: one batch
        results = [f.exception() or f.result() for f in (ok_1, dup, short, ok_2)]
    assert writer.batches == 1
    assert [getattr(r, "code", None) for r in results] == [None, "DUPLICATE_CLAIM", "PAYMENT_INSUFFICIENT", None]
    # 0.50 × 2,000,000 = 1,000,000 and 0.50 × 3,000,001 = 1,500,000.5 → 1,500,000 fen held.
    assert [results[0].amount_fen, results[3].amount_fen] == [1_000_000, 1_500_000]
    assert app.voucher(voucher).held_fen == 2_500_000
    assert last_event_id(app) == before + 2 * 4  # two claims × (claimed, quota used, invoice key, contract key)


def test_a_clash_with_another_writer_is_decided_again_from_the_store(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    with GroupCommitWriter(app) as writer:
        writer.execute(*claim_command(world, voucher, platform, 1_000_000))  # the writer now caches the voucher
        # Another writer (outside the group-commit writer) claims on the same voucher and commits first.
        app.claim(world.by("enterprise"), voucher_id=voucher, claim_id=uuid4(), provider_id=platform,
                  evidence=world.evidence(contract_amount_fen=1_000_000), fee_category="APPLICATION_SERVICE",
                  eligible_fee_fen=1_000_000)
        # The writer's cached voucher is stale: its commit clashes, nothing is written, and it re-decides.
        receipt = writer.execute(*claim_command(world, voucher, platform, 1_000_000))
    # Face 100,000 RMB; three claims of 0.50 × 1,000,000 = 500,000 fen each, none lost, none doubled.
    assert receipt.balance_after_fen == 100_000 * YUAN - 3 * 500_000
    assert app.voucher(voucher).held_fen == 3 * 500_000


def test_a_duplicate_of_an_earlier_claim_is_refused_exactly_and_its_batch_commits(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    world.claim(voucher, platform, eligible_fee_fen=1_000_000,
                evidence=world.evidence(contract_amount_fen=1_000_000, contract_no="HT-9", invoice_nos=("I-9",)))
    before = last_event_id(app)
    writer = GroupCommitWriter(app)
    first = writer.submit(*claim_command(world, voucher, platform, 2_000_000))
    again = writer.submit(*claim_command(world, voucher, platform, 1_000_000, contract_no="ht-9 ", invoice_nos=("I-9",)))
    last = writer.submit(*claim_command(world, voucher, platform, 3_000_000))
    with writer:
        assert first.result().amount_fen == 1_000_000  # 0.50 × 2,000,000
        with pytest.raises(LedgerError) as refused:
            again.result()
        assert last.result().amount_fen == 1_500_000  # 0.50 × 3,000,000
    assert refused.value.code == "DUPLICATE_CLAIM"
    # Count what was written (PostgreSQL's notification ids skip the rolled-back first attempt's numbers).
    assert len(app.recorder.select_notifications(before + 1, 1_000)) == 2 * 4  # claimed, quota used, invoice + contract keys


def test_a_commit_the_database_fails_fails_exactly_its_commands(world, monkeypatch):
    from eventsourcing.persistence import OperationalError

    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    before = last_event_id(app)
    real_save, failures = library_internals.save_without_checks, []

    def fail_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(library_internals, "save_without_checks", fail_once)
    writer = GroupCommitWriter(app)
    doomed = [writer.submit(*claim_command(world, voucher, platform, 1_000_000)) for _ in range(3)]
    with writer:
        for future in doomed:
            with pytest.raises(OperationalError):
                future.result()
        assert last_event_id(app) == before  # that batch wrote nothing
        receipt = writer.execute(*claim_command(world, voucher, platform, 1_000_000))
    assert receipt.balance_after_fen == 100_000 * YUAN - 500_000  # only the later claim: 0.50 × 1,000,000


def test_a_batch_decided_while_the_one_before_failed_to_commit_is_decided_again_from_the_store(world, monkeypatch):
    """Batch B is decided while batch A's commit is in flight, on top of A. A's commit fails: A's commands fail, and B
    — decided on state that never was — is decided again from the store and commits on its own."""
    from eventsourcing.persistence import OperationalError

    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    before = last_event_id(app)
    real_save, a_committing, b_decided = library_internals.save_without_checks, threading.Event(), threading.Event()

    def fail_first(*args, **kwargs):
        if not a_committing.is_set():
            a_committing.set()
            assert b_decided.wait(10), "batch B was not decided while A's commit was in flight"
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(*args, **kwargs)

    def deciding_b(prepared):
        command, by = prepared

        def run(ledger, by):
            b_decided.set()
            return ledger.handle(command, by)
        return Scripted(run), by

    monkeypatch.setattr(library_internals, "save_without_checks", fail_first)
    writer = GroupCommitWriter(app)
    batch_a = [writer.submit(*claim_command(world, voucher, platform, 1_000_000)) for _ in range(3)]
    with writer:
        assert a_committing.wait(10)
        batch_b = [writer.submit(*deciding_b(claim_command(world, voucher, platform, 2_000_000))) for _ in range(2)]
        for future in batch_a:
            with pytest.raises(OperationalError):
                future.result(10)
        receipts = [future.result(10) for future in batch_b]
    # Only B's two claims count: 0.50 × 2,000,000 = 1,000,000 fen each, taken from the 100,000 RMB face in turn.
    assert [r.balance_after_fen for r in receipts] == [100_000 * YUAN - 1_000_000, 100_000 * YUAN - 2_000_000]
    assert app.voucher(voucher).held_fen == 2 * 1_000_000
    assert len(app.recorder.select_notifications(before + 1, 1_000)) == 2 * 4  # claimed, quota used, invoice + contract keys


def test_sixteen_concurrent_callers_never_overspend_and_each_answer_matches_the_record(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise(), "NET-RENO").voucher_id  # 40 % up to 3,000,000 fen
    platform = world.provider(quota_fen=2_000_000)
    world.advance(days=5)
    commands = [claim_command(world, voucher, platform, 800_000, "NETWORK_RENOVATION") for _ in range(16)]
    barrier, outcomes = threading.Barrier(16), [None] * 16

    with GroupCommitWriter(app, max_batch=8) as writer:
        def caller(i):
            barrier.wait()
            try:
                outcomes[i] = writer.execute(*commands[i])
            except LedgerError as error:
                outcomes[i] = error

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    receipts = [o for o in outcomes if not isinstance(o, LedgerError)]
    assert {o.code for o in outcomes if isinstance(o, LedgerError)} <= {"PROVIDER_QUOTA_EXHAUSTED"}
    # Each claim holds 0.40 × 800,000 = 320,000 fen. The provider quota of 2,000,000 fen holds six of them
    # (1,920,000; the voucher's 3,000,000 would hold nine); the seventh would pass the quota.
    assert len(receipts) == 6
    claimed = [e for e in app.events.get(voucher) if isinstance(e, Voucher.Claimed)]
    assert sorted(e.claim_id for e in claimed) == sorted(r.claim_id for r in receipts)
    assert app.provider_quota(platform, 2019).used_fen == 6 * 320_000
    assert writer.batches < 16  # callers shared commits


def test_time_moves_on_for_the_writer_too(world):
    """The writer reads no clock: every command's recorded time is the one its caller gave."""
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=40)
    at = world.now
    with GroupCommitWriter(app) as writer:
        writer.execute(*claim_command(world, voucher, platform, 1_000_000))
    last = list(app.events.get(voucher))[-1]
    assert last.timestamp == at and at - timedelta(days=40) < at


def test_read_hints_change_no_answer_right_or_wrong(world):
    """A command's ``reads`` is only a hint: naming the voucher, another voucher, or an id that exists nowhere gives
    the same answers as naming nothing."""
    app = world.app
    platform = world.provider()
    vouchers = [world.issue(world.eligible_enterprise()).voucher_id for _ in range(2)]
    world.advance(days=5)
    hints = [(vouchers[0],), (vouchers[1],), (uuid4(),), ()]
    with GroupCommitWriter(app) as writer:
        receipts = []
        for hint in hints:
            command, by = claim_command(world, vouchers[0], platform, 1_000_000)
            receipts.append(writer.execute(Scripted(lambda ledger, b, c=command: ledger.handle(c, b), hint), by))
    # Each claim holds 0.50 × 1,000,000 = 500,000 fen of the 100,000 RMB face, in turn.
    assert [r.balance_after_fen for r in receipts] == [100_000 * YUAN - k * 500_000 for k in range(1, 5)]
    assert app.voucher(vouchers[1]).held_fen == 0


def test_prefetched_aggregates_are_served_without_reading_the_store_again(world, monkeypatch):
    app = world.app
    vouchers = [world.issue(world.eligible_enterprise()).voucher_id for _ in range(3)]
    expected = {v: app.voucher(v).balance_fen for v in vouchers}
    with unit_of_work(app) as uow:
        uow.adopt(load_many(app, uow.uncached([*vouchers, uuid4()])))  # as the writer does for its read hints

        def no_reads(*_, **__):
            raise AssertionError("read the store again")

        monkeypatch.setattr(app.repository, "get", no_reads)
        assert {v: app.voucher(v).balance_fen for v in vouchers} == expected


def test_a_command_that_fails_after_staging_leaves_no_trace_even_beside_a_commit_in_flight(world, monkeypatch):
    """Batch N (claim 1) is committing; claim 2 on the same voucher is staged; then a command records a rejection of
    claim 1 and fails. Nothing of it may be committed, and what comes after decides on the right state (found in
    review: its undo read the store without batch N and left the rejection staged, and the next claim committed it)."""
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    real_save, n_committing, later_decided = library_internals.save_without_checks, threading.Event(), threading.Event()

    def slow_first(*args, **kwargs):
        if not n_committing.is_set():
            n_committing.set()
            assert later_decided.wait(10)
        return real_save(*args, **kwargs)

    def reject_first_claim_then_fail(ledger, by):
        try:
            claim_1 = next(iter(app.voucher(voucher).claims))  # the writer's voucher: claims 1 and 2
            app.reject_claim(world.by(), voucher_id=voucher, claim_id=claim_1, reason="evidence unreadable")
            raise ValueError("the caller's own code failed after the command")
        finally:
            later_decided.set()

    monkeypatch.setattr(library_internals, "save_without_checks", slow_first)
    with GroupCommitWriter(app) as writer:
        first = writer.submit(*claim_command(world, voucher, platform, 1_000_000))
        assert n_committing.wait(10)
        second = writer.submit(*claim_command(world, voucher, platform, 1_000_000))
        failing = writer.submit(Scripted(reject_first_claim_then_fail), world.by())
        third = writer.submit(*claim_command(world, voucher, platform, 1_000_000))
        claim_1 = first.result(10).claim_id
        with pytest.raises(ValueError):
            failing.result(10)
        receipts = [second.result(10), third.result(10)]
    # Three claims of 0.50 × 1,000,000 = 500,000 fen each, none rejected.
    assert [r.balance_after_fen for r in receipts] == [100_000 * YUAN - 1_000_000, 100_000 * YUAN - 1_500_000]
    voucher_now = app.voucher(voucher)
    assert voucher_now.held_fen == 3 * 500_000
    assert voucher_now.claims[claim_1].status == ClaimStatus.CLAIMED
    assert not any(type(e).__name__ == "ClaimRejected" for e in app.events.get(voucher))
    assert app.provider_quota(platform, 2019).used_fen == 3 * 500_000


def test_a_command_that_stages_and_then_fails_writes_nothing(world):
    """A command that fails after staging its events (here a scripted one) must not have them committed with the next
    batch (found in review)."""
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    before = last_event_id(app)
    command, by = claim_command(world, voucher, platform, 1_000_000)

    def claim_then_fail(ledger, by):
        ledger.handle(command, by)
        raise ValueError("building the answer failed")

    with GroupCommitWriter(app) as writer:
        with pytest.raises(ValueError):
            writer.execute(Scripted(claim_then_fail), by)
        receipt = writer.execute(*claim_command(world, voucher, platform, 2_000_000))
    assert receipt.balance_after_fen == 100_000 * YUAN - 1_000_000  # only the second claim: 0.50 × 2,000,000
    assert len(app.recorder.select_notifications(before + 1, 1_000)) == 4  # claimed, quota used, invoice + contract keys


class _Bug(BaseException):
    """Not an Exception: escapes the writer's handling of refused and failed commands, as a bug would."""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the writer dies of it: expected
def test_a_writer_that_dies_of_a_bug_answers_every_caller_and_refuses_new_commands(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)

    def bug(ledger, by):
        raise _Bug("a bug in the writer")

    writer = GroupCommitWriter(app)
    doomed = writer.submit(Scripted(bug), world.by())
    later = writer.submit(*claim_command(world, voucher, platform, 1_000_000))
    with writer:
        with pytest.raises((RuntimeError, _Bug)):
            doomed.result(10)
        with pytest.raises(RuntimeError):
            later.result(10)  # taken with the bug's batch: failed, not left waiting
        with pytest.raises(RuntimeError):
            writer.execute(*claim_command(world, voucher, platform, 1_000_000), timeout=10)
    assert app.voucher(voucher).held_fen == 0  # nothing of it was committed
