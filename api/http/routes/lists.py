"""Work queues and lookups: the lists of enterprises, vouchers, claims, providers and settlement batches, and a
programme year's catalogue and quotas.

Lists answer **as known now** (no ``as_of`` / ``known_at``: the figures of one thing as of a time are its own GET).
Every list is paged the same way: ``limit`` rows (1 to 1000, default 100) and ``next_cursor``, passed back as
``cursor`` for the next page; a walk meets every row once, in the order the ledger recorded them (providers in USCC
order). A caller sees only its own: a city its city's, an enterprise its own, a provider its own; a filter naming
something outside that scope finds nothing, exactly as a filter naming something unknown, except a code that is no
Guangdong city: that is refused UNKNOWN_CITY (the filters are read in ``api.http.list_filters``, with the CLI's).
A status filter takes the capitals the rows are written in (lower case too). A voucher's status, listed and filtered,
is the one ``GET /v1/vouchers/{id}`` answers as of now on the service's clock: past its deadline, EXPIRED.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from api.http import cursors, list_filters as f
from api.http.auth import Principal
from api.http.clock import service_now
from api.http.dependencies import Call, query_call
from api.http.models import lists as s
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR, USCC_PATTERN
from api.http.party_ids import DESCRIPTION, ID_OR_USCC_PATTERN, optional_party_id
from api.http.problems import ApiError
from ledger.errors import CatalogueNotPublishedError
from ledger.uscc import validate_uscc

router = APIRouter(tags=["lists and lookups (as known now)"])
KNOWN_NOW = " As known now; `cursor` / `next_cursor` page through every row once."
Cursor = Query(None, min_length=1, max_length=cursors.MAX_CURSOR_LENGTH, pattern=r"^[A-Za-z0-9_-]+$",
               description="next_cursor of the previous page; none: the first page")
Limit = Query(100, ge=1, le=1000, description="rows per page")
CityFilter = Query(None, pattern=CITY_PATTERN, json_schema_extra=CITY_CODES, description="a Guangdong city code")
YearFilter = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme year")
UsccFilter = Query(None, min_length=18, max_length=18, json_schema_extra={"pattern": USCC_PATTERN},
                   description="unified social credit code")
FeeCategory = Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"]
# The column a scoped caller is narrowed by, in every list it may read.
SCOPE_COLUMN = {"city": "city", "enterprise": "enterprise_id", "provider": "provider_id"}


def _party(what: str) -> Any:
    return Query(None, description=DESCRIPTION.format(what=what), pattern=ID_OR_USCC_PATTERN)


def _scope(p: Principal) -> list[tuple[str, Any]]:
    if p.kind not in SCOPE_COLUMN:
        return []  # province and auditors see everything
    return [(SCOPE_COLUMN[p.kind], p.scope if p.kind == "city" else p.party_id)]


def _page(c: Call, name: str, path: str, cursor: str | None, limit: int, *, equal: list[tuple[str, Any]],
          where: list[str] = (), key_type: type = int, now: datetime | None = None) -> dict[str, Any]:
    after = cursors.decode(path, cursor, key_type)
    found = c.read.list_page(name, equal=[*_scope(c.principal), *equal], where=where, after=after, limit=limit,
                             now=now)
    return {"items": found.items, "next_cursor": cursors.encode(path, found.next_key)}


@router.get("/claims", response_model=s.ClaimsPage, summary="Claims: the review queue and the others, by status",
            description="`status`: CLAIMED (waiting for review), APPROVED (not yet paid), SETTLED, REJECTED, REVERSED; "
                        "or HELD (kept from settlement after a suspension recorded late) and FLAGGED (covered by "
                        "one), whatever the status; lower case is taken too. First come, first served." + KNOWN_NOW)
def list_claims(status: f.ClaimQueue | None = Query(None), provider: str | None = _party("provider"),
                enterprise: str | None = _party("enterprise"), voucher_id: UUID | None = None,
                city: str | None = CityFilter, year: int | None = YearFilter, batch_id: UUID | None = None,
                cursor: str | None = Cursor, limit: int = Limit, c: Call = Depends(query_call)):
    c.allow("province", "auditor", "city", "enterprise", "provider", what="list claims")
    equal, where = f.claims_queue(status)
    return _page(c, "claims", "claims", cursor, limit, where=where, equal=[
        *equal, ("provider_id", optional_party_id("provider", provider)),
        ("enterprise_id", optional_party_id("enterprise", enterprise)),
        ("voucher_id", _text(voucher_id)), ("city", f.city(city)), ("programme_year", year), ("batch_id", _text(batch_id))])


@router.get("/vouchers", response_model=s.VouchersPage, summary="Vouchers by enterprise, city, year and status",
            description="In the order they were issued. `status` is each voucher's as `GET /v1/vouchers/{id}` "
                        "answers it now: ACTIVE, EXPIRED from the end of its redemption deadline day "
                        "(`expires_us`) even before the year's expiry run, whose record `expiry_recorded` tells, "
                        "or REVOKED; the `status` filter means the same (lower case is taken too)." + KNOWN_NOW)
def list_vouchers(enterprise: str | None = _party("enterprise"), city: str | None = CityFilter,
                  year: int | None = YearFilter, status: f.VoucherStatus | None = None,
                  fee_category: FeeCategory | None = None, cursor: str | None = Cursor, limit: int = Limit,
                  c: Call = Depends(query_call)):
    c.allow("province", "auditor", "city", "enterprise", what="list vouchers")
    return _page(c, "vouchers", "vouchers", cursor, limit, now=service_now(), equal=[
        ("enterprise_id", optional_party_id("enterprise", enterprise)), ("city", f.city(city)),
        ("programme_year", year), ("status", f.status(status)), ("fee_category", fee_category)])


@router.get("/enterprises", response_model=s.EnterprisesPage, summary="Enterprises by city, or the one with a USCC",
            description="In the order they were registered." + KNOWN_NOW)
def list_enterprises(city: str | None = CityFilter, uscc: str | None = UsccFilter, cursor: str | None = Cursor,
                     limit: int = Limit, c: Call = Depends(query_call)):
    c.allow("province", "auditor", "city", "enterprise", what="list enterprises")
    return _page(c, "enterprises", "enterprises", cursor, limit,
                 equal=[("city", f.city(city)), ("uscc", None if uscc is None else validate_uscc(uscc))])


@router.get("/providers", response_model=s.ProvidersPage,
            summary="Providers by kind and whitelist status, or the one with a USCC",
            description="In USCC order; the status is the current whitelist status (`GET /v1/whitelist` answers as "
                        "of any time)." + KNOWN_NOW)
def list_providers(kind: Literal["NATIONAL_PLATFORM", "CARRIER", "PLATFORM", "SERVICE"] | None = None,
                   status: f.ProviderStatus | None = None,
                   uscc: str | None = UsccFilter, cursor: str | None = Cursor, limit: int = Limit,
                   c: Call = Depends(query_call)):
    c.allow("province", "auditor", "provider", what="list providers")
    return _page(c, "providers", "providers", cursor, limit, key_type=str, equal=[
        ("kind", kind), ("status", f.status(status)), ("uscc", None if uscc is None else validate_uscc(uscc))])


@router.get("/settlement-batches", response_model=s.BatchesPage, summary="Settlement batches by provider and status",
            description="OPEN until paid, then PAID; in the order they were opened." + KNOWN_NOW)
def list_batches(provider: str | None = _party("provider"), status: f.BatchStatus | None = None,
                 period: str | None = Query(None, min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$"),
                 cursor: str | None = Cursor, limit: int = Limit, c: Call = Depends(query_call)):
    c.allow("province", "auditor", "provider", what="list settlement batches")
    return _page(c, "batches", "settlement-batches", cursor, limit, equal=[
        ("provider_id", optional_party_id("provider", provider)), ("status", f.status(status)), ("period", period)])


ProgrammeYear = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme year")]


@router.get("/programme/years/{year}/catalogue", response_model=s.CatalogueOut,
            summary="A programme year's voucher catalogue: items, rates, caps and the redemption deadline")
def catalogue(year: ProgrammeYear, c: Call = Depends(query_call)):
    try:
        found = c.ledger.catalogue(year)
    except CatalogueNotPublishedError:
        raise ApiError(404, "NOT_FOUND", f"no catalogue is published for {year}") from None
    items = [{"item_id": i.item_id, "name": i.name, "fee_category": i.fee_category.value, "rate": str(i.rate),
              "cap_fen": i.cap_fen} for i in found.items.values()]
    return {"year": year, "redemption_deadline": found.redemption_deadline.isoformat(), "items": items}


@router.get("/programme/years/{year}/quotas", response_model=s.QuotasOut,
            summary="A programme year's city and provider quotas: set, used and remaining",
            description="As known now. A city sees its own quota, a provider its own.")
def quotas(year: ProgrammeYear, c: Call = Depends(query_call)):
    c.allow("province", "auditor", "city", "provider", what="read quotas")
    p = c.principal
    if p.kind == "city":
        found = c.read.year_quotas(year, city=p.scope, providers=False)
    elif p.kind == "provider":
        found = c.read.year_quotas(year, provider_id=p.party_id, cities=False)
    else:
        found = c.read.year_quotas(year)
    return {"year": year, **found}


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)
