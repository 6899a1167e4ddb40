"""Running projections: open their views, catch up in pages, rebuild from zero (``projections.worker`` follows).

Catching up reads the ledger's global sequence once per page (``projections.reading``), decodes each event once,
and gives every projection the events it subscribes to; each projection commits its page in one transaction with the
page's last position as its tracking record. That is how a rebuild goes past the one-event-per-transaction rate of
the library's ``ProjectionRunner``.
"""

from __future__ import annotations

import os
import threading
import weakref
from contextlib import AbstractContextManager, ExitStack, closing
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from store.connections import view_pool
from store.settings import Settings
from store.opening import creating_tables
from ledger.application import VoucherLedger
from ledger.stored_names import APPLICATION_NAME
from projections.audit_trail import AuditTrail
from projections.base import LedgerProjection
from projections.bulk_load import restore_indexes, without_secondary_indexes
from projections.journal import Journal
from projections.lists import Lists
from projections.page_commits import PageCommits
from projections.reading import LogReader
from store.migrations import apply_migrations
from projections.money_flows import MoneyFlows
from projections.view import PostgresView, ProjectionConflictError, ReadModelView, SQLiteView
from projections.settlement_batches import SettlementBatches
from projections.whitelist import WhitelistRegister

PROJECTIONS: dict[str, type[LedgerProjection]] = {
    p.name: p for p in (MoneyFlows, WhitelistRegister, AuditTrail, SettlementBatches, Journal, Lists)
}
PAGE_SIZE = 2_000  # events per read and per commit during catch-up
# A rebuild's pages are larger: each page costs every projection a transaction (a commit, an fsync on SQLite, the
# lookup tables' upserts), and nobody waits to read a page's rows before the rebuild ends. Memory stays bounded by
# the page (the buffered rows of 10,000 events: a few MB).
REBUILD_PAGE_SIZE = 10_000


def view_class(settings: Settings, projection: type[LedgerProjection]) -> type[ReadModelView]:
    if settings.store == "postgres":
        return PostgresView
    # The library's SQLite factory passes no tracking-table name; bake the projection's into a subclass.
    return type(f"{projection.__name__}View", (SQLiteView,), {"default_tracking_table_name": f"{projection.name}_tracking", "__module__": __name__})


def projection_env(settings: Settings, *, queries: bool = False) -> dict[str, str]:
    """The application's environment, with the view's pool (store/connections.py): the query view's, or a small one
    (a view has one writer, and the library's pool opens every connection of its minimum size at once)."""
    env = settings.eventsourcing_env()
    if settings.store == "postgres":
        opened, most = view_pool(settings, queries=queries)
        env |= {"POSTGRES_POOL_SIZE": str(opened), "POSTGRES_MAX_OVERFLOW": str(most - opened)}
    return env


def open_view(settings: Settings, projection: type[LedgerProjection], *, queries: bool = False) -> ReadModelView:
    """The view as the library's ProjectionRunner builds it: a factory named after the projection."""
    env = projection_env(settings, queries=queries)
    factory = InfrastructureFactory.construct(env=Environment(projection.name, env))
    return factory.tracking_recorder(view_class(settings, projection))  # type: ignore[arg-type]


def open_projections(settings: Settings, names: Sequence[str] | None = None, *, migrate: bool = True,
                     queries: bool = False) -> list[LedgerProjection]:
    """Open the named projections' views and apply pending migrations; any number of processes may do so at once.
    With ``queries`` the first view is the one queries read through, with the query pool.

    The views' tracking tables are created under the same lock as ``open_ledger`` creates the ledger's; migrations
    take turns on their own (and one that touches the ledger's tables takes that lock itself)."""
    projections: list[LedgerProjection] = []
    try:
        with creating_tables(settings):
            for cls in (PROJECTIONS[n] for n in (names or PROJECTIONS)):
                projections.append(cls(view=open_view(settings, cls, queries=queries and not projections)))
        if migrate and projections:
            apply_migrations(projections[0].view)
    except BaseException:
        close_projections(projections)  # a worker retrying through an outage must not leak a pool per attempt
        raise
    return projections


def close_projections(projections: Sequence[LedgerProjection]) -> None:
    for projection in projections:
        projection.view.datastore.close()  # type: ignore[attr-defined]


Progress = Callable[[int], None]
ProgressBar = Callable[[int, str], AbstractContextManager[Progress]]  # (positions to go, label) -> advance(count)
Keep = Callable[[Any], bool]
# Up to this many positions behind, a read catches up without a progress bar: one page, well under a second.
QUIET_CATCH_UP = PAGE_SIZE


