"""Rebuilding the read models: events/s of ``projections.runner.rebuild`` over a simulated ledger, all projections
together and each alone, all together in one process per core (``projections.parallel``, what ``voucher-ledger
rebuild`` does on PostgreSQL), and whether memory stays flat while it runs. Beside each rate, the Python CPU seconds
it took (``python_cpu_s``, this process or the workers) and the load average: on a machine shared with other work the
wall-clock rate falls with the load, the CPU per event much less.

The ledger is a seeded simulation (``bench.simulated``; untimed set-up, shared with the other benchmarks of the run).
A timed rebuild is exactly ``rebuild(app, projections)``: empty the projection's tables and reset its position
(``truncate``), then read the whole global sequence in pages and apply it (``catch_up``). The rate is the ledger's
events (its last notification id) / wall time, for every variant: "how long does rebuilding this ledger take",
whether a projection subscribes to every event or not (``notes.read`` is how many it was given).

Memory: the variants run in a fresh process (``bench.fresh_process``: not the bench's, which earlier benchmarks have
filled), where the resident set (``/proc/self/statm``) is sampled on every page; the ``rss_end`` figure is the RSS at
the end of the rebuild with the RSS after 10 % of the ledger as baseline, so a flat rebuild has a ratio of ~1.0 (goal:
at most 1.1). ``sys.getallocatedblocks()`` (live Python objects) is recorded beside it, since freed memory the
allocator keeps can hide growth in RSS.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

from store.opening import open_ledger
from bench.context import Context
from bench.fresh_process import measured_apart
from bench.registry import Figure, Goal, benchmark
from bench.simulated import simulated_ledger
from projections.parallel import rebuild_in_processes
from projections.runner import PROJECTIONS, close_projections, open_projections, rebuild

GOAL_EVENTS_PER_S = 50_000  # issue: a rebuild of the read models runs at >= 50,000 events/s
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    """The resident set now (not the peak): /proc/self/statm, field 2, in pages."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


@dataclass
class MemoryTrace:
    """RSS and live Python blocks sampled on every page of a rebuild; 'early' is the first sample past 10 %."""

    total: int
    done: int = 0
    start_mib: float = field(default_factory=rss_mib)
    start_blocks: int = field(default_factory=sys.getallocatedblocks)
    early_mib: float | None = None
    early_blocks: int | None = None
    peak_mib: float = 0.0
    end_mib: float = 0.0
    end_blocks: int = 0

    def sample(self, n: int) -> None:
        self.done += n
        now = rss_mib()
        self.peak_mib = max(self.peak_mib, now)
        if self.early_mib is None and self.done >= self.total / 10:
            self.early_mib, self.early_blocks = now, sys.getallocatedblocks()

    def finish(self) -> None:
        self.end_mib, self.end_blocks = rss_mib(), sys.getallocatedblocks()
        if self.early_mib is None:  # a ledger of one page
            self.early_mib, self.early_blocks = self.end_mib, self.end_blocks

    def notes(self) -> dict[str, float | int]:
        return {
            "rss_start_mib": round(self.start_mib, 1),
            "rss_at_10pct_mib": round(self.early_mib or 0.0, 1),
            "rss_peak_mib": round(self.peak_mib, 1),
            "rss_end_mib": round(self.end_mib, 1),
            "rss_growth_after_10pct_mib": round(self.end_mib - (self.early_mib or 0.0), 1),
            "python_blocks_growth_after_10pct": self.end_blocks - (self.early_blocks or 0),
        }


