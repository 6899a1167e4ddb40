"""Group commit: one writer thread decides concurrent callers' commands in memory and commits them in batches.

Every writer of an event store serialises on its lock (PostgreSQL: an EXCLUSIVE lock on the events table per insert
transaction), so committing one command per transaction caps commands/s below the store's single-row commit rate.
Here callers put commands on a queue; the writer takes what is waiting (up to ``max_batch``), decides each against
aggregates kept in memory by a long-lived unit of work, commits them all in one transaction, and only then answers
each caller — as TigerBeetle batches transfers. While one batch commits, the next is decided (see ``_run``). A
refused command wrote nothing and does not sink its batch.

Creations are checked optimistically: the writer does not ask the store whether a new claim key or voucher id is
taken; the store's unique (id, version) index refuses a duplicate at commit, nothing is written, and the batch is
decided again one command at a time with every check on — so each caller still gets its exact answer (the duplicate
gets DUPLICATE_CLAIM, the others succeed). The same happens if another writer changed a cached aggregate: the
writer should be the store's only writer, but interference costs time, not correctness. Any other failed commit
(the database is down) fails exactly the commands in that batch, and the in-memory state is reloaded from the store.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any, Self, TypeVar

from eventsourcing.persistence import RecordConflictError

from ledger.commands.base import LedgerApplicationBase
from ledger.errors import ConcurrentUpdateError

T = TypeVar("T")
_STOP = object()
_WAKE = object()  # put by the flusher when a commit ends
Outcome = tuple[Future[Any], Callable[[], Any], Any, BaseException | None]  # future, command, result, error


class GroupCommitWriter:
    def __init__(self, app: LedgerApplicationBase, *, max_batch: int = 64, cache_size: int = 100_000) -> None:
        self.app, self.max_batch, self.cache_size = app, max_batch, cache_size
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0  # committed batches, and the commands they carried: for benchmarks and monitoring
        self.commands = 0
        self._count_lock = threading.Lock()  # counted on the flusher thread and on the writer's
        self._in_flight: list[Outcome] | None = None  # the batch whose commit is in flight

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="group-commit-writer", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Finish every command already submitted, then stop."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def submit(self, command: Callable[[], T]) -> Future[T]:
        """Queue a command (a callable that runs one of the application's commands); its future resolves after the
        batch it joins has committed, with its result or its error. Commands queued before ``start()`` wait."""
        future: Future[T] = Future()
        self._queue.put((future, command))
        return future

    def execute(self, command: Callable[[], T], timeout: float | None = None) -> T:
        if self._thread is None:
            raise RuntimeError("the writer is not running: call start() or use it as a context manager")
        return self.submit(command).result(timeout)

    # -- the writer thread ------------------------------------------------------------------------------------------
    # Pipelined: while one batch's commit is in flight (on the unit of work's flusher thread, waiting on the database
    # with the GIL released), the writer goes on deciding the commands that arrive, on top of it; when the commit
    # ends, its callers are answered from the flusher and everything decided meanwhile goes into the next commit. So
    # a batch is whatever arrived during the previous commit (as PostgreSQL groups WAL flushes). If a commit fails,
    # the commands decided on top of it saw state that never was: they are thrown away with the cache and decided
    # again, one by one, from the store.
    def _run(self) -> None:
        with self.app.unit_of_work(cache_size=self.cache_size) as uow:
            decided: list[Outcome] = []  # decided and staged, waiting for the commit in flight to end
            stopping = False
            while not stopping:
                item = self._queue.get()
                while True:  # take everything already waiting, deciding each command
                    if item is _STOP:
                        stopping = True
                    elif item is not _WAKE:
                        self._decide_into(uow, item, decided)
                    if len(decided) >= self.max_batch:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if uow.committing and len(decided) < self.max_batch and not stopping:
                    continue  # the flusher puts _WAKE on the queue when the commit ends
                if not self._settle(uow):  # the commit before did not happen: decide these again, from the store
                    for future, command, _, _ in decided:
                        self._one_at_a_time(uow, future, command)
                elif decided:
                    self._in_flight = decided
                    # partial binds this batch now (a lambda would read the variable when the commit ends)
                    uow.flush(background=True, when_done=partial(self._committed, outcomes=decided))
                decided = []
            self._settle(uow)

    def _decide_into(self, uow: Any, item: tuple[Future[Any], Callable[[], Any]], decided: list[Outcome]) -> None:
        future, command = item
        if future.set_running_or_notify_cancel():
            uow.optimistic_creates = True  # fast path: the store's unique index checks creations at commit
            decided.append((future, command, *self._decide(uow, command)))

    def _committed(self, commit: Future[None], outcomes: list[Outcome]) -> None:
        """On the flusher thread, when a batch's commit ends: answer its callers at once if it committed."""
        if commit.exception() is None:
            with self._count_lock:
                self.batches += 1
                self.commands += len(outcomes)
            for future, _, result, error in outcomes:
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
        self._queue.put(_WAKE)  # the writer commits what it decided meanwhile (or, if this failed, decides it again)

    def _settle(self, uow: Any) -> bool:
        """Wait for the commit in flight, if any. True if it committed (or there was none); if it failed, its
        commands have been dealt with, the unit of work's state discarded, and the answer is False."""
        outcomes, self._in_flight = self._in_flight, None
        try:
            uow.wait()
        except RecordConflictError:
            # A creation clashed (a duplicate claim or voucher, say) or another writer interfered: nothing was
            # committed. Re-decide each command alone from the store, checks on, so each gets its exact answer.
            uow.discard()
            uow.optimistic_creates = False
            for future, command, _, _ in outcomes or []:
                self._one_at_a_time(uow, future, command)
            return False
        except Exception as error:  # the database failed: exactly that batch's commands fail
            uow.discard()
            for future, _, _, _ in outcomes or []:
                future.set_exception(error)
            return False
        return True

    @staticmethod
    def _decide(uow: Any, command: Callable[[], Any]) -> tuple[Any, BaseException | None]:
        try:
            return uow.run(command), None
        except Exception as error:  # refused (LedgerError) or failed: it wrote nothing (the uow undid it)
            return None, error

    def _one_at_a_time(self, uow: Any, future: Future[Any], command: Callable[[], Any]) -> None:
        uow.optimistic_creates = False
        result, error = self._decide(uow, command)
        try:
            uow.flush()
        except Exception as failure:
            uow.discard()
            if isinstance(failure, RecordConflictError):
                error = ConcurrentUpdateError("another writer changed the same records; nothing was committed")
                error.__cause__ = failure
            else:
                error = failure
        else:
            with self._count_lock:
                self.batches += 1
                self.commands += 1
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
