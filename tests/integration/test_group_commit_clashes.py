"""The group-commit writer when its commits clash with another writer (another API process): the commands are decided
again from the store inside the writer, a bounded number of times, before a caller is told CONCURRENT_UPDATE — and
that refusal is transient: a retry with the same Idempotency-Key runs the command."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from ledger.answered_requests import Replayed
from ledger.commands.values import SubmitClaim
from ledger.errors import ConcurrentUpdateError
from tests.support.assertions import last_event_id
from writer import library_internals
from writer.answered_once import IdempotencyKey
from writer.group_commit import GroupCommitWriter

ATTEMPTS = 3


@pytest.fixture
def ready(world):
    world.app.max_attempts = ATTEMPTS
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    return voucher, platform


def claim(world, voucher, platform, fee=1_000_001):
    return SubmitClaim(voucher_id=voucher, claim_id=uuid4(), provider_id=platform,
                       evidence=world.evidence(contract_amount_fen=fee), fee_category="APPLICATION_SERVICE",
                       eligible_fee_fen=fee)


def clashing(monkeypatch, times: int) -> list[int]:
    """The next ``times`` commits clash (as when another writer committed to the same records first): nothing is
    written. Returns a list that counts the commits tried."""
    real, tried = library_internals.save_without_checks, []

    def save(*args, **kwargs):
        tried.append(1)
        if len(tried) <= times:
            raise IntegrityError("duplicate key value violates unique constraint (another writer was first)")
        return real(*args, **kwargs)

    monkeypatch.setattr(library_internals, "save_without_checks", save)
    return tried


def attempts_before_giving_up(app) -> int:
    """Commits a command gets once its batch clashed: all sent back together under the writer lock where the store
    has one (PostgreSQL), then each alone ``max_attempts`` times."""
    return (1 if hasattr(app.recorder, "exclusively") else 0) + ATTEMPTS


def test_a_clash_is_decided_again_inside_the_writer_and_the_caller_never_sees_it(world, ready, monkeypatch):
    voucher, platform = ready
    before = last_event_id(world.app)
    tried = clashing(monkeypatch, times=attempts_before_giving_up(world.app))  # every attempt but the last clashes
    with GroupCommitWriter(world.app) as writer:
        receipt = writer.execute(claim(world, voucher, platform), world.by("enterprise"),
                                 key=IdempotencyKey("province|ops", "clashed", "request-1"))
    assert not isinstance(receipt, Replayed)
    assert receipt.amount_fen == 500_000  # 0.50 × 1,000,001 fen, rounded down
    assert len(tried) == 1 + attempts_before_giving_up(world.app)
    assert world.app.voucher(voucher).held_fen == 500_000
    # Once: claimed, quota used, invoice key, contract key, and the key's answer.
    assert len(world.app.recorder.select_notifications(before + 1, 1_000)) == 5


def test_after_too_many_clashes_the_refusal_is_transient_and_a_retry_with_the_key_runs_the_command(
        world, ready, monkeypatch):
    voucher, platform = ready
    command, key = claim(world, voucher, platform), IdempotencyKey("province|ops", "retried", "request-1")
    before = last_event_id(world.app)
    clashing(monkeypatch, times=1 + attempts_before_giving_up(world.app))
    with GroupCommitWriter(world.app) as writer:
        with pytest.raises(ConcurrentUpdateError):
            writer.execute(command, world.by("enterprise"), key=key)
        assert last_event_id(world.app) == before  # neither the claim nor an answer under the key
        receipt = writer.execute(command, world.by("enterprise"), key=key)  # the same request again
        again = writer.execute(command, world.by("enterprise"), key=key)
    assert not isinstance(receipt, Replayed) and receipt.amount_fen == 500_000
    assert isinstance(again, Replayed) and again.value == receipt
    assert world.app.voucher(voucher).held_fen == 500_000


def test_commands_sent_back_together_keep_their_exact_answers(world, ready, monkeypatch):
    """A clashed batch is decided again with every check on: a duplicate inside it is still refused exactly."""
    voucher, platform = ready
    clashing(monkeypatch, times=1)
    twin = claim(world, voucher, platform)
    duplicate = SubmitClaim(voucher_id=voucher, claim_id=uuid4(), provider_id=platform, evidence=twin.evidence,
                            fee_category=twin.fee_category, eligible_fee_fen=twin.eligible_fee_fen)
    writer = GroupCommitWriter(world.app)
    futures = [writer.submit(c, world.by("enterprise")) for c in (twin, claim(world, voucher, platform, 2_000_001),
                                                                   duplicate)]
    with writer:  # queued before it started: one batch, which clashes
        outcomes = [f.exception() or f.result() for f in futures]
    assert [getattr(o, "code", None) for o in outcomes] == [None, None, "DUPLICATE_CLAIM"]
    assert [outcomes[0].amount_fen, outcomes[1].amount_fen] == [500_000, 1_000_000]  # 0.50 × fee, rounded down
    assert world.app.voucher(voucher).held_fen == 1_500_000
