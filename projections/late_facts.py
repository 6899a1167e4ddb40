"""Facts learned late: what "as of T, known now" adds to "as of T, known at K", and which figures it changed.

A late fact is an event recorded after K that takes effect at or before T (a failed assessment recorded on 10 March
with effect from 1 March; a reversal dated back to its claim). Every figure that such a fact touches is answered
twice — known at K and known now — and listed when the two answers differ. K defaults to T: "what did we learn
about T after T?"
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Identifier

from projections.audit_facts import with_lines
from projections.bitemporal import learned_after
from projections.money_flows_queries import city_spend, provider_receivable, voucher_balance
from projections.view import ReadModelView, rendered

FACT_COLUMNS = ("position", "event_type", "originator_id", "effective_us", "recorded_us", "actor", "reason",
                "summary_zh", "summary_en")
_FACTS_SELECT = rendered(SQL(", ").join(map(Identifier, (*FACT_COLUMNS[:-2], "facts"))))  # lines: rendered


def late_facts(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, limit: int = 200) -> dict[str, Any]:
    """The events recorded after K with effect by T (at most ``limit``) and the figures they changed."""
    known = as_of_us if known_at_us is None else known_at_us
    # With K >= T a counted row took effect before it was recorded: say so, and the partial indexes of migration 0013
    # (rows recorded late) answer instead of whole-table scans. With K < T every row recorded in (K, T] counts.
    late = SQL("AND effective_us < recorded_us " if known >= as_of_us else "")
    learned = learned_after(known, as_of_us)
    rows = db.fetchall(
        # "+ 0": ordering by the bare primary key made PostgreSQL walk it (1M rows) to avoid a sort of a few rows
        SQL("SELECT {} FROM vl_audit_events WHERE {} {}ORDER BY position + 0 LIMIT ?").format(
            _FACTS_SELECT, learned.sql, late),
        (*learned.params, limit + 1),
    )
    facts = [with_lines(FACT_COLUMNS, r) for r in rows[:limit]]
    touched = {
        "voucher": _touched(db, "voucher_id", ("vl_money_movements",), as_of_us, known, limit + 1),
        "city_spend": _touched(db, "city", ("vl_money_movements",), as_of_us, known, limit + 1),
        "provider": _touched(db, "provider_id", ("vl_money_movements", "vl_whitelist_history", "vl_claim_holds"),
                             as_of_us, known, limit + 1),
    }
    changed = [change for figure, keys in touched.items() for key in keys[:limit]
               for change in _difference(figure, key, *ANSWERS[figure](db, key, as_of_us, known))]
    return {"as_of_us": as_of_us, "known_at_us": known, "facts": facts, "more_facts": len(rows) > limit,
            "changed_figures": changed, "more_figures": any(len(keys) > limit for keys in touched.values())}


def _touched(db: ReadModelView, column: str, tables: tuple[str, ...], as_of_us: int, known: int,
             limit: int) -> list[str]:
    """The keys (at most ``limit``, in order) that facts recorded after K with effect by T touched."""
    late = SQL("AND recorded_us > effective_us " if known >= as_of_us else "")  # see late_facts()
    learned = learned_after(known, as_of_us)
    found: set[str] = set()
    for table in tables:
        # No ORDER BY/LIMIT here: with them PostgreSQL walked the key's index (1M rows at 1M events) to skip a sort
        # of the few keys that late rows touch; they are sorted and cut here instead.
        found |= {r[0] for r in db.fetchall(
            SQL("SELECT DISTINCT {key} FROM {table} WHERE {learned} {late}AND {key} IS NOT NULL").format(
                key=Identifier(column), table=Identifier(table), learned=learned.sql, late=late),
            learned.params)}
    return sorted(found)[:limit]


def _difference(figure: str, key: str, then: dict[str, Any], now: dict[str, Any]) -> list[dict[str, Any]]:
    if then == now:
        return []
    names = sorted(set(then) | set(now))
    return [{"figure": figure, "key": key,
             "known_then": {n: then.get(n) for n in names if then.get(n) != now.get(n)},
             "known_now": {n: now.get(n) for n in names if then.get(n) != now.get(n)}}]


def _voucher(db: ReadModelView, key: str, as_of_us: int, known: int) -> tuple[dict, dict]:
    return (voucher_balance(db, key, as_of_us, known) or {},
            voucher_balance(db, key, as_of_us) or {})


def _stage_totals(spend: dict[str, Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in spend["lines"]:
        name = f"{line['stage']}_{line['fund_source']}_fen"
        totals[name] = totals.get(name, 0) + line["amount_fen"]
    return totals


def _city(db: ReadModelView, key: str, as_of_us: int, known: int) -> tuple[dict, dict]:
    return (_stage_totals(city_spend(db, key, as_of_us, known)),
            _stage_totals(city_spend(db, key, as_of_us)))


def _provider(db: ReadModelView, key: str, as_of_us: int, known: int) -> tuple[dict, dict]:
    then, now = provider_receivable(db, key, as_of_us, known), provider_receivable(db, key, as_of_us)
    then.pop("quotas"), now.pop("quotas")
    return then, now


ANSWERS = {"voucher": _voucher, "city_spend": _city, "provider": _provider}
