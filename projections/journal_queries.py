"""The journal as of a time, known at a time: trial balance and account balances by dimension.

A posting counts by :mod:`projections.bitemporal`'s rule. Every posting of an entry has the entry's times and
dimensions, so any such selection holds whole entries and sums to zero. Filters on city and programme year use the
indexes ``(city, effective_us)`` and ``(programme_year, effective_us)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.sql import SQL, Composable, Identifier

from projections.bitemporal import counted
from projections.journal import ACCOUNTS, FUND_SOURCES
from projections.view import ReadModelView

DIMENSIONS = ("city", "programme_year", "cash_year", "fee_category", "provider_id")


def _where(as_of_us: int, known_at_us: int | None, filters: dict[str, Any]) -> tuple[Composable, list[Any]]:
    when = counted(as_of_us, known_at_us)
    clauses, params = [when.sql], list(when.params)
    for name, value in filters.items():
        if name not in DIMENSIONS:
            raise ValueError(f"unknown journal dimension {name!r}; known: {', '.join(DIMENSIONS)}")
        if value is not None:
            clauses.append(SQL("{} = ?").format(Identifier(name)))
            params.append(value)
    return SQL(" AND ").join(clauses), params


def account_sums(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, by: Sequence[str] = (),
                 **filters: Any) -> list[tuple]:
    """Rows ``(*by, account, fund_source, debit_fen, credit_fen)`` (credit as a positive number) of the postings
    that count, grouped by the dimensions ``by``, filtered by ``filters`` (dimension = value; None: any)."""
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown journal dimension(s) {sorted(unknown)}; known: {', '.join(DIMENSIONS)}")
    where, params = _where(as_of_us, known_at_us, filters)
    keys = SQL(", ").join(map(Identifier, (*by, "account", "fund_source")))
    found = db.fetchall(
        SQL("SELECT {keys}, COALESCE(SUM(CASE WHEN amount_fen > 0 THEN amount_fen ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN amount_fen < 0 THEN -amount_fen ELSE 0 END), 0) "
            "FROM vl_journal_postings WHERE {where} GROUP BY {keys}").format(keys=keys, where=where),
        params,
    )
    return [(*row[:-2], int(row[-2]), int(row[-1])) for row in found]


def balances(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, by: Sequence[str] = (),
             **filters: Any) -> dict[tuple, int]:
    """``{(*by, account, fund_source): balance}`` (debit − credit), zero balances left out."""
    found = {tuple(row[:-2]): row[-2] - row[-1] for row in account_sums(db, as_of_us, known_at_us, by=by, **filters)}
    return {key: value for key, value in found.items() if value}


def trial_balance(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, city: str | None = None,
                  programme_year: int | None = None) -> dict[str, Any]:
    """Every account's debits, credits and balance (in total and per fund source) as of T known at K, and totals.

    ``balanced`` says whether debits equal credits (in total and per fund source); it always should."""
    lines = {account: {"account": account, "debit_fen": 0, "credit_fen": 0, "balance_fen": 0,
                       "province_balance_fen": 0, "city_balance_fen": 0} for account in ACCOUNTS}
    for account, source, debit, credit in account_sums(db, as_of_us, known_at_us, city=city,
                                                       programme_year=programme_year):
        line = lines.setdefault(account, {"account": account, "debit_fen": 0, "credit_fen": 0, "balance_fen": 0,
                                          "province_balance_fen": 0, "city_balance_fen": 0})
        line["debit_fen"] += debit
        line["credit_fen"] += credit
        line["balance_fen"] += debit - credit
        line[f"{source}_balance_fen"] += debit - credit
    accounts = list(lines.values())
    totals = {key: sum(line[key] for line in accounts)
              for key in ("debit_fen", "credit_fen", "balance_fen", *(f"{s}_balance_fen" for s in FUND_SOURCES))}
    return {"as_of_us": as_of_us, "known_at_us": known_at_us, "city": city, "programme_year": programme_year,
            "accounts": accounts, "totals": totals,
            "balanced": all(totals[f"{s}_balance_fen"] == 0 for s in FUND_SOURCES) and totals["balance_fen"] == 0}
