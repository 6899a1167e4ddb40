"""Decide many commands against in-memory aggregates, then commit them all in one transaction.

Used by a *single writer* — the simulator, or the group-commit writer that serves concurrent callers — so that
aggregates need not be reloaded for every command and many commands share one commit. It is only correct while that
writer is the store's only writer for these aggregates; if another writer interferes, the flush fails with a version
conflict (nothing is committed) and the cache is discarded.

A command that fails must leave no trace: the commands check everything before they record (``judge_claim`` before
``record_claim``, ...), and as a safety net every aggregate a failed command changed is rebuilt from the store plus
the events staged by earlier commands of the batch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent

from writer import library_internals
from writer.id_filter import IdFilter
from writer.library_internals import aggregate_id_of, pending_events_of

if TYPE_CHECKING:
    from ledger.commands.base import LedgerApplicationBase

T = TypeVar("T")


@dataclass(frozen=True)
class SealedBatch:
    """Staged events taken out of a unit of work to be committed together: in command order, encoded, with the
    snapshots due at the version they reach."""

    events: list[Any]
    stored: list[StoredEvent]
    snapshots: list[Any]

    def commit(self, app: LedgerApplicationBase) -> None:
        """One transaction; raises if nothing was committed."""
        if self.events:
            library_internals.save_without_checks(app, self.events, self.snapshots, stored=self.stored)


class UnitOfWork:
    """A :class:`ledger.commands.store_access.StoreAccess` that decides in memory and commits in batches."""

    def __init__(self, app: LedgerApplicationBase, *, cache_size: int = 50_000, sole_writer_of_empty_store: bool = False
                 ) -> None:
        self.app = app
        # Only when this unit of work has been the store's only writer since it was empty can "never created here"
        # stand for "not in the store" (the flush's uniqueness check stays the backstop).
        self._created = IdFilter() if sole_writer_of_empty_store else None
        self.cache_size = cache_size
        # When True, create-only checks ("is this id taken?") are not asked of the store for ids this unit of work
        # has not seen: a duplicate then makes the flush fail (nothing committed) and the caller must re-decide
        # the batch with checks on (the group-commit writer does). For batches where duplicates are rare.
        self.optimistic_creates = False
        self._cache: OrderedDict[UUID, Any] = OrderedDict()
        self._dirty: dict[UUID, Any] = {}
        self._ordered: list[Any] = []  # staged events in command order: the global order they will get
        self._stored: list[StoredEvent] = []  # the first of them, encoded already (encode_staged)
        # Per staged aggregate, by identity (cheaper to hash than a UUID, on the hot path): how many of its pending
        # events are in _ordered. A keyed object is the one _dirty (which keeps it alive) and _cache hold.
        self._ordered_count: dict[int, int] = {}
        # This command's loads, by identity too: aggregate -> how many pending events it had when first loaded.
        self._touched: dict[int, tuple[Any, int]] | None = None
        self.commands_since_flush = 0
        self._flusher: ThreadPoolExecutor | None = None
        self._in_flight: Future[None] | None = None
        self._drop_when_committed: list[UUID] = []

    # -- what the commands see --------------------------------------------------------------------------------------
    def known_to_exist(self, aggregate_ids: Iterable[UUID]) -> None:
        """Aggregates in the store before this unit of work started (a store's set-up), which it has not created."""
        if self._created is not None:
            for aggregate_id in aggregate_ids:
                self._created.add(aggregate_id)

    def get(self, aggregate_id: UUID) -> Any:
        aggregate = self._cache.get(aggregate_id)
        if aggregate is None:
            if self._created is not None and aggregate_id not in self._created:
                raise AggregateNotFoundError(aggregate_id)
            aggregate = self.app.repository.get(aggregate_id)  # raises AggregateNotFoundError
            self._cache[aggregate_id] = aggregate
        else:
            self._cache.move_to_end(aggregate_id)  # least recently used goes first
        touched = self._touched
        if touched is not None and id(aggregate) not in touched:
            touched[id(aggregate)] = (aggregate, len(aggregate.pending_events))
        return aggregate

    def uncached(self, aggregate_ids: Iterable[UUID]) -> list[UUID]:
        """Those of these ids (once each) whose aggregates are not cached and may exist in the store: what to read
        (``library_internals.load_many``, one round trip) and :meth:`adopt` before a batch of commands that will
        load them."""
        return [i for i in dict.fromkeys(aggregate_ids)
                if i not in self._cache and (self._created is None or i in self._created)]

    def adopt(self, aggregates: Iterable[Any]) -> None:
        """Cache aggregates just read from the store, unless cached meanwhile (the cached one may be newer).

        Safe to read them without holding the unit of work, as long as only its user decides: an uncached aggregate
        has nothing staged or in flight (a batch's aggregates stay cached until it has committed)."""
        for aggregate in aggregates:
            self._cache.setdefault(aggregate.id, aggregate)

    def exists(self, aggregate_id: UUID) -> bool:
        if aggregate_id in self._cache:
            return True
        if self._created is not None and aggregate_id not in self._created:
            return False
        if self.optimistic_creates:
            return False  # the store's unique (id, version) index refuses a second creation at commit
        return self.app.stored(aggregate_id)

    def history(self, aggregate_id: UUID) -> list[Any]:
        unflushed = self.unflushed_events(aggregate_id)  # first: waits for a commit in flight
        return [*self.app.events.get(aggregate_id), *unflushed]

    def save(self, *aggregates: Any) -> None:
        """Stage the aggregates' new events for the next commit, in command order; nothing is written yet."""
        counts, touched = self._ordered_count, self._touched
        for aggregate in aggregates:
            if aggregate is None:
                continue
            pending = pending_events_of(aggregate)
            already = counts.get(id(aggregate))
            if already is None:  # first staged in this batch: cached and dirty from now on (see _ordered_count)
                aggregate_id, already = aggregate_id_of(aggregate), 0
                self._cache[aggregate_id] = self._dirty[aggregate_id] = aggregate
                if self._created is not None and pending and pending[0].originator_version == 1:
                    self._created.add(aggregate_id)  # a creation: remember that this id now exists
            self._ordered.extend(pending[already:])
            counts[id(aggregate)] = len(pending)
            if touched is not None and id(aggregate) not in touched:
                touched[id(aggregate)] = (aggregate, already)  # created by this command: undone if it fails

    # -- running and committing -------------------------------------------------------------------------------------
    def run(self, command: Callable[[], T]) -> T:
        """Run one command; if it raises, undo whatever it changed in memory, unstage what it staged, and re-raise.
        Its events are encoded here, so that an event that cannot be stored fails its own command."""
        self._touched = {}
        mark = len(self._ordered)
        try:
            result = command()
            self._require_all_staged()
            self.encode_staged()
        except BaseException:
            self._undo_touched(mark)
            raise
        finally:
            self._touched = None
        self.commands_since_flush += 1
        return result

    def _require_all_staged(self) -> None:
        counts = self._ordered_count
        for aggregate, _ in (self._touched or {}).values():
            if len(pending_events_of(aggregate)) > counts.get(id(aggregate), 0):
                raise RuntimeError(f"a command changed {type(aggregate).__name__} {aggregate.id} but did not commit it")

    def unflushed_events(self, aggregate_id: UUID) -> list[Any]:
        """The aggregate's events staged here and not yet sealed, after waiting for a commit in flight (in the
        background or by a group-commit committer): with the store's events they make its whole history (for the
        rare command that reads raw history)."""
        self.wait()
        dirty = self._dirty.get(aggregate_id)
        return list(dirty.pending_events) if dirty is not None else []

    @property
    def pending_event_count(self) -> int:
        return len(self._ordered)

    def encode_staged(self) -> None:
        """Encode the events staged so far and not yet encoded (as the store keeps them). :meth:`run` does it after
        each command, so a batch is encoded by the time it is sealed (for commands staged outside ``run``, too)."""
        self._stored.extend(library_internals.encode(self.app, self._ordered[len(self._stored):]))

    def seal(self) -> SealedBatch:
        """Take every staged event out as one batch, in command order, encoded and with the snapshots now due; the
        caller commits it (:meth:`SealedBatch.commit`) before sealing the next. A batch whose commit fails must be
        followed by :meth:`discard`. Does not wait for a background commit: :meth:`flush` does."""
        dirty, events = list(self._dirty.values()), self._ordered
        # Only the kinds the application snapshots can be due (a chunk of imported claims dirties thousands of
        # write-once keys, none of them snapshotted).
        intervals = (self.app.snapshotting_intervals or {}) if self.app.snapshots is not None else {}
        snapshotted = [a for a in dirty if type(a) in intervals]
        first_versions = {a.id: a.pending_events[0].originator_version for a in snapshotted if a.pending_events}
        for aggregate in dirty:
            aggregate.collect_events()  # their events go in command order, below
        # Snapshots are taken here, from this thread's aggregates at exactly the version this batch writes.
        snapshots = library_internals.snapshots_due(self.app, snapshotted, first_versions)
        self.encode_staged()
        batch = SealedBatch(events, self._stored, snapshots)
        self._dirty.clear()
        self._ordered, self._ordered_count, self._stored = [], {}, []
        self.commands_since_flush = 0
        # Write-once records are never reloaded (the store answers for their existence), so they leave the cache —
        # but only once committed (the batch before this one is, when this one is sealed): until then the store
        # would wrongly say they do not exist. Nothing this batch writes is evicted either, for the same reason.
        for aggregate_id in self._drop_when_committed:
            self._cache.pop(aggregate_id, None)
        self._drop_when_committed = [a.id for a in dirty if not getattr(a, "read_after_write", True)]
        if len(self._cache) > self.cache_size:
            self._evict(keep={aggregate.id for aggregate in dirty})
        return batch

    def flush(self, *, background: bool = False) -> int:
        """Commit every staged event in one transaction (in command order); returns how many. A failed flush
        commits nothing: call :meth:`discard`. ``background=True``: one flusher thread commits (one in flight, its
        failure raised by the next call) while the next batch is decided; events were encoded as each command ran,
        since encoding on the flusher fought the deciding thread for the GIL (bench/README.md, "Group commit")."""
        self.wait()
        batch = self.seal()
        if batch.events and background:
            if self._flusher is None:
                self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="uow-flush")
            self._in_flight = self._flusher.submit(batch.commit, self.app)
        else:
            batch.commit(self.app)  # raises if it fails
        return len(batch.events)

    def track_commit(self, commit: Future[None]) -> None:
        """Another thread is committing the batch just sealed: :meth:`wait` waits for it too. Commands that read
        raw history (``unflushed_events``) and the undo of a failed command read the store, which must hold it."""
        self._in_flight = commit

    def wait(self) -> None:
        """Wait for a background commit in flight, if any; raise its error."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            in_flight.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._flusher is not None:
                self._flusher.shutdown()
                self._flusher = None

    def _evict(self, keep: set[UUID]) -> None:
        skipped = 0
        while len(self._cache) > self.cache_size and skipped < len(self._cache):
            aggregate_id, aggregate = self._cache.popitem(last=False)
            if aggregate_id in keep:  # back to the recent end
                self._cache[aggregate_id], skipped = aggregate, skipped + 1

    def discard(self) -> None:
        try:
            self.wait()
        except Exception:  # noqa: BLE001 - discarding after a failure: the error was (or will be) reported
            pass
        self._cache.clear()
        self._dirty.clear()
        self._drop_when_committed = []
        self._ordered, self._ordered_count, self._stored = [], {}, []
        self.commands_since_flush = 0

    def _undo_touched(self, mark: int) -> None:
        """Put every aggregate the failed command changed back as it was before it (``keep`` pending events, all
        staged by earlier commands), and unstage its events: ``mark`` is how many were staged before it."""
        for aggregate, keep in (self._touched or {}).values():
            aggregate_id = aggregate.id
            if len(aggregate.pending_events) == keep:
                continue  # state only changes through events: this one recorded none, so it is unchanged
            rebuilt = self._rebuild(aggregate, keep)
            if rebuilt is None:
                self._cache.pop(aggregate_id, None)
            else:
                self._cache[aggregate_id] = rebuilt
            self._ordered_count.pop(id(aggregate), None)
            if keep:
                self._dirty[aggregate_id], self._ordered_count[id(rebuilt)] = rebuilt, keep
            else:  # staged by no earlier command of the batch
                self._dirty.pop(aggregate_id, None)
        del self._ordered[mark:]
        del self._stored[mark:]

    def _rebuild(self, aggregate: Any, keep: int) -> Any:
        """The committed aggregate plus the first ``keep`` pending events (those of earlier, successful commands)."""
        self.wait()  # a commit in flight may hold this aggregate's earlier events
        kept = list(aggregate.pending_events[:keep])
        try:
            rebuilt = self.app.repository.get(aggregate.id)
        except AggregateNotFoundError:
            rebuilt = None
        for event in kept:
            rebuilt = event.mutate(rebuilt)
        if rebuilt is not None:
            library_internals.set_pending_events(rebuilt, kept)
        return rebuilt
