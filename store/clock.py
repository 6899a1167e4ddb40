"""The service's clock: the real one, or a training clock (VOUCHER_LEDGER_CLOCK) that starts at a chosen moment and
then runs in real time. Every recorded time is read here, never from the caller; the ledger reads no clock at all.

A store written on a training clock is marked so for ever (``ledger.training``); a production service refuses both
the setting (``store.settings``) and such a store (``store.opening``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from store.settings import Settings


class Clock(Protocol):
    training: bool
    started_at: datetime | None  # where a training clock started; None for the real clock

    def now(self) -> datetime: ...


class RealClock:
    training = False
    started_at = None

    def now(self) -> datetime:
        return datetime.now(UTC)


class TrainingClock:
    """Starts at ``start`` and runs on in real time (measured by ``elapsed``, a monotonic clock by default)."""

    training = True

    def __init__(self, start: datetime, elapsed: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("a training clock starts at a time with an offset, e.g. 2020-10-15T09:00:00+08:00")
        self.started_at = start.astimezone(UTC)
        self._elapsed = elapsed
        self._origin = elapsed()

    def now(self) -> datetime:
        return self.started_at + timedelta(seconds=self._elapsed() - self._origin)


class FixedClock:
    """A training clock that stands still: the simulator's (each command passes its own time) and tests' base."""

    training = True

    def __init__(self, at: datetime) -> None:
        self.started_at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.started_at


def service_clock(settings: Settings) -> Clock:
    return RealClock() if settings.clock is None else TrainingClock(settings.clock)
