"""Opening a store for a simulated programme: on the simulation's clock, so that what the store is given when it is
opened (its training mark, the default programme) is recorded at the simulation's start, before the first simulated
command, and the same seed writes the same bytes whenever and wherever it runs."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.application import VoucherLedger
from simulator.programme import local
from simulator.reference import STORE_OPENED_ON
from store.clock import FixedClock
from store.opening import StoreRefusedError, open_ledger
from store.settings import Settings
from writer.unit_of_work_scope import set_up_ids

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


class StoreNotEmptyError(StoreRefusedError):
    """The simulator writes a whole history into an empty store; this one already holds more than its set-up."""


def holds_only_its_set_up(ledger: VoucherLedger) -> bool:
    """The store holds nothing but what opening a store records (``writer.unit_of_work_scope.set_up_ids``)."""
    try:
        set_up_ids(ledger)
    except ValueError:
        return False
    return True


def open_simulation_store(settings: Settings, *, training_clock_start: datetime | None = None,
                          empty: bool = False) -> VoucherLedger:
    """A simulated history never happened: its store is a training store, marked so for ever. With
    ``training_clock_start`` (the demo), the mark names the training clock the service will run on. With ``empty``
    (`voucher-ledger simulate`), a store that holds more than its set-up is refused (:class:`StoreNotEmptyError`)
    before anything is recorded on it; a store with real history is refused in any case
    (``store.opening.RealStoreRefusedError``): only a new store, or a training one, is opened on this clock."""
    clock = FixedClock(OPENED_AT) if training_clock_start is None else DemoOpening(training_clock_start)

    def refuse_a_store_with_history(ledger: VoucherLedger) -> None:
        if not holds_only_its_set_up(ledger):
            raise StoreNotEmptyError(
                f"{settings.describe_store()} already holds events: the simulator writes into an empty store "
                "(choose another VOUCHER_LEDGER_SQLITE_PATH, database or schema)")

    return open_ledger(settings, clock=clock, precheck=refuse_a_store_with_history if empty else None)
