"""``check``: rebuild projections from zero into scratch tables and list every row that differs from the live ones.

The scratch copy lives beside the live one — a ``<schema>_check`` schema in the same PostgreSQL database, or a
``<file>.check.sqlite3`` file attached to the live SQLite file — so the comparison is two ``EXCEPT`` queries per
table, run by the database, however many rows there are. The live views are first brought up to the ledger's last
event, and the scratch rebuild stops at the same position, so both describe the same history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from api.settings import Settings
from api.store import ensure_postgres_schema, pg_connect
from ledger.application import VoucherLedger
from projections.runner import (
    PROJECTIONS,
    Progress,
    catch_up,
    close_projections,
    open_projections,
    rebuild,
)

MAX_REPORTED = 50  # rows listed per table and side; the counts are always complete


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
    """Bring live views up to date, rebuild them from zero into scratch, return the tables that differ."""
    names = list(names or PROJECTIONS)
    live = open_projections(settings, names)
    try:
        catch_up(app, live)
        until = min(p.position for p in live)
    finally:
        close_projections(live)
    scratch = scratch_settings(settings)
    reset_scratch(scratch)
    rebuilt = open_projections(scratch, names)
    try:
        rebuild(app, rebuilt, until=until, progress=progress)
    finally:
        close_projections(rebuilt)
    tables = [t for name in names for t in PROJECTIONS[name].tables]
    return [d for d in (_compare(settings, scratch, table) for table in tables) if d is not None]


def _compare(settings: Settings, scratch: Settings, table: str) -> TableDifference | None:
    if settings.store == "postgres":
        live_t = sql.Identifier(settings.postgres_schema or "public", table)
        scratch_t = sql.Identifier(scratch.postgres_schema, table)
        with pg_connect(settings) as conn:
            only_live = conn.execute(sql.SQL("SELECT * FROM {} EXCEPT ALL SELECT * FROM {}").format(live_t, scratch_t)).fetchall()
            only_rebuilt = conn.execute(sql.SQL("SELECT * FROM {} EXCEPT ALL SELECT * FROM {}").format(scratch_t, live_t)).fetchall()
    else:
        conn = sqlite3.connect(settings.sqlite_path)
        try:
            conn.execute("ATTACH DATABASE ? AS scratch", (str(scratch.sqlite_path),))
            # SQLite has no EXCEPT ALL; every table here has a primary key, so rows are distinct anyway.
            only_live = conn.execute(f"SELECT * FROM main.{table} EXCEPT SELECT * FROM scratch.{table}").fetchall()
            only_rebuilt = conn.execute(f"SELECT * FROM scratch.{table} EXCEPT SELECT * FROM main.{table}").fetchall()
        finally:
            conn.close()
    if not only_live and not only_rebuilt:
        return None
    examples = tuple([("live", tuple(r)) for r in only_live[:MAX_REPORTED]]
                     + [("rebuilt", tuple(r)) for r in only_rebuilt[:MAX_REPORTED]])
    return TableDifference(table, len(only_live), len(only_rebuilt), examples)
