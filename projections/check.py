"""``check``: rebuild projections from zero into scratch tables and list every row that differs from the live ones.

``check`` only reads the live views: ``follow`` workers keep writing them meanwhile. In one read transaction (one
snapshot: REPEATABLE READ on PostgreSQL, a read transaction on SQLite) it reads each projection's tracking position
and copies the projection's live tables into the scratch store as ``live_<table>``; then it rebuilds each projection
from zero into scratch tables up to exactly that projection's position, and compares the two copies. Both describe
the same history, however far the workers have moved since.

The scratch store is a ``<schema>_check`` schema in the same PostgreSQL database, or a ``<file>.check.sqlite3`` file
beside the live SQLite file, so the comparison is two ``EXCEPT`` queries per table, run by the database, however
many rows there are. It is left in place for inspection and emptied by the next ``check``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from store.settings import Settings
from store.opening import ensure_postgres_schema, pg_connect
from ledger.application import VoucherLedger
from projections.base import APPLICATION_NAME
from projections.runner import (
    PROJECTIONS,
    Progress,
    catch_up,
    close_projections,
    open_projections,
    rebuild,
)

MAX_REPORTED = 50  # rows listed per table and side; the counts are always complete
LIVE_COPY = "live_"  # prefix of the scratch store's copies of the live tables


@dataclass(frozen=True)
class TableDifference:
    table: str
    only_live: int
    only_rebuilt: int
    examples: tuple[tuple[str, tuple], ...]  # ("live" | "rebuilt", row)


def scratch_settings(settings: Settings) -> Settings:
    if settings.store == "postgres":
        return settings.model_copy(update={"postgres_schema": f"{settings.postgres_schema or 'public'}_check"})
    return settings.model_copy(update={"sqlite_path": settings.sqlite_path.with_suffix(".check.sqlite3")})


def reset_scratch(scratch: Settings) -> None:
    if scratch.store == "postgres":
        with pg_connect(scratch) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(scratch.postgres_schema)))
        ensure_postgres_schema(scratch)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch.sqlite_path}{suffix}").unlink(missing_ok=True)


def check(app: VoucherLedger, settings: Settings, names: Sequence[str] | None = None, *,
          progress: Progress | None = None) -> list[TableDifference]:
    """Rebuild the projections from zero into scratch tables up to the live views' positions; return the tables that
    differ. The live views and their tracking records are read, never written."""
    names = list(names or PROJECTIONS)
    live = open_projections(settings, names)  # as any process starting: the live tables exist and are migrated
    try:
        tracking_tables = {p.name: p.view.tracking_table_name for p in live}
    finally:
        close_projections(live)
    tables = [t for name in names for t in PROJECTIONS[name].tables]
    scratch = scratch_settings(settings)
    reset_scratch(scratch)
    positions = _copy_live(settings, scratch, tracking_tables, tables)
    rebuilt = open_projections(scratch, names)
    try:
        rebuild(app, rebuilt, until=min(positions.values()), progress=progress)  # one pass over the common history
        for projection in rebuilt:
            catch_up(app, [projection], until=positions[projection.name], progress=progress)
    finally:
        close_projections(rebuilt)
    return [d for d in (_compare(scratch, table) for table in tables) if d is not None]


def _copy_live(settings: Settings, scratch: Settings, tracking_tables: Mapping[str, str],
               tables: Sequence[str]) -> dict[str, int]:
    """Copy ``tables`` into the scratch store and return each projection's position, all from one snapshot."""
    select_position = "SELECT notification_id FROM {} WHERE application_name = {}"
    if settings.store == "postgres":
        live_schema, scratch_schema = settings.postgres_schema or "public", scratch.postgres_schema
        with pg_connect(settings) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE")  # the snapshot: at the first query
            positions = {
                name: _position(conn.execute(sql.SQL(select_position).format(
                    sql.Identifier(live_schema, tracking), sql.Literal(APPLICATION_NAME))).fetchone())
                for name, tracking in tracking_tables.items()
            }
            for table in tables:
                conn.execute(sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(
                    sql.Identifier(scratch_schema, LIVE_COPY + table), sql.Identifier(live_schema, table)))
            conn.execute("COMMIT")
        return positions
    conn = sqlite3.connect(scratch.sqlite_path, isolation_level=None, timeout=settings.sqlite_lock_timeout_s)
    try:
        conn.execute("ATTACH DATABASE ? AS live", (str(settings.sqlite_path),))
        conn.execute("BEGIN")  # WAL: the live file's snapshot is taken at the first read and kept to COMMIT
        positions = {
            name: _position(conn.execute(sql.SQL(select_position).format(
                sql.Identifier("live", tracking), sql.SQL("?")).as_string(), (APPLICATION_NAME,)).fetchone())
            for name, tracking in tracking_tables.items()
        }
        for table in tables:
            conn.execute(sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(
                sql.Identifier("main", LIVE_COPY + table), sql.Identifier("live", table)).as_string())
        conn.execute("COMMIT")
    finally:
        conn.close()
    return positions


def _position(row: tuple | None) -> int:
    return 0 if row is None or row[0] is None else int(row[0])


def _compare(scratch: Settings, table: str) -> TableDifference | None:
    if scratch.store == "postgres":
        live_t = sql.Identifier(scratch.postgres_schema, LIVE_COPY + table)
        rebuilt_t = sql.Identifier(scratch.postgres_schema, table)
        with pg_connect(scratch) as conn:
            only_live = conn.execute(sql.SQL("SELECT * FROM {} EXCEPT ALL SELECT * FROM {}").format(live_t, rebuilt_t)).fetchall()
            only_rebuilt = conn.execute(sql.SQL("SELECT * FROM {} EXCEPT ALL SELECT * FROM {}").format(rebuilt_t, live_t)).fetchall()
    else:
        conn = sqlite3.connect(scratch.sqlite_path)
        try:
            # SQLite has no EXCEPT ALL; every table here has a primary key, so rows are distinct anyway.
            live_t, rebuilt_t = sql.Identifier(LIVE_COPY + table), sql.Identifier(table)
            except_ = sql.SQL("SELECT * FROM {} EXCEPT SELECT * FROM {}")
            only_live = conn.execute(except_.format(live_t, rebuilt_t).as_string()).fetchall()
            only_rebuilt = conn.execute(except_.format(rebuilt_t, live_t).as_string()).fetchall()
        finally:
            conn.close()
    if not only_live and not only_rebuilt:
        return None
    examples = tuple([("live", tuple(r)) for r in only_live[:MAX_REPORTED]]
                     + [("rebuilt", tuple(r)) for r in only_rebuilt[:MAX_REPORTED]])
    return TableDifference(table, len(only_live), len(only_rebuilt), examples)
