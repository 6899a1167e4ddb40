"""Commands whose batch clashed, decided again from the store inside the group-commit writer (writer/group_commit.py).

A batch clashes when the store's unique (id, version) index refuses it: a duplicate creation, or another writer —
another API process on the same store — committed to a record the batch was decided on after the writer cached it.
Nothing was written, so the commands are decided again, with every check on, from what the store holds now:

- where the store offers its writers' lock for a whole decision (``recorder.exclusively``: PostgreSQL), all together
  as one batch under that lock: no other writer commits between these reads and this commit, so it cannot clash, and
  one commit answers them all (another process's writer waits for the lock meanwhile);
- otherwise, or if that clashed all the same, each alone, committed before the next; a clash again is decided again
  (under the lock where there is one, else after a random pause), up to ``app.max_attempts`` times before the caller is
  told ``CONCURRENT_UPDATE`` — a transient refusal, never kept as an Idempotency-Key's answer.

Two API processes claiming through one provider (every claim changes its quota, so every batch of one writer makes the
other's cache stale) got CONCURRENT_UPDATE on 7 % of their claims when a command alone was tried once; none now
(tests/e2e/test_api_two_processes.py, bench/README.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from typing import Any

from eventsourcing.persistence import RecordConflictError

from ledger.application import VoucherLedger
from ledger.errors import ConcurrentUpdateError
from writer import library_internals
from writer.unit_of_work import UnitOfWork

Order = Any  # writer.group_commit.Order: a command value, its By and key, and the ids it reads (``reads``)
Outcome = tuple[Future[Any], Any, Any, BaseException | None]  # future, order, result, error

CLASH_PAUSE_S = 0.001  # without the lock: after a clash, a pause of up to this × 2^attempt (at most 32×)
Decide = Callable[[UnitOfWork, Order], tuple[Any, BaseException | None]]


def together_exclusively(app: VoucherLedger, uow: UnitOfWork, redo: list[tuple[Future[Any], Order]],
                         decide: Decide) -> list[Outcome] | BaseException | None:
    """``redo`` decided and committed as one batch under the store's writer lock: each command's outcome; or the
    store's failure (nothing committed); or None where there is no such lock, or if the batch clashed all the same
    (the unit of work is then empty again)."""
    exclusively = getattr(app.recorder, "exclusively", None)
    if exclusively is None:
        return None
    try:
        with exclusively():
            reads = uow.uncached([i for _, order in redo for i in order.reads])
            uow.adopt(library_internals.load_many(app, reads) if reads else [])  # one read, under the lock
            outcomes = [(future, order, *decide(uow, order)) for future, order in redo]
            uow.flush()
    except RecordConflictError:
        uow.discard()
        return None
    except Exception as failure:  # noqa: BLE001 - the store failed (or its lock timed out)
        uow.discard()
        return failure
    return outcomes


def alone(app: VoucherLedger, uow: UnitOfWork, order: Order, decide: Decide
          ) -> tuple[Any, BaseException | None, bool]:
    """One command decided and committed on its own: (result, error, whether a commit was made)."""
    exclusively = getattr(app.recorder, "exclusively", None)
    result: Any = None
    error: BaseException | None = None
    for attempt in range(app.max_attempts):
        if attempt and exclusively is None:  # two writers deciding again in step would clash again
            time.sleep(random.uniform(0, CLASH_PAUSE_S * 2 ** min(attempt, 5)))
        try:
            with exclusively() if attempt and exclusively is not None else nullcontext():
                result, error = decide(uow, order)
                uow.flush()
        except RecordConflictError as clash:
            uow.discard()  # the cached records are stale: the next attempt reads them from the store
            result, error = None, ConcurrentUpdateError("another writer kept changing the same records; nothing "
                                                        "was committed; try again")
            error.__cause__ = clash
            continue
        except Exception as failure:  # noqa: BLE001 - the store failed (or its lock timed out): this command fails
            uow.discard()
            return None, failure, False
        return result, error, True
    return result, error, False
