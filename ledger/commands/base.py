"""What every command shares: loading aggregates with typed not-found errors, and bounded retries on conflicts.

Rules that span aggregates hold because every command saves all the aggregates it changed in **one**
``Application.save`` (one transaction). If another writer changed one of them first, the store refuses the whole
save with a version conflict; the command is then re-run from fresh state — a bounded number of times, after which
the caller gets ``ConcurrentUpdateError`` and nothing was written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from itertools import groupby
from operator import attrgetter
from typing import ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Recording
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import JSONTranscoder, Notification, RecordConflictError, StoredEvent, Transcoding

from ledger.errors import ConcurrentUpdateError, InvalidInputError, NotFoundError
from ledger.unit_of_work import UnitOfWork

T = TypeVar("T")
A = TypeVar("A")


class DateAsISO(Transcoding):
    """The library's JSON transcoder has no ``datetime.date`` transcoding; our events carry dates."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class LedgerApplicationBase(Application):
    # Retries are bounded so that a hot spot surfaces as a clear error instead of a hang.
    MAX_COMMAND_ATTEMPTS = "MAX_COMMAND_ATTEMPTS"
    default_attempts: ClassVar[int] = 12

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        # The unit of work active for this application in this thread (or task), if any: commands then decide in
        # memory and stage their events. Per application, so another application in the same thread is unaffected.
        self._active_uow: ContextVar[UnitOfWork | None] = ContextVar(f"unit_of_work_{id(self)}", default=None)
        self.max_attempts = int(self.env.get(self.MAX_COMMAND_ATTEMPTS) or self.default_attempts)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- where commands read and write: the store, or the active unit of work ----------------------------------------
    @contextmanager
    def unit_of_work(self, *, cache_size: int = 50_000, sole_writer_of_empty_store: bool = False
                     ) -> Iterator[UnitOfWork]:
        """Within this block (in this thread) commands decide against cached aggregates and stage their events;
        nothing is written until ``uow.flush()``. Unflushed work at the end of the block is flushed."""
        if sole_writer_of_empty_store and self.recorder.max_notification_id():
            raise ValueError("sole_writer_of_empty_store needs an empty store; this one already has events")
        uow = UnitOfWork(self, cache_size=cache_size, sole_writer_of_empty_store=sole_writer_of_empty_store)
        token = self._active_uow.set(uow)
        try:
            yield uow
            uow.flush()
        finally:
            self._active_uow.reset(token)
            uow.close()

    def _get(self, aggregate_id: UUID) -> object:
        uow = self._active_uow.get()
        return uow.get(aggregate_id) if uow is not None else self.repository.get(aggregate_id)

    def _commit(self, *aggregates: object) -> None:
        """Write a command's changed aggregates in one transaction (or stage them in the active unit of work)."""
        uow = self._active_uow.get()
        if uow is not None:
            uow.stage(*aggregates)
        else:
            self.save(*aggregates)

    def to_stored_events(self, events: Sequence[object]) -> list[StoredEvent]:
        """The events as the store keeps them (encoded, as ``EventStore.put`` does before inserting)."""
        return list(map(self.mapper.to_stored_event, events))

    def save_now(self, events: Sequence[object], snapshots: Sequence[object] = (), *,
                 stored: Sequence[StoredEvent] | None = None) -> None:
        """Write ``events`` (in this order) in one transaction, bypassing any unit of work, then the given snapshots.

        This is ``Application.save`` without its per-object runtime-Protocol ``isinstance`` checks (~30 µs an event
        on Python 3.11, more than encoding and inserting it) and without re-reading aggregates from the store to
        snapshot them: the unit of work passes snapshots taken from its in-memory aggregates. Same library steps,
        same order (eventsourcing 9.5.6, pinned; bench/README.md has the figures). ``stored``: the same events
        already encoded (:meth:`to_stored_events`), so that a background committer only waits on the database."""
        # EventStore.put, with its encoding step taken out (the application keeps no aggregate cache for _record
        # to fill: AGGREGATE_CACHE_MAXSIZE is never set).
        stored = self.to_stored_events(events) if stored is None else list(stored)
        ids = self.recorder.insert_events(stored)
        if snapshots and self.snapshots is not None:
            self.snapshots.put(list(snapshots))
        # The library's _notify is a no-op; build the recordings only for a subclass that overrides it.
        if type(self)._notify is not Application._notify:
            self._notify([Recording(e, Notification(id=n, originator_id=s.originator_id, topic=s.topic,
                                                    originator_version=s.originator_version, state=s.state))
                          for e, s, n in zip(events, stored, ids or [], strict=bool(ids))])

    def snapshots_due(self, aggregates: list[object], first_versions: dict[UUID, int]) -> list[object]:
        """Snapshots of the aggregates whose new events crossed a multiple of their snapshotting interval."""
        due = []
        for aggregate in aggregates:
            interval = self.snapshotting_intervals.get(type(aggregate)) if self.snapshots is not None else None
            first = first_versions.get(aggregate.id)
            if interval and first is not None and aggregate.version // interval > (first - 1) // interval:
                due.append(getattr(type(aggregate), "Snapshot", Snapshot).take(aggregate))
        return due

    def stored(self, aggregate_id: UUID) -> bool:
        """Is there any stored event of this aggregate? (One indexed read; nothing is decoded.)"""
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def load_many(self, aggregate_ids: Sequence[UUID]) -> list[object]:
        """Those of these aggregates that exist, each rebuilt from all its events, read in one round trip where the
        store's recorder can (``select_events_of_many``: the PostgreSQL one), else one read each.

        Snapshots are not read, so this is for aggregates with short histories (a voucher has a few events); it is
        still right for any aggregate, only slower for a long one."""
        select_many = getattr(self.recorder, "select_events_of_many", None)
        if select_many is not None:
            stored = select_many(aggregate_ids)
        else:
            stored = [event for i in aggregate_ids for event in self.recorder.select_events(i)]
        aggregates = []
        to_domain_event = self.mapper.to_domain_event
        for _, events in groupby(stored, key=attrgetter("originator_id")):
            aggregate = None
            for event in events:  # the library's project_aggregate, without its runtime-Protocol assert per event
                aggregate = to_domain_event(event).mutate(aggregate)
            if aggregate is not None:
                aggregates.append(aggregate)
        return aggregates

    def _load(self, aggregate_id: UUID, kind: type[A], missing: type[NotFoundError], what: str) -> A:
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            raise missing(f"no {what} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise missing(f"{aggregate_id} is not a {what}")
        return aggregate

    def _find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """The aggregate if it exists (and is of that kind), else None."""
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def _history(self, aggregate_id: UUID) -> list[object]:
        """Every event of an aggregate: those committed, then those staged in the active unit of work."""
        uow = self._active_uow.get()
        unflushed = uow.unflushed_events(aggregate_id) if uow is not None else []  # waits for a commit in flight
        return [*self.events.get(aggregate_id), *unflushed]

    def _exists(self, aggregate_id: UUID) -> bool:
        uow = self._active_uow.get()
        return uow.exists(aggregate_id) if uow is not None else self.stored(aggregate_id)

    def _run(self, decide_and_save: Callable[[], T]) -> T:
        """Run a command; on a version conflict, re-run it from fresh state, at most ``max_attempts`` times."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return decide_and_save()
            except RecordConflictError:
                if attempt == self.max_attempts:
                    break
                # Jittered backoff spreads contenders out; the randomness is in the application, not the domain.
                time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
        raise ConcurrentUpdateError(
            f"the command met a concurrent change {self.max_attempts} times and was not applied; try again"
        )


def as_uuid(value: object, what: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInputError(f"{what} must be a UUID, got {value!r}") from None


def check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2018 <= year <= 2100:
        raise InvalidInputError(f"fiscal year must be an integer from 2018, got {year!r}")
    return year

