"""Opening a store for a simulated programme: on the simulation's clock, so that what the store is given when it is
opened (its training mark, the default programme) is recorded at the simulation's start, before the first simulated
command, and the same seed writes the same bytes whenever and wherever it runs."""

from __future__ import annotations

from ledger.application import VoucherLedger
from simulator.programme import local
from simulator.reference import STORE_OPENED_ON
from store.clock import FixedClock
from store.opening import open_ledger
from store.settings import Settings

OPENED_AT = local(STORE_OPENED_ON, 8)


def open_simulation_store(settings: Settings) -> VoucherLedger:
    """A simulated history never happened: its store is a training store, marked so for ever."""
    return open_ledger(settings, clock=FixedClock(OPENED_AT))
