"""Measuring in a fresh process: a benchmark whose figures depend on the state of the process it runs in.

A full run simulates two million-event ledgers and runs eight benchmarks in the bench's own process before the
rebuild and as-of benchmarks: that process ends up with ~2.5 GB of heap the allocator keeps, and a rebuild's "RSS
after 10 %" then measured that leftover rather than the rebuild (bench/README.md, "Full scale, one run"), and
as-of queries ran slower there than alone. :func:`measured_apart` runs such a measurement in a spawned interpreter
that starts from nothing but the run's context; its progress steps appear on the run's display, its figures (or
its failure) come back to the run.

The simulated ledgers are made in the bench's process first (:func:`bench.simulated.simulated_ledger`, shared with
the run's other benchmarks) and handed over as settings; the child never creates or drops the scratch database.
The standard library's ``multiprocessing`` carries it: a queue of tuples is all the protocol needs.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import Any

from bench.context import Context
from bench.progress import Advance, Tracker
from bench.registry import Figure

Measure = Callable[..., list[Figure]]  # measure(ctx, *args) -> figures, a module-level function (it is pickled)


class QueueTracker(Tracker):
    """The child's tracker: every step, advance and log line goes to the parent as a message."""

    def __init__(self, messages: multiprocessing.Queue) -> None:
        self.messages = messages
        self._steps = 0

    @contextmanager
    def step(self, description: str, total: int) -> Iterator[Advance]:
        step = self._steps = self._steps + 1
        self.messages.put(("step", step, description, total))

        def advance(n: int = 1) -> None:
            self.messages.put(("advance", step, n))

        try:
            yield advance
        finally:
            self.messages.put(("end", step))

    def log(self, message: str) -> None:
        self.messages.put(("log", message))


def _measure_in_child(measure: Measure, ctx: Context, args: tuple, messages: multiprocessing.Queue) -> None:
    try:
        messages.put(("done", measure(ctx, *args)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it as the benchmark's failure
        messages.put(("failed", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def measured_apart(ctx: Context, measure: Measure, *args: Any) -> list[Figure]:
    """``measure(child_ctx, *args)`` run in a fresh spawned process; its figures. ``child_ctx`` is ``ctx`` with the
    run's simulated ledgers so far and a tracker that shows the child's steps here. Raises ``RuntimeError`` if the
    measurement raised or the process died."""
    spawn = multiprocessing.get_context("spawn")  # "fork" would copy the very heap the child is there to avoid
    messages: multiprocessing.Queue = spawn.Queue()
    child_ctx = replace(ctx, tracker=QueueTracker(messages), simulated=dict(ctx.simulated), _scratch=None)
    child = spawn.Process(target=_measure_in_child, args=(measure, child_ctx, args, messages),
                          name=f"bench-{measure.__name__}")
    child.start()
    try:
        with ExitStack() as steps:
            advances: dict[int, Advance] = {}
            closers: dict[int, ExitStack] = {}
            while True:
                try:
                    message = messages.get(timeout=1.0)
                except queue.Empty:
                    if not child.is_alive():
                        raise RuntimeError(f"{child.name} exited with code {child.exitcode} and no figures") from None
                    continue
                kind = message[0]
                if kind == "step":
                    _, step, description, total = message
                    closers[step] = steps.enter_context(ExitStack())
                    advances[step] = closers[step].enter_context(ctx.tracker.step(description, total))
                elif kind == "advance":
                    advances[message[1]](message[2])
                elif kind == "end":
                    closers.pop(message[1]).close()
                elif kind == "log":
                    ctx.tracker.log(message[1])
                elif kind == "done":
                    return message[1]
                else:  # "failed"
                    raise RuntimeError(f"{child.name}: {message[1]}")
    finally:
        child.join(timeout=60)
        if child.is_alive():
            child.kill()
            child.join()
