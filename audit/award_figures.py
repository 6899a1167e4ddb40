"""The awards figure of an export: one row per award with money, as of T known at K, from money_flows' award rows
(``projections/award_flows.py``): granted and not yet paid, paid, recovered, collected, written off, outstanding."""

from __future__ import annotations

from psycopg.sql import SQL

from audit.tables import Figure
from ledger.parties import CITIES
from projections.award_flows import programme_of
from projections.bitemporal import counted
from projections.money_flows_queries import SUMS, amounts
from projections.spend import spend_figure
from projections.view import ReadModelView

COLUMNS = ("award_id", "city", "city_name", "programme", "programme_year", "granted_unpaid_fen", "paid_fen",
           "paid_city_fen", "paid_province_fen", "recovered_fen", "collected_fen", "written_off_fen",
           "outstanding_fen", "spend_fen")


def awards(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT award_id, city, fee_category, programme_year, {} FROM vl_money_movements "
            "WHERE award_id IS NOT NULL AND {} GROUP BY award_id, city, fee_category, programme_year "
            "ORDER BY city, programme_year, award_id").format(SUMS, when.sql),
        when.params,
    )
    out = []
    for award_id, city, category, year, *values in rows:
        f = amounts(tuple(values))
        out.append((award_id, city, CITIES.get(city, ("", ""))[1], programme_of(category), year, f["approved_fen"],
                    f["settled_fen"], f["settled_city_fen"], f["settled_fen"] - f["settled_city_fen"],
                    f["recovered_fen"], f["collected_fen"], f["written_off_fen"], spend_figure(f, "outstanding"),
                    spend_figure(f, "spend")))
    return Figure("awards", "Awards (granted, paid, recovered; spend = paid − recovered)", COLUMNS, out)
