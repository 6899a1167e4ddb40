"""Reading the stored events for hashing and checking: fast, raw, in position order, and read-only.

The library's own reader decodes every row into objects; hashing needs only the stored bytes, so PostgreSQL rows are
taken straight from ``COPY (SELECT ...) TO STDOUT (FORMAT binary)`` — the row bytes *are* the hashed encoding — and
SQLite rows are packed into the same encoding. Each read is one statement in one snapshot (a REPEATABLE READ
transaction on PostgreSQL), so writers carry on, and what is read is a prefix of the history: the library's writers
lock the events table while they insert, so notification ids become visible in order and a gap seen is a gap kept.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import sql

from store.settings import Settings
from store.opening import pg_connect
from audit.hash_chain import FIELDS, encode

PG_TABLE = "voucherledger_events"  # the library names it after the application (ledger.application.VoucherLedger)
SQLITE_TABLE = "stored_events"  # SQLite: the library's table; its rowid is the notification id
PG_SNAPSHOTS, SQLITE_SNAPSHOTS = "voucherledger_snapshots", "stored_snapshots"
TRIGGER = "vl_events_append_only"  # installed by migrations/0012_events_append_only.sql
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_ROW = struct.Struct(">6xq32xi")  # position, then the topic's length, from the start of a binary COPY tuple
_INT = struct.Struct(">i")
NO_LIMIT = 2**63 - 1
BEFORE_ALL = -(2**63)  # ``after=BEFORE_ALL``: every stored row, even at a position the sequence never gives (<= 0)
# Every stored event that does not follow its aggregate's previous one (by version): its version is not the previous
# plus one (1 for the first), or its position is not after the previous one's. The database sorts by aggregate;
# only the breaks come back. {t} is the events table, {pos} its position column.
_VERSION_BREAKS = sql.SQL(
    "SELECT originator_id, originator_version, {pos}, prev_version, prev_position FROM ("
    " SELECT originator_id, originator_version, {pos}, lag(originator_version) OVER w AS prev_version,"
    " lag({pos}) OVER w AS prev_position FROM {t}"
    " WINDOW w AS (PARTITION BY originator_id ORDER BY originator_version, {pos})) AS s "
    "WHERE originator_version <> coalesce(prev_version, 0) + 1 OR {pos} <= prev_position "
    "ORDER BY originator_id, originator_version, {pos}"
)


class StoreReadError(RuntimeError):
    pass


@dataclass(frozen=True)
class EventSource:
    """The configured store's events table, read by position range ``after < position <= upto``."""

    settings: Settings

    @property
    def schema(self) -> str:
        return self.settings.postgres_schema or "public"

    def identity(self) -> dict[str, Any]:
        """What a digest says it was taken of; ``verify`` warns when a digest names another store."""
        s = self.settings
        if s.store == "sqlite":
            return {"kind": "sqlite", "path": str(s.sqlite_path.resolve()), "table": SQLITE_TABLE}
        return {"kind": "postgres", "host": s.postgres_host, "port": s.postgres_port, "database": s.postgres_dbname,
                "table": f"{self.schema}.{PG_TABLE}"}

    def rows(self, after: int = 0, upto: int = NO_LIMIT) -> Iterator[tuple[int, bytes]]:
        """``(position, encoding)`` of every event with ``after < position <= upto``, in position order."""
        return self._pg_rows(after, upto) if self.settings.store == "postgres" else self._sqlite_rows(after, upto)

    def first(self) -> tuple[int, bytes] | None:
        """The first event in the chain (position > 0), or None in an empty store: what names a store in a digest."""
        rows = (self._pg_rows(0, NO_LIMIT, limit=1) if self.settings.store == "postgres"
                else self._sqlite_rows(0, NO_LIMIT, limit=1))
        return next(iter(list(rows)), None)  # read to the end: the connection closes before this returns

    def stats(self, after: int = 0, upto: int = NO_LIMIT) -> tuple[int, int]:
        """How many events lie in the range, and the last position among them (0 if none)."""
        if self.settings.store == "postgres":
            with self._pg() as conn:
                row = conn.execute(self._pg_sql("SELECT count(*), coalesce(max(notification_id), 0) FROM {} "
                                                "WHERE notification_id > %s AND notification_id <= %s"),
                                   (after, upto)).fetchone()
        else:
            with self._sqlite() as conn:
                row = conn.execute(sql.SQL("SELECT count(*), coalesce(max(rowid), 0) FROM {} WHERE rowid > ? "
                                           "AND rowid <= ?").format(sql.Identifier(SQLITE_TABLE)).as_string(),
                                   (after, upto)).fetchone()
        return int(row[0]), int(row[1])

    def version_breaks(self) -> Iterator[tuple[UUID, int, int, int | None, int | None]]:
        """``(originator id, version, position, previous version, previous position)`` of every event that breaks
        its aggregate's sequence 1, 2, 3, ... in position order (see ``_VERSION_BREAKS``), streamed."""
        if self.settings.store == "postgres":
            query = _VERSION_BREAKS.format(t=sql.Identifier(self.schema, PG_TABLE), pos=sql.Identifier("notification_id"))
            with self._pg() as conn, conn.cursor() as cur:
                # A sequential scan and one sort: following the primary key instead reads the heap a row at a time in
                # key order, which is much slower over a large store (bench/README.md, "Tamper evidence").
                cur.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
                yield from cur.stream(query)
        else:
            with self._sqlite() as conn:
                query = _VERSION_BREAKS.format(t=sql.Identifier(SQLITE_TABLE), pos=sql.SQL("rowid"))
                for oid, *rest in conn.execute(query.as_string()):
                    yield UUID(hex=oid), *rest

    def snapshotted(self) -> list[UUID]:
        """The aggregates that have stored snapshots."""
        if self.settings.store == "postgres":
            with self._pg() as conn:
                table = sql.Identifier(self.schema, PG_SNAPSHOTS)
                if conn.execute("SELECT to_regclass(%s)", (table.as_string(conn),)).fetchone()[0] is None:
                    return []
                return [row[0] for row in conn.execute(sql.SQL("SELECT DISTINCT originator_id FROM {}").format(table))]
        with self._sqlite() as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (SQLITE_SNAPSHOTS,)).fetchone():
                return []
            statement = sql.SQL("SELECT DISTINCT originator_id FROM {}").format(sql.Identifier(SQLITE_SNAPSHOTS))
            return [UUID(hex=row[0]) for row in conn.execute(statement.as_string())]

    def append_only(self) -> bool | None:
        """Whether the append-only trigger guards the table (None on SQLite, which has none: see README)."""
        if self.settings.store != "postgres":
            return None
        with self._pg() as conn:
            row = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s "
                               "AND tgenabled <> 'D'", (sql.Identifier(self.schema, PG_TABLE).as_string(conn), TRIGGER)
                               ).fetchone()
        return bool(row and row[0])

    # -- PostgreSQL --------------------------------------------------------------------------------------------------
    def _pg_sql(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(sql.Identifier(self.schema, PG_TABLE))

    @contextmanager
    def _pg(self) -> Iterator[Any]:
        conn = pg_connect(self.settings)
        try:
            conn.autocommit = False
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn
        finally:
            conn.close()

    def _pg_rows(self, after: int, upto: int, limit: int | None = None) -> Iterator[tuple[int, bytes]]:
        query = self._pg_sql("COPY (SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
                             "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id"
                             + (" LIMIT %s" if limit is not None else "") + ") TO STDOUT (FORMAT binary)")
        params = (after, upto) if limit is None else (after, upto, limit)
        with self._pg() as conn, conn.cursor() as cur, cur.copy(query, params) as copy:
            yield from _parse_copy(iter(copy.read, b""))  # read() itself: a row per call, no iterator layer

    # -- SQLite ------------------------------------------------------------------------------------------------------
    @contextmanager
    def _sqlite(self) -> Iterator[sqlite3.Connection]:
        path = self.settings.sqlite_path.resolve()
        if not path.exists():
            raise StoreReadError(f"no SQLite store at {path}")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            yield conn
        finally:
            conn.close()

    def _sqlite_rows(self, after: int, upto: int, limit: int = -1) -> Iterator[tuple[int, bytes]]:
        with self._sqlite() as conn:
            cur = conn.execute(sql.SQL("SELECT rowid, originator_id, originator_version, topic, state FROM {} "
                                       "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?").format(  # -1: no limit
                                           sql.Identifier(SQLITE_TABLE)).as_string(), (after, upto, limit))
            fromhex = bytes.fromhex
            for position, oid, version, topic, state in cur:
                yield position, encode(position, fromhex(oid), version, topic, state)


def _parse_copy(copy: Any) -> Iterator[tuple[int, bytes]]:
    """Split a binary COPY stream into ``(position, tuple bytes)``; chunks need not align with rows."""
    buf, started, unpack_row, unpack_int = b"", False, _ROW.unpack_from, _INT.unpack_from
    for chunk in copy:
        buf = buf + bytes(chunk) if buf else bytes(chunk)
        off, n = 0, len(buf)
        if not started:
            if n < 19:
                continue
            if buf[:11] != _COPY_SIGNATURE:
                raise StoreReadError("not a binary COPY stream")
            off = 19 + _INT.unpack_from(buf, 15)[0]  # signature, flags, then a header extension of that length
            started = True
            if n >= off + 2 and int.from_bytes(buf[off:off + 2], "big", signed=True) not in (FIELDS, -1):
                raise StoreReadError("unexpected columns in the events table")
        while n - off >= 54:  # the shortest possible row: 50 bytes of head, a topic, 4 bytes of state length
            position, tlen = unpack_row(buf, off)
            at = off + 50 + (tlen if tlen > 0 else 0)
            if at + 4 > n:
                break
            (slen,) = unpack_int(buf, at)
            end = at + 4 + (slen if slen > 0 else 0)
            if end > n:
                break
            yield position, buf[off:end]
            off = end
        buf = buf[off:]
