"""Money figures as of T, known at K, from money_flows' per-event rows (indexed queries, never a replay).

Which rows count is :mod:`projections.bitemporal`'s rule. Per-city and per-provider sums read the monthly totals of
the months before T's month, the daily totals of its days before T's day and the rows of T's own day, and take back
the rows of earlier days recorded after K, so their cost grows with the months of the history, not its days or
events. Amounts are integer fen. A ``*_city_fen`` column is the city's portion; the province paid the rest.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Identifier

from projections.award_flows import VOUCHERS, programme_of
from projections.bitemporal import counted
from projections.money_flows import AMOUNTS
from projections.spend import RECOVERY_FIGURES, spend_figure
from projections.times import shanghai_day, start_of_shanghai_day_us
from projections.view import ReadModelView, rendered
from projections.voucher_status import voucher_status
from projections.whitelist_queries import claims_held, provider_status

STAGES = ("claimed", "approved", "settled", "reversed", "recovered")
SPEND_FIGURES = (*STAGES, "spend", *RECOVERY_FIGURES)
FUND_SOURCES = ("province", "city")
SUMS = rendered(SQL(", ").join(SQL("COALESCE(SUM({}), 0)").format(Identifier(c)) for c in AMOUNTS))
MONEY = ("face_value_fen", *(f"{s}_fen" for s in STAGES), "returned_fen", "remaining_fen")


def amounts(values: tuple) -> dict[str, int]:
    """money_flows' amount columns (``SUMS``, in order) by name."""
    return dict(zip(AMOUNTS, (int(v) for v in values), strict=True))


def money(f: dict[str, int]) -> dict[str, int]:
    """A voucher's (or a set of vouchers') ``MONEY`` figures from money_flows' sums: remaining is face value less
    what is claimed, approved, settled or returned."""
    remaining = f["face_fen"] - f["claimed_fen"] - f["approved_fen"] - f["settled_fen"] - f["returned_fen"]
    return {"face_value_fen": f["face_fen"], **{f"{stage}_fen": f[f"{stage}_fen"] for stage in STAGES},
            "returned_fen": f["returned_fen"], "remaining_fen": remaining}


def voucher_balance(db: ReadModelView, voucher_id: str, as_of_us: int,
                    known_at_us: int | None = None) -> dict[str, Any] | None:
    """A voucher's figures as of T (known at K), or None if it had not been issued by then."""
    when = counted(as_of_us, known_at_us)
    head = db.fetchone(
        SQL("SELECT enterprise_id, city, programme_year, fee_category, effective_us FROM vl_money_movements "
            "WHERE voucher_id = ? AND event_type = 'Voucher.Issued' AND {}").format(when.sql),
        (voucher_id, *when.params),
    )
    if head is None:
        return None
    sums = db.fetchone(SQL("SELECT {} FROM vl_money_movements WHERE voucher_id = ? AND {}").format(SUMS, when.sql),
                       (voucher_id, *when.params))
    status = db.fetchone(
        SQL("SELECT voucher_status FROM vl_money_movements WHERE voucher_id = ? AND {} "
            "AND voucher_status IS NOT NULL ORDER BY effective_us DESC, position DESC LIMIT 1").format(when.sql),
        (voucher_id, *when.params),
    )
    expiry = db.fetchone(SQL("SELECT expires_us FROM vl_money_vouchers WHERE voucher_id = ?"), (voucher_id,))
    return {"voucher_id": voucher_id, "enterprise_id": head[0], "city": head[1], "programme_year": head[2],
            "fee_category": head[3], **voucher_status(status[0], None if expiry is None else expiry[0], as_of_us),
            **money(amounts(sums))}


def enterprise_totals(db: ReadModelView, enterprise_id: str, as_of_us: int,
                      known_at_us: int | None = None) -> list[dict[str, Any]]:
    """An enterprise's voucher figures per programme (fiscal) year, as of T (known at K)."""
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT programme_year, SUM(CASE WHEN event_type = 'Voucher.Issued' THEN 1 ELSE 0 END), {} "
            "FROM vl_money_movements WHERE enterprise_id = ? AND {} "
            "GROUP BY programme_year ORDER BY programme_year").format(SUMS, when.sql),
        (enterprise_id, *when.params),
    )
    return [{"programme_year": r[0], "vouchers": int(r[1]), **money(amounts(r[2:]))} for r in rows]


def _before_todays_sql(owner: str, monthly: str, daily: str) -> SQL:
    """One statement (one round trip): the owner's whole months before T's month and whole days of T's month before
    T's day, summed per (programme year, cash year, fee category)."""
    return rendered(SQL(
        "SELECT {keys}, {sums} FROM (SELECT {keys}, {amounts} FROM {monthly} WHERE {owner} = ? AND effective_month < ? "
        "UNION ALL SELECT {keys}, {amounts} FROM {daily} WHERE {owner} = ? AND effective_day >= ? AND "
        "effective_day < ?) AS summed GROUP BY {keys}").format(
        keys=SQL("programme_year, cash_year, fee_category"), sums=SUMS,
        amounts=SQL(", ").join(map(Identifier, AMOUNTS)), monthly=Identifier(monthly), daily=Identifier(daily),
        owner=Identifier(owner)))


_BEFORE_TODAY = {"city": _before_todays_sql("city", "vl_city_monthly", "vl_city_daily"),
                 "provider_id": _before_todays_sql("provider_id", "vl_provider_monthly", "vl_provider_daily")}


