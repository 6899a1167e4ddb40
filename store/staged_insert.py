"""One PostgreSQL transaction that takes events chunk by chunk while they are still being decided, and writes them
all or none: the bulk import's commit (``importer/holding.py``).

An all-or-nothing import must not write a row before every row is decided. Sending everything at the end puts the
whole transfer and insert on the import's critical path (a fifth of a 100,000-claim import), and holding the
encoded events in Python until then costs about 1.5 GiB. Here each sealed chunk is copied (binary ``COPY``) into a
temporary table of one open transaction, on a thread of its own, while the next chunk is decided; the server does
its part on the other core. At :meth:`StagedInsert.commit` the writers' lock is taken and the rows are moved into the
events table in one statement, in the order they were staged: the lock is held for that move only, as long as for
any insert of that size, never while rows are decided. :meth:`StagedInsert.rollback` (or a failure) leaves nothing,
the temporary table included (``ON COMMIT DROP``, and a rolled-back ``CREATE`` never happened).

The events' positions come from the table's sequence at the move, under the lock, so commit order is position order
as for every other insert (``store/postgres_recorder.py``). Nothing but the import's own thread uses this
transaction's connection: every call runs on that thread, one after the other.

The move is the server's work alone (~28 µs per claim row, a seventh of the row's deciding), and with it at the end
the importer waited for it: a sixth of a 100,000-claim import. :meth:`StagedInsert.move_now`, called when a fifth of
the rows are left to decide, takes the writers' lock then and moves what is staged while those rows are decided;
each later chunk is copied straight into the events table, and the commit is left. The lock is held about as long
as the move alone would hold it (the last rows' deciding instead of the move), once, for the same transaction. If
the lock is not free within the lock timeout, nothing changes: the rest is staged and moved at the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import pq
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from store.appended import appended

T = TypeVar("T")
STAGING = "voucher_ledger_staged_events"
# The transaction waits idle while the importer decides the next chunk (seconds on a loaded machine), longer than
# the library's idle-in-transaction limit (5 s), which would end the session; it holds no lock meanwhile.
IDLE_LIMIT = "10min"
# The move sorts the staged rows by position; with the server's default work_mem (4 MB) a large import's sort spills
# to disk and takes three times as long (bench/README.md, "Bulk import"). The move's transaction allows it memory for
# the rows it staged (sorted in memory they take about 1.1 × their size), up to this many kB.
SORT_MEMORY_CAP_KB = 1 << 20
# An import sent to the API runs on the API's connections, whose statements time out (``api_statement_timeout_s``,
# store/connections.py) so that a request is not held by a hung database; the final move of a large import is long on
# purpose, so its transaction lifts that limit for itself.


class StagedInsert:
    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staged-insert")
        # Work sent to the staging thread and not yet seen done, oldest first: the thread runs it in that order, and a
        # chunk is sent without waiting for the one before (or for the move) to finish.
        self._pending: list[Future[Any]] = []
        self._moving = False
        self._failed: Exception | None = None
        self._connection: Any = None
        self._position = 0
        self._staged_bytes = 0
        self._events = 0  # sent to the transaction: appended once it commits
        self._ours_after: int | None = None  # once moved: every event above this position is this transaction's
        table = SQL("{0}.{1}").format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        self._move = SQL("INSERT INTO {0} (originator_id, originator_version, topic, state) "
                         "SELECT originator_id, originator_version, topic, state FROM {1} ORDER BY position"
                         ).format(table, Identifier(STAGING)).as_string(None)
        self._table = table.as_string(None)
        try:
            self._call(self._begin)
        except BaseException:
            self.close()
            raise

    def add(self, stored_events: Sequence[StoredEvent]) -> None:
        """Copy these events into the transaction, in the background. If a copy fails, the transaction is lost:
        later chunks are not sent, and :meth:`commit` raises that error (so the caller decides what to do with a
        failed commit, as with any other)."""
        if stored_events and self._send_checked():
            self._events += len(stored_events)
            self._pending.append(self._thread.submit(self._copy, list(stored_events)))

    def move_now(self) -> None:
        """From now on, write into the events table: take the writers' lock, move what is staged (in the background,
        while the caller decides the next rows) and copy each later chunk straight in. Once only; if the lock is not
        free within the lock timeout, staging goes on as before."""
        if not self._moving and self._send_checked():
            self._moving = True
            self._pending.append(self._thread.submit(self._move_staged))

    def events_of(self, aggregate_id: UUID) -> list[StoredEvent]:
        """The events staged so far for one aggregate, in order (for the rare command that reads raw history)."""
        return self._call(self._select, aggregate_id)

    def commit(self) -> None:
        """Every staged event into the events table, in one transaction; raises if nothing was committed."""
        try:
            if self._failed is not None:
                raise self._failed
            self._call(self._finish)
        except BaseException:
            with suppress(Exception):
                self._call(self._end)
            raise
        finally:
            self.close()
        appended(self._recorder, self._events)  # moved in by its own statement, not the recorder's insert_events

    def rollback(self) -> None:
        with suppress(Exception):  # discarding: a copy's error no longer matters
            self._wait()
        with suppress(Exception):
            self._call(self._end)
        self.close()

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    # -- on the staging thread ------------------------------------------------------------------------------------
    def _begin(self) -> None:
        self._context = self._recorder.datastore.get_connection()
        self._connection = self._context.__enter__()
        try:
            self._connection.execute(
                f"BEGIN; SET LOCAL idle_in_transaction_session_timeout = '{IDLE_LIMIT}'; "
                "SET LOCAL statement_timeout = 0; "
                f"CREATE TEMPORARY TABLE {STAGING} (position bigint, originator_id uuid, originator_version bigint, "
                "topic text, state bytea) ON COMMIT DROP")
        except BaseException:
            self._end()
            raise

    def _copy(self, stored_events: list[StoredEvent]) -> None:
        if self._ours_after is not None:  # moved: straight into the events table, under the lock held since
            with self._connection.cursor() as cursor, cursor.copy(
                    f"COPY {self._table} (originator_id, originator_version, topic, state) FROM STDIN "
                    "(FORMAT BINARY)") as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for event in stored_events:
                    copy.write_row((event.originator_id, event.originator_version, event.topic, event.state))
            return
        start = self._position
        with self._connection.cursor() as cursor, cursor.copy(
                f"COPY {STAGING} (position, originator_id, originator_version, topic, state) FROM STDIN "
                "(FORMAT BINARY)") as copy:
            copy.set_types(["int8", "uuid", "int8", "text", "bytea"])
            for offset, event in enumerate(stored_events, start):
                copy.write_row((offset, event.originator_id, event.originator_version, event.topic, event.state))
                self._staged_bytes += len(event.state) + len(event.topic) + 64  # 64: the row's other columns, header
        self._position = start + len(stored_events)

    def _move_staged(self) -> None:
        with self._connection.cursor(row_factory=tuple_row) as cursor:
            cursor.execute("SAVEPOINT voucher_ledger_move")
            try:
                for statement in self._recorder.lock_table_statements:  # the writers' lock, as every insert takes it
                    cursor.execute(statement)
            except psycopg.errors.LockNotAvailable:  # another writer holds it: stage on, move at the commit
                cursor.execute("ROLLBACK TO SAVEPOINT voucher_ledger_move")
                return
            cursor.execute("RELEASE SAVEPOINT voucher_ledger_move")
            # Under the lock no other transaction holds events it has not committed, so every event above the
            # highest position now is this transaction's (what events_of reads once the staging table is moved).
            cursor.execute(f"SELECT coalesce(max(notification_id), 0) FROM {self._table}")
            ours_after = cursor.fetchone()[0]
            self._sort_memory(cursor)
            cursor.execute(self._move)
            self._ours_after = ours_after

    def _select(self, aggregate_id: UUID) -> list[StoredEvent]:
        with self._connection.cursor(row_factory=tuple_row) as cursor:
            if self._ours_after is None:
                cursor.execute(f"SELECT originator_id, originator_version, topic, state FROM {STAGING} "
                               "WHERE originator_id = %s ORDER BY position", [aggregate_id])
            else:
                cursor.execute(f"SELECT originator_id, originator_version, topic, state FROM {self._table} "
                               "WHERE originator_id = %s AND notification_id > %s ORDER BY notification_id",
                               [aggregate_id, self._ours_after])
            return [StoredEvent(originator_id=i, originator_version=v, topic=t, state=bytes(s))
                    for i, v, t, s in cursor.fetchall()]

    def _finish(self) -> None:
        try:
            with self._connection.cursor() as cursor:
                if self._ours_after is None:  # not moved yet: now, under the lock
                    self._sort_memory(cursor)
                    for statement in self._recorder.lock_table_statements:  # the writers' lock, as every insert takes
                        cursor.execute(statement)
                    cursor.execute(self._move)
                cursor.execute(self._recorder.notify_statement)  # as every insert does
                cursor.execute("COMMIT")
        finally:
            self._end()

    def _sort_memory(self, cursor: Any) -> None:
        sort_kb = min(SORT_MEMORY_CAP_KB, 4096 + self._staged_bytes * 5 // 4 // 1024)
        cursor.execute(f"SET LOCAL work_mem = '{int(sort_kb)}kB'")

    def _end(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.info.transaction_status != pq.TransactionStatus.IDLE:
                with suppress(psycopg.Error):
                    connection.execute("ROLLBACK")
        finally:
            self._context.__exit__(None, None, None)

    # -- handing work to the staging thread -----------------------------------------------------------------------
    def _call(self, work: Callable[..., T], *args: Any) -> T:
        self._wait()
        return self._thread.submit(work, *args).result()

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def _send_checked(self) -> bool:
        """Whether more work may be sent: no earlier work has failed (a failure is kept for :meth:`commit`)."""
        while self._failed is None and self._pending and self._pending[0].done():
            try:
                self._pending.pop(0).result()
            except Exception as error:  # noqa: BLE001 - reported by commit()
                self._failed = error
        return self._failed is None
