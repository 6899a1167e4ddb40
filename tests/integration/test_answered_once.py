"""Idempotency keys in the command's transaction (writer/answered_once.py): a key is absent or answered, never half
done; a repeat replays the answer; another request under the key is refused; transient refusals are not kept."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest
from psycopg import OperationalError

from ledger.answered_requests import AnsweredRequest, Replayed
from ledger.commands.values import SubmitClaim
from ledger.errors import ConcurrentUpdateError, DuplicateClaimError, IdempotencyKeyReusedError
from ledger.money import YUAN
from tests.support.assertions import last_event_id
from tests.support.commands import Scripted
from writer import answered_once, library_internals
from writer.answered_once import IdempotencyKey, answer_once, earlier_answer, keep_answer
from writer.group_commit import GroupCommitWriter


def key(name: str, fingerprint: str = "request-1") -> IdempotencyKey:
    return IdempotencyKey(scope="province|ops", key=name, fingerprint=fingerprint)


def claim(world, voucher, platform, fee=1_000_000, **evidence):
    return SubmitClaim(voucher_id=voucher, claim_id=uuid4(), provider_id=platform,
                       evidence=world.evidence(contract_amount_fen=fee, **evidence),
                       fee_category="APPLICATION_SERVICE", eligible_fee_fen=fee)


@pytest.fixture
def ready(world):
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    return voucher, platform


@pytest.mark.parametrize("through", ["writer", "alone"])
def test_the_answer_commits_with_the_command_and_a_repeat_replays_it(world, ready, through):
    voucher, platform = ready
    command, by = claim(world, voucher, platform), world.by("enterprise")
    before = last_event_id(world.app)

    def send(k):
        if through == "alone":
            return answer_once(world.app, command, by, k)
        with GroupCommitWriter(world.app) as writer:
            return writer.execute(command, by, key=k)

    first = send(key("k1"))
    # 0.50 × 1,000,000 = 500,000 fen off the 100,000 RMB face value.
    assert first.balance_after_fen == 100_000 * YUAN - 500_000
    # Claimed, quota used, invoice key, contract key, and the answer: one transaction, five events.
    assert last_event_id(world.app) == before + 5
    again = send(key("k1"))
    assert isinstance(again, Replayed) and again.value == first
    assert last_event_id(world.app) == before + 5
    with pytest.raises(IdempotencyKeyReusedError):
        send(key("k1", fingerprint="another request"))


def test_a_refusal_is_kept_and_replayed_but_a_transient_one_is_not(world, ready):
    voucher, platform = ready
    world.app.handle(claim(world, voucher, platform, contract_no="HT-1", invoice_nos=("I-1",)), world.by())
    duplicate = claim(world, voucher, platform, contract_no="HT-1", invoice_nos=("I-1",))
    with pytest.raises(DuplicateClaimError):
        answer_once(world.app, duplicate, world.by(), key("dup"))
    with pytest.raises(DuplicateClaimError) as replayed:
        answer_once(world.app, duplicate, world.by(), key("dup"))
    assert replayed.value.replayed

    def conflicted(ledger, by):
        raise ConcurrentUpdateError("met a concurrent change too often")

    before = last_event_id(world.app)
    with pytest.raises(ConcurrentUpdateError):
        answer_once(world.app, Scripted(conflicted), world.by(), key("busy"))
    assert last_event_id(world.app) == before  # nothing kept under the key
    receipt = answer_once(world.app, claim(world, voucher, platform), world.by(), key("busy"))
    assert not isinstance(receipt, Replayed) and receipt.amount_fen == 500_000


def test_a_failed_commit_keeps_neither_the_command_nor_its_answer(world, ready, monkeypatch):
    voucher, platform = ready
    command = claim(world, voucher, platform)
    before = last_event_id(world.app)
    real = library_internals.save_without_checks
    failing = [True]

    def save(*args, **kwargs):
        if failing.pop() if failing else False:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(library_internals, "save_without_checks", save)
    with GroupCommitWriter(world.app) as writer:
        with pytest.raises(OperationalError):
            writer.execute(command, world.by(), key=key("cut"))
        assert last_event_id(world.app) == before  # absent, not "in progress"
        receipt = writer.execute(command, world.by(), key=key("cut"))  # the retry runs the command
    assert not isinstance(receipt, Replayed) and receipt.amount_fen == 500_000
    assert world.app.voucher(voucher).held_fen == 500_000


def test_concurrent_first_requests_with_one_key_have_one_effect(world, ready):
    """Without the writer each request runs in its own unit of work: both stage the key's answer, the store's unique
    index lets one commit, and the other is decided again and replays it."""
    voucher, platform = ready
    command = claim(world, voucher, platform)
    barrier, outcomes = threading.Barrier(6), []

    def send():
        barrier.wait()
        outcomes.append(answer_once(world.app, command, world.by("enterprise"), key("race")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fresh = [o for o in outcomes if not isinstance(o, Replayed)]
    assert len(outcomes) == 6 and len(fresh) == 1
    assert all(o.value == fresh[0] for o in outcomes if isinstance(o, Replayed))
    assert world.app.voucher(voucher).held_fen == 500_000
    answered = world.app.repository.get(key("race").request_id)
    assert isinstance(answered, AnsweredRequest)


def test_an_answer_kept_after_its_own_commit_is_replayed_and_the_first_kept_wins(world, monkeypatch):
    """An operation idempotent by itself (a bulk import) keeps its answer under the key after it commits
    (keep_answer): a later request under the key gets that answer, another request is refused, and of two answers
    kept under one key the first stays."""
    app, by = world.app, world.by()
    first = {"status": 200, "body": {"written": 3, "errors": []}}
    assert earlier_answer(app, key("imp-1")) is None
    assert keep_answer(app, key("imp-1"), by, first) is None
    assert earlier_answer(app, key("imp-1")) == Replayed({"status": 200, "body": {"written": 3, "errors": ()}})
    assert keep_answer(app, key("imp-1"), by, {"status": 200, "body": {"written": 0}}) == earlier_answer(
        app, key("imp-1"))  # a second first request under the key: the first answer is given back
    with pytest.raises(IdempotencyKeyReusedError):
        earlier_answer(app, key("imp-1", fingerprint="another file"))
    with pytest.raises(IdempotencyKeyReusedError):
        keep_answer(app, key("imp-1", fingerprint="another file"), by, first)
    # Two first requests that both found no answer: the later save meets the store's unique index, is decided again
    # and gives back the answer that committed.
    looked = []
    real = answered_once.earlier_answer

    def not_yet_the_first_time(app, key):
        looked.append(key.key)
        return None if len(looked) == 1 else real(app, key)

    monkeypatch.setattr(answered_once, "earlier_answer", not_yet_the_first_time)
    assert keep_answer(app, key("imp-1"), by, {"status": 200, "body": {"written": 0}}) == real(app, key("imp-1"))
    assert looked == ["imp-1", "imp-1"]
