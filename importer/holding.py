"""A unit of work that decides a whole file chunk by chunk and commits it all in one transaction at the end.

An all-or-nothing import must not write a row before every row is decided. Deciding twice (once to check, once to
write) doubles the cost, so a file of moderate size is decided once: each chunk is sealed (its events encoded and
taken out of the aggregates) and held; if no row was refused, everything held is committed in one transaction, else
it is dropped and nothing was written. Where the store can (PostgreSQL: ``store/staged_insert.py``), what is held
goes to the server as each chunk is sealed, into a transaction left open until the commit, so that the transfer
overlaps the deciding and Python keeps no bytes; elsewhere it is held in memory, encoded.

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
        self._staged: Any = None  # the store's open transaction that takes what is held, if it offers one

    def hold(self, *, keep: bool = True) -> None:
        """Seal what is staged and keep it, encoded, for :meth:`commit_held`; ``keep=False``: nothing will be
        committed (a row was refused), so drop it and everything held before."""
        batch = self.seal()
        self._drop_when_committed = []  # nothing is committed yet: the store cannot answer for these
        if not keep:
            self._drop_held()
            return
        self.held_snapshots.extend(batch.snapshots)
        if self._staged is None and not self.held:
            self._staged = _staging(self.app)
        if self._staged is not None:
            self._staged.add(batch.stored)
        else:
            self.held.extend(batch.stored)

    def move_early(self) -> None:
        """What is held goes into the store's events table now, in the transaction left open (the commit is left),
        while the rest of the file is decided; nothing changes where the store holds in memory."""
        if self._staged is not None:
            self._staged.move_now()

    def history(self, aggregate_id: UUID) -> list[Any]:
        if self._staged is not None:
            held = self._staged.events_of(aggregate_id)
        else:
            held = [s for s in self.held if s.originator_id == aggregate_id]
        to_domain_event = self.app.mapper.to_domain_event
        return [*self.app.events.get(aggregate_id), *map(to_domain_event, held), *self.unflushed_events(aggregate_id)]

    def commit_held(self) -> None:
        """Everything held, in one transaction (then the snapshots, as the library saves them)."""
        held, snapshots, staged = self.held, self.held_snapshots, self._staged
        self.held, self.held_snapshots, self._staged = [], [], None
        if staged is not None:
            staged.commit()
        if held or snapshots:
            library_internals.save_without_checks(self.app, [], snapshots, stored=held)

    def discard(self) -> None:
        self._drop_held()
        super().discard()

    def _drop_held(self) -> None:
        staged, self._staged = self._staged, None
        self.held, self.held_snapshots = [], []
        if staged is not None:
            staged.rollback()


def _staging(app: Any) -> Any:
    start = getattr(app.recorder, "staged_insert", None)
    if start is None:
        return None
    try:
        return start()
    except Exception:  # noqa: BLE001 - e.g. a role without TEMPORARY: hold in memory instead; the commit still says
        return None
