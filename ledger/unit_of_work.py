"""Decide many commands against in-memory aggregates, then commit them all in one transaction.

Used by a *single writer* — the simulator, or the group-commit writer that serves concurrent callers — so that
aggregates need not be reloaded for every command and many commands share one commit. It is only correct while that
writer is the store's only writer for these aggregates; if another writer interferes, the flush fails with a version
conflict (nothing is committed) and the cache is discarded.

A command that fails must leave no trace: the commands check everything before they record (``price_claim`` before
``record_claim``, ...), and as a safety net every aggregate a failed command changed is rebuilt from the store plus
the events staged by earlier commands of the batch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

if TYPE_CHECKING:
    from ledger.commands.base import LedgerApplicationBase

T = TypeVar("T")


class UnitOfWork:
    def __init__(self, app: LedgerApplicationBase, *, cache_size: int = 50_000) -> None:
        self.app = app
        self.cache_size = cache_size
        self._cache: OrderedDict[UUID, Any] = OrderedDict()
        self._dirty: dict[UUID, Any] = {}
        self._ordered: list[Any] = []  # staged events in command order: the global order they will get
        self._ordered_count: dict[UUID, int] = {}  # per aggregate: how many of its pending events are in _ordered
        self._touched: dict[UUID, tuple[Any, int]] | None = None  # this command's loads: (aggregate, pending count)
        self.commands_since_flush = 0

    # -- what the commands see --------------------------------------------------------------------------------------
    def get(self, aggregate_id: UUID) -> Any:
        aggregate = self._cache.get(aggregate_id)
        if aggregate is None:
            aggregate = self.app.repository.get(aggregate_id)  # raises AggregateNotFoundError
            self._cache[aggregate_id] = aggregate
        else:
            self._cache.move_to_end(aggregate_id)
        if self._touched is not None and aggregate_id not in self._touched:
            self._touched[aggregate_id] = (aggregate, len(aggregate.pending_events))
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._cache or self.app.stored(aggregate_id)

    def stage(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            if aggregate is None:
                continue
            self._cache[aggregate.id] = aggregate
            self._dirty[aggregate.id] = aggregate
            pending = aggregate.pending_events
            self._ordered.extend(pending[self._ordered_count.get(aggregate.id, 0) :])
            self._ordered_count[aggregate.id] = len(pending)

    # -- running and committing -------------------------------------------------------------------------------------
    def run(self, command: Callable[[], T]) -> T:
        """Run one command; if it raises, undo whatever it changed in memory and re-raise."""
        self._touched = {}
        try:
            result = command()
            self._require_all_staged()
        except BaseException:
            self._undo_touched()
            raise
        finally:
            self._touched = None
        self.commands_since_flush += 1
        return result

    def _require_all_staged(self) -> None:
        for aggregate_id, (aggregate, _) in (self._touched or {}).items():
            if len(aggregate.pending_events) > self._ordered_count.get(aggregate_id, 0):
                raise RuntimeError(f"a command changed {type(aggregate).__name__} {aggregate_id} but did not commit it")

    @property
    def pending_event_count(self) -> int:
        return len(self._ordered)

    def flush(self) -> int:
        """Commit every staged event in one transaction; returns how many. On failure, nothing is committed and the
        caller must :meth:`discard` (the cache no longer matches the store)."""
        dirty, events = list(self._dirty.values()), self._ordered
        if events:
            for aggregate in dirty:
                aggregate.collect_events()  # the events go in command order below; the aggregates come along
            self.app.save_now(*events, *dirty)  # so that the application still takes their snapshots
        self._dirty.clear()
        self._ordered, self._ordered_count = [], {}
        self.commands_since_flush = 0
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return len(events)

    def discard(self) -> None:
        self._cache.clear()
        self._dirty.clear()
        self._ordered, self._ordered_count = [], {}
        self.commands_since_flush = 0

    def _undo_touched(self) -> None:
        for aggregate_id, (aggregate, keep) in (self._touched or {}).items():
            if len(aggregate.pending_events) == keep:
                continue  # state only changes through events: this one recorded none, so it is unchanged
            rebuilt = self._rebuild(aggregate, keep)
            if rebuilt is None:
                self._cache.pop(aggregate_id, None)
                continue
            self._cache[aggregate_id] = rebuilt
            if aggregate_id in self._dirty:
                self._dirty[aggregate_id] = rebuilt

    def _rebuild(self, aggregate: Any, keep: int) -> Any:
        """The committed aggregate plus the first ``keep`` pending events (those of earlier, successful commands)."""
        kept = list(aggregate.pending_events[:keep])
        try:
            rebuilt = self.app.repository.get(aggregate.id)
        except AggregateNotFoundError:
            rebuilt = None
        for event in kept:
            rebuilt = event.mutate(rebuilt)
        if rebuilt is not None:
            rebuilt._pending_events = kept  # the library keeps pending events here (checked on 9.5.6)
        return rebuilt
