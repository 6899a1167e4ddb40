"""At most once per idempotency key: the answer is recorded in the same transaction as the command's events.

``decide_once`` runs inside a unit of work (the group-commit writer's, or one opened for this command alone by
``answer_once``). A key already answered replays its answer; otherwise the command is decided and an
``AnsweredRequest`` holding the key, the request's fingerprint and the result is staged beside the command's events,
so both commit together or neither does. A refusal by the rules is recorded the same way (a repeat gets the same
refusal); a transient one is not, so a retry with the same key runs the command again.

Two first requests with one key (two API processes, or two threads without the writer) both stage an
``AnsweredRequest`` with the same id; the store's unique index lets one commit, and the other is decided again and
finds the answer to replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.answered_requests import AnsweredRequest, Replayed
from ledger.application import VoucherLedger
from ledger.commands.values import Command
from ledger.errors import ConcurrentUpdateError, LedgerError, NotFoundError
from ledger.recording import By
from writer.decided_again import alone
from writer.unit_of_work import UnitOfWork
from writer.unit_of_work_scope import unit_of_work


@dataclass(frozen=True)
class IdempotencyKey:
    scope: str  # whose key: the caller's role and subject, so that two callers' keys never meet
    key: str
    fingerprint: str  # a hash of the request: the same key with another request is refused

    @property
    def request_id(self) -> UUID:
        return ids.answered_request_id(self.scope, self.key)


def is_final(refusal: LedgerError) -> bool:
    """A refusal worth replaying: the rules' answer, not the store's momentary state."""
    return refusal.kind != "unavailable" and not isinstance(refusal, ConcurrentUpdateError)


def decide_once(app: VoucherLedger, uow: UnitOfWork, command: Command, by: By, key: IdempotencyKey) -> Any:
    """Within ``uow`` (active for this thread): replay the key's answer, or decide the command and stage its answer."""
    request_id = key.request_id
    if app._exists(request_id):  # noqa: SLF001 - the writer layer decides with the application's loading
        answered = app._load(request_id, AnsweredRequest, NotFoundError, "answered request")  # noqa: SLF001
        return answered.replay(key.fingerprint)

    def decided_and_answered() -> Any:
        result = app.handle(command, by)
        app._save(AnsweredRequest.answered(by, request_id=request_id, fingerprint=key.fingerprint, result=result))  # noqa: SLF001
        return result

    try:
        return uow.run(decided_and_answered)
    except LedgerError as refusal:
        if is_final(refusal):
            uow.run(lambda final=refusal: app._save(AnsweredRequest.refused(  # noqa: SLF001
                by, request_id=request_id, fingerprint=key.fingerprint, refusal=final)))
        raise


def answer_once(app: VoucherLedger, command: Command, by: By, key: IdempotencyKey) -> Any:
    """Without a group-commit writer: one unit of work for this command and its answer, committed in one
    transaction; after a clash (another first request with the key, or another writer) decided again from the store,
    as the writer decides a clashed command (``writer.decided_again.alone``)."""

    def decide(uow: UnitOfWork, _: object) -> tuple[Any, BaseException | None]:
        try:
            return decide_once(app, uow, command, by, key), None
        except LedgerError as refusal:  # a final one was staged as the key's answer: it commits all the same
            return None, refusal

    with unit_of_work(app) as uow:
        result, error, _ = alone(app, uow, None, decide)
    if error is not None:
        raise error
    return result


# An operation that commits on its own and is idempotent by itself (a bulk import: a file's rows are recorded once,
# by the file's SHA-256, ``ledger/provenance.py``) keeps its answer under the key after it, in a transaction of its
# own. A crash between the two leaves the key unanswered; the operation run again under it changes nothing and is
# answered for what it finds (the file already imported).
def earlier_answer(app: VoucherLedger, key: IdempotencyKey) -> Replayed | None:
    """The answer kept under the key, None if it has none; another request under it is refused
    (``IDEMPOTENCY_KEY_REUSED``)."""
    answered = app._find(key.request_id, AnsweredRequest)  # noqa: SLF001 - the writer layer reads as the ledger does
    return None if answered is None else answered.replay(key.fingerprint)


def keep_answer(app: VoucherLedger, key: IdempotencyKey, by: By, answer: Any) -> Replayed | None:
    """Keep ``answer`` (plain data) under the key; if another request under the key was answered first, that answer
    (or ``IDEMPOTENCY_KEY_REUSED``) instead."""

    def keep() -> Replayed | None:
        earlier = earlier_answer(app, key)
        if earlier is None:
            app._save(AnsweredRequest.answered(  # noqa: SLF001
                by, request_id=key.request_id, fingerprint=key.fingerprint, result=answer))
        return earlier

    return app._run(keep)  # noqa: SLF001 - a clash with another first answer is decided again: it replays that one
