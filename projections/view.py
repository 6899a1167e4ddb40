"""Where a projection keeps its rows: the library's tracking recorder, extended to write a batch of rows.

A view is an ``eventsourcing`` tracking recorder (PostgreSQL or SQLite), so the rows of a batch and the tracking
record of the batch's last position commit in **one** transaction — the library's guarantee of exactly-once.

Two things are added, each for a reason the library does not cover:

* **Compare-and-set on the tracking position.** The library's single-row tracking only refuses a position that does
  not move forward. Two workers that started from the same position but cut their batches differently (one commits
  1..500, the other then 1..600) would both pass that test and apply 1..500 twice. So a batch also states the
  position it started from, and the transaction refuses (``ProjectionConflictError``) unless the stored position is
  still that one. The row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite has one writer at a time).
* **A tracking table per projection on SQLite.** The library's SQLite tracking table is always ``tracking``, keyed by
  application name, so every projection of the ledger would share one row. Here it is ``<projection>_tracking``,
  as the library already names it on PostgreSQL.

SQL is written once with ``?`` placeholders; PostgreSQL gets ``%s`` and a ``search_path`` set to the read-model
schema at the start of every transaction, so the same statements and migrations serve both stores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from store.retries import BudgetedTrackingRecorder


# Statements a view composes from its tables' names, rendered once each: psycopg renders a composition again on
# every execute, ~50 µs for thirty identifiers, and a page's transaction runs a dozen of them per projection (a
# live worker's pages are small, so that was a fifth of its CPU per page: bench/README.md, "Live catch-up").
_RENDERED: dict[tuple, str] = {}
_RENDERED_MAX = 1_024  # forgotten all at once when full; the views' statements are a few dozen


class ProjectionConflictError(RuntimeError):
    """Another worker moved this projection's position first; this batch was rolled back, nothing applied."""