def catch_up(app: VoucherLedger, projections: Sequence[LedgerProjection], *, until: int | None = None,
             page_size: int = PAGE_SIZE, progress: Progress | None = None, keep: Keep | None = None) -> int:
    """Apply every event after each projection's position up to ``until`` (default: the last one now).

    Each page is read and decoded once (``projections.reading``) and each projection given the events of its topics
    (and, with ``keep``, only those ``keep(event)`` accepts: ``replay --until``), in one transaction per projection
    and page whose tracking record is the page's last position. Returns how many events were read. Raises what a
    projection raises; that projection's page is rolled back.
    """
    reader = log_reader(app)
    last_recorded = reader.last_position()
    stop = last_recorded if until is None else min(until, last_recorded)  # never track past what exists
    start = min((p.position for p in projections), default=stop)
    subscribers: dict[str, list[int]] = {}  # topic -> indexes of the projections that take it
    for index, projection in enumerate(projections):
        for topic in set(projection.topics):
            subscribers.setdefault(topic, []).append(index)
    read, pending = 0, 0  # pending: the positions the page handed over last covers, reported once committed
    # More than a page to go: commit each page in the background while the next is applied (projections.page_commits)
    with (PageCommits(projections, background=stop - start > page_size) as commits,
          closing(reader.pages(start, stop, list(subscribers), page_size)) as pages):  # ends its read-ahead, if any
        for last, page in pages:
            read += len(page)
            batches: list[list[tuple[Any, int]]] = [[] for _ in projections]
            appends = {topic: [batches[i].append for i in indexes] for topic, indexes in subscribers.items()}
            for position, topic, event in page:  # one walk over the page, whatever the number of projections
                if keep is None or keep(event):
                    item = (event, position)
                    for append in appends[topic]:
                        append(item)
            tracking = Tracking(APPLICATION_NAME, last)
            staged = [(projection, projection.staged(items, tracking))
                      for projection, items in zip(projections, batches, strict=True) if projection.position < last]
            commits.wait()  # the page before: committed before this one's commits are handed over
            if progress and pending:
                progress(pending)
            for projection, commit in staged:
                commits.hand_over(projection, commit)
            pending, start = last - start, last
        commits.wait()
        if progress and pending:
            progress(pending)
    return read


_READERS: weakref.WeakKeyDictionary[VoucherLedger, LogReader] = weakref.WeakKeyDictionary()


def log_reader(app: VoucherLedger) -> LogReader:
    """The application's reader (kept with it: a follow worker catches up on every insert)."""
    reader = _READERS.get(app)
    if reader is None:
        reader = _READERS[app] = LogReader(app)
    return reader


def truncate(projections: Sequence[LedgerProjection]) -> None:
    """Empty the projections' tables and reset their positions to 0, in one transaction per projection."""
    for projection in projections:
        view = projection.view
        with view.transaction(commit=True) as curs:
            for table in projection.tables:  # TRUNCATE is PostgreSQL's fast path; SQLite optimises DELETE without WHERE
                empty = SQL("TRUNCATE {}") if view.dialect == "postgres" else SQL("DELETE FROM {}")
                view.execute(curs, empty.format(Identifier(table)))
            view.execute(curs, SQL("DELETE FROM {} WHERE application_name = ?").format(
                Identifier(view.tracking_table_name)), (APPLICATION_NAME,))
        projection.forget()


def rebuild(app: VoucherLedger, projections: Sequence[LedgerProjection], *, until: int | None = None,
            progress: Progress | None = None, page_size: int = REBUILD_PAGE_SIZE) -> int:
    """Empty the projections and apply every event again (up to ``until``), loading without secondary indexes."""
    with ExitStack() as settings:
        for projection in projections:
            settings.enter_context(projection.view.rebuilding())
        truncate(projections)
        if not projections:
            return 0
        tables = [table for projection in projections for table in projection.tables]
        restore_indexes(projections[0].view, tables)  # left by an earlier rebuild of these tables that died
        with without_secondary_indexes(projections[0].view, tables, at_once=os.cpu_count() or 1):
            return catch_up(app, projections, until=until, progress=progress, page_size=page_size)


class InProcessProjections:
    """The embedded store's read models: caught up in the caller's thread before each read (read-your-writes)."""

    def __init__(self, app: VoucherLedger, projections: Sequence[LedgerProjection]):
        self.app, self.projections = app, list(projections)
        self._lock = threading.Lock()

    def behind(self) -> int:
        """Positions the furthest-behind projection has yet to read (0: caught up)."""
        start = min((p.position for p in self.projections), default=0)
        return max(0, log_reader(self.app).last_position() - start)

    def refresh(self, bar: ProgressBar | None = None) -> int:
        """Catch up before a read. After a large write that is silent work of seconds or minutes (the first query
        after ``simulate``), so with ``bar`` it is shown when more than ``QUIET_CATCH_UP`` positions are to go."""
        behind = self.behind() if bar is not None else 0
        if behind <= QUIET_CATCH_UP:
            return self._refresh(None)
        with bar(behind, "catching up the read models") as advance:
            return self._refresh(advance)

    def _refresh(self, progress: Progress | None) -> int:
        with self._lock:
            for _ in range(3):
                try:
                    return catch_up(self.app, self.projections, progress=progress)
                except ProjectionConflictError:
                    # Another reader moved first (likely every projection, not only the one refused): re-read all
                    # positions and carry on from there.
                    for projection in self.projections:
                        projection.forget()
            return catch_up(self.app, self.projections, progress=progress)
