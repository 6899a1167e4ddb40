"""Group commit: one writer thread decides concurrent callers' commands in memory and commits them in batches.

Every writer of an event store serialises on its lock (PostgreSQL: an EXCLUSIVE lock on the events table per insert
transaction), so committing one command per transaction caps commands/s below the store's single-row commit rate.
Here callers put command values (``ledger/commands/values.py``), each with its ``By``, on a queue; the writer takes what is waiting, decides each against aggregates kept in
memory by a long-lived unit of work, and a committer thread commits whatever has been decided in one transaction,
answering each caller only then — as TigerBeetle batches transfers. A refused command wrote nothing and does not
sink its batch.

Two threads share the unit of work, under one lock: the *writer* decides (commands run only there: the unit of work
serves that thread only, writer/unit_of_work_scope.py) and the *committer* seals and commits. While one batch commits,
the writer goes on deciding the commands that arrive, on top of it; the moment the commit ends, the committer seals
what was decided meanwhile and starts committing it, with no hand-over to another thread in between (that hand-over, and
encoding the batch after the commit before had ended, took a third of the time between commits: bench/README.md,
"Group commit"). So a batch is whatever was decided during the previous commit, as PostgreSQL groups WAL flushes.

Creations are checked optimistically: the writer does not ask the store whether a new claim key or voucher id is
taken; the store's unique (id, version) index refuses a duplicate at commit, nothing is written, and the batch is
decided again with every check on — so each caller still gets its exact answer (the duplicate gets DUPLICATE_CLAIM,
the others succeed). The same happens if another writer (another API process) changed a cached aggregate: the batch is
decided again from the store, under the store's writer lock where it has one, so that callers do not see
CONCURRENT_UPDATE for it (writer/decided_again.py). Any other failed commit
(the database is down) fails exactly the commands in that batch. Either way the in-memory state is dropped, and the
commands decided on top of the failed batch (on state that never was) are decided again from the store.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Self
from uuid import UUID

from eventsourcing.persistence import RecordConflictError

from ledger.application import VoucherLedger
from ledger.commands.values import Command
from ledger.recording import By
from writer import decided_again, library_internals
from writer.answered_once import IdempotencyKey, decide_once
from writer.unit_of_work import UnitOfWork
from writer.unit_of_work_scope import unit_of_work

_STOP = object()
_REDO = object()  # put by the committer to wake the writer: commands wait in _redo_pending


@dataclass(frozen=True)
class Order:
    """A command as submitted: the value, who asked for it when (the caller's clock, read before it queued), and the
    caller's idempotency key, if any (its answer is then recorded in the same batch: writer/answered_once.py)."""

    command: Command
    by: By
    key: IdempotencyKey | None = None

    @property
    def reads(self) -> tuple[UUID, ...]:
        # Not the key's answer: almost every key is new, and reading it cost each batch a round trip that found
        # nothing (bench/README.md, "Where a claim's CPU goes"). A key answered before is found at commit instead:
        # its answer's id is taken, the store's unique index refuses the batch, and the batch is decided again
        # with every check on, which replays the answer (optimistic creations, in the module docstring).
        return self.command.reads


Submitted = tuple[Future[Any], Order]
Outcome = tuple[Future[Any], Order, Any, BaseException | None]  # future, order, result, error


class GroupCommitWriter:
    def __init__(self, app: VoucherLedger, *, max_batch: int = 64, cache_size: int = 100_000) -> None:
        self.app, self.max_batch, self.cache_size = app, max_batch, cache_size
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0  # committed batches, and the commands they carried: for benchmarks and monitoring
        self.commands = 0
        self.events = 0  # events those batches appended
        # Told (commands, events, seconds) of each batch the committer commits: the service's metrics.
        self.on_commit: Callable[[int, int, float], None] | None = None
        # Guards the unit of work and everything below; the writer holds it while it decides, the committer while
        # it seals. Conditions: something decided (committer), room to decide (writer), committer idle (writer).
        self._lock = threading.Lock()
        self._decided_cv, self._room_cv, self._idle_cv = (threading.Condition(self._lock) for _ in range(3))
        self._decided: list[Outcome] = []  # decided and staged, not yet sealed
        self._redo_pending: list[tuple[Future[Any], Order]] = []  # to decide again, before anything new
        self._committing = False
        self._closed = False
        self._broken: BaseException | None = None  # why a thread of this writer died: callers are told, not left

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> Self:
        if self._thread is None:
            self._closed, self._broken = False, None
            self._thread = threading.Thread(target=self._run, name="group-commit-writer", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Finish every command already submitted, then stop."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def submit(self, command: Command, by: By, key: IdempotencyKey | None = None) -> Future[Any]:
        """Queue a command value, decided as ``by``; its future resolves after the batch it joins has committed,
        with the command's result or its error. Commands queued before ``start()`` wait.

        The aggregates the command says it reads (``command.reads``) are loaded, for all the commands the writer takes
        at once, in one read (``library_internals.load_many``) instead of each command reading its own. With ``key``,
        a key already answered replays its answer, and a new answer is committed with the command's events."""
        return self.submit_all([(command, by, key)])[0]

    def submit_all(self, orders: list[tuple[Command, By, IdempotencyKey | None]]) -> list[Future[Any]]:
        """:meth:`submit` for several commands at once, queued in this order with one hand-over to the writer
        thread (each hand-over wakes it: the event loop submits what its requests sent in one turn together)."""
        if self._broken is not None:
            raise RuntimeError("the group-commit writer has stopped after an internal error") from self._broken
        submitted: list[Submitted] = []
        for command, by, key in orders:
            if not isinstance(command, Command) or not isinstance(by, By):
                raise TypeError("submit(command, by) takes a command value (ledger.commands.values) and a By")
            submitted.append((Future(), Order(command, by, key)))
        self._queue.put(submitted)
        return [future for future, _ in submitted]

    def execute(self, command: Command, by: By, timeout: float | None = None, *,
                key: IdempotencyKey | None = None) -> Any:
        if self._thread is None:
            raise RuntimeError("the writer is not running: call start() or use it as a context manager")
        return self.submit(command, by, key).result(timeout)

    # -- the writer thread: decides ---------------------------------------------------------------------------------
    def _run(self) -> None:
        with unit_of_work(self.app, cache_size=self.cache_size) as uow:
            committer = threading.Thread(target=self._commit_loop, args=(uow,), name="group-commit-committer",
                                         daemon=True)
            committer.start()
            taken: list[Submitted] = []
            try:
                stopping = False
                while True:
                    if stopping:  # finish: wait for the committer, then for anything it sent back
                        with self._lock:
                            self._redo_if_any(uow)
                            while (self._decided or self._committing) and self._broken is None:
                                self._idle_cv.wait()
                            if self._redo_pending:
                                continue
                        item = self._next_waiting()
                        if item is None:
                            break
                    else:
                        item = self._queue.get()
                    taken, stop = self._take(item)
                    stopping = stopping or stop
                    self._decide_all(uow, taken)
                    taken = []
            except BaseException as error:  # a bug, not a refusal: tell every waiting caller rather than hang them
                self._break(error, list(taken))
                raise
            finally:
                with self._lock:
                    self._closed = True
                    self._decided_cv.notify()
                committer.join()

    def _next_waiting(self) -> Any:
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    def _take(self, item: Any) -> tuple[list[Submitted], bool]:
        """``item`` and whatever else is waiting, up to ``max_batch`` commands; and whether a stop was among them."""
        taken: list[Submitted] = []
        stopping = False
        while item is not None:
            if item is _STOP:
                stopping = True  # what was queued before it is still taken
            elif item is not _REDO:
                taken.extend(item)  # submitted together: taken together, even past max_batch
            item = self._next_waiting() if len(taken) < self.max_batch else None
        return taken, stopping

    def _decide_all(self, uow: UnitOfWork, taken: list[Submitted]) -> None:
        """Decide the commands taken together, after loading in one read the aggregates they said they would read;
        they are handed to the committer together, so that commands that arrived together commit together."""
        reads = [aggregate_id for _, order in taken for aggregate_id in order.reads]
        loaded: list[Any] = []
        if reads:
            with self._lock:
                wanted = uow.uncached(reads)
            try:
                # The lock is not held while reading.
                loaded = library_internals.load_many(self.app, wanted) if wanted else []
            except Exception:  # noqa: BLE001 - only a hint: each command loads what it needs and meets the error itself
                loaded = []
        with self._lock:
            self._redo_if_any(uow)  # commands sent back by a failed commit were submitted before these: first
            if not taken:
                return
            while len(self._decided) >= self.max_batch:
                self._room_cv.wait()
            uow.adopt(loaded)
            uow.optimistic_creates = True  # fast path: the store's unique index checks creations at commit
            for future, order in taken:
                if future.set_running_or_notify_cancel():
                    self._decided.append((future, order, *self._decide(uow, order)))
            self._decided_cv.notify()

    def _decide(self, uow: UnitOfWork, order: Order) -> tuple[Any, BaseException | None]:
        try:
            if order.key is not None:
                return decide_once(self.app, uow, order.command, order.by, order.key), None
            return uow.run(lambda: self.app.handle(order.command, order.by)), None
        except Exception as error:  # refused (LedgerError) or failed: it wrote nothing (the uow undid it)
            return None, error

    def _redo_if_any(self, uow: UnitOfWork) -> None:
        """With the lock held, once the committer is idle (nothing else may be staged in the unit of work): decide
        the commands the committer sent back again, with every check on — together under the store's writer lock
        where it offers one, else each alone, committing each before the next."""
        while self._redo_pending:
            while (self._decided or self._committing) and self._broken is None:
                self._idle_cv.wait()
            redo, self._redo_pending = self._redo_pending, []
            uow.optimistic_creates = False
            if self._together_exclusively(uow, redo):
                continue
            for future, order in redo:
                self._one_at_a_time(uow, future, order)

    def _together_exclusively(self, uow: UnitOfWork, redo: list[tuple[Future[Any], Order]]) -> bool:
        decided = decided_again.together_exclusively(self.app, uow, redo, self._decide)
        if decided is None:
            return False
        if isinstance(decided, BaseException):  # the store failed: these commands fail with it
            for future, _ in redo:
                future.set_exception(decided)
            return True
        self.batches += 1
        self.commands += len(decided)
        self._answer(decided)
        return True

    def _one_at_a_time(self, uow: UnitOfWork, future: Future[Any], order: Order) -> None:
        result, error, committed = decided_again.alone(self.app, uow, order, self._decide)
        if committed:
            self.batches += 1
            self.commands += 1
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    # -- the committer thread: seals what was decided, commits it, answers its callers -------------------------------
    def _commit_loop(self, uow: UnitOfWork) -> None:
        answer: list[Outcome] = []  # the batch just committed: its callers are answered once the next is sealed
        outcomes: list[Outcome] = []
        try:
            committed = (0, 0.0)  # events and seconds of the batch in ``answer``
            while True:
                with self._lock:
                    if answer:
                        self.batches += 1
                        self.commands += len(answer)
                        self._observe(len(answer), *committed)
                    elif not self._decided:
                        self._committing = False
                        self._idle_cv.notify_all()
                        while not self._decided and not self._closed:
                            self._decided_cv.wait()
                    outcomes, self._decided = self._decided, []
                    batch = uow.seal() if outcomes else None
                    done: Future[None] = Future()
                    if batch is not None:
                        uow.track_commit(done)  # a command that reads raw history waits for this commit
                    self._committing = batch is not None
                    if batch is None:
                        self._idle_cv.notify_all()
                    self._room_cv.notify()
                    finished = batch is None and self._closed
                # Answered after sealing the next batch, not before: woken callers would take the GIL from sealing.
                self._answer(answer)
                answer = []
                if finished:
                    return
                if batch is None:
                    continue
                started = time.perf_counter()
                try:
                    batch.commit(self.app)
                except Exception as error:  # noqa: BLE001 - every command of the batch gets an answer in _failed
                    done.set_exception(error)
                    self._failed(uow, outcomes, error)
                else:
                    done.set_result(None)
                    answer, committed = outcomes, (len(batch.events), time.perf_counter() - started)
                outcomes = []
        except BaseException as error:  # a bug, not a failed commit: tell every waiting caller rather than hang them
            self._answer(answer)  # committed
            self._break(error, [(f, o) for f, o, _, _ in outcomes])
            raise

    def _observe(self, commands: int, events: int, seconds: float) -> None:
        self.events += events
        if self.on_commit is not None:
            self.on_commit(commands, events, seconds)

    @staticmethod
    def _answer(outcomes: list[Outcome]) -> None:
        for future, _, result, error in outcomes:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _failed(self, uow: UnitOfWork, outcomes: list[Outcome], error: Exception) -> None:
        """Nothing of the batch was committed. Drop the in-memory state and send back to the writer the commands to
        decide again: those decided on top of this batch, and, if it clashed on a record (a duplicate creation, or
        another writer), the batch's own — each will get its exact answer. Otherwise (the database failed) the
        batch's commands fail with that error."""
        with self._lock:
            uow.discard()
            on_top, self._decided = self._decided, []
            if isinstance(error, RecordConflictError):
                redo = [*outcomes, *on_top]
            else:
                redo = on_top
                for future, _, _, _ in outcomes:
                    future.set_exception(error)
            if redo:
                # Before anything the writer has not decided yet: these were submitted first.
                self._redo_pending = [(future, order) for future, order, _, _ in redo] + self._redo_pending
                self._queue.put(_REDO)
            self._committing = False
            self._idle_cv.notify_all()
            self._room_cv.notify()

    def _break(self, error: BaseException, unanswered: list[tuple[Future[Any], Order]]) -> None:
        """A thread of the writer is dying of ``error`` (a bug): fail every command not yet answered, refuse new ones,
        and wake the other thread so that nothing waits for ever."""
        with self._lock:
            self._broken = error
            pending = unanswered + [(f, o) for f, o, _, _ in self._decided] + self._redo_pending
            self._decided, self._redo_pending = [], []
            self._committing, self._closed = False, True
            for condition in (self._decided_cv, self._room_cv, self._idle_cv):
                condition.notify_all()
        while (item := self._next_waiting()) is not None:
            if isinstance(item, list):
                pending.extend(item)
        for future, _ in pending:
            if not future.done():
                with suppress(Exception):  # a future may have been answered or cancelled meanwhile
                    future.set_exception(RuntimeError(f"the group-commit writer stopped: {error!r}"))
