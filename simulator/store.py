"""Opening a store for a simulated programme: on the simulation's clock, so that what the store is given when it is
opened (its training mark, the default programme) is recorded at the simulation's start, before the first simulated
command, and the same seed writes the same bytes whenever and wherever it runs."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.application import VoucherLedger
from simulator.programme import local
from simulator.reference import STORE_OPENED_ON
from store.clock import FixedClock
from store.opening import open_ledger
from store.settings import Settings

OPENED_AT = local(STORE_OPENED_ON, 8)


class DemoOpening:
    """The clock a demo's store is opened on. Its set-up is recorded at the simulation's start, as on any simulated
    store, but its training mark names the demo's training clock: where it starts (``start``, the moment the
    simulated history stops) and the real time it started (now). Every later process on the store with
    ``VOUCHER_LEDGER_CLOCK`` set to ``start`` then continues that one clock (``store.opening``), so what the service
    and the command line record runs on after the simulated history, in real time, from the demo's start."""

    training = True

    def __init__(self, start: datetime) -> None:
        self.started_at = start.astimezone(UTC)
        self.real_origin = datetime.now(UTC)

    def now(self) -> datetime:
        return OPENED_AT


def open_simulation_store(settings: Settings, *, training_clock_start: datetime | None = None) -> VoucherLedger:
    """A simulated history never happened: its store is a training store, marked so for ever. With
    ``training_clock_start`` (the demo), the mark names the training clock the service will run on."""
    clock = FixedClock(OPENED_AT) if training_clock_start is None else DemoOpening(training_clock_start)
    return open_ledger(settings, clock=clock)
