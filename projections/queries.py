"""Figures as of a time: indexed queries over the projections' per-event rows (never a replay).

Every function takes ``as_of_us`` (microseconds since the epoch, UTC; see :mod:`projections.times`) and counts only
rows whose *effective* time is at or before it. Per-city and per-provider sums read the daily totals of the days
before ``as_of`` and the rows of its own day, so their cost does not grow with the length of the history.
Amounts are integer fen. A ``*_city_fen`` column is the city's portion; the province paid the rest.
"""

from __future__ import annotations

from typing import Any

from projections.money_flows import AMOUNTS
from projections.times import shanghai_day, shanghai_year, start_of_shanghai_day_us
from projections.view import ReadModelView

STAGES = ("claimed", "approved", "settled", "reversed", "recovered")
FUND_SOURCES = ("province", "city")
_SUMS = ", ".join(f"COALESCE(SUM({c}), 0)" for c in AMOUNTS)


def _figures(values: tuple) -> dict[str, int]:
    return dict(zip(AMOUNTS, (int(v) for v in values), strict=True))


def _remaining(f: dict[str, int]) -> int:
    return f["face_fen"] - f["claimed_fen"] - f["approved_fen"] - f["settled_fen"] - f["returned_fen"]


def _money(f: dict[str, int]) -> dict[str, int]:
    return {
        "face_value_fen": f["face_fen"],
        **{f"{stage}_fen": f[f"{stage}_fen"] for stage in STAGES},
        "returned_fen": f["returned_fen"],
        "remaining_fen": _remaining(f),
    }


def voucher_balance(db: ReadModelView, voucher_id: str, as_of_us: int) -> dict[str, Any] | None:
    """A voucher's figures as of T, or None if it had not been issued by then."""
    head = db.fetchone(
        "SELECT enterprise_id, city, programme_year, fee_category, effective_us FROM vl_money_movements "
        "WHERE voucher_id = ? AND event_type = 'Voucher.Issued' AND effective_us <= ?",
        (voucher_id, as_of_us),
    )
    if head is None:
        return None
    sums = db.fetchone(f"SELECT {_SUMS} FROM vl_money_movements WHERE voucher_id = ? AND effective_us <= ?",
                       (voucher_id, as_of_us))
    status = db.fetchone(
        "SELECT voucher_status FROM vl_money_movements WHERE voucher_id = ? AND effective_us <= ? "
        "AND voucher_status IS NOT NULL ORDER BY effective_us DESC, position DESC LIMIT 1",
        (voucher_id, as_of_us),
    )
    return {"voucher_id": voucher_id, "enterprise_id": head[0], "city": head[1], "programme_year": head[2],
            "fee_category": head[3], "status": status[0], **_money(_figures(sums))}


def enterprise_totals(db: ReadModelView, enterprise_id: str, as_of_us: int) -> list[dict[str, Any]]:
    """An enterprise's voucher figures per programme (fiscal) year, as of T."""
    rows = db.fetchall(
        f"SELECT programme_year, SUM(CASE WHEN event_type = 'Voucher.Issued' THEN 1 ELSE 0 END), {_SUMS} "
        "FROM vl_money_movements WHERE enterprise_id = ? AND effective_us <= ? "
        "GROUP BY programme_year ORDER BY programme_year",
        (enterprise_id, as_of_us),
    )
    return [{"programme_year": r[0], "vouchers": int(r[1]), **_money(_figures(r[2:]))} for r in rows]


def _daily_sums(db: ReadModelView, owner: str, owner_id: str, as_of_us: int) -> list[tuple]:
    """(programme_year, cash_year, fee_category, *AMOUNTS) sums as of T: whole days from the daily table, T's day
    from the movements."""
    table = "vl_city_daily" if owner == "city" else "vl_provider_daily"
    keys = "programme_year, cash_year, fee_category"
    before = db.fetchall(
        f"SELECT {keys}, {_SUMS} FROM {table} WHERE {owner} = ? AND effective_day < ? GROUP BY {keys}",
        (owner_id, shanghai_day(as_of_us)),
    )
    today = db.fetchall(
        f"SELECT programme_year, cash_year, COALESCE(fee_category, ''), {_SUMS} FROM vl_money_movements "
        f"WHERE {owner} = ? AND effective_us >= ? AND effective_us <= ? "
        f"GROUP BY programme_year, cash_year, COALESCE(fee_category, '')",
        (owner_id, start_of_shanghai_day_us(as_of_us), as_of_us),
    )
    merged: dict[tuple, list[int]] = {}
    for row in (*before, *today):
        total = merged.setdefault(tuple(row[:3]), [0] * len(AMOUNTS))
        for i, value in enumerate(row[3:]):
            total[i] += int(value)
    return [(*key, *values) for key, values in sorted(merged.items())]


