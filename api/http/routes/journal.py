"""The double-entry journal: its trial balance as of a time, known at a time (province and auditors)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query

from api.http.dependencies import Call, as_of_or_now, known_at_or_now, query_call
from api.http.models import queries
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR
from api.http.routes.queries import AsOf, KnownAt
from ledger.parties import check_city

router = APIRouter(tags=["queries (as of any time)"])


@router.get("/trial-balance", response_model=queries.TrialBalanceOut,
            summary="The journal's trial balance (debits, credits, balance per account) as of a time, known at a time")
def trial_balance(as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                  city: str | None = Query(None, pattern=CITY_PATTERN, json_schema_extra=CITY_CODES,
                                           description="one city (GB/T 2260 code)"),
                  programme_year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
                  c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="read the journal's trial balance")
    at = as_of_or_now(as_of)
    known = known_at_or_now(known_at)
    if city is not None:
        city = check_city(city)  # UNKNOWN_CITY (422)
    found = c.read.trial_balance(at, known, city=city, programme_year=programme_year)
    return {**found, "as_of": at, "known_at": known}
