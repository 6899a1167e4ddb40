"""What a dispute compares, for a city and a settlement batch (a voucher and a provider are the API's answers as they
are): a city's spend figures for a programme year, and the facts recorded late that moved them (the city spend
figure's own events, read through ``GET /v1/cities/{city}/spend/movements``, recorded after ``known_at``); a batch's
totals and lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from api.http.console.explain import every_page
from api.http.console.moments import year_shown
from api.http.dependencies import Call
from api.http.problems import ApiError
from api.http.routes import programme, queries, spend_movements

# The stages money moves through (the others are made of these: spend = settled − recovered, ...).
MOVES = ("claimed", "approved", "settled", "reversed", "recovered", "collected", "written_off")
DERIVED = ("spend", "outstanding", "cash_out")
QUOTA = ("quota_set_fen", "issued_fen", "quota_used_fen", "quota_remaining_fen")


def city(c: Call, code: str, at: datetime, known: datetime | None, year: int | None) -> dict[str, Any]:
    year = year_shown(programme.answer(c).years, at, year)
    answer = queries.city_spend(code, at, year, "programme", None, None, None, known, c)
    figures = dict.fromkeys((f"{s}_fen" for s in (*MOVES, *DERIVED)), 0)
    figures |= {"spend_province_fen": 0, "spend_city_fen": 0}
    for line in answer["lines"]:
        figures[f"{line['stage']}_fen"] += line["amount_fen"]
        if line["stage"] == "spend":
            figures[f"spend_{line['fund_source']}_fen"] += line["amount_fen"]
    quota = answer["quotas"].get(year, {})
    return {"city": code, "year": year, **figures, **{k: quota.get(k, 0) for k in QUOTA}}


def late_movements(c: Call, code: str, at: datetime, known: datetime, year: int) -> list[dict[str, Any]]:
    """The events in effect by ``at`` recorded after ``known`` that moved the city's figures, each with what it
    moved in each stage: "known now" less "known then", event by event."""
    found: dict[int, dict[str, Any]] = {}
    for stage in MOVES:
        items, _ = every_page(lambda after, stage=stage: spend_movements.city_spend_movements(
            code, stage, at, None, year, "programme", None, None, known, after, 1000, c))
        for e in items:
            row = found.setdefault(e["position"], {**e, "moves": {}})
            row["moves"][stage] = e["amount_fen"]
    return [found[p] for p in sorted(found)]


def batch(c: Call, key: str, at: datetime, known: datetime | None, year: int | None) -> dict[str, Any]:
    try:
        batch_id = UUID(key)
    except ValueError:
        raise ApiError(404, "NOT_FOUND", f"no settlement batch {key}") from None
    found = queries.settlement_batch(batch_id, at, known, c)
    return {**found, "status": "PAID" if found["paid"] else "UNPAID"}


def lines_side_by_side(then: dict[str, Any] | None, now: dict[str, Any]) -> list[dict[str, Any]]:
    """Every claim in the batch then or now, with its amount then and now (None: not in the batch)."""
    before = {str(line["claim_id"]): line for line in (then or {}).get("lines", [])}
    after = {str(line["claim_id"]): line for line in now["lines"]}
    rows = []
    for claim in [*after, *(k for k in before if k not in after)]:
        line = after.get(claim) or before[claim]
        then_fen = before[claim]["amount_fen"] if claim in before else None
        now_fen = after[claim]["amount_fen"] if claim in after else None
        rows.append({"claim_id": claim, "voucher_id": line["voucher_id"], "city": line["city"], "then": then_fen,
                     "now": now_fen, "differs": then_fen != now_fen})
    return rows
