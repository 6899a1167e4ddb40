"""Which awards there are, as of T known at K, for a list of them: each award's application in the audit trail (the
``audit_trail`` projection's tables: an application is in its award's trail, its city's and its applicant's)."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from projections.bitemporal import counted
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
