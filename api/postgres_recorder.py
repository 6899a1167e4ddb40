"""The PostgreSQL application recorder, sending stored events in psycopg's binary format.

eventsourcing 9.5.6 inserts a batch as ``unnest(%s::stored_event[])``; with ``%s`` psycopg dumps the composite array
as text, escaping every field with regular expressions: ~25 µs an event, more than the rest of a batched insert.
The same statement with a ``%b`` placeholder sends it binary: ~8 µs an event (measured here, bench/README.md). It is
selected through the library's own ``APPLICATION_RECORDER_TOPIC`` setting (see ``api.settings``), and every PostgreSQL
test runs through it.

Writers take a transaction-scoped advisory lock instead of the library's ``LOCK TABLE ... IN EXCLUSIVE MODE``. The
purpose is the library's (commit order = notification-id order, so that readers never pass a gap filled later), and
every writer of the events table goes through this recorder, so the advisory lock serialises them just the same. The
table lock needs UPDATE, DELETE or TRUNCATE privilege; the advisory lock needs none, so the service's role can be
INSERT and SELECT only (README, "Tamper evidence") while the append-only trigger refuses every change.

The insert transaction is written out here, in three round trips like a plain single-row commit: "BEGIN; SET LOCAL
lock_timeout; advisory lock; NOTIFY" as one simple-protocol message, the INSERT ... RETURNING, then COMMIT. The
library runs the same statements in psycopg's pipeline mode with a sync in the middle, which on a local server costs
more than the round trips it saves: one-row transaction 0.69-0.80 ms plain, 0.97-1.07 ms pipelined, 1.24-1.26 ms
pipelined with the sync (bench/README.md, "Group commit").
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import pq
from psycopg.sql import SQL, Identifier, Literal


class BinaryInsertApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statement = self.insert_events_statement.as_string(None)
        if statement.count("%s::") != 1:  # the library changed shape: fail loudly rather than insert differently
            raise RuntimeError("unexpected insert statement from eventsourcing; review api/postgres_recorder.py")
        # Plain strings, rendered once: psycopg caches the conversion of a string query, but renders an SQL object
        # again on every execute (a fifth of the committing thread's GIL time in a group-commit profile).
        self.insert_events_statement = statement.replace("%s::", "%b::")  # type: ignore[assignment]
        key = f"voucher-ledger events: {self.datastore.schema}.{self.events_table_name}"
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock(hashtext({0}))").format(Literal(key)),
        ]
        # No parameters, so psycopg sends it with the simple query protocol: four statements, one round trip.
        self._begin_lock_notify = SQL("; ").join(
            [SQL("BEGIN"), *self.lock_table_statements, SQL("NOTIFY {0}").format(Identifier(self.channel_name))]
        ).as_string(None)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's insert_events
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            if not stored_events:
                return []
            curs.execute(self._begin_lock_notify)
            try:
                self._insert_events(curs, stored_events, **kwargs)  # the library's hook (tracking records)
                PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)  # no lock/notify again
                notification_ids = self._fetch_ids_after_insert_events(curs, stored_events)
                curs.execute("COMMIT")
            except BaseException:
                if conn.info.transaction_status in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
                    with suppress(psycopg.Error):  # the first error is the one to report
                        conn.execute("ROLLBACK")  # nothing of it was committed; the pool gets it back clean
                raise
            return notification_ids


TOPIC = f"{__name__}:{BinaryInsertApplicationRecorder.__name__}"
