"""The service's clock: the real one, or a training clock (VOUCHER_LEDGER_CLOCK) that starts at a chosen moment and
then runs in real time. Every recorded time is read here, never from the caller; the ledger reads no clock at all.

A store written on a training clock is marked so for ever (``ledger.training``); a production service refuses both
the setting (``store.settings``) and such a store (``store.opening``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
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
    """Starts at ``start`` when the real clock reads ``real_origin`` (default: now) and runs on in real time.

    Every process on one training store with the same start keeps one clock: the store's training mark keeps the
    real time the clock started (``store.opening`` continues from it), so the CLI run after the service, or the
    service restarted, records after what was recorded before."""

    training = True

    def __init__(self, start: datetime, real_origin: datetime | None = None,
                 real: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("a training clock starts at a time with an offset, e.g. 2020-10-15T09:00:00+08:00")
        self.started_at = start.astimezone(UTC)
        self._real = real
        self.real_origin = real_origin or real()

    def continue_from(self, real_origin: datetime) -> None:
        self.real_origin = real_origin

    def now(self) -> datetime:
        return self.started_at + (self._real() - self.real_origin)


class FixedClock:
    """A training clock that stands still: the simulator's (each command passes its own time) and tests' base."""

    training = True

    def __init__(self, at: datetime) -> None:
        self.started_at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.started_at


def service_clock(settings: Settings) -> Clock:
    return RealClock() if settings.clock is None else TrainingClock(settings.clock)
