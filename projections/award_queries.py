"""Which awards there are, as of T known at K, for a list of them: each award's application in the audit trail (the
``audit_trail`` projection's tables: an application is in its award's trail, its city's and its applicant's)."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from projections.award_flows import programme_of
from projections.bitemporal import counted
from projections.money_flows_queries import SUMS, amounts
from projections.spend import spend_figure
from projections.view import ReadModelView


def awards_applied(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, entity_kind: str | None = None,
                   entity_id: str | None = None, after_position: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """The awards applied for by T (known at K), in order of application: all of them, or those in the trail of one
    city, enterprise or provider (``entity_kind``, ``entity_id``). Rows: position, award_id, recorded_us."""
    when = counted(as_of_us, known_at_us, table="a", effective_or_recorded=True)
    scope, params = SQL(""), []
    if entity_kind is not None:
        scope = SQL(" AND a.position IN (SELECT position FROM vl_audit_entries WHERE entity_kind = ? AND entity_id = ?)")
        params = [entity_kind, entity_id]
    rows = db.fetchall(
        SQL("SELECT a.position, a.originator_id, a.recorded_us FROM vl_audit_events a WHERE a.event_type = ? "
            "AND a.position > ? AND {}{} ORDER BY a.position LIMIT ?").format(when.sql, scope),
        ("Award.Applied", after_position, *when.params, *params, limit),
    )
    return [{"position": int(r[0]), "award_id": r[1], "recorded_us": int(r[2])} for r in rows]


def applicant_award_totals(db: ReadModelView, entity_kind: str, entity_id: str, as_of_us: int,
                           known_at_us: int | None = None) -> list[dict[str, Any]]:
    """An enterprise's or a provider's awards as applicant, per programme and year, as of T known at K: granted and
    not yet paid, paid, recovered and spend (paid − recovered). Its awards are those whose application is in its
    trail (audit_trail); their money is money_flows' award rows."""
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT fee_category, programme_year, {} FROM vl_money_movements WHERE award_id IN ("
            "SELECT a.originator_id FROM vl_audit_events a JOIN vl_audit_entries e ON e.position = a.position "
            "WHERE a.event_type = 'Award.Applied' AND e.entity_kind = ? AND e.entity_id = ?) AND {} "
            "GROUP BY fee_category, programme_year ORDER BY programme_year, fee_category").format(SUMS, when.sql),
        (entity_kind, entity_id, *when.params),
    )
    out = []
    for category, year, *values in rows:
        f = amounts(tuple(values))
        out.append({"programme": programme_of(category), "programme_year": year,
                    "granted_unpaid_fen": f["approved_fen"], "paid_fen": f["settled_fen"],
                    "recovered_fen": f["recovered_fen"], "spend_fen": spend_figure(f, "spend")})
    return out
