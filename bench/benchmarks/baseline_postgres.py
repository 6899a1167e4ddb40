"""Raw psycopg 3: one event-shaped row per transaction (BEGIN; INSERT; COMMIT), with 1 and N connections.

This is the floor any event store on this server is compared with: the cost of one durable commit (WAL flush,
fsync as the server is configured), without the library's table lock, NOTIFY or Python domain work.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from bench.context import Context
from bench.registry import Figure, benchmark
from bench.rows import new_rows
from bench.scale import workers_label
from bench.timing import Job, Tally, measure

TABLE = "bench_events"
CREATE = f"""
CREATE TABLE {TABLE} (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX {TABLE}_notification_id_idx ON {TABLE} (notification_id ASC);
"""
INSERT = f"INSERT INTO {TABLE} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"


def insert_job(conn: psycopg.Connection, rows: Sequence[tuple], advance) -> Job:
    def job(tally: Tally) -> None:
        for row in rows:
            def one(row: tuple = row) -> None:
                with conn.transaction():  # autocommit connection: BEGIN ... COMMIT, like the library's writes
                    conn.execute(INSERT, row)

            tally.attempt(one)
            advance()

    return job


@benchmark(
    "baseline_postgres",
    order=10,
    stores=("postgres",),
    description="raw psycopg: one event-shaped row per BEGIN/INSERT/COMMIT, 1 and N connections",
)
def baseline_postgres(ctx: Context) -> list[Figure]:
    if not ctx.uses("postgres"):
        return []
    scale = ctx.scale
    with ctx.postgres.connect(autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(CREATE)
    figures = []
    try:
        for workers in scale.concurrency:
            per_worker = scale.count("raw_rows", workers)
            label = workers_label(workers, "conn")
            connections = [ctx.postgres.connect(autocommit=True) for _ in range(workers)]
            try:
                with ctx.tracker.step(f"postgres: raw insert, {label}", scale.repeats * workers * per_worker) as adv:
                    figures.append(
                        measure(
                            f"postgres.insert_commit.{label}",
                            "rows/s",
                            lambda _r: [insert_job(c, new_rows(per_worker), adv) for c in connections],
                            scale.repeats,
                            baseline=None if workers == 1 else "postgres.insert_commit.1conn",
                            notes={"connections": workers, "rows_per_transaction": 1, "state_bytes": 300},
                        )
                    )
            finally:
                for c in connections:
                    c.close()
    finally:
        with ctx.postgres.connect(autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    return figures
