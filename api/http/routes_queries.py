"""Queries: every figure as of a time (``as_of``, ISO-8601 with offset; default now) and as known at a time
(``known_at``: only facts recorded by then; default: as known now), from the projections.

Who may read what: province and auditor everything; a city its own city's figures, vouchers and enterprises; an
enterprise its own vouchers and totals; a provider its own receivables and batches. The whitelist is public.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from api.http import answers as s
from api.http.auth import Principal, forbid
from api.http.context import Call, as_of_or_now, known_at_or_now, query_call
from api.http.problems import ApiError
from ledger.parties import check_city
from projections.times import to_us

router = APIRouter(tags=["queries (as of any time)"])
AsOf = Query(None, description="effective time, ISO-8601 with offset; default now",
             examples=["2020-03-05T00:00:00+08:00"])
KnownAt = Query(None, description="recorded time: answer as the ledger knew it then (ISO-8601 with offset); "
                "default: as known now", examples=["2020-03-05T00:00:00+08:00"])
EVERYONE = ("province", "auditor", "city", "enterprise", "provider")
EntityKind = Literal["voucher", "enterprise", "provider", "city", "settlement_batch"]


def _not_found(what: str, key: object, as_of: datetime) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"no {what} {key} as of {as_of.isoformat()}")


def _scoped(p: Principal, *, city: str | None = None, enterprise_id: str | None = None,
            provider_id: str | None = None) -> bool:
    if p.kind in ("province", "auditor"):
        return True
    if p.kind == "city":
        return city is not None and city == p.scope
    if p.kind == "enterprise":
        return enterprise_id is not None and enterprise_id == p.party_id
    return provider_id is not None and provider_id == p.party_id


@router.get("/vouchers/{voucher_id}", response_model=s.VoucherOut, summary="A voucher's balance and figures as of a time")
def voucher(voucher_id: UUID, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
            c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    found = c.read.voucher_balance(voucher_id, at, known)
    if found is None:
        raise _not_found("voucher", voucher_id, at)
    if not _scoped(c.principal, city=found["city"], enterprise_id=found["enterprise_id"]):
        raise forbid(c.principal, "read this voucher")
    return {"as_of": at, "known_at": known, **found}


@router.get("/enterprises/{enterprise_id}", response_model=s.EnterpriseOut,
            summary="An enterprise's voucher totals per fiscal year as of a time")
def enterprise(enterprise_id: UUID, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
               c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    found = c.ledger.enterprise(enterprise_id)  # 404 if never registered
    if not _scoped(c.principal, city=found.city, enterprise_id=str(enterprise_id)):
        raise forbid(c.principal, "read this enterprise")
    return {"as_of": at, "known_at": known, "enterprise_id": enterprise_id, "uscc": found.uscc, "name": found.name,
            "city": found.city, "years": c.read.enterprise_totals(enterprise_id, at, known)}


@router.get("/providers/{provider_id}", response_model=s.ProviderOut,
            summary="A provider's receivables, whitelist status and history, and batches as of a time")
def provider(provider_id: UUID, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
             c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    c.ledger.provider(provider_id)  # 404 if never admitted
    if not _scoped(c.principal, provider_id=str(provider_id)):
        raise forbid(c.principal, "read this provider's receivables")
    return {"as_of": at, "known_at": known, **c.read.provider_receivable(provider_id, at, known),
            "claims_held": c.read.claims_held(provider_id, at, known),
            "whitelist_history": c.read.whitelist_history(provider_id, at, known),
            "batches": c.read.provider_batches(provider_id, at, known)}


@router.get("/cities/{city}/spend", response_model=s.CitySpendOut, summary="Per-city spend and quotas as of a time")
def city_spend(city: str, as_of: datetime | None = AsOf, year: int | None = Query(None, ge=2018, le=2030),
               year_kind: Literal["programme", "cash"] = "programme",
               fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"] | None = None,
               fund_source: Literal["province", "city"] | None = None,
               stage: Literal["claimed", "approved", "settled", "reversed", "recovered", "spend", "collected",
                              "written_off", "outstanding", "cash_out"] | None = None,
               known_at: datetime | None = KnownAt, c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    city = check_city(city)  # UNKNOWN_CITY (422) for a code that is not a Guangdong city
    if not _scoped(c.principal, city=city):
        raise forbid(c.principal, f"read the spend of city {city}")
    return {"as_of": at, "known_at": known, **c.read.city_spend(city, at, known, year=year, year_kind=year_kind, fee_category=fee_category,
                                             fund_source=fund_source, stage=stage)}


@router.get("/whitelist", response_model=s.WhitelistOut, summary="The public whitelist as of a time, a page at a time")
def whitelist(as_of: datetime | None = AsOf,
              after_uscc: str = Query("", max_length=18, description="cursor: the last USCC of the previous page"),
              limit: int = Query(200, ge=1, le=1000), known_at: datetime | None = KnownAt,
              c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    providers = c.read.whitelist(at, known, after_uscc=after_uscc, limit=limit)
    return {"as_of": at, "known_at": known, "providers": providers,
            "next_after_uscc": providers[-1]["uscc"] if len(providers) == limit else None}


@router.get("/settlement-batches/{batch_id}", response_model=s.BatchOut,
            summary="What a settlement batch contained, paid and must recover, as of a time")
def settlement_batch(batch_id: UUID, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
                     c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    found = c.read.settlement_batch(batch_id, at, known)
    if found is None:
        raise _not_found("settlement batch", batch_id, at)
    if not _scoped(c.principal, provider_id=found["provider_id"]):
        raise forbid(c.principal, "read this settlement batch")
    return {"as_of": at, "known_at": known, **found}


@router.get("/audit/{entity_kind}/{entity_id}", response_model=s.Page,
            summary="The audit trail of an entity: every event that touched it, in effect by as_of and recorded by "
                    "known_at, in order")
def audit_trail(entity_kind: EntityKind, entity_id: Annotated[str, Path(pattern=r"^[0-9A-Za-z-]{1,64}$")], as_of: datetime | None = AsOf,
                after: int = Query(0, ge=0, le=2**63 - 1, description="cursor: the last position of the previous page"),
                limit: int = Query(100, ge=1, le=1000), known_at: datetime | None = KnownAt,
                c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    p = c.principal
    own = (p.kind in ("province", "auditor")
           or (p.kind == "city" and entity_kind == "city" and entity_id == p.scope)
           or (p.kind in ("enterprise", "provider") and entity_kind == p.kind and entity_id == p.party_id))
    if not own and entity_kind == "voucher" and p.kind in ("city", "enterprise"):  # a city's or enterprise's voucher
        found = c.read.voucher_balance(entity_id, at)
        own = found is not None and _scoped(p, city=found["city"], enterprise_id=found["enterprise_id"])
    if not own and entity_kind == "settlement_batch" and p.kind == "provider":  # a provider's own batch
        batch = c.read.settlement_batch(entity_id, at)
        own = batch is not None and batch["provider_id"] == p.party_id
    if not own:
        raise forbid(p, f"read the audit trail of {entity_kind} {entity_id}")
    items = c.read.audit_trail(entity_kind, entity_id, at, known, after_position=after, limit=limit)
    return {"as_of": at, "known_at": known, "items": items, "next_after": items[-1]["position"] if len(items) == limit else None}


@router.get("/events", response_model=s.Page,
            summary="The global event feed for auditors: in order, cursor-paginated, filterable by type and time")
def event_feed(as_of: datetime | None = AsOf, after: int = Query(0, ge=0, le=2**63 - 1), limit: int = Query(100, ge=1, le=1000),
               event_type: list[Annotated[str, Query(pattern=r"^[A-Za-z]+\.[A-Za-z]+$")]] = Query(
                   [], description="e.g. Voucher.Claimed; repeat for several"),
               recorded_from: datetime | None = Query(None, description="only events recorded at or after this time"),
               c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="read the global event feed")
    at = as_of_or_now(as_of)
    start = None if recorded_from is None else to_us(as_of_or_now(recorded_from))
    items = c.read.event_feed(at, after_position=after, limit=limit, event_types=tuple(event_type),
                              recorded_from_us=start)
    return {"as_of": at, "items": items, "next_after": items[-1]["position"] if len(items) == limit else None}


@router.get("/late-facts", response_model=s.LateFactsOut,
            summary="Facts learned after known_at that take effect by as_of, and the figures they changed")
def late_facts(as_of: datetime | None = AsOf,
               known_at: datetime | None = Query(None, description="default: as_of (what was learned about as_of later)"),
               limit: int = Query(200, ge=1, le=1000), c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="list facts learned late")
    at = as_of_or_now(as_of)
    known = known_at_or_now(known_at) or at
    found = c.read.late_facts(at, known, limit=limit)
    return {"as_of": at, "known_at": known, "facts": found["facts"], "more_facts": found["more_facts"],
            "changed_figures": found["changed_figures"], "more_figures": found["more_figures"]}
