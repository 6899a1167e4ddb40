"""The double-entry journal as of a time, known at a time: its trial balance and each account's lines (province and
auditors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.http.dependencies import Call, as_of_or_now, known_at_or_now, query_call
from api.http.models import journal as s
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR
from api.http.routes.queries import AsOf, KnownAt
from ledger.parties import check_city

router = APIRouter(tags=["queries (as of any time)"])


@router.get("/trial-balance", response_model=s.TrialBalanceOut,
            summary="The journal's trial balance (debits, credits, balance per account) as of a time, known at a time")
def trial_balance(as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                  city: str | None = Query(None, pattern=CITY_PATTERN, json_schema_extra=CITY_CODES,
                                           description="one city (GB/T 2260 code)"),
                  programme_year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
                  c: Call = Depends(query_call),
                  programme: Annotated[Literal["VOUCHERS", "BENCHMARK_PROJECT", "DEMONSTRATION_BASE", "FINANCE_PILOT",
                                              "KEY_PLATFORM", "INNOVATION_CENTRE"] | None,
                                      Query(description="only the vouchers' entries, or one award programme's "
                                                        "(its sub-accounts)")] = None):
    c.allow("province", "auditor", what="read the journal's trial balance")
    at = as_of_or_now(as_of)
    known = known_at_or_now(known_at)
    if city is not None:
        city = check_city(city)  # UNKNOWN_CITY (422)
    found = c.read.trial_balance(at, known, city=city, programme_year=programme_year, programme=programme)
    return {**found, "as_of": at, "known_at": known}


@router.get("/journal-lines", response_model=s.JournalLinesOut,
            summary="One account's journal lines (the postings its trial balance row sums), whole entries per page")
def journal_lines(account: s.Account = Query(..., description="e.g. PAID"),
                  as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                  city: str | None = Query(None, pattern=CITY_PATTERN, json_schema_extra=CITY_CODES,
                                           description="one city (GB/T 2260 code)"),
                  programme_year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
                  after: int = Query(0, ge=0, le=2**63 - 1, description="the last page's next_after"),
                  limit: int = Query(100, ge=1, le=1000, description="entries per page"),
                  c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="read the journal")
    at = as_of_or_now(as_of)
    known = known_at_or_now(known_at)
    if city is not None:
        city = check_city(city)
    items = c.read.journal_lines(account, at, known, after_position=after, limit=limit, city=city,
                                 programme_year=programme_year)
    entries = list(dict.fromkeys(line["position"] for line in items))
    return {"as_of": at, "known_at": known, "account": account, "city": city, "programme_year": programme_year,
            "items": items, "next_after": entries[-1] if len(entries) == limit else None}
