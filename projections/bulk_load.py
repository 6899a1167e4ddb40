"""Bulk rebuilds without secondary indexes: drop them, load, build them once at the end.

Inserting a million rows into tables with four or five secondary indexes updates every index row by row, in random
key order; building an index once over loaded rows is several times cheaper. The definitions of the dropped indexes
are written to ``vl_dropped_indexes`` in the same transaction as the drop, and deleted in the one that recreates
them, so a rebuild that dies half-way leaves a record that the next ``rebuild`` or ``migrate`` acts on
(:func:`restore_indexes`). Not at every start-up: a process starting during another's rebuild would rebuild the
indexes under it. Until then queries stay right, only slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from psycopg.sql import SQL, Identifier

from projections.view import ReadModelView


def _secondary_indexes(view: ReadModelView, tables: Sequence[str]) -> list[tuple[str, str]]:
    marks = SQL(", ").join(SQL("?") for _ in tables)
    if view.dialect == "postgres":
        statement = SQL(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename IN ({}) AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"
        ).format(marks)
    else:  # automatic (primary key) indexes have no SQL
        statement = SQL(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({}) "
            "AND sql IS NOT NULL ORDER BY name"
        ).format(marks)
    return [(row[0], row[1]) for row in view.fetchall(statement, tables)]


_ON_TABLE = re.compile(r' ON (?:ONLY )?(?:"[^"]+"\.|[^\s."]+\.)?"?(\w+)"? ')


def restore_indexes(view: ReadModelView, tables: Sequence[str] | None = None, *, at_once: int = 1) -> int:
    """Recreate the indexes (of ``tables``, default all) a bulk rebuild dropped and did not restore; say how many.

    Limited to given tables so that rebuilds of different projections running at once leave each other alone. Each
    table's indexes are built in one transaction, on PostgreSQL ``at_once`` tables at a time (a CREATE INDEX keeps
    one core busy, and at the end of a rebuild nothing else does)."""
    dropped: dict[str | None, list[tuple[str, str]]] = {}
    for name, definition in view.fetchall("SELECT name, definition FROM vl_dropped_indexes ORDER BY name"):
        table = _table_of(definition)
        if tables is None or table in tables:
            dropped.setdefault(table, []).append((name, definition))

    def build(indexes: list[tuple[str, str]]) -> None:
        with view.transaction(commit=True) as curs:
            for name, definition in indexes:
                curs.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
                view.execute(curs, "DELETE FROM vl_dropped_indexes WHERE name = ?", (name,))

    _each(view, list(dropped.values()), build, at_once)
    return sum(map(len, dropped.values()))


def _each(view: ReadModelView, parts: list[Any], run: Callable[[Any], None], at_once: int) -> None:
    """``run(part)`` for every part: on PostgreSQL ``at_once`` at a time (threads, each on its own pooled connection;
    the view's pool has at least two), on SQLite, which has one writer, one after the other."""
    if at_once > 1 and len(parts) > 1 and view.dialect == "postgres":
        with ThreadPoolExecutor(at_once, thread_name_prefix="bulk-load") as pool:
            for _ in pool.map(run, parts):  # raises the first part's error, after all have ended
                pass
    else:
        for part in parts:
            run(part)


def _table_of(definition: str) -> str | None:
    match = _ON_TABLE.search(definition)
    return match[1] if match else None


@contextmanager
def without_secondary_indexes(view: ReadModelView, tables: Sequence[str], *, at_once: int = 1) -> Iterator[None]:
    indexes = _secondary_indexes(view, tables)
    with view.transaction(commit=True) as curs:
        for name, definition in indexes:
            view.execute(curs, "INSERT INTO vl_dropped_indexes (name, definition) VALUES (?, ?)", (name, definition))
            view.execute(curs, SQL("DROP INDEX {}").format(Identifier(name)))
    try:
        yield
    finally:
        restore_indexes(view, tables, at_once=at_once)

    def analyze(table: str) -> None:  # fresh statistics, or the planner guesses on a table it saw empty
        with view.transaction(commit=True) as curs:
            view.execute(curs, SQL("ANALYZE {}").format(Identifier(table)))

    _each(view, list(tables), analyze, at_once)
