"""Rebuild several projections at once, in as many processes as there are cores.

A rebuild is CPU-bound Python (decoding events, building rows): one process uses one core however many there are.
Projections are independent — own tables, own tracking record — so they can be rebuilt by several processes, each
reading the ledger's sequence itself. Within a process the projections share one pass over the log (each page read
and decoded once, ``projections.runner.catch_up``); across processes each page is read and decoded once per process,
so there are no more processes than cores (a process per projection would decode every event six times over on two
cores). Projections are dealt to processes by their measured cost (:data:`COST`), dearest first, each to the process
with the least so far. Progress comes back through a queue as (projection, events advanced).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from store.settings import Settings

ProgressByName = Callable[[str, int], None]


# CPU per event of each projection's handlers and writes, relative (py-spy, 1M-event rebuild; bench/README.md).
COST = {"audit_trail": 40, "money_flows": 25, "journal": 20, "lists": 12, "settlement_batches": 3, "whitelist": 1}


@dataclass(frozen=True)
class Outcome:
    name: str
    events: int
    error: str | None
    process: int = 0  # which worker process rebuilt it
    rss_mib: tuple[float, float] | None = None  # that process's resident set after 10 % of the log and at the end


def groups_of(names: Sequence[str], processes: int) -> list[list[str]]:
    """``names`` dealt to at most ``processes`` groups of about equal :data:`COST`, each in the given order."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(processes, len(names))))]
    loads = [0] * len(groups)
    for name in sorted(names, key=lambda n: -COST.get(n, 10)):
        least = loads.index(min(loads))
        groups[least].append(name)
        loads[least] += COST.get(name, 10)
    return [[n for n in names if n in group] for group in groups if group]


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: no figure
        return 0.0


def _rebuild_group(settings: Settings, index: int, names: list[str], progress: multiprocessing.Queue) -> None:
    """Runs in a spawned process; ``settings`` arrive pickled, secrets included (a JSON dump would mask them)."""
    from store.opening import one_reader, open_ledger
    from projections.runner import close_projections, open_projections, rebuild

    app = open_ledger(one_reader(settings), prepare=False)
    projections = open_projections(settings, names, migrate=False)  # the parent migrated
    total = app.recorder.max_notification_id() or 0
    done, early = 0, None

    def advanced(n: int) -> None:
        nonlocal done, early
        done += n
        if early is None and done >= total / 10:
            early = _rss_mib()
        for name in names:
            progress.put((name, n))

    try:
        read = rebuild(app, projections, progress=advanced)
        end = _rss_mib()
        for name in names:
            progress.put((name, index, read, None, (early or end, end)))
    except BaseException as exc:  # reported to the parent, which fails the whole rebuild
        for name in names:
            progress.put((name, index, 0, f"{type(exc).__name__}: {exc}", None))
        raise
    finally:
        close_projections(projections)
        app.close()


def rebuild_in_processes(settings: Settings, names: Sequence[str], *, progress: ProgressByName | None = None,
                         processes: int | None = None) -> list[Outcome]:
    """Rebuild the named projections in ``processes`` processes (default: one per core); return how each ended
    (error None if it succeeded)."""
    from projections.runner import close_projections, open_projections

    close_projections(open_projections(settings, names[:1]))  # migrate once, here, before the workers start
    if settings.store == "sqlite":
        # SQLite has one writer: a worker emptying or re-indexing a million-row table holds it for many seconds, and
        # the others must wait that long rather than fail with "database is locked" (seen at 1M events).
        settings = settings.model_copy(update={"sqlite_lock_timeout_s": max(settings.sqlite_lock_timeout_s, 900)})
    context = multiprocessing.get_context("spawn")  # no inherited pools or locks from this process
    messages: multiprocessing.Queue = context.Queue()
    groups = groups_of(names, processes or os.cpu_count() or 1)
    workers = {i: context.Process(target=_rebuild_group, args=(settings, i, group, messages),
                                  name=f"rebuild-{'+'.join(group)}") for i, group in enumerate(groups)}
    for worker in workers.values():
        worker.start()
    outcomes: dict[str, Outcome] = {}
    while len(outcomes) < len(names):
        try:
            message = messages.get(timeout=1.0)
        except queue.Empty:
            for i, worker in workers.items():  # a worker that died without a word (killed, out of memory)
                if not worker.is_alive() and worker.exitcode not in (0, None):
                    for name in groups[i]:
                        outcomes.setdefault(name, Outcome(name, 0, f"process exited with code {worker.exitcode}", i))
            continue
        if len(message) == 2:
            if progress:
                progress(message[0], message[1])
        else:
            name, index, read, error, rss = message
            outcomes[name] = Outcome(name, read, error, index, rss)
    for worker in workers.values():
        worker.join()
    return [outcomes[name] for name in names]
