"""The public list (公示) of a programme year's period as of T, known at K, from vl_publicity (written by the
audit_trail projection): the claims listed, the objection window, each claim's standing (publicised, under
objection, upheld, sustained) and its objections, and whether the province had closed the list. Every act counts
from the moment the ledger recorded it, so the list as of any past time is the one the public could read then."""

from __future__ import annotations

import json
from typing import Any

from psycopg.sql import SQL

from projections.bitemporal import counted
from projections.times import from_us
from projections.view import ReadModelView

STANDING = {"OBJECTION": "UNDER_OBJECTION", "UPHELD": "UPHELD", "SUSTAINED": "SUSTAINED"}


def publicity_list(db: ReadModelView, list_id: str, as_of_us: int,
                   known_at_us: int | None = None) -> dict[str, Any] | None:
    """None when the list was not published as of T (or not known by K)."""
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT kind, claim_id, year, period, voucher_id, provider_id, enterprise_id, city, amount_fen, "
            "objection_no, objector, reason, window_ends_us, recorded_us, calendars FROM vl_publicity "
            "WHERE list_id = ? AND {} ORDER BY position, claim_id").format(when.sql),
        (list_id, *when.params),
    )
    if not rows:
        return None
    answer: dict[str, Any] = {"list_id": list_id, "closed_at": None, "claims": []}
    claims: dict[str, dict[str, Any]] = {}
    for (kind, claim_id, year, period, voucher_id, provider_id, enterprise_id, city, amount_fen, number, objector,
         reason, window_ends_us, recorded_us, calendars) in rows:
        if kind == "LISTED":
            answer.update(year=int(year), period=period, published_at=from_us(recorded_us),
                          window_ends_at=from_us(window_ends_us),
                          calendars=None if calendars is None else json.loads(calendars))
            claims[claim_id] = {"claim_id": claim_id, "voucher_id": voucher_id, "provider_id": provider_id,
                                "enterprise_id": enterprise_id, "city": city, "amount_fen": int(amount_fen),
                                "standing": "PUBLICISED", "ruling_reason": None, "objections": []}
            answer["claims"].append(claims[claim_id])
        elif kind == "CLOSED":
            answer["closed_at"] = from_us(recorded_us)
        else:
            claim = claims[claim_id]
            claim["standing"] = STANDING[kind]
            if kind == "OBJECTION":
                claim["objections"].append({"number": int(number), "objector": objector, "reason": reason,
                                            "lodged_at": from_us(recorded_us)})
            else:
                claim["ruling_reason"] = reason
    return answer
