"""What makes up a city's spend figure, a provider's receivable figure or a voucher's balance: the money_flows rows
(one per event) that a figure of :mod:`projections.money_flows_queries` (``city_spend``, ``provider_receivable``,
``voucher_balance``) adds up, each with its share of the figure.

The figure is a sum over these rows under the one bitemporal rule (:mod:`projections.bitemporal`), so the amounts
listed here, added up, are the figure: the city spend query reaches the same rows through daily totals, this one reads
them one by one, and a test sets the two side by side. A row whose share is zero is left out.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composable, Identifier

from projections.award_flows import AWARD_PREFIX, VOUCHERS, category_filter
from projections.bitemporal import counted
from projections.money_flows import AMOUNTS
from projections.money_flows_queries import amounts, money
from projections.spend import spend_figure
from projections.view import ReadModelView

# The stage columns each figure is made of (projections/spend.py): a row counts if one of them moved.
MADE_OF = {"spend": ("settled", "recovered"), "outstanding": ("recovered", "collected", "written_off"),
           "cash_out": ("settled", "collected")}
COLUMNS = ("position", "event_type", "effective_us", "recorded_us", "programme_year", "cash_year", "fee_category",
           "voucher_id", "claim_id")
_SELECT = SQL(", ").join([*(Identifier(c) for c in COLUMNS), *(Identifier(a) for a in AMOUNTS)])


def _moved(stage: str) -> Composable:
    return SQL("({})").format(SQL(" OR ").join(
        SQL("{} <> 0").format(Identifier(f"{s}_fen")) for s in MADE_OF.get(stage, (stage,))))


def city_movements(db: ReadModelView, city: str, as_of_us: int, known_at_us: int | None = None, *, stage: str,
                   year: int | None = None, year_kind: str = "programme", fee_category: str | None = None,
                   fund_source: str | None = None, recorded_after_us: int | None = None, after_position: int = 0,
                   limit: int = 1000, programme: str | None = None) -> dict[str, Any]:
    """The rows behind ``city_spend``'s figure ``stage`` (same filters), in order, one page after a position:
    ``items`` and ``next_after`` (the last position read when the page is full, else None). ``recorded_after_us``
    keeps only the rows recorded after it: what "known now" adds to "known then"."""
    return _movements(db, "city", city, as_of_us, known_at_us, stage=stage, year=year, year_kind=year_kind,
                      fee_category=fee_category, fund_source=fund_source, recorded_after_us=recorded_after_us,
                      after_position=after_position, limit=limit, programme=programme)


# A provider's receivable figures (money_flows_queries.provider_receivable) by the stage each one sums.
PROVIDER_FIGURES = {"claimed_pending": "claimed", "approved_unsettled": "approved", "settled": "settled",
                    "recoveries_raised": "recovered", "recoveries_collected": "collected",
                    "recoveries_written_off": "written_off", "recoveries_due": "outstanding"}


def provider_movements(db: ReadModelView, provider_id: str, as_of_us: int, known_at_us: int | None = None, *,
                       figure: str, after_position: int = 0, limit: int = 1000) -> dict[str, Any]:
    """The rows behind one of ``provider_receivable``'s figures (both fund sources), one page after a position."""
    return _movements(db, "provider_id", provider_id, as_of_us, known_at_us, stage=PROVIDER_FIGURES[figure],
                      after_position=after_position, limit=limit)


def _movements(db: ReadModelView, owner: str, owner_id: str, as_of_us: int, known_at_us: int | None, *, stage: str,
               year: int | None = None, year_kind: str = "programme", fee_category: str | None = None,
               fund_source: str | None = None, recorded_after_us: int | None = None, after_position: int = 0,
               limit: int = 1000, programme: str | None = None) -> dict[str, Any]:
    if year_kind not in ("programme", "cash"):
        raise ValueError("year_kind is 'programme' or 'cash'")
    when = counted(as_of_us, known_at_us)
    where: list[Composable] = [SQL("{} = ?").format(Identifier(owner)), when.sql, _moved(stage), SQL("position > ?")]
    params: list[Any] = [owner_id, *when.params, after_position]
    if year is not None:
        where.append(SQL("{} = ?").format(Identifier(f"{year_kind}_year")))
        params.append(year)
    if fee_category is not None:
        where.append(SQL("fee_category = ?"))
        params.append(fee_category)
    if programme == VOUCHERS:  # a voucher row's category is its fee category, an award's AWARD:<kind>
        where.append(SQL("(fee_category IS NULL OR fee_category NOT LIKE ?)"))
        params.append(AWARD_PREFIX + "%")
    elif programme is not None:
        where.append(SQL("fee_category = ?"))
        params.append(category_filter(programme))
    if recorded_after_us is not None:
        where.append(SQL("recorded_us > ?"))
        params.append(recorded_after_us)
    rows = db.fetchall(SQL("SELECT {} FROM vl_money_movements WHERE {} ORDER BY position, seq LIMIT ?").format(
        _SELECT, SQL(" AND ").join(where)), (*params, limit))
    found = []
    for row in rows:
        head = dict(zip(COLUMNS, row[:len(COLUMNS)], strict=True))
        f = amounts(tuple(row[len(COLUMNS):]))
        total, city_part = spend_figure(f, stage), spend_figure(f, stage, "_city_fen")
        amount = {"city": city_part, "province": total - city_part}.get(fund_source or "", total)
        if amount:
            found.append({**head, "amount_fen": amount, "city_fen": city_part, "province_fen": total - city_part})
    return {"items": found, "next_after": rows[-1][0] if len(rows) == limit else None}


VOUCHER_FIGURES = ("face_value", "claimed", "approved", "settled", "reversed", "recovered", "returned", "remaining")


def voucher_movements(db: ReadModelView, voucher_id: str, as_of_us: int, known_at_us: int | None = None, *,
                      figure: str) -> list[dict[str, Any]]:
    """The rows behind one of ``voucher_balance``'s figures (``face_value`` ... ``remaining``), each with its part:
    the balance is money() of the rows' sums, and money() is linear, so the parts add up to the figure."""
    if figure not in VOUCHER_FIGURES:
        raise ValueError(f"figure is one of {VOUCHER_FIGURES}")
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(SQL("SELECT {} FROM vl_money_movements WHERE voucher_id = ? AND {} ORDER BY position, seq")
                       .format(_SELECT, when.sql), (voucher_id, *when.params))
    found = []
    for row in rows:
        amount = money(amounts(tuple(row[len(COLUMNS):])))[f"{figure}_fen"]
        if amount:
            found.append({**dict(zip(COLUMNS, row[:len(COLUMNS)], strict=True)), "amount_fen": amount})
    return found
