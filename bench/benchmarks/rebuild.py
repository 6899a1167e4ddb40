"""Rebuilding the read models: events/s of ``projections.runner.rebuild`` over a simulated ledger, all projections
together and each alone, and whether memory stays flat while it runs.

The ledger is a seeded simulation (``bench.simulated``; untimed set-up, shared with the other benchmarks of the run).
A timed rebuild is exactly ``rebuild(app, projections)``: empty the projection's tables and reset its position
(``truncate``), then read the whole global sequence in pages and apply it (``catch_up``). The rate is the ledger's
events (its last notification id) / wall time, for every variant: "how long does rebuilding this ledger take",
whether a projection subscribes to every event or not (``notes.read`` is how many it was given).

Memory: the resident set (``/proc/self/statm``, not the process's peak, which the simulation set) is sampled on every
page; the ``rss_end`` figure is the RSS at the end of the rebuild with the RSS after 10 % of the ledger as baseline,
so a flat rebuild has a ratio of ~1.0 (goal: at most 1.1). ``sys.getallocatedblocks()`` (live Python objects) is recorded beside it,
since freed memory the allocator keeps can hide growth in RSS.
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
from bench.registry import Figure, Goal, benchmark
from bench.simulated import simulated_ledger
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
            figures += rebuild_store(ctx, store)
    return figures


def rebuild_store(ctx: Context, store: str) -> list[Figure]:
    scale = ctx.scale
    ledger = simulated_ledger(ctx, store, scale.rebuild_events)
    app = open_ledger(ledger.settings)
    figures = []
    try:
        total = app.recorder.max_notification_id() or 0
        variants: list[tuple[str, list[str] | None]] = [("all", None), *((name, [name]) for name in PROJECTIONS)]
        for label, names in variants:
            projections = open_projections(ledger.settings, names)
            rates, seconds, read, traces = [], [], 0, []
            try:
                for r in range(scale.rebuild_repeats):
                    gc.collect()  # start every repeat from the same heap; the collector then runs as it would
                    trace = MemoryTrace(total)
                    with ctx.tracker.step(f"{store}: rebuild {label} ({r + 1}/{scale.rebuild_repeats})", total) as adv:
                        def progress(n: int, adv=adv, trace=trace) -> None:
                            trace.sample(n)
                            adv(n)

                        started = time.perf_counter()
                        read = rebuild(app, projections, progress=progress)
                        elapsed = time.perf_counter() - started
                    trace.finish()
                    rates.append(total / elapsed)
                    seconds.append(round(elapsed, 2))
                    traces.append(trace)
            finally:
                close_projections(projections)
            last = traces[-1]
            notes = {"events": total, "read": read, "seconds": seconds, "simulated_events": ledger.events,
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
    finally:
        app.close()
    return figures
