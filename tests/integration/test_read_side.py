"""The read side's one bitemporal rule, and SQL built from compositions, never from f-strings.

* ``projections.bitemporal`` selects, on both stores, exactly the rows the rule (DOMAIN.md, README "as of / known at")
  counts: in effect by T, recorded by K, K None = known now; a row with no effective time takes effect when recorded;
  a row with one time counts once it is before both; the rows "learned after K" are the difference.
* No other module of ``projections/`` or ``audit/`` writes the rule's comparison itself.
* No f-string in ``projections/`` or ``audit/`` carries SQL: names and values go through ``psycopg.sql`` or
  parameters.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

from psycopg.sql import SQL

from projections.bitemporal import counted, counted_once, counts, learned_after, recorded_by
from projections.runner import close_projections, open_projections

ROOT = Path(__file__).resolve().parents[2]
# (id, effective_us, recorded_us): on time, recorded late, recorded early (a future-dated fact), no effective time
ROWS = [(1, 10, 10), (2, 10, 30), (3, 30, 20), (4, None, 20), (5, 20, 40), (6, 40, 40)]
TIMES = (5, 10, 19, 20, 25, 30, 40, 50)


def _select(view, predicate) -> set[int]:
    values = SQL(", ").join(SQL("(?, ?, ?)") for _ in ROWS)
    statement = SQL("WITH t (id, effective_us, recorded_us) AS (VALUES {}) SELECT id FROM t WHERE {}").format(
        values, predicate.sql)
    return {row[0] for row in view.fetchall(statement, (*itertools.chain.from_iterable(ROWS), *predicate.params))}


def test_the_shared_filter_counts_exactly_the_rows_of_the_rule(ledger, store_settings):
    projections = open_projections(store_settings, ["whitelist"])
    view = projections[0].view
    try:
        with view.reading():
            for as_of, known_at in itertools.product(TIMES, (*TIMES, None)):
                # the rule, written here from its statement, not from the module
                expected = {i for i, e, r in ROWS
                            if e is not None and e <= as_of and (known_at is None or r <= known_at)}
                assert _select(view, counted(as_of, known_at)) == expected, (as_of, known_at)
                either = {i for i, e, r in ROWS
                          if (r if e is None else e) <= as_of and (known_at is None or r <= known_at)}
                assert _select(view, counted(as_of, known_at, effective_or_recorded=True)) == either
                assert {i for i, e, r in ROWS if counts(as_of, known_at, e, r)} == either
                once = {i for i, _e, r in ROWS if r <= as_of and (known_at is None or r <= known_at)}
                assert _select(view, counted_once("recorded_us", as_of, known_at)) == once
                assert _select(view, recorded_by(as_of)) == {i for i, _e, r in ROWS if r <= as_of}
                if known_at is not None:
                    now = _select(view, counted(as_of, None))
                    assert _select(view, learned_after(known_at, as_of)) == now - expected
    finally:
        close_projections(projections)


def _python_files() -> list[Path]:
    return [p for package in ("projections", "audit") for p in sorted((ROOT / package).rglob("*.py"))]


def _string_constants(path: Path) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_only_projections_bitemporal_writes_the_rule():
    rule = re.compile(r"\b(effective_us|recorded_us)\s*<=\s*\?")
    offences = [f"{path.relative_to(ROOT)}:{line}" for path in _python_files() if path.name != "bitemporal.py"
                for line, text in _string_constants(path) if rule.search(text)]
    assert offences == [], f"use projections.bitemporal instead: {offences}"


SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|ANALYZE|TRUNCATE|WHERE|FROM|JOIN|"
                       r"GROUP BY|ORDER BY|VALUES|SET|COALESCE|SUM|AND|IN|LIMIT)\b")


def test_no_f_string_builds_sql():
    offences = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if SQL_WORDS.search(text):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:60]!r}")
    assert offences == [], f"compose SQL with psycopg.sql and parameters: {offences}"
