"""Lists as known now, a page at a time: enterprises, vouchers, claims and settlement batches in the order they were
recorded (the lists projection's tables), providers in USCC order (the whitelist's), and a year's quotas.

Every list is walked by a key that never repeats and that a new row can only extend: the position of the event that
created the row (a USCC for providers). A page is the rows after the last key of the previous one, so a walk meets
every row that existed when it started exactly once, however many pages it takes, and new rows at its end. Filters
are equalities on indexed columns, ANDed (a caller's scope is one more of them); ``None`` leaves a filter out.

A voucher's status is the one exception: it is answered, and filtered, as of the caller's now (``now_us``, from the
service's clock: never read here), as ``GET /v1/vouchers/{id}`` answers it (:mod:`projections.voucher_status`):
past its redemption deadline an ACTIVE voucher reads EXPIRED, ``expiry_recorded`` false until the expiry run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.sql import SQL, Composable, Identifier

from projections.lists import BATCH_COLUMNS, CLAIM_COLUMNS, ENTERPRISE_COLUMNS, VOUCHER_COLUMNS
from projections.view import ReadModelView
from projections.voucher_status import status_condition, voucher_status

# A claims queue: a claim status, or a condition beside it.
CLAIM_STATUSES = ("claimed", "approved", "settled", "rejected", "reversed")
CLAIM_QUEUES = (*CLAIM_STATUSES, "held", "flagged")
PROVIDER_COLUMNS = ("uscc", "name", "kind", "status", "admitted_us", "status_since_us")


@dataclass(frozen=True)
class Listing:
    """A list's table, its id column, the columns answered, and the key it is walked by."""

    table: str
    id_column: str
    columns: tuple[str, ...]
    key: str = "position"
    status_as_of_now: bool = False  # the row's status is voucher_status's as of now_us, not the recorded one


LISTINGS = {
    "enterprises": Listing("vl_list_enterprises", "enterprise_id", ENTERPRISE_COLUMNS),
    "vouchers": Listing("vl_list_vouchers", "voucher_id", VOUCHER_COLUMNS, status_as_of_now=True),
    "claims": Listing("vl_list_claims", "claim_id", CLAIM_COLUMNS),
    "batches": Listing("vl_list_batches", "batch_id", BATCH_COLUMNS),
    "providers": Listing("vl_providers", "provider_id", PROVIDER_COLUMNS, key="uscc"),
}
BOOLEAN_COLUMNS = ("flagged", "held")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_key: Any  # the last key of this page when more rows follow, else None


def page(db: ReadModelView, name: str, *, equal: Sequence[tuple[str, Any]] = (), where: Sequence[str] = (),
         after: Any = None, limit: int = 100, now_us: int | None = None) -> Page:
    """Rows of list ``name`` after key ``after``, at most ``limit``: ``equal`` holds (column, value) conditions (a
    value None is no condition), ``where`` the names of boolean columns that must be true. The vouchers list needs
    ``now_us``: its rows' status, and a status condition, are as of then (``expiry_recorded`` beside it)."""
    listing = LISTINGS[name]
    if listing.status_as_of_now and now_us is None:
        raise ValueError(f"list {name} answers each status as of now: pass now_us")
    key = Identifier(listing.key)
    conditions: list[Composable] = []
    params: list[Any] = []
    for column, value in equal:
        if value is None:
            continue
        if column == "status" and listing.status_as_of_now:
            condition, values = status_condition(value, now_us)
            conditions.append(condition)
            params += values
        else:
            conditions.append(SQL("{} = ?").format(Identifier(column)))
            params.append(value)
    for column in where:
        if column not in BOOLEAN_COLUMNS:
            raise ValueError(f"{column} is not a condition of list {name}")
        conditions.append(SQL("{}").format(Identifier(column)))
    if after is not None:
        conditions.append(SQL("{} > ?").format(key))
        params.append(after)
    columns = (listing.id_column, *listing.columns) if listing.key in listing.columns else (
        listing.id_column, listing.key, *listing.columns)
    statement = SQL("SELECT {} FROM {}{} ORDER BY {} LIMIT ?").format(
        SQL(", ").join(map(Identifier, columns)), Identifier(listing.table),
        SQL(" WHERE ") + SQL(" AND ").join(conditions) if conditions else SQL(""), key)
    rows = db.fetchall(statement, (*params, limit + 1))  # one more: is there a next page?
    items = [_row(dict(zip(columns, r, strict=True)), now_us if listing.status_as_of_now else None)
             for r in rows[:limit]]
    return Page(items, items[-1][listing.key] if len(rows) > limit else None)


