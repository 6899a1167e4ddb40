"""An enterprise's eligibility per programme year as of T, known at K, from vl_eligibility_decisions (written by the
audit_trail projection): of a year's decisions and corrections in effect by T and recorded by K (the one rule of
:mod:`projections.bitemporal`), the last recorded one decides, and the answer says whether it was a correction."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from projections.bitemporal import counted
from projections.times import from_us
from projections.view import ReadModelView


def eligibility(db: ReadModelView, enterprise_id: str, as_of_us: int,
                known_at_us: int | None = None) -> list[dict[str, Any]]:
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT year, granted, reasons, corrected, reason, effective_us, recorded_us, position "
            "FROM vl_eligibility_decisions WHERE enterprise_id = ? AND {} ORDER BY year, position").format(when.sql),
        (enterprise_id, *when.params),
    )
    latest: dict[int, tuple] = {}
    for row in rows:
        latest[int(row[0])] = row  # ordered by position within a year: the last one supersedes the others
    return [{"year": year, "granted": bool(r[1]), "reasons": [c for c in r[2].split(",") if c],
             "corrected": bool(r[3]), "correction_reason": r[4], "effective_at": from_us(r[5]),
             "recorded_at": from_us(r[6])}
            for year, r in sorted(latest.items())]