def _sums_as_of(db: ReadModelView, owner: str, owner_id: str, as_of_us: int, known_at_us: int | None) -> list[tuple]:
    """(programme_year, cash_year, fee_category, *AMOUNTS) sums as of T known at K: whole months from the monthly
    table, the whole days of T's month from the daily table, T's day from the movements, less the rows of earlier
    days recorded after K."""
    day = shanghai_day(as_of_us)  # YYYYMMDD: its month is day // 100, the month's first day day // 100 * 100
    before = db.fetchall(_BEFORE_TODAY[owner], (owner_id, day // 100, owner_id, day // 100 * 100, day))
    moved = SQL("SELECT programme_year, cash_year, COALESCE(fee_category, ''), {} FROM vl_money_movements "
                "WHERE {} = ? AND ").format(SUMS, Identifier(owner))
    grouped = SQL(" GROUP BY programme_year, cash_year, COALESCE(fee_category, '')")
    day_start = start_of_shanghai_day_us(as_of_us)
    when = counted(as_of_us, known_at_us)
    today = db.fetchall(moved + SQL("effective_us >= ? AND {}").format(when.sql) + grouped,
                        (owner_id, day_start, *when.params))
    late = [] if known_at_us is None else db.fetchall(
        moved + SQL("recorded_us > ? AND effective_us < ?") + grouped, (owner_id, known_at_us, day_start))
    merged: dict[tuple, list[int]] = {}
    for sign, found in ((1, before), (1, today), (-1, late)):
        for row in found:
            total = merged.setdefault(tuple(row[:3]), [0] * len(AMOUNTS))
            for i, value in enumerate(row[3:]):
                total[i] += sign * int(value)
    return [(*key, *values) for key, values in sorted(merged.items())]


def city_spend(db: ReadModelView, city: str, as_of_us: int, known_at_us: int | None = None, *, year: int | None = None,
               year_kind: str = "programme",
               fee_category: str | None = None, fund_source: str | None = None,
               stage: str | None = None, programme: str | None = None) -> dict[str, Any]:
    """Per-city spend as of T by programme (``VOUCHERS`` or an award programme's kind), programme year, cash year,
    fee category (a voucher's; None on an award's line), fund source and stage; and the quotas.

    ``spend_fen`` is settled minus recovered (DOMAIN.md, Settlement); beside it, recoveries collected, written off
    and outstanding (recovered − collected − written off), and cash out (settled − collected). Filters narrow the
    lines; the quota block follows the programme-year filter only.
    """
    if year_kind not in ("programme", "cash"):
        raise ValueError("year_kind is 'programme' or 'cash'")
    lines, quotas = [], {}
    for programme_year, cash_year, category, *values in _sums_as_of(db, "city", city, as_of_us, known_at_us):
        f = amounts(tuple(values))
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
        line_programme = programme_of(category)
        if programme is not None and line_programme != programme:
            continue
        for source in FUND_SOURCES:
            if fund_source is not None and source != fund_source:
                continue
            for name in SPEND_FIGURES:
                if stage is not None and name != stage:
                    continue
                total, city_part = spend_figure(f, name), spend_figure(f, name, "_city_fen")
                amount = city_part if source == "city" else total - city_part
                lines.append({"programme": line_programme, "programme_year": programme_year, "cash_year": cash_year,
                              "fee_category": None if line_programme != VOUCHERS else category,
                              "fund_source": source, "stage": name, "amount_fen": amount})
    for q in quotas.values():
        q["quota_remaining_fen"] = q["quota_set_fen"] - q["quota_used_fen"]
    return {"city": city, "lines": lines, "quotas": dict(sorted(quotas.items()))}


def provider_receivable(db: ReadModelView, provider_id: str, as_of_us: int,
                        known_at_us: int | None = None) -> dict[str, Any]:
    """What the province owes a provider as of T (known at K), what is held while it is suspended or after a
    suspension recorded late, and what it must pay back."""
    totals = [0] * len(AMOUNTS)
    quotas: dict[int, dict[str, int]] = {}
    for programme_year, _cash, _category, *values in _sums_as_of(db, "provider_id", provider_id, as_of_us, known_at_us):
        for i, value in enumerate(values):
            totals[i] += value
        f = amounts(tuple(values))
        q = quotas.setdefault(programme_year, {"quota_set_fen": 0, "quota_used_fen": 0})
        q["quota_set_fen"] += f["quota_set_fen"]
        q["quota_used_fen"] += f["quota_used_fen"]
    f = amounts(tuple(totals))
    status = provider_status(db, provider_id, as_of_us, known_at_us)
    unsettled = f["approved_fen"]
    return {
        "provider_id": provider_id,
        "status": status,
        "approved_unsettled_fen": unsettled,
        "held_fen": unsettled if status == "SUSPENDED" else 0,
        "claims_held_fen": sum(c["held_fen"] for c in claims_held(db, provider_id, as_of_us, known_at_us)),
        "claimed_pending_fen": f["claimed_fen"],
        "settled_fen": f["settled_fen"],
        "recoveries_due_fen": spend_figure(f, "outstanding"),
        "recoveries_raised_fen": f["recovered_fen"],
        "recoveries_collected_fen": f["collected_fen"],
        "recoveries_written_off_fen": f["written_off_fen"],
        "quotas": {year: {**q, "quota_remaining_fen": q["quota_set_fen"] - q["quota_used_fen"]}
                   for year, q in sorted(quotas.items())},
    }
