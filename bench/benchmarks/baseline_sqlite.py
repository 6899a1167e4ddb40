"""Raw sqlite3: one event-shaped row per transaction (BEGIN; INSERT; COMMIT) on a WAL file, 1 and N connections.

Connections are opened the way eventsourcing's SQLite recorder opens them (autocommit mode with explicit BEGIN,
the same busy timeout, journal mode switched to WAL); ``synchronous`` is left at SQLite's default, as the library
leaves it. With N connections the writers queue on SQLite's own file lock (busy handler), not on a Python lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from store.settings import Settings
from bench.context import Context
from bench.registry import Figure, benchmark
from bench.rows import new_rows
from bench.scale import workers_label
from bench.timing import Job, Tally, measure

CREATE = (
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
    "state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
INSERT = "INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)"
SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=Settings().sqlite_lock_timeout_s
    )


def insert_job(conn: sqlite3.Connection, rows: Sequence[tuple], advance) -> Job:
    def job(tally: Tally) -> None:
        for originator_id, version, topic, state in rows:
            def one(args: tuple = (originator_id.hex, version, topic, state)) -> None:
                try:
                    conn.execute("BEGIN")
                    conn.execute(INSERT, args)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise

            tally.attempt(one)
            advance()

    return job


@benchmark(
    "baseline_sqlite",
    order=11,
    stores=("sqlite",),
    description="raw sqlite3 on a WAL file: one event-shaped row per BEGIN/INSERT/COMMIT, 1 and N connections",
)
def baseline_sqlite(ctx: Context) -> list[Figure]:
    if not ctx.uses("sqlite"):
        return []
    scale = ctx.scale
    figures = []
    for workers in scale.concurrency:
        per_worker = scale.count("raw_rows", workers)
        label = workers_label(workers, "conn")
        path = ctx.sqlite_path(f"baseline_{label}")
        with closing(connect(path)) as setup:
            journal_mode = setup.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            synchronous = SYNCHRONOUS.get(setup.execute("PRAGMA synchronous").fetchone()[0], "?")
            setup.execute(CREATE)
        connections = [connect(path) for _ in range(workers)]
        try:
            with ctx.tracker.step(f"sqlite: raw insert, {label}", scale.repeats * workers * per_worker) as adv:
                figures.append(
                    measure(
                        f"sqlite.insert_commit.{label}",
                        "rows/s",
                        lambda _r: [insert_job(c, new_rows(per_worker), adv) for c in connections],
                        scale.repeats,
                        baseline=None if workers == 1 else "sqlite.insert_commit.1conn",
                        notes={
                            "connections": workers,
                            "rows_per_transaction": 1,
                            "state_bytes": 300,
                            "journal_mode": journal_mode,
                            "synchronous": synchronous,
                        },
                    )
                )
        finally:
            for c in connections:
                c.close()
    return figures
