"""The PostgreSQL application recorder, sending stored events in psycopg's binary format.

eventsourcing 9.5.6 inserts a batch as ``unnest(%s::stored_event[])``; with ``%s`` psycopg dumps the composite array
as text, escaping every field with regular expressions, which costs more than the rest of a batched insert. The same
statement with a ``%b`` placeholder sends it binary, about three times cheaper (bench/README.md, "The simulator"). It is
the application recorder of ``LedgerPostgresFactory`` (the persistence the settings select, ``store.settings``), and
every PostgreSQL test runs through it.

Writers take a transaction-scoped advisory lock instead of the library's ``LOCK TABLE ... IN EXCLUSIVE MODE``. The
purpose is the library's (commit order = notification-id order, so that readers never pass a gap filled later), and
every writer of the events table goes through this recorder, so the advisory lock serialises them just the same. The
table lock needs UPDATE, DELETE or TRUNCATE privilege; the advisory lock needs none, so the service's role can be
SELECT and INSERT only (README, "Tamper evidence") while the append-only trigger refuses every change. Every INSERT
here and in the library names its four columns, never notification_id, so that INSERT can be granted on those
columns alone: the position always comes from the sequence.

Reads: ``select_events`` runs the library's statements rendered once per shape (the library composes and renders an
SQL object on every call: a tenth of the group-commit writer's time went there), and ``select_events_of_many`` reads
several aggregates' events in one round trip, for the group-commit writer's read hints (``writer.group_commit``).

The insert transaction is written out here, in three round trips like a plain single-row commit: "BEGIN; SET LOCAL
lock_timeout; advisory lock; NOTIFY" as one simple-protocol message, the INSERT ... RETURNING, then COMMIT. The
library runs the same statements in psycopg's pipeline mode with a sync in the middle, which on a local server costs
more than the round trips it saves (bench/README.md, "Group commit").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, PersistenceError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresFactory
from psycopg import pq
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Literal

from store.connections import LABEL_KEY, TIMEOUT_KEY
from store.retries import (
    BudgetedAggregateRecorder,
    BudgetedApplicationRecorder,
    BudgetedTrackingRecorder,
    while_opening,
    within_budget,
)
from store.staged_insert import StagedInsert


class BinaryInsertApplicationRecorder(BudgetedApplicationRecorder):
    # Up to this many events, the insert transaction is one message (one round trip, and one wake-up of the
    # committing thread, which under a busy GIL waits to run again after each); above, the binary INSERT's smaller
    # message wins (states are sent as hex, twice their size).
    ONE_MESSAGE_MAX_EVENTS = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statement = self.insert_events_statement.as_string(None)
        if statement.count("%s::") != 1:  # the library changed shape: fail loudly rather than insert differently
            raise RuntimeError("unexpected insert statement from eventsourcing; review store/postgres_recorder.py")
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
        self._begin_lock = SQL("; ").join([SQL("BEGIN"), *self.lock_table_statements]).as_string(None)
        self._notify = self.notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name)).as_string(None)
        self._held = threading.local()  # a transaction holding the writers' lock, per thread (``exclusively``)
        select = self.select_events_statement.as_string(None)
        if not (select.startswith("SELECT * FROM") and select.endswith("WHERE originator_id = %s")):  # as above
            raise RuntimeError("unexpected select statement from eventsourcing; review store/postgres_recorder.py")
        table = SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self._insert_head = (f"INSERT INTO {table.as_string(None)} (originator_id, originator_version, topic, state) "
                             "SELECT i, v, t, decode(h, 'hex') FROM unnest(")
        self._topic_literals: dict[str, str] = {}
        self._select = select = select.replace("SELECT *", "SELECT originator_id, originator_version, topic, state", 1)
        self._select_statements: dict[tuple[bool, bool, bool, bool], str] = {}
        # The ids go binary (%b): dumped as text, a chunk's few thousand cost the importer five times the CPU.
        self._select_of_many = select.replace("originator_id = %s", "originator_id = ANY(%b)") + (
            " ORDER BY originator_id, originator_version"
        )

    def select_events(self, originator_id: Any, *, gt: int | None = None, lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's ``select_events``, with each statement shape rendered once."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._select_statements.get(shape)
        if statement is None:
            statement = self._select
            statement += " AND originator_version > %s" if shape[0] else ""
            statement += " AND originator_version <= %s" if shape[1] else ""
            statement += " ORDER BY originator_version " + ("DESC" if desc else "ASC")
            statement += " LIMIT %s" if shape[3] else ""
            self._select_statements[shape] = statement
        params = [originator_id, *(p for p in (gt, lte, limit) if p is not None)]
        return self._fetch_stored_events(statement, params)

    def select_events_of_many(self, originator_ids: Sequence[Any]) -> Sequence[StoredEvent]:
        """Every event of these aggregates, grouped by aggregate and in version order, in one round trip."""
        return self._fetch_stored_events(self._select_of_many, [list(originator_ids)])

    @within_budget  # as the library's select_events (store/retries.py)
    def _fetch_stored_events(self, statement: str, params: list[Any]) -> list[StoredEvent]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, params, prepare=True)  # tuples: dict rows cost more than the rest of a read
            return [StoredEvent(originator_id=i, originator_version=v, topic=t, state=bytes(state))
                    for i, v, t, state in curs.fetchall()]

    def staged_insert(self) -> StagedInsert:
        """A transaction that takes events chunk by chunk and writes them all at its commit (store/staged_insert.py):
        the bulk import's, so that what it has decided travels to the server while it decides the rest."""
        return StagedInsert(self)

    @contextmanager
    def exclusively(self) -> Iterator[None]:
        """Take the writers' lock now and hold it until this thread's next insert commits (or the block ends): what
        the thread reads meanwhile no other writer can change before that insert, so it cannot clash. For a writer
        that keeps losing the race to another process (``writer/group_commit.py``); every other writer waits, so
        hold it for one command."""
        with self.datastore.get_connection() as conn:
            try:
                conn.execute(self._begin_lock)
                self._held.conn = conn
                yield
            finally:
                self._held.conn = None
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:  # nothing was inserted, or it failed
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")

    @within_budget  # as the library's insert_events (store/retries.py)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        held = getattr(self._held, "conn", None)
        if held is not None:  # inside ``exclusively``: in its transaction, which already holds the lock
            self._held.conn = None  # one insert per hold; a retry after a failure takes the ordinary way
            try:
                with held.cursor() as curs:
                    return self._insert_in_three_round_trips(curs, stored_events, begin=self._notify, **kwargs)
            except psycopg.Error as error:  # as the library's get_connection translates them
                raise _translated(error) from error
        with self.datastore.get_connection() as conn:
            try:
                if kwargs or len(stored_events) > self.ONE_MESSAGE_MAX_EVENTS:
                    with conn.cursor() as curs:
                        return self._insert_in_three_round_trips(curs, stored_events, **kwargs)
                with conn.cursor(row_factory=tuple_row) as curs:
                    return self._insert_in_one_message(conn, curs, stored_events)
            except BaseException:
                if conn.info.transaction_status in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
                    with suppress(psycopg.Error):  # the first error is the one to report
                        conn.execute("ROLLBACK")  # nothing of it was committed; the pool gets it back clean
                raise

    def _insert_in_three_round_trips(self, curs: Any, stored_events: Sequence[StoredEvent], *,
                                     begin: str | None = None, **kwargs: Any) -> Sequence[int] | None:
        curs.execute(begin or self._begin_lock_notify)
        self._insert_events(curs, stored_events, **kwargs)  # the library's hook (tracking records)
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)  # no lock/notify again
        notification_ids = self._fetch_ids_after_insert_events(curs, stored_events)
        curs.execute("COMMIT")
        return notification_ids

    def _insert_in_one_message(self, conn: Any, curs: Any, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        """The whole transaction as one simple-protocol message, the events written into it as literals: ids and
        versions as array literals, states as hex (decoded by the server), topics quoted by psycopg (once each)."""
        topics = self._topic_literals
        for event in stored_events:
            if event.topic not in topics:
                topics[event.topic] = Literal(event.topic).as_string(conn)
        # Only what is known to be a UUID or an int is written into the statement as is.
        ids = ",".join([str(i if isinstance(i, UUID) else UUID(str(i)))
                        for i in (e.originator_id for e in stored_events)])
        versions = ",".join([str(int(e.originator_version)) for e in stored_events])
        states = ",".join(['"' + bytes(e.state).hex() + '"' for e in stored_events])  # quoted: "" is an empty state
        curs.execute(
            f"{self._begin_lock_notify}; {self._insert_head}'{{{ids}}}'::uuid[], '{{{versions}}}'::bigint[], "
            f"ARRAY[{','.join([topics[e.topic] for e in stored_events])}]::text[], "
            f"'{{{states}}}'::text[]) AS u(i, v, t, h) "
            "RETURNING notification_id; COMMIT"
        )
        while not (curs.statusmessage or "").startswith("INSERT"):  # the results of BEGIN, SET, SELECT, NOTIFY
            if not curs.nextset():
                raise RuntimeError("the insert transaction returned no INSERT result")
        notification_ids = [row[0] for row in curs.fetchall()]
        if len(notification_ids) != len(stored_events):
            raise RuntimeError(f"inserted {len(stored_events)} events but got {len(notification_ids)} notification ids")
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:  # COMMIT did not end the transaction
            raise RuntimeError(f"the insert transaction did not commit ({conn.info.transaction_status.name})")
        return notification_ids


def _translated(error: psycopg.Error) -> Exception:
    for theirs, ours in ((psycopg.IntegrityError, IntegrityError), (psycopg.OperationalError, OperationalError),
                         (psycopg.InterfaceError, InterfaceError)):
        if isinstance(error, theirs):
            return ours(str(error))
    return PersistenceError(str(error))


class LedgerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL persistence, recording the ledger's events with the recorder above. The settings name
    this class by its topic (``store.settings``), computed from the class itself, so the wiring cannot drift."""

    application_recorder_class = BinaryInsertApplicationRecorder
    aggregate_recorder_class = BudgetedAggregateRecorder  # the snapshots
    tracking_recorder_class = BudgetedTrackingRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # Each connection the pool makes is named for pg_stat_activity and, in an API process, bounded by a statement
        # timeout (store/connections.py): the pool is not open yet, so every connection it makes carries them.
        kwargs = self.datastore.pool.kwargs
        if label := env.get(LABEL_KEY):
            kwargs["application_name"] = f"{label}:{env.name}"[:63]
        if (timeout := int(env.get(TIMEOUT_KEY) or 0)) > 0:
            kwargs["options"] = f"-c statement_timeout={timeout}"
        # The recorders' constructors read the store's composite types through the pool's first connection. The
        # library's datastore class is fixed by its factory, so its one method is wrapped on the instance.
        datastore = self.datastore
        datastore.register_type_adapters = while_opening(datastore.register_type_adapters)  # type: ignore[method-assign]