def city_spend(db: ReadModelView, city: str, as_of_us: int, *, year: int | None = None, year_kind: str = "programme",
               fee_category: str | None = None, fund_source: str | None = None,
               stage: str | None = None) -> dict[str, Any]:
    """Per-city spend as of T by programme year, cash year, fee category, fund source and stage; and the quotas.

    ``spend_fen`` is settled minus recovered (DOMAIN.md, Settlement). Filters narrow the lines; the quota block
    follows the programme-year filter only.
    """
    if year_kind not in ("programme", "cash"):
        raise ValueError("year_kind is 'programme' or 'cash'")
    lines, quotas = [], {}
    for programme_year, cash_year, category, *values in _daily_sums(db, "city", city, as_of_us):
        f = _figures(tuple(values))
        if year is None or year_kind == "cash" or programme_year == year:
            q = quotas.setdefault(programme_year, {"quota_set_fen": 0, "issued_fen": 0, "quota_used_fen": 0})
            q["quota_set_fen"] += f["quota_set_fen"]
            q["issued_fen"] += f["face_fen"]
            q["quota_used_fen"] += f["quota_used_fen"]
        if not category:
            continue  # quota rows
        if year is not None and (programme_year if year_kind == "programme" else cash_year) != year:
            continue
        if fee_category is not None and category != fee_category:
            continue
        for source in FUND_SOURCES:
            if fund_source is not None and source != fund_source:
                continue
            for name in (*STAGES, "spend"):
                if stage is not None and name != stage:
                    continue
                total = f["settled_fen"] - f["recovered_fen"] if name == "spend" else f[f"{name}_fen"]
                city_part = (f["settled_city_fen"] - f["recovered_city_fen"] if name == "spend"
                             else f[f"{name}_city_fen"])
                amount = city_part if source == "city" else total - city_part
                lines.append({"programme_year": programme_year, "cash_year": cash_year, "fee_category": category,
                              "fund_source": source, "stage": name, "amount_fen": amount})
    for q in quotas.values():
        q["quota_remaining_fen"] = q["quota_set_fen"] - q["quota_used_fen"]
    return {"city": city, "lines": lines, "quotas": dict(sorted(quotas.items()))}


def provider_status(db: ReadModelView, provider_id: str, as_of_us: int) -> str | None:
    """The status set by the provider's latest event (in the ledger's order) among those in effect by T: a failure
    reported late, with an earlier effective time, still overrides a reinstatement recorded before it."""
    row = db.fetchone(
        "SELECT status FROM vl_whitelist_history WHERE provider_id = ? AND status IS NOT NULL AND effective_us <= ? "
        "ORDER BY position DESC LIMIT 1",
        (provider_id, as_of_us),
    )
    return None if row is None else row[0]


def provider_receivable(db: ReadModelView, provider_id: str, as_of_us: int) -> dict[str, Any]:
    """What the province owes a provider as of T, what is held while it is suspended, and what it must pay back."""
    totals = [0] * len(AMOUNTS)
    quotas: dict[int, dict[str, int]] = {}
    for programme_year, _cash, _category, *values in _daily_sums(db, "provider_id", provider_id, as_of_us):
        for i, value in enumerate(values):
            totals[i] += value
        f = _figures(tuple(values))
        q = quotas.setdefault(programme_year, {"quota_set_fen": 0, "quota_used_fen": 0})
        q["quota_set_fen"] += f["quota_set_fen"]
        q["quota_used_fen"] += f["quota_used_fen"]
    f = _figures(tuple(totals))
    status = provider_status(db, provider_id, as_of_us)
    unsettled = f["approved_fen"]
    return {
        "provider_id": provider_id,
        "status": status,
        "approved_unsettled_fen": unsettled,
        "held_fen": unsettled if status == "SUSPENDED" else 0,
        "claimed_pending_fen": f["claimed_fen"],
        "settled_fen": f["settled_fen"],
        "recoveries_due_fen": f["recovered_fen"],
        "quotas": {year: {**q, "quota_remaining_fen": q["quota_set_fen"] - q["quota_used_fen"]}
                   for year, q in sorted(quotas.items())},
    }


