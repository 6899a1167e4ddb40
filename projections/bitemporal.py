"""As of T, known at K: the one rule that says which read-model rows count, as an SQL predicate and its parameters.

A row counts iff its effective time is at or before T (``as_of_us``) and its recorded time is at or before K
(``known_at_us``). K None means "known now": every row recorded so far counts, so the predicate leaves the recorded
time out — the same rows (``recorded_us`` is NOT NULL in every read-model table), and the planner keeps using the
``(key, effective_us)`` indexes. "As of T, known then" and "as of T, known now" differ exactly by the rows
:func:`learned_after` K (:mod:`projections.late_facts`).

Times are integer microseconds (:mod:`projections.times`). The predicates are ``psycopg.sql`` compositions with ``?``
placeholders, which :meth:`projections.view.ReadModelView.sql` renders for either store.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from psycopg.sql import SQL, Composable, Identifier


class Predicate(NamedTuple):
    sql: Composable
    params: tuple


def column(name: str, table: str | None = None) -> Identifier:
    """``name``, qualified by a table alias when the statement joins or nests the same table."""
    return Identifier(name) if table is None else Identifier(table, name)


def counted(as_of_us: int, known_at_us: int | None, *, table: str | None = None,
            effective_or_recorded: bool = False) -> Predicate:
    """The rows in effect by T and known by K. ``effective_or_recorded``: a row with no effective time of its own
    (an audit event that reports none) takes effect when it was recorded."""
    statement = _counted_sql(table, effective_or_recorded, known_at_us is not None)
    return Predicate(statement, (as_of_us,) if known_at_us is None else (as_of_us, known_at_us))


@cache
def _counted_sql(table: str | None, effective_or_recorded: bool, known_at: bool) -> SQL:
    # Rendered once per shape: every as-of query builds one or two of these.
    effective: Composable = column("effective_us", table)
    if effective_or_recorded:
        effective = SQL("COALESCE({}, {})").format(effective, column("recorded_us", table))
    if not known_at:
        return SQL(SQL("{} <= ?").format(effective).as_string())
    return SQL(SQL("{} <= ? AND {} <= ?").format(effective, column("recorded_us", table)).as_string())


def counts(as_of_us: int, known_at_us: int | None, effective_us: int | None, recorded_us: int) -> bool:
    """The same rule for one row held in Python (an event read from the store); an event with no effective time of
    its own takes effect when it was recorded."""
    effective = recorded_us if effective_us is None else effective_us
    return effective <= as_of_us and (known_at_us is None or recorded_us <= known_at_us)


def counted_once(name: str, as_of_us: int, known_at_us: int | None, *, table: str | None = None) -> Predicate:
    """For a row with one time that is both its effective and its recorded time (a provider's admission, a batch's
    opening): it counts iff that time is at or before both T and K."""
    return Predicate(SQL("{} <= ?").format(column(name, table)),
                     (as_of_us if known_at_us is None else min(as_of_us, known_at_us),))


def recorded_by(known_at_us: int) -> Predicate:
    """The rows recorded by K whatever their effective time: the record itself, as the event feed reads it."""
    return Predicate(SQL("recorded_us <= ?"), (known_at_us,))


def learned_after(known_at_us: int, as_of_us: int) -> Predicate:
    """The rows that "known now" adds to "known at K" as of T: recorded after K, in effect by T."""
    return Predicate(SQL("recorded_us > ? AND effective_us <= ?"), (known_at_us, as_of_us))
