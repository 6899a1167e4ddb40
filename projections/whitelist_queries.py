"""The whitelist as of T, known at K: providers' statuses, their history, and the claims held after a suspension
recorded late (the whitelist projection's tables; which rows count is :mod:`projections.bitemporal`'s rule)."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from projections.bitemporal import counted, counted_once
from projections.times import shanghai_year
from projections.view import ReadModelView
from projections.whitelist_reasons import reason_zh


def provider_status(db: ReadModelView, provider_id: str, as_of_us: int, known_at_us: int | None = None) -> str | None:
    """The status set by the provider's latest event (in the ledger's order) among those in effect by T: a failure
    reported late, with an earlier effective time, still overrides a reinstatement recorded before it."""
    when = counted(as_of_us, known_at_us)
    row = db.fetchone(
        SQL("SELECT status FROM vl_whitelist_history WHERE provider_id = ? AND status IS NOT NULL AND {} "
            "ORDER BY position DESC LIMIT 1").format(when.sql),
        (provider_id, *when.params),
    )
    return None if row is None else row[0]


def whitelist(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, after_uscc: str = "",
              limit: int = 200) -> list[dict[str, Any]]:
    """Providers admitted by T, in USCC order after ``after_uscc`` (a page of at most ``limit``), with their status
    at T (PENDING_ASSESSMENT until a first assessment) and whether they are eliminated for T's fiscal year."""
    when = counted(as_of_us, known_at_us, table="h")
    admitted = counted_once("admitted_us", as_of_us, known_at_us, table="p")  # admission: effective when recorded
    rows = db.fetchall(
        SQL("SELECT p.provider_id, p.uscc, p.name, p.kind, "
            "(SELECT h.status FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id AND h.status IS NOT NULL "
            " AND {when} ORDER BY h.position DESC LIMIT 1), "
            "(SELECT COUNT(*) FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id "
            " AND h.eliminated_year = ? AND {when}) "
            "FROM vl_providers p WHERE p.uscc > ? AND {admitted} ORDER BY p.uscc LIMIT ?").format(
            when=when.sql, admitted=admitted.sql),
        (*when.params, shanghai_year(as_of_us), *when.params, after_uscc, *admitted.params, limit),
    )
    return [{"provider_id": r[0], "uscc": r[1], "name": r[2], "kind": r[3], "status": r[4],
             "eliminated_this_year": bool(r[5])} for r in rows]


HISTORY_COLUMNS = ("position", "event_type", "status", "effective_us", "recorded_us", "area", "passed",
                   "eliminated_year", "reason", "actor", "reason_zh")


def whitelist_history(db: ReadModelView, provider_id: str, as_of_us: int,
                      known_at_us: int | None = None) -> list[dict[str, Any]]:
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT position, event_type, status, effective_us, recorded_us, area, passed, eliminated_year, reason, "
            "actor, reason_zh FROM vl_whitelist_history WHERE provider_id = ? AND {} ORDER BY effective_us, position").format(
            when.sql),
        (provider_id, *when.params),
    )
    history = [dict(zip(HISTORY_COLUMNS, r, strict=True)) for r in rows]
    for row in history:
        row["reason_zh"] = reason_zh(row["reason_zh"], row["reason"])  # the row's own, or its English reason's
    return history


def claims_held(db: ReadModelView, provider_id: str, as_of_us: int,
                known_at_us: int | None = None) -> list[dict[str, Any]]:
    """Claims against a provider held from settlement after a suspension recorded late, as of T known at K: the flag
    counts, and no release or reversal does yet."""
    flag, end = counted(as_of_us, known_at_us, table="h"), counted(as_of_us, known_at_us, table="x")
    rows = db.fetchall(
        SQL("SELECT h.claim_id, h.voucher_id, h.held_fen, h.effective_us, h.recorded_us FROM vl_claim_holds h "
            "WHERE h.provider_id = ? AND h.event_type = 'Voucher.ClaimFlagged' AND h.held_fen > 0 AND {} "
            "AND NOT EXISTS (SELECT 1 FROM vl_claim_holds x WHERE x.claim_id = h.claim_id "
            "AND x.event_type <> 'Voucher.ClaimFlagged' AND {}) ORDER BY h.position").format(flag.sql, end.sql),
        (provider_id, *flag.params, *end.params),
    )
    keys = ("claim_id", "voucher_id", "held_fen", "held_from_us", "recorded_us")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def pool_providers(db: ReadModelView) -> list[str]:
    """Every provider admitted to the resource pool, as known now, in USCC order: the providers a year's evaluation
    names."""
    return [str(r[0]) for r in db.fetchall(SQL("SELECT provider_id FROM vl_providers ORDER BY uscc"), ())]
