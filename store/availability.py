"""Is the store unavailable for now, or is something wrong? One answer for the API (503) and the workers (back off).

The library wraps driver errors in its own classes (``raise ... from``), and its ``OperationalError`` is also raised
for configuration mistakes, so the decision is made on the driver's error in the chain: psycopg's
``OperationalError``/``InterfaceError`` (connection lost or refused, admin shutdown, pool timeout), or SQLite's
busy/locked (another process holds the writer lock for longer than the lock timeout).
"""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors


def store_unavailable(exc: BaseException) -> bool:
    if statement_timed_out(exc):
        return False  # the database answered: it cancelled one statement (store/connections.py)
    for current in _chain(exc):
        if isinstance(current, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True
        if isinstance(current, sqlite3.OperationalError) and any(w in str(current) for w in ("locked", "busy")):
            return True
    return False


def statement_timed_out(exc: BaseException) -> bool:
    """PostgreSQL cancelled a statement: it ran past ``statement_timeout`` (or an operator cancelled it). Not an
    outage: the server answered, about that one statement. Told by the error class (SQLSTATE 57014), not by its
    message, which the server may write in another language."""
    return any(isinstance(e, psycopg.errors.QueryCanceled) for e in _chain(exc))


def _chain(exc: BaseException):
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
