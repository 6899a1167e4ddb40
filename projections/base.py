"""What every projection of the ledger shares: batches, exactly-once commits, and bounded lookups.

A projection turns events into rows. It runs in two ways, with the same code:

* under the library's ``ProjectionRunner`` (``follow``), which calls :meth:`process_event` per event: one
  transaction per event, with that event's position as the tracking record;
* under :func:`projections.runner.catch_up` (``rebuild``, start-up, the embedded store), which reads the global
  sequence in pages and calls :meth:`apply_batch`: one transaction per page, tracking the page's last position.

Whatever a projection remembers between events (a voucher's city, a claim's stage) sits in a :class:`Lookup`: a
bounded LRU cache in front of the projection's own table, so memory stays flat over any length of history. Entries
changed by a batch are kept apart until the batch commits and are dropped if it fails, so a failed or refused batch
leaves no trace in memory either. Before a batch is applied, the keys its events will look up (each lookup's
``wants``) that the cache lacks are read in one statement per lookup, so that a cache much smaller than the history's
working set costs one query per page rather than one per miss.
"""

from __future__ import annotations

import copy
import json
from concurrent.futures import Future
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg.sql import SQL, Identifier

from ledger.stored_names import APPLICATION_NAME, stored_topics
from projections.view import ReadModelView, rendered


# Entries per lookup. 50,000 entries in each of thirteen lookups held ~3M Python objects at 1M events, still filling at
# the end; with misses read a page at a time (Lookup.read_ahead) a small cache costs no more CPU (bench/README.md,
# "Rebuild, issue 16: memory flat from 1M events").
LOOKUP_SIZE = 10_000
# An event class -> the attribute(s) of its events naming the keys a lookup will be asked for (projections.read_ahead)
Wants = dict[type, tuple[str, ...]]
_ABSENT: Any = object()  # read ahead and not in the table: get() answers None without asking again


class Lookup:
    """Key → tuple, read through a bounded cache from ``table``; writes are staged per batch and upserted with it."""

    def __init__(self, view: ReadModelView, table: str, key: str, columns: Sequence[str], size: int = LOOKUP_SIZE,
                 settle: Callable[[], None] = lambda: None, wants: Wants | None = None):
        self.view, self.table, self.key, self.columns, self.size = view, table, key, tuple(columns), size
        self.wants = wants or {}
        self._settle = settle  # called before reading the table: a page handed over may still be committing
        self._cache: OrderedDict[str, tuple] = OrderedDict()
        self._staged: dict[str, tuple] = {}
        # The entries of the batch handed over last, which may still be committing: what the table will hold, so a
        # read ahead need not wait for that commit (the batch before it has committed: projections.page_commits).
        self._unsettled: dict[str, tuple] = {}
        self._ahead: dict[str, tuple] = {}  # read for this batch (read_ahead), until it is handed over
        # Rendered once: Lookup.get runs for every event of a rebuild.
        self._select = SQL("SELECT {} FROM {} WHERE {} = ?").format(
            SQL(", ").join(map(Identifier, self.columns)), Identifier(table), Identifier(key)).as_string()
        self._select_many = ""  # rendered on the first read ahead: per dialect
        self._updates = rendered(SQL(", ").join(SQL("{} = excluded.{}").format(Identifier(c), Identifier(c))
                                                for c in self.columns))

    def get(self, key: str) -> tuple | None:
        if key in self._staged:
            return self._staged[key]
        value = self._cache.get(key)
        if value is not None:
            self._cache.move_to_end(key)
            return value
        value = self._unsettled.get(key) or self._ahead.get(key)
        if value is not None:
            if value is _ABSENT:
                return None
            self._remember(key, value)
            return value
        self._settle()
        value = self.view.fetchone(self._select, (key,))
        if value is not None:
            self._remember(key, value)
        return value

    def put(self, key: str, value: tuple) -> None:
        self._staged[key] = value

    def read_ahead(self, keys: Iterable[str]) -> None:
        """Read in one statement the entries of ``keys`` that are neither staged, cached nor being committed; keep the
        cached ones aside too, as the batch's own gets may push them out of the cache before they are asked for."""
        staged, cache, unsettled, ahead = self._staged, self._cache, self._unsettled, self._ahead
        missing = []
        for key in keys:
            if key in staged or key in unsettled:
                continue
            value = cache.get(key)
            if value is None:
                missing.append(key)
            else:
                ahead[key] = value
        if not missing:
            return
        postgres = self.view.dialect == "postgres"
        if not self._select_many:
            many = "= ANY(?)" if postgres else "IN (SELECT value FROM json_each(?))"
            self._select_many = SQL("SELECT {}, {} FROM {} WHERE {} " + many).format(
                Identifier(self.key), SQL(", ").join(map(Identifier, self.columns)), Identifier(self.table),
                Identifier(self.key)).as_string()
        param: Any = missing if postgres else json.dumps(missing)
        ahead.update(dict.fromkeys(missing, _ABSENT))
        for row in self.view.fetchall(self._select_many, (param,)):
            ahead[row[0]] = row[1:]

    def hand_over(self) -> dict[str, tuple]:
        """The batch's staged entries, to be written by :meth:`write`; they are cached now, as if committed (a
        failed commit must be followed by :meth:`discard`, which the projection's ``forget`` does)."""
        staged, self._staged = self._staged, {}
        self._unsettled = staged
        self._ahead = {}
        if self.size:
            for key, value in staged.items():
                self._remember(key, value)
        return staged

    def write(self, view: ReadModelView, curs: Any, staged: dict[str, tuple]) -> None:
        rows = [(k, *v) for k, v in staged.items()]
        view.upsert_rows(curs, self.table, (self.key, *self.columns), (self.key,), rows, self._updates)

    def discard(self) -> None:
        self._staged.clear()
        self._cache.clear()
        self._unsettled = {}
        self._ahead = {}

    def _remember(self, key: str, value: tuple) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)


