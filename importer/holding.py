"""A unit of work that decides a whole file chunk by chunk and commits it all in one transaction at the end.

An all-or-nothing import must not write a row before every row is decided. Deciding twice (once to check, once to
write) doubles the cost, so a file of moderate size is decided once: each chunk is sealed (its events encoded and
taken out of the aggregates, so memory holds bytes, not objects) and held; if no row was refused, everything held
is committed in one transaction, else it is dropped and nothing was written.

Until that commit the store knows nothing of what was decided, so nothing may leave the cache: not by eviction (the
cache is unbounded) and not as a write-once record (the writer's unit of work drops those after the next seal,
because by then the store answers for them). A command that reads raw history sees the held events too.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from writer import library_internals
from writer.unit_of_work import UnitOfWork


class HoldingUnitOfWork(UnitOfWork):
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.held: list[StoredEvent] = []
        self.held_snapshots: list[Any] = []

    def hold(self) -> None:
        """Seal what is staged and keep it, encoded, for :meth:`commit_held`."""
        batch = self.seal()
        self._drop_when_committed = []  # nothing is committed yet: the store cannot answer for these
        self.held.extend(batch.stored)
        self.held_snapshots.extend(batch.snapshots)

    def history(self, aggregate_id: UUID) -> list[Any]:
        held = [self.app.mapper.to_domain_event(s) for s in self.held if s.originator_id == aggregate_id]
        return [*self.app.events.get(aggregate_id), *held, *self.unflushed_events(aggregate_id)]

    def commit_held(self) -> int:
        """Everything held, in one transaction (then the snapshots, as the library saves them); how many events."""
        held, snapshots, self.held, self.held_snapshots = self.held, self.held_snapshots, [], []
        if held:
            library_internals.save_without_checks(self.app, [], snapshots, stored=held)
        return len(held)

    def discard(self) -> None:
        self.held, self.held_snapshots = [], []
        super().discard()