def whitelist(db: ReadModelView, as_of_us: int, *, after_uscc: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Providers admitted by T, in USCC order after ``after_uscc`` (a page of at most ``limit``), with their status
    at T (PENDING_ASSESSMENT until a first assessment) and whether they are eliminated for T's fiscal year."""
    rows = db.fetchall(
        "SELECT p.provider_id, p.uscc, p.name, p.kind, "
        "(SELECT h.status FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id AND h.status IS NOT NULL "
        " AND h.effective_us <= ? ORDER BY h.position DESC LIMIT 1), "
        "(SELECT COUNT(*) FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id "
        " AND h.eliminated_year = ? AND h.effective_us <= ?) "
        "FROM vl_providers p WHERE p.uscc > ? AND p.admitted_us <= ? ORDER BY p.uscc LIMIT ?",
        (as_of_us, shanghai_year(as_of_us), as_of_us, after_uscc, as_of_us, limit),
    )
    return [{"provider_id": r[0], "uscc": r[1], "name": r[2], "kind": r[3], "status": r[4],
             "eliminated_this_year": bool(r[5])} for r in rows]


def whitelist_history(db: ReadModelView, provider_id: str, as_of_us: int) -> list[dict[str, Any]]:
    rows = db.fetchall(
        "SELECT position, event_type, status, effective_us, recorded_us, area, passed, eliminated_year, reason, actor "
        "FROM vl_whitelist_history WHERE provider_id = ? AND effective_us <= ? ORDER BY effective_us, position",
        (provider_id, as_of_us),
    )
    keys = ("position", "event_type", "status", "effective_us", "recorded_us", "area", "passed", "eliminated_year",
            "reason", "actor")
    return [dict(zip(keys, r, strict=True)) for r in rows]


AUDIT_COLUMNS = ("position", "recorded_us", "effective_us", "event_type", "actor", "correlation_id", "reason",
                 "summary_zh", "summary_en")


def audit_trail(db: ReadModelView, entity_kind: str, entity_id: str, until_us: int, *, after_position: int = 0,
                limit: int = 1_000) -> list[dict[str, Any]]:
    """The events that touched an entity and were recorded by T, in global order (cursor: ``after_position``)."""
    rows = db.fetchall(
        f"SELECT {', '.join('a.' + c for c in AUDIT_COLUMNS)} FROM vl_audit_entries e "
        "JOIN vl_audit_events a ON a.position = e.position "
        "WHERE e.entity_kind = ? AND e.entity_id = ? AND e.position > ? AND a.recorded_us <= ? "
        "ORDER BY e.position LIMIT ?",
        (entity_kind, entity_id, after_position, until_us, limit),
    )
    return [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in rows]


def settlement_batch(db: ReadModelView, batch_id: str, as_of_us: int) -> dict[str, Any] | None:
    """A batch as of T: its lines (claims added), what its payment settled, and recoveries raised against it."""
    head = db.fetchone("SELECT provider_id, period, opened_us FROM vl_batches WHERE batch_id = ? AND opened_us <= ?",
                       (batch_id, as_of_us))
    if head is None:
        return None
    rows = db.fetchall(
        "SELECT event_type, claim_id, voucher_id, city, amount_fen, city_fen, province_fen, effective_us "
        "FROM vl_batch_lines WHERE batch_id = ? AND effective_us <= ? ORDER BY position, seq",
        (batch_id, as_of_us),
    )
    keys = ("claim_id", "voucher_id", "city", "amount_fen", "city_fen", "province_fen", "effective_us")
    sections: dict[str, list[dict[str, Any]]] = {"lines": [], "settled": [], "recoveries": []}
    section_of = {"SettlementBatch.ClaimAdded": "lines", "SettlementBatch.Paid": "settled",
                  "SettlementBatch.RecoveryRaised": "recoveries"}
    for row in rows:
        sections[section_of[row[0]]].append(dict(zip(keys, row[1:], strict=True)))
    paid_us = sections["settled"][0]["effective_us"] if sections["settled"] else None
    return {"batch_id": batch_id, "provider_id": head[0], "period": head[1], "opened_us": head[2],
            "paid": paid_us is not None, "paid_us": paid_us, **sections,
            "total_settled_fen": sum(line["amount_fen"] for line in sections["settled"]),
            "total_recoveries_fen": sum(line["amount_fen"] for line in sections["recoveries"])}


def provider_batches(db: ReadModelView, provider_id: str, as_of_us: int) -> list[dict[str, Any]]:
    rows = db.fetchall("SELECT batch_id, period, opened_us FROM vl_batches WHERE provider_id = ? AND opened_us <= ? "
                       "ORDER BY opened_us, batch_id", (provider_id, as_of_us))
    return [{"batch_id": r[0], "period": r[1], "opened_us": r[2]} for r in rows]


FEED_COLUMNS = ("position", "originator_id", "originator_version", "event_type", "recorded_us", "effective_us", "actor",
                "correlation_id", "reason", "summary_zh", "summary_en")


def event_feed(db: ReadModelView, *, as_of_us: int, after_position: int = 0, limit: int = 100,
               event_types: tuple[str, ...] = (), recorded_from_us: int | None = None) -> list[dict[str, Any]]:
    """The global sequence for auditors, in order, from a cursor; only events recorded by ``as_of``."""
    where, params = ["position > ?", "recorded_us <= ?"], [after_position, as_of_us]
    if event_types:
        where.append(f"event_type IN ({', '.join('?' * len(event_types))})")
        params.extend(event_types)
    if recorded_from_us is not None:
        where.append("recorded_us >= ?")
        params.append(recorded_from_us)
    rows = db.fetchall(f"SELECT {', '.join(FEED_COLUMNS)} FROM vl_audit_events WHERE {' AND '.join(where)} "
                       "ORDER BY position LIMIT ?", (*params, limit))
    return [dict(zip(FEED_COLUMNS, r, strict=True)) for r in rows]