def event_type(event: object) -> str:
    """'Voucher.Claimed': the stored topic's class part, stable because topics are stored data."""
    return type(event).__qualname__


def topics_of(*event_classes: type) -> tuple[str, ...]:
    """The stored topics to select for these classes: from the pinned list, so that a class that moves still gets
    the events stored under its old topic (a rebuild would otherwise skip them without a word)."""
    return tuple(topic for cls in event_classes for topic in stored_topics(cls))


class LedgerProjection(Projection[ReadModelView]):
    """Base of the ledger's projections. Subclasses map event classes to handlers and write their buffers."""

    handlers: ClassVar[dict[type, str]] = {}  # event class -> name of the method that handles it
    tables: ClassVar[tuple[str, ...]] = ()  # the read-model tables this projection owns (rebuild/check)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.handlers:
            cls.topics = topics_of(*cls.handlers)

    def __init__(self, view: ReadModelView) -> None:
        super().__init__(view)
        self._position: int | None = None
        self.in_flight: Future[None] | None = None  # the commit of the batch handed over last (projections.runner)
        self._dispatch: dict[type, Callable[[Any, int], None]] = {
            cls: getattr(self, name) for cls, name in self.handlers.items()
        }
        self.lookups: list[Lookup] = []
        self.setup()
        self.reset_buffers()
        # event class -> (index of the lookup, attribute, "*", "+" or ""), for _read_ahead
        self._wants: dict[type, list[tuple[int, str, str]]] = {}
        for index, lookup in enumerate(self.lookups):
            for cls, attributes in lookup.wants.items():
                self._wants.setdefault(cls, []).extend(
                    (index, name.lstrip("*+"), name[0] if name[0] in "*+" else "") for name in attributes)

    # -- per subclass --------------------------------------------------------------------------------------------
    def setup(self) -> None:
        """Create lookups (bounded caches over the projection's own tables)."""

    def reset_buffers(self) -> None:
        """Start an empty batch."""

    def write(self, view: ReadModelView, curs: Any) -> None:
        """Write the batch's buffers (called inside the batch's transaction)."""

    # -- the library's entry point (ProjectionRunner): one event, one transaction ---------------------------------
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.apply_batch([(domain_event, tracking.notification_id)], tracking)

    # -- batches ---------------------------------------------------------------------------------------------------
    @property
    def position(self) -> int:
        if self._position is None:
            self._position = self.view.position(APPLICATION_NAME)
        return self._position

    def apply_batch(self, items: Iterable[tuple[DomainEventProtocol, int]], tracking: Tracking) -> None:
        """Apply events (with their positions) and record ``tracking`` in one transaction, or change nothing."""
        commit = self.staged(items, tracking)
        try:
            commit()
        except BaseException:
            self.forget()
            raise

    def staged(self, items: Iterable[tuple[DomainEventProtocol, int]], tracking: Tracking) -> Callable[[], None]:
        """Apply events in memory as if their batch had committed, and return the batch's commit.

        The caller runs the commit exactly once, on any thread, before the projection's next batch commits, and
        while it runs may apply the next batch (``projections.runner.catch_up`` does: the server stores one page
        while Python applies the next). A lookup that must read its table waits for it first. If the commit raises,
        the caller calls :meth:`forget` once the commit has returned: what is in memory is then ahead of the tables.
        """
        started_after = self.position
        if not isinstance(items, (list, tuple)):
            items = list(items)
        try:
            if self._wants:
                self._read_ahead(items)
            for event, position in items:
                if position <= started_after:
                    continue  # already applied (the page started before this projection's position)
                handler = self._dispatch.get(type(event))
                if handler is not None:
                    handler(event, position)
        except BaseException:
            self.forget()
            raise
        batch = copy.copy(self)  # holds this batch's buffers: reset_buffers binds new ones for the next
        staged = [lookup.hand_over() for lookup in self.lookups]
        self.reset_buffers()
        self._position = tracking.notification_id

        def write(view: ReadModelView, curs: Any) -> None:
            batch.write(view, curs)
            for lookup, entries in zip(self.lookups, staged, strict=True):
                lookup.write(view, curs, entries)

        return lambda: self.view.commit_batch(write, started_after=started_after, tracking=tracking)

    def _read_ahead(self, items: Sequence[tuple[DomainEventProtocol, int]]) -> None:
        """Read what the batch's events will look up and the caches lack: one statement per lookup, not one per miss."""
        wants = self._wants
        keys: list[set[str]] = [set() for _ in self.lookups]
        created: list[set[str]] = [set() for _ in self.lookups]
        for event, _ in items:
            plan = wants.get(type(event))
            if plan is not None:
                for index, attribute, kind in plan:
                    value = getattr(event, attribute, None)
                    if value is None:
                        continue
                    if kind == "*":
                        keys[index].update(k for k in map(str, value) if k not in created[index])
                    elif kind == "+":
                        created[index].add(str(value))
                    elif (key := str(value)) not in created[index]:
                        keys[index].add(key)
        for lookup, wanted in zip(self.lookups, keys, strict=True):
            if wanted:
                lookup.read_ahead(wanted)

    def _settle(self) -> None:
        """Wait until the batch handed over last has committed (raising its error if it failed)."""
        if self.in_flight is not None:
            self.in_flight.result()

    def forget(self) -> None:
        """Drop everything in memory; it is re-read from the committed tables on demand."""
        for lookup in self.lookups:
            lookup.discard()
        self.reset_buffers()
        self._position = None
        self.in_flight = None  # a failed commit's error was the caller's to raise, once

    def lookup(self, table: str, key: str, columns: Sequence[str], *, wants: Wants | None = None,
               read: bool = True) -> Lookup:
        """A lookup over ``table``; ``wants``: the events' keys to read ahead (:meth:`_read_ahead`); ``read=False``:
        written by the projection, never read back, so never cached."""
        found = Lookup(self.view, table, key, columns, settle=self._settle, wants=wants,
                       size=LOOKUP_SIZE if read else 0)
        self.lookups.append(found)
        return found
