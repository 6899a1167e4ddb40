"""The journal as of a time, known at a time: trial balance and account balances by dimension.

A posting counts by :mod:`projections.bitemporal`'s rule. Every posting of an entry has the entry's times and
dimensions, so any such selection holds whole entries and sums to zero. Filters on city and programme year use the
indexes ``(city, effective_us)`` and ``(programme_year, effective_us)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.sql import SQL, Composable, Identifier

from projections.award_flows import AWARD_PREFIX, VOUCHERS, award_category
from projections.bitemporal import counted
from projections.journal import ACCOUNTS, FUND_SOURCES
from projections.view import ReadModelView

DIMENSIONS = ("city", "programme_year", "cash_year", "fee_category", "provider_id")


def _where(as_of_us: int, known_at_us: int | None, filters: dict[str, Any]) -> tuple[Composable, list[Any]]:
    when = counted(as_of_us, known_at_us)
    clauses, params = [when.sql], list(when.params)
    programme = filters.pop("programme", None)
    if programme == VOUCHERS:
        clauses.append(SQL("fee_category NOT LIKE ?"))
        params.append(f"{AWARD_PREFIX}%")
    elif programme is not None:
        filters["fee_category"] = award_category(programme)
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
                  programme_year: int | None = None, programme: str | None = None) -> dict[str, Any]:
    """Every account's debits, credits and balance (in total and per fund source) as of T known at K, and totals.
    ``programme``: only the vouchers' entries (``VOUCHERS``) or one award programme's (its kind).

    ``balanced`` says whether debits equal credits (in total and per fund source); it always should."""
    lines = {account: {"account": account, "debit_fen": 0, "credit_fen": 0, "balance_fen": 0,
                       "province_balance_fen": 0, "city_balance_fen": 0} for account in ACCOUNTS}
    for account, source, debit, credit in account_sums(db, as_of_us, known_at_us, city=city,
                                                       programme_year=programme_year, programme=programme):
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
            "programme": programme, "accounts": accounts, "totals": totals,
            "balanced": all(totals[f"{s}_balance_fen"] == 0 for s in FUND_SOURCES) and totals["balance_fen"] == 0}


LINE_COLUMNS = ("position", "seq", "event_type", "fund_source", "amount_fen", "effective_us", "recorded_us",
                "programme_year", "cash_year", "city", "fee_category", "voucher_id", "claim_id", "provider_id",
                "award_id")


def journal_lines(db: ReadModelView, account: str, as_of_us: int, known_at_us: int | None = None, *,
                  after_position: int = 0, limit: int = 100, city: str | None = None,
                  programme_year: int | None = None) -> list[dict[str, Any]]:
    """One account's postings that count as of T known at K, in journal order, with their entry's event and
    voucher: the lines its trial balance row sums. A page holds ``limit`` whole entries after ``after_position``
    (an entry may post to one account twice, once per fund source), so a cursor never splits an entry."""
    if account not in ACCOUNTS:
        raise ValueError(f"unknown journal account {account!r}; known: {', '.join(ACCOUNTS)}")
    where, params = _where(as_of_us, known_at_us, {"city": city, "programme_year": programme_year})
    where = SQL("account = ? AND position > ? AND ") + where
    params = [account, after_position, *params]
    rows = db.fetchall(
        SQL("SELECT p.position, p.seq, e.event_type, p.fund_source, p.amount_fen, p.effective_us, p.recorded_us, "
            "p.programme_year, p.cash_year, p.city, p.fee_category, e.voucher_id, e.claim_id, p.provider_id, "
            "e.award_id "
            "FROM vl_journal_postings p JOIN vl_journal_entries e ON e.position = p.position "
            "WHERE p.position IN (SELECT DISTINCT position FROM vl_journal_postings WHERE {where} "
            "ORDER BY position LIMIT ?) AND p.account = ? ORDER BY p.position, p.seq").format(where=where),
        [*params, limit, account],
    )
    lines = []
    for row in rows:
        line = dict(zip(LINE_COLUMNS, row, strict=True))
        amount = int(line.pop("amount_fen"))
        line["voucher_id"] = line["voucher_id"] or None  # '' on an award's entry
        lines.append({**line, "debit_fen": max(amount, 0), "credit_fen": max(-amount, 0)})
    return lines