def _row(row: dict[str, Any], now_us: int | None) -> dict[str, Any]:
    for column in BOOLEAN_COLUMNS:
        if column in row:
            row[column] = bool(row[column])  # SQLite answers 0/1
    if now_us is not None:
        row.update(voucher_status(row["status"], row["expires_us"], now_us))
    return row


def claim_queue(queue: str | None) -> tuple[list[tuple[str, Any]], list[str]]:
    """A claims queue as list conditions: a status (``claimed`` = waiting for review, ``approved`` = approved and not
    yet paid, ...) or ``held`` / ``flagged`` whatever the status."""
    if queue is None:
        return [], []
    if queue in CLAIM_STATUSES:
        return [("status", queue.upper())], []
    if queue in ("held", "flagged"):
        return [], [queue]
    raise ValueError(f"unknown claims queue {queue!r}: one of {', '.join(CLAIM_QUEUES)}")


def year_quotas(db: ReadModelView, year: int, *, city: str | None = None, provider_id: str | None = None,
                cities: bool = True, providers: bool = True) -> dict[str, list[dict[str, Any]]]:
    """A programme year's city and provider quotas as known now: the amount set (after revisions), what vouchers
    (cities) or claims (providers) use of it, and what remains. ``city`` / ``provider_id`` narrow to one owner."""
    answer: dict[str, list[dict[str, Any]]] = {"cities": [], "providers": []}
    if cities:
        rows = db.fetchall(
            SQL("SELECT q.city, q.amount_fen, "
                "(SELECT COALESCE(SUM(d.quota_used_fen), 0) FROM vl_city_monthly d "
                " WHERE d.city = q.city AND d.programme_year = q.programme_year), "
                "(SELECT COALESCE(SUM(d.face_fen), 0) FROM vl_city_monthly d "
                " WHERE d.city = q.city AND d.programme_year = q.programme_year) "
                "FROM vl_money_quotas q WHERE q.provider_id IS NULL AND q.programme_year = ?{} ORDER BY q.city").format(
                SQL("") if city is None else SQL(" AND q.city = ?")),
            (year,) if city is None else (year, city))
        answer["cities"] = [{"city": r[0], "quota_set_fen": int(r[1]), "quota_used_fen": int(r[2]),
                             "issued_fen": int(r[3]), "quota_remaining_fen": int(r[1]) - int(r[2])} for r in rows]
    if providers:
        rows = db.fetchall(
            SQL("SELECT q.provider_id, p.uscc, q.amount_fen, "
                "(SELECT COALESCE(SUM(d.quota_used_fen), 0) FROM vl_provider_monthly d "
                " WHERE d.provider_id = q.provider_id AND d.programme_year = q.programme_year) "
                "FROM vl_money_quotas q LEFT JOIN vl_providers p ON p.provider_id = q.provider_id "
                "WHERE q.provider_id IS NOT NULL AND q.programme_year = ?{} ORDER BY p.uscc, q.provider_id").format(
                SQL("") if provider_id is None else SQL(" AND q.provider_id = ?")),
            (year,) if provider_id is None else (year, provider_id))
        answer["providers"] = [{"provider_id": r[0], "uscc": r[1], "quota_set_fen": int(r[2]),
                                "quota_used_fen": int(r[3]), "quota_remaining_fen": int(r[2]) - int(r[3])}
                               for r in rows]
    return answer
