"""The dispute view: a voucher, a provider, a city or a settlement batch as of T, as known then (``known_at``, default
T) and as known now, side by side, the figures that differ marked, and the facts recorded late that changed them: for
a voucher, provider or batch the API's ``/v1/late-facts`` about it (for the roles that may read it); for a city the
events of its own spend figures recorded late (which a city may read). Every answer comes from the API's own route
functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from api.http.console import dispute_subjects as subjects
from api.http.dependencies import Call, as_of_or_now, known_at_or_now
from api.http.problems import ApiError
from api.http.routes import queries

LATE_LIMIT = 200


def _voucher(c: Call, key: str, at: datetime, known: datetime | None, year: int | None) -> dict[str, Any]:
    try:
        voucher_id = UUID(key)
    except ValueError:
        raise ApiError(404, "NOT_FOUND", f"no voucher {key}") from None
    return queries.voucher(voucher_id, at, known, c)


def _provider(c: Call, key: str, at: datetime, known: datetime | None, year: int | None) -> dict[str, Any]:
    return queries.provider(key, at, known, c)


READERS = {"voucher": (_voucher, "voucher_id"), "provider": (_provider, "provider_id"),
           "city": (subjects.city, "city"), "batch": (subjects.batch, "batch_id")}
PAGES = {"voucher": "vouchers", "provider": "providers", "city": "cities", "batch": "batches"}


def dispute(c: Call, kind: str, key: str, as_of: datetime | None, known_at: datetime | None,
            year: int | None = None) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    known = known_at_or_now(known_at) or at
    read, id_field = READERS[kind]
    now = read(c, key, at, None, year)
    try:
        then = read(c, key, at, known, year)
    except ApiError as unknown:  # not yet known then: everything about it was learned later
        if unknown.status != 404:
            raise
        then = None
    subject = str(now[id_field])
    names = [*(["status"] if "status" in now else []), *(k for k in now if k.endswith("_fen"))]
    rows = [{"name": n, "then": None if then is None else then.get(n), "now": now.get(n)} for n in names]
    for row in rows:
        row["differs"] = row["then"] != row["now"]
    held = {label: [] if answer is None else answer.get("claims_held", []) for label, answer in
            (("then", then), ("now", now))}
    found = {"as_of": at, "known_at": known, "kind": kind, "subject": subject, "rows": rows, "held": held,
             "known_then": then is not None, "page": PAGES[kind], "year": now.get("year"), "facts": None,
             "more": False, "moved": None, "lines": None}
    if kind == "city":  # the city's own events: what a city may read of what was learned late
        return found | {"moved": subjects.late_movements(c, subject, at, known, now["year"])}
    about = {subject}
    if kind == "batch":
        found["lines"] = subjects.lines_side_by_side(then, now)
        about |= {str(line["voucher_id"]) for line in found["lines"] if line["voucher_id"]}
    try:
        late = queries.late_facts(at, known, LATE_LIMIT, c)
    except ApiError as refused:
        if refused.status != 403:
            raise
        return found  # this role may not list facts learned late; the two answers still show what differs
    return found | {"facts": [f for f in late["facts"] if str(f["originator_id"]) in about],
                    "more": late["more_facts"] or late["more_figures"]}
