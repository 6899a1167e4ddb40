"""Rebuild several projections at once, one process each.

A rebuild is CPU-bound Python (decoding events, building rows): one process uses one core however many there are.
Projections are independent — own tables, own tracking record — so each can be rebuilt by its own process reading
the ledger's sequence itself. Progress comes back through a queue as (projection, events advanced).
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from store.settings import Settings

ProgressByName = Callable[[str, int], None]


@dataclass(frozen=True)
class Outcome:
    name: str
    events: int
    error: str | None


def _rebuild_one(settings: Settings, name: str, progress: multiprocessing.Queue) -> None:
    """Runs in a spawned process; ``settings`` arrive pickled, secrets included (a JSON dump would mask them)."""
    from store.opening import open_ledger
    from projections.runner import close_projections, open_projections, rebuild
    from store.opening import one_reader

    app = open_ledger(one_reader(settings), prepare=False)
    projections = open_projections(settings, [name], migrate=False)  # the parent migrated
    try:
        read = rebuild(app, projections, progress=lambda n: progress.put((name, n)))
        progress.put((name, None, read, None))
    except BaseException as exc:  # reported to the parent, which fails the whole rebuild
        progress.put((name, None, 0, f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        close_projections(projections)
        app.close()


def rebuild_in_processes(settings: Settings, names: Sequence[str], *,
                         progress: ProgressByName | None = None) -> list[Outcome]:
    """Rebuild each named projection in its own process; return how each ended (error None if it succeeded)."""
    from projections.runner import close_projections, open_projections

    close_projections(open_projections(settings, names[:1]))  # migrate once, here, before the workers start
    if settings.store == "sqlite":
        # SQLite has one writer: a worker emptying or re-indexing a million-row table holds it for many seconds, and
        # the others must wait that long rather than fail with "database is locked" (seen at 1M events).
        settings = settings.model_copy(update={"sqlite_lock_timeout_s": max(settings.sqlite_lock_timeout_s, 900)})
    context = multiprocessing.get_context("spawn")  # no inherited pools or locks from this process
    messages: multiprocessing.Queue = context.Queue()
    workers = {name: context.Process(target=_rebuild_one, args=(settings, name, messages),
                                     name=f"rebuild-{name}") for name in names}
    for worker in workers.values():
        worker.start()
    outcomes: dict[str, Outcome] = {}
    while len(outcomes) < len(workers):
        try:
            message = messages.get(timeout=1.0)
        except queue.Empty:
            for name, worker in workers.items():  # a worker that died without a word (killed, out of memory)
                if name not in outcomes and not worker.is_alive() and worker.exitcode not in (0, None):
                    outcomes[name] = Outcome(name, 0, f"process exited with code {worker.exitcode}")
            continue
        if len(message) == 2:
            if progress:
                progress(message[0], message[1])
        else:
            name, _, read, error = message
            outcomes[name] = Outcome(name, read, error)
    for worker in workers.values():
        worker.join()
    return [outcomes[name] for name in names]
