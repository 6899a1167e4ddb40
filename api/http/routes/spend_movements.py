"""Where a figure comes from: the events that make up a city spend figure (the same filters as
``GET /v1/cities/{city}/spend``), a provider's receivable figure (``GET /v1/providers/{id}``) or a voucher's balance
figure (``GET /v1/vouchers/{id}``), each with its amount (the
console's "explain" links). Added up, the amounts are the figure; the roles are those of the figure's own route."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from api.http.dependencies import Call, as_of_or_now, known_at_or_now, query_call
from api.http.models import movements as s
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR
from api.http.routes import queries
from api.http.routes.queries import TIME, AsOf, KnownAt, ProgrammeFilter, ProviderKey
from api.http.scope import in_scope, not_found
from ledger.parties import check_city
from projections.times import to_us

router = APIRouter(tags=["queries (as of any time)"])
Stage = Literal["claimed", "approved", "settled", "reversed", "recovered", "spend", "collected", "written_off",
                "outstanding", "cash_out"]


@router.get("/cities/{city}/spend/movements", response_model=s.SpendMovementsOut,
            summary="The events that make up one city spend figure (one stage, same filters), each with its amount")
def city_spend_movements(city: Annotated[str, Path(pattern=CITY_PATTERN, json_schema_extra=CITY_CODES)],
                         stage: Stage = Query(..., description="the figure: a stage, or spend / outstanding / cash_out"),
                         as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                         year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
                         year_kind: Literal["programme", "cash"] = "programme",
                         fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"] | None = None,
                         fund_source: Literal["province", "city"] | None = None,
                         recorded_after: datetime | None = Query(
                             None, description="only events recorded after this time (with known_at unset: what was "
                             "learned after it)", json_schema_extra=TIME),
                         after: int = Query(0, ge=0, le=2**63 - 1, description="the last page's next_after"),
                         limit: int = Query(1000, ge=1, le=1000),
                         c: Call = Depends(query_call), programme: ProgrammeFilter = None):
    c.allow("province", "auditor", "city", what="read city spend")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    if not in_scope(c.principal, city=city):
        raise not_found("city", city, at)
    city = check_city(city)
    found = c.read.city_spend_movements(city, at, known, stage=stage, year=year, year_kind=year_kind,
                                        fee_category=fee_category, fund_source=fund_source,
                                        recorded_after_us=None if recorded_after is None else to_us(
                                            as_of_or_now(recorded_after)),
                                        after_position=after, limit=limit, programme=programme)
    return {"as_of": at, "known_at": known, "city": city, "stage": stage, **found}


@router.get("/vouchers/{voucher_id}/movements", response_model=s.VoucherMovementsOut,
            summary="The events that make up one of a voucher's figures, each with its amount")
def voucher_movements(voucher_id: UUID,
                      figure: Literal["face_value", "claimed", "approved", "settled", "reversed", "recovered",
                                      "returned", "remaining"] = Query("remaining"),
                      as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                      c: Call = Depends(query_call)):
    found = queries.voucher(voucher_id, as_of, known_at, c)  # its roles, its scope, its 404
    at, known = found["as_of"], found["known_at"]
    items = c.read.voucher_movements(voucher_id, at, known, figure=figure)
    return {"as_of": at, "known_at": known, "voucher_id": voucher_id, "figure": figure, "items": items}


@router.get("/providers/{provider_id}/movements", response_model=s.ProviderMovementsOut,
            summary="The events that make up one of a provider's receivable figures, each with its amount")
def provider_movements(provider_id: ProviderKey,
                       figure: Literal["claimed_pending", "approved_unsettled", "settled", "recoveries_raised",
                                       "recoveries_collected", "recoveries_written_off", "recoveries_due"] = Query(
                           "settled"),
                       as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                       after: int = Query(0, ge=0, le=2**63 - 1, description="the last page's next_after"),
                       limit: int = Query(1000, ge=1, le=1000), c: Call = Depends(query_call)):
    found = queries.provider(provider_id, as_of, known_at, c)  # its roles, its scope, its 404
    at, known = found["as_of"], found["known_at"]
    page = c.read.provider_movements(found["provider_id"], at, known, figure=figure, after_position=after,
                                     limit=limit)
    return {"as_of": at, "known_at": known, "provider_id": found["provider_id"], "figure": figure, **page}