class ReadModelView:
    """Shared by both stores: run statements, bulk-insert rows and commit a batch with its tracking record."""

    dialect: str
    tracking_table_name: str

    @property
    def _reading(self) -> threading.local:
        """Per view and thread: the cursor of an open reading() block."""
        return self.__dict__.setdefault("_reading_local", threading.local())

    # -- implemented per store -------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        raise NotImplementedError

    def insert_rows(self, curs: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        raise NotImplementedError

    def _lock_position(self, curs: Any, application_name: str) -> int | None:
        raise NotImplementedError

    def _tuple_rows(self, curs: Any) -> None:
        """Make ``curs`` return plain tuples (SQLite's rows already index by position)."""

    # -- shared --------------------------------------------------------------------------------------------------
    def _once(self, key: tuple, make: Callable[[], Composable]) -> str:
        """The statement ``make()`` composes, rendered the first time this store's dialect asks for ``key``."""
        key = (self.dialect, *key)
        text = _RENDERED.get(key)
        if text is None:
            if len(_RENDERED) >= _RENDERED_MAX:
                _RENDERED.clear()
            text = _RENDERED[key] = make().as_string()
        return text

    def sql(self, statement: str | Composable) -> str:
        """The statement for this store: a ``psycopg.sql`` composition is rendered (its identifiers double-quoted,
        which both stores read alike), then PostgreSQL gets ``%s`` for each ``?``."""
        if isinstance(statement, Composable):
            statement = statement.as_string()
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement

    def execute(self, curs: Any, statement: str | Composable, params: Sequence[Any] = ()) -> Any:
        curs.execute(self.sql(statement), tuple(params))
        return curs

    def fetchall(self, statement: str | Composable, params: Sequence[Any] = ()) -> list[tuple]:
        session = getattr(self._reading, "cursor", None)
        if session is not None:
            self.execute(session, statement, params)
            return [tuple(row) for row in session.fetchall()]
        with self.transaction(commit=False) as curs:
            self._tuple_rows(curs)
            self.execute(curs, statement, params)
            return [tuple(row) for row in curs.fetchall()]

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Run this thread's reads in one transaction (one snapshot, one pool checkout) until the block ends."""
        if getattr(self._reading, "cursor", None) is not None:
            yield
            return
        with self.transaction(commit=False) as curs:
            self._tuple_rows(curs)
            self._reading.cursor = curs
            try:
                yield
            finally:
                self._reading.cursor = None

    def fetchone(self, statement: str | Composable, params: Sequence[Any] = ()) -> tuple | None:
        rows = self.fetchall(statement, params)
        return rows[0] if rows else None

    def upsert_rows(self, curs: Any, table: str, columns: Sequence[str], key: Sequence[str], rows: list[tuple],
                    update: Composable) -> None:
        """INSERT ... ON CONFLICT (key) DO UPDATE SET ``update`` for every row. Keys must be unique in ``rows``.
        ``update`` is asked for its text on every call: pass it :func:`rendered`."""
        raise NotImplementedError

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Settings for a bulk rebuild through this view, until the block ends."""
        yield

    def position(self, application_name: str) -> int:
        return self.max_tracking_id(application_name) or 0  # type: ignore[attr-defined]

    def commit_batch(self, writes: Any, *, started_after: int, tracking: Tracking) -> None:
        """Run ``writes(view, cursor)`` and record ``tracking`` in one transaction, if nobody moved the position."""
        with self.transaction(commit=True) as curs:
            stored = self._lock_position(curs, tracking.application_name) or 0
            if stored != started_after:
                raise ProjectionConflictError(
                    f"{self.tracking_table_name}: expected position {started_after}, found {stored}; "
                    "another worker is running this projection"
                )
            writes(self, curs)
            self._insert_tracking(curs, tracking)  # type: ignore[attr-defined]


class PostgresView(ReadModelView, BudgetedTrackingRecorder):
    dialect = "postgres"

    def _tuple_rows(self, curs: Any) -> None:
        # The library's pool hands out dict-row cursors, which merge columns of the same name (every COALESCE(...)).
        curs.row_factory = tuple_row

    _commit_setting: str | None = None  # a statement run at the start of each transaction; see rebuilding()

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as curs:
            schema = self.datastore.schema or "public"
            curs.execute(self._once(("search_path", schema),
                                    lambda: SQL("SET LOCAL search_path TO {}").format(Identifier(schema))))
            if self._commit_setting is not None:
                curs.execute(self._commit_setting)
            yield curs

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        # A rebuild's commits do not wait for their WAL to reach the disk. A server crash can lose the last of them,
        # but only whole: a page's rows and its tracking record commit together, so the views stay at a position
        # they hold completely, and the rebuild (or a worker) carries on from there. (PostgreSQL's asynchronous
        # commit: never a partly applied transaction.)
        self._commit_setting = "SET LOCAL synchronous_commit TO OFF"
        try:
            yield
        finally:
            del self._commit_setting  # the class's again, from the next transaction on

    def insert_rows(self, curs: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        # COPY is several times faster than INSERT for the thousands of rows of a rebuild batch.
        columns = tuple(columns)
        statement = self._once(("copy", table, columns), lambda: SQL("COPY {} ({}) FROM STDIN").format(
            Identifier(table), SQL(", ").join(map(Identifier, columns))))
        with curs.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def upsert_rows(self, curs: Any, table: str, columns: Sequence[str], key: Sequence[str], rows: list[tuple],
                    update: Composable) -> None:
        # One row per statement (executemany) costs a round trip each, and a multi-row VALUES statement makes psycopg
        # parse thousands of placeholders: both dominated rebuilds. COPY into a temporary twin, then one upsert.
        if not rows:
            return
        scratch = f"tmp_{table}"
        curs.execute(self._once(("twin", table), lambda: SQL(
            "CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {}) ON COMMIT DELETE ROWS").format(
            Identifier(scratch), Identifier(table))))
        self.insert_rows(curs, scratch, columns, rows)
        curs.execute(self._once(("upsert", table, tuple(columns), tuple(key), update.as_string()), lambda: SQL(
            "INSERT INTO {0} ({1}) SELECT {1} FROM {2} ON CONFLICT ({3}) DO UPDATE SET ").format(
            Identifier(table), SQL(", ").join(map(Identifier, columns)), Identifier(scratch),
            SQL(", ").join(map(Identifier, key))) + update))

    def _lock_position(self, curs: Any, application_name: str) -> int | None:
        # Before the first commit there is no row to lock: create it (position 0) so that FOR UPDATE has something
        # to wait on; a concurrent first commit then waits here and sees the position the other one recorded.
        table = self.tracking_table_name
        curs.execute(self._once(("track", table), lambda: SQL(
            "INSERT INTO {} VALUES (%s, 0) ON CONFLICT DO NOTHING").format(Identifier(table))), (application_name,))
        curs.execute(self._once(("lock", table), lambda: SQL(
            "SELECT notification_id FROM {} WHERE application_name = %s FOR UPDATE").format(Identifier(table))),
            (application_name,))
        row = curs.fetchone()
        return None if row is None else row["notification_id"]


SQLITE_CACHE_KIB = 64 * 1024  # per connection
# A rebuild appends rows and reads back few (lookup misses): a large page cache only fills with pages it wrote, and it
# was most of a SQLite rebuild's memory growth (six views, up to 64 MB each), at no gain in speed.
SQLITE_REBUILD_CACHE_KIB = 2 * 1024  # SQLite's default


def _cache_size(kib: int) -> str:
    return SQL("PRAGMA cache_size = {}").format(Literal(-kib)).as_string()  # a PRAGMA takes no "?"


class SQLiteView(ReadModelView, SQLiteTrackingRecorder):
    dialect = "sqlite"
    # The library's SQLite factory passes no table name; views_for() bakes the projection's name in here.
    default_tracking_table_name = "notification_tracking"

    def __init__(self, datastore: Any, *, tracking_table_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.tracking_table_name = tracking_table_name or self.default_tracking_table_name
        t = Identifier(self.tracking_table_name)
        # The library runs these as strings: rendered once, here.
        self.insert_tracking_statement = SQL(
            "INSERT INTO {t} VALUES (:application_name, :notification_id) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = :notification_id "
            "WHERE {t}.notification_id < :notification_id RETURNING notification_id"
        ).format(t=t).as_string()
        self.select_max_tracking_id_statement = SQL(
            "SELECT MAX(notification_id) FROM {} WHERE application_name=?").format(t).as_string()
        self.create_table_statements = [
            SQL("CREATE TABLE IF NOT EXISTS {} (application_name TEXT, notification_id INTEGER, "
                "PRIMARY KEY (application_name)) WITHOUT ROWID").format(t).as_string()
        ]

    # SQLite's default page cache is 2 MB; read models of a million events are over a gigabyte.
    _cache_statement = _cache_size(SQLITE_CACHE_KIB)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as curs:
            curs.execute(self._cache_statement)
            yield curs

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        self._cache_statement = _cache_size(SQLITE_REBUILD_CACHE_KIB)
        try:
            yield
        finally:
            del self._cache_statement  # the class's again, from the next transaction on

    def insert_rows(self, curs: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if rows:
            curs.executemany(self._once(("insert", table, tuple(columns)), lambda: _insert(table, columns)), rows)

    def upsert_rows(self, curs: Any, table: str, columns: Sequence[str], key: Sequence[str], rows: list[tuple],
                    update: Composable) -> None:
        if rows:
            statement = self._once(("upsert", table, tuple(columns), tuple(key), update.as_string()), lambda: (
                _insert(table, columns) + SQL(" ON CONFLICT ({}) DO UPDATE SET ").format(
                    SQL(", ").join(map(Identifier, key))) + update))
            curs.executemany(statement, rows)

    def _lock_position(self, curs: Any, application_name: str) -> int | None:
        # A write first, so this transaction holds SQLite's write lock before it reads the position: a second
        # process cannot commit between this read and ours.
        table = self.tracking_table_name
        curs.execute(self._once(("track", table), lambda: SQL(
            "INSERT INTO {} VALUES (?, 0) ON CONFLICT DO NOTHING").format(Identifier(table))), (application_name,))
        curs.execute(self.select_max_tracking_id_statement, (application_name,))
        return curs.fetchone()[0]


def rendered(statement: Composable) -> SQL:
    """A composition rendered once (at import, say) into plain SQL: rendering many identifiers costs more than a
    point query's own work, so a statement's fixed parts should not be rendered on every call."""
    return SQL(statement.as_string())


def _insert(table: str, columns: Sequence[str]) -> Composable:
    return SQL("INSERT INTO {} ({}) VALUES ({})").format(
        Identifier(table), SQL(", ").join(map(Identifier, columns)), SQL(", ").join(SQL("?") for _ in columns))
