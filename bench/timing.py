"""Timing: run workers in threads released together, count what each did, take medians over repeats.

Every figure here is a rate: successful operations / wall time from the release of the workers to the end of the
last one (``time.perf_counter``). Failed operations are not counted in the rate; they are tallied by error code
(``LedgerError.code``, else the exception's class name) so that they show up in the figure's notes.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.registry import Figure


@dataclass
class Tally:
    ok: int = 0
    refused: Counter[str] = field(default_factory=Counter)

    def attempt(self, operation: Callable[[], Any]) -> None:
        """Run one operation; count it as done, or count its error code and carry on."""
        try:
            operation()
        except Exception as exc:  # noqa: BLE001 - every refusal is counted and reported, never hidden
            self.refused[str(getattr(exc, "code", None) or type(exc).__name__)] += 1
        else:
            self.ok += 1

    def merge(self, other: Tally) -> None:
        self.ok += other.ok
        self.refused.update(other.refused)


Job = Callable[[Tally], None]  # one worker's whole share of a repeat


def run_workers(jobs: Sequence[Job]) -> tuple[float, Tally]:
    """Run each job in its own thread; all start together. Returns (elapsed seconds, merged tally)."""
    barrier = threading.Barrier(len(jobs) + 1)
    tallies = [Tally() for _ in jobs]
    crashes: list[BaseException] = []

    def body(job: Job, tally: Tally) -> None:
        barrier.wait()
        try:
            job(tally)
        except BaseException as exc:  # a bug in the job itself, not a refused operation: re-raised below
            crashes.append(exc)

    threads = [threading.Thread(target=body, args=pair, daemon=True) for pair in zip(jobs, tallies, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if crashes:
        raise crashes[0]
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return elapsed, total


def measure(
    name: str,
    unit: str,
    make_jobs: Callable[[int], Sequence[Job]],
    repeats: int,
    *,
    baseline: str | None = None,
    notes: dict[str, Any] | None = None,
) -> Figure:
    """Time ``repeats`` rounds (``make_jobs(r)`` builds round r's jobs, untimed); the figure is the median rate."""
    rates: list[float] = []
    refused: Counter[str] = Counter()
    done = 0
    for r in range(repeats):
        jobs = make_jobs(r)
        elapsed, tally = run_workers(jobs)
        rates.append(tally.ok / elapsed if elapsed > 0 else 0.0)
        refused.update(tally.refused)
        done += tally.ok
    figure_notes = dict(notes or {})
    figure_notes["done"] = done
    figure_notes["refused"] = dict(sorted(refused.items()))
    return Figure(
        name=name,
        value=round(statistics.median(rates), 1),
        unit=unit,
        baseline=baseline,
        repeats=[round(rate, 1) for rate in rates],
        notes=figure_notes,
    )
