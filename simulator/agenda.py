"""A simulated clock: actions ordered by (time, insertion order), so the same seed always runs them in one order."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any


class Agenda:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self.now: datetime | None = None

    def at(self, when: datetime, action: Callable[..., Any], *args: Any) -> None:
        if self.now is not None and when < self.now:
            when = self.now  # never schedule into the past: recorded times only move forward
        heapq.heappush(self._heap, (when, next(self._order), action, args))

    def __len__(self) -> int:
        return len(self._heap)

    def run_next(self, until: datetime | None = None) -> bool:
        """Run the next action; False when none is left, or the next one is due at or after ``until``."""
        if not self._heap or (until is not None and self._heap[0][0] >= until):
            return False
        when, _, action, args = heapq.heappop(self._heap)
        self.now = when
        action(when, *args)
        return True