@benchmark(
    "rebuild",
    order=40,
    description="events/s of rebuilding the projections from a simulated ledger (all together, each alone); RSS",
)
def rebuild_benchmark(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    for store in ("postgres", "sqlite"):
        if ctx.uses(store):
            simulated_ledger(ctx, store, ctx.scale.rebuild_events)  # here: the run's other benchmarks share it
            figures += measured_apart(ctx, rebuild_store, store)
    return figures


def rebuild_store(ctx: Context, store: str) -> list[Figure]:
    """Every variant on one store's simulated ledger; run in a fresh process (:func:`measured_apart`), so that the
    RSS it reports is the rebuild's, not what the run's earlier benchmarks left in the bench's process."""
    scale = ctx.scale
    ledger = simulated_ledger(ctx, store, scale.rebuild_events)
    app = open_ledger(ledger.settings)
    figures = []
    try:
        total = app.recorder.max_notification_id() or 0
        variants: list[tuple[str, list[str] | None]] = [("all", None), *((name, [name]) for name in PROJECTIONS)]
        for label, names in variants:
            projections = open_projections(ledger.settings, names)
            rates, seconds, read, traces, cpu = [], [], 0, [], []
            try:
                for r in range(scale.rebuild_repeats):
                    gc.collect()  # start every repeat from the same heap; the collector then runs as it would
                    before = os.times()
                    trace = MemoryTrace(total)
                    with ctx.tracker.step(f"{store}: rebuild {label} ({r + 1}/{scale.rebuild_repeats})", total) as adv:
                        def progress(n: int, adv=adv, trace=trace) -> None:
                            trace.sample(n)
                            adv(n)

                        started = time.perf_counter()
                        read = rebuild(app, projections, progress=progress)
                        elapsed = time.perf_counter() - started
                    trace.finish()
                    after = os.times()
                    cpu.append(round(after.user + after.system - before.user - before.system, 2))
                    rates.append(total / elapsed)
                    seconds.append(round(elapsed, 2))
                    traces.append(trace)
            finally:
                close_projections(projections)
            last = traces[-1]
            notes = {"events": total, "read": read, "seconds": seconds, "simulated_events": ledger.events,
                     "python_cpu_s": cpu, "load_average_1min": round(os.getloadavg()[0], 1),
                     "projections": names or list(PROJECTIONS), **last.notes()}
            figures.append(Figure(
                f"{store}.rebuild.{label}", round(statistics.median(rates), 1), "events/s",
                baseline=f"{store}.insert_commit.1conn", repeats=[round(x, 1) for x in rates],
                goals=[Goal(">=", GOAL_EVENTS_PER_S)], notes=notes,
            ))
            if label == "all":  # memory of the full rebuild as figures; each projection's is in its notes
                figures.append(Figure(
                    f"{store}.rebuild.all.rss_at_10pct", round(last.early_mib or 0.0, 1), "MiB",
                    repeats=[round(t.early_mib or 0.0, 1) for t in traces], notes=last.notes(),
                ))
                figures.append(Figure(
                    f"{store}.rebuild.all.rss_end", round(last.end_mib, 1), "MiB",
                    baseline=f"{store}.rebuild.all.rss_at_10pct", repeats=[round(t.end_mib, 1) for t in traces],
                    goals=[Goal("<=", 1.1, of="ratio")], notes=last.notes(),
                ))
        figures += rebuild_in_processes_figures(ctx, store, ledger.settings, total)
    finally:
        app.close()
    return figures


def rebuild_in_processes_figures(ctx: Context, store: str, settings, total: int) -> list[Figure]:
    """``voucher-ledger rebuild``'s way on PostgreSQL: the projections dealt to one process per core, each process
    reading the log once for its projections (``projections.parallel``). Memory: each process's own RSS after 10 %
    and at the end."""
    names = list(PROJECTIONS)
    processes = os.cpu_count() or 1
    rates, seconds, outcomes, cpu = [], [], [], []
    for r in range(ctx.scale.rebuild_repeats):
        before = os.times()
        with ctx.tracker.step(f"{store}: rebuild all in {processes} processes ({r + 1}/{ctx.scale.rebuild_repeats})",
                              total * len(names)) as adv:
            started = time.perf_counter()
            outcomes = rebuild_in_processes(settings, names, progress=lambda _name, n: adv(n), processes=processes)
            elapsed = time.perf_counter() - started
        after = os.times()
        errors = {o.name: o.error for o in outcomes if o.error}
        if errors:
            raise RuntimeError(f"{store}: rebuild in processes failed: {errors}")
        rates.append(total / elapsed)
        seconds.append(round(elapsed, 2))
        cpu.append(round(after.children_user + after.children_system - before.children_user - before.children_system, 2))
    by_process: dict[int, list[str]] = {}
    for o in outcomes:
        by_process.setdefault(o.process, []).append(o.name)
    rss = {"+".join(group): o.rss_mib for group, o in
           ((by_process[o.process], o) for o in outcomes) if o.rss_mib is not None}
    growth = max((end / early for early, end in rss.values() if early), default=1.0)
    notes = {"events": total, "seconds": seconds, "processes": by_process, "python_cpu_s": cpu,
             "rss_at_10pct_and_end_mib_by_process": {k: [round(x, 1) for x in v] for k, v in rss.items()},
             "load_average_1min": round(os.getloadavg()[0], 1)}
    return [
        Figure(f"{store}.rebuild.all_processes", round(statistics.median(rates), 1), "events/s",
               baseline=f"{store}.insert_commit.1conn", repeats=[round(x, 1) for x in rates],
               goals=[Goal(">=", GOAL_EVENTS_PER_S)], notes=notes),
        Figure(f"{store}.rebuild.all_processes.rss_growth", round(growth, 3), "× RSS at 10 %",
               goals=[Goal("<=", 1.1)], notes=notes),
    ]
