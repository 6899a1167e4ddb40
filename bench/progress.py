"""Progress display: a rich progress bar per step on the console, or nothing (for tests and --no-progress)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Advance = Callable[..., None]  # advance(n=1); safe to call from worker threads


class Tracker:
    """No display: every step's advance is a no-op."""

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @contextmanager
    def step(self, description: str, total: int) -> Iterator[Advance]:
        yield _noop

    def log(self, message: str) -> None:
        return None


def _noop(n: int = 1) -> None:
    return None


class RichTracker(Tracker):
    """One bar per step; finished steps stay on screen so a long run reads as a log."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:<46}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            refresh_per_second=4,
        )

    def __enter__(self) -> RichTracker:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    @contextmanager
    def step(self, description: str, total: int) -> Iterator[Advance]:
        task = self.progress.add_task(description, total=max(total, 1))

        def advance(n: int = 1) -> None:
            self.progress.advance(task, n)

        try:
            yield advance
        finally:
            self.progress.update(task, completed=max(total, 1))

    def log(self, message: str) -> None:
        self.progress.console.log(message)
