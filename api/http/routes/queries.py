"""Queries: every figure as of a time (``as_of``, ISO-8601 with offset; default now) and as known at a time
(``known_at``: only facts recorded by then; default: as known now), from the projections.

Who may read what: province and auditor everything; a city its own city's figures, vouchers and enterprises; an
enterprise its own vouchers and totals; a provider its own receivables and batches. The whitelist is public.
Something outside the caller's scope answers the 404 of something unknown (``api/http/scope.py``); so does a thing
asked about as of a time before it existed, or as known at a time before the ledger learned of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from api.http.auth import forbid
from api.http.dependencies import Call, as_of_or_now, checked_moment, known_at_or_now, query_call
from api.http.models import queries as s
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR, MOMENT_PATTERN
from api.http.party_ids import DESCRIPTION, ID_OR_USCC_PATTERN, party_id
from api.http.scope import in_scope, not_found, sees_objectors
from ledger import ids as ledger_ids
from ledger.errors import LedgerError
from ledger.parties import CITIES, check_city
from ledger.recording import created_by
from projections.times import from_us, to_us

router = APIRouter(tags=["queries (as of any time)"])
TIME = {"pattern": MOMENT_PATTERN}  # with an offset, in the years the service computes with (as_of_or_now)
AsOf = Query(None, description="effective time, ISO-8601 with offset; default now",
             examples=["2020-03-05T00:00:00+08:00"], json_schema_extra=TIME)
KnownAt = Query(None, description="recorded time: answer as the ledger knew it then (ISO-8601 with offset); "
                "default: as known now", examples=["2020-03-05T00:00:00+08:00"], json_schema_extra=TIME)
# An enterprise or provider in a path: its id or its USCC (api/http/party_ids.py).
EnterpriseKey = Annotated[str, Path(description=DESCRIPTION.format(what="enterprise"), pattern=ID_OR_USCC_PATTERN)]
ProviderKey = Annotated[str, Path(description=DESCRIPTION.format(what="provider"), pattern=ID_OR_USCC_PATTERN)]
EntityKind = Literal["voucher", "enterprise", "provider", "city", "settlement_batch", "award", "working_calendar"]
# The trails a scoped role may read at all (its own ones only); the province and auditors read every trail (a working
# calendar's among them: who recorded and revised a year's holiday arrangement, and why).
TRAILS_OF = {"city": ("voucher", "city", "award"), "enterprise": ("voucher", "enterprise", "award"),
             "provider": ("provider", "settlement_batch", "award")}

# Per-city spend's programme dimension: the vouchers' lines, or one award programme's.
ProgrammeFilter = Annotated[Literal["VOUCHERS", "BENCHMARK_PROJECT", "DEMONSTRATION_BASE", "FINANCE_PILOT",
                                   "KEY_PLATFORM", "INNOVATION_CENTRE"] | None,
                            Query(description="only the vouchers' lines, or one award programme's")]

@router.get("/vouchers/{voucher_id}", response_model=s.VoucherOut, summary="A voucher's balance and figures as of a time")
def voucher(voucher_id: UUID, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
            c: Call = Depends(query_call)):
    c.allow("province", "auditor", "city", "enterprise", what="read vouchers")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    found = c.read.voucher_balance(voucher_id, at, known)
    if found is None or not in_scope(c.principal, city=found["city"], enterprise_id=found["enterprise_id"]):
        raise not_found("voucher", voucher_id, at)
    expires_us = found.pop("expires_us")
    holder = c.ledger.enterprise(UUID(str(found["enterprise_id"])))  # its USCC and name are fixed at registration
    return {"as_of": at, "known_at": known, **found, "enterprise_uscc": holder.uscc, "enterprise_name": holder.name,
            "expires_at": None if expires_us is None else from_us(expires_us)}


@router.get("/enterprises/{enterprise_id}", response_model=s.EnterpriseOut,
            summary="An enterprise's voucher totals per fiscal year as of a time")
def enterprise(enterprise_id: EnterpriseKey, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
               c: Call = Depends(query_call)):
    c.allow("province", "auditor", "city", "enterprise", what="read enterprises")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    enterprise_id = party_id("enterprise", enterprise_id)
    # An enterprise's USCC, name and city are fixed at registration (no event changes them): the registered ones
    # are those in effect at any time after it.
    found = created_by(c.ledger.enterprise, enterprise_id, at, known)
    if found is None or not in_scope(c.principal, city=found.city, enterprise_id=str(enterprise_id)):
        raise not_found("enterprise", enterprise_id, at)
    return {"as_of": at, "known_at": known, "enterprise_id": enterprise_id, "uscc": found.uscc, "name": found.name,
            "city": found.city, "eligibility": c.read.eligibility(enterprise_id, at, known),
            "years": c.read.enterprise_totals(enterprise_id, at, known),
            "awards": c.read.applicant_award_totals("enterprise", enterprise_id, at, known)}


@router.get("/providers/{provider_id}", response_model=s.ProviderOut,
            summary="A provider's receivables, whitelist status and history, and batches as of a time")
def provider(provider_id: ProviderKey, as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
             c: Call = Depends(query_call)):
    c.allow("province", "auditor", "provider", what="read providers' receivables")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    provider_id = party_id("provider", provider_id)
    found = created_by(c.ledger.provider, provider_id, at, known)
    if found is None or not in_scope(c.principal, provider_id=str(provider_id)):
        raise not_found("provider", provider_id, at)
    return {"as_of": at, "known_at": known, "uscc": found.uscc, "name": found.name, "kind": found.kind,
            **c.read.provider_receivable(provider_id, at, known),
            "claims_held": c.read.claims_held(provider_id, at, known),
            "whitelist_history": c.read.whitelist_history(provider_id, at, known),
            "batches": c.read.provider_batches(provider_id, at, known),
            "awards": c.read.applicant_award_totals("provider", provider_id, at, known)}


@router.get("/cities/{city}/spend", response_model=s.CitySpendOut,
            summary="Per-city spend and quotas as of a time (a year's quota appears once it is set)")
def city_spend(city: Annotated[str, Path(pattern=CITY_PATTERN, json_schema_extra=CITY_CODES,
                                         description="a Guangdong city code (GB/T 2260)")],
               as_of: datetime | None = AsOf,
               year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme year, or with "
                                        "year_kind=cash the year the money moved"),
               year_kind: Literal["programme", "cash"] = "programme",
               fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"] | None = None,
               fund_source: Literal["province", "city"] | None = None,
               stage: Literal["claimed", "approved", "settled", "reversed", "recovered", "spend", "collected",
                              "written_off", "outstanding", "cash_out"] | None = None,
               known_at: datetime | None = KnownAt, c: Call = Depends(query_call),
               programme: ProgrammeFilter = None):
    c.allow("province", "auditor", "city", what="read city spend")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    if not in_scope(c.principal, city=city):
        raise not_found("city", city, at)
    city = check_city(city)  # UNKNOWN_CITY (422) for a code that is not a Guangdong city
    return {"as_of": at, "known_at": known, **c.read.city_spend(city, at, known, year=year, year_kind=year_kind,
                                                                 fee_category=fee_category, fund_source=fund_source,
                                                                 stage=stage, programme=programme)}


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
    c.allow("province", "auditor", "provider", what="read settlement batches")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    found = c.read.settlement_batch(batch_id, at, known)
    if found is None or not in_scope(c.principal, provider_id=found["provider_id"]):
        raise not_found("settlement batch", batch_id, at)
    return {"as_of": at, "known_at": known, **found}


@router.get("/audit/{entity_kind}/{entity_id}", response_model=s.Page,
            summary="The audit trail of an entity: every event that touched it, in effect by as_of and recorded by "
                    "known_at, in order")
def audit_trail(entity_kind: EntityKind, entity_id: Annotated[str, Path(pattern=r"^[0-9A-Za-z-]{1,64}$")],
                as_of: datetime | None = AsOf,
                after: int = Query(0, ge=0, le=2**63 - 1, description="cursor: the last position of the previous page"),
                limit: int = Query(100, ge=1, le=1000), known_at: datetime | None = KnownAt,
                c: Call = Depends(query_call)):
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    p = c.principal
    if p.kind in TRAILS_OF and entity_kind not in TRAILS_OF[p.kind]:
        raise forbid(p, f"read the audit trail of a {entity_kind}")
    found = _trail_owner(c, entity_kind, entity_id, at, known)
    if found is None or not in_scope(p, **found[1]):
        raise not_found(entity_kind.replace("_", " "), entity_id, at)
    # A trail that reaches a scoped role tells an objection without its objector, as the public list does.
    items = c.read.audit_trail(entity_kind, found[0], at, known, after_position=after, limit=limit,
                               named=sees_objectors(p))
    return {"as_of": at, "known_at": known, "items": items,
            "next_after": items[-1]["position"] if len(items) == limit else None}


def _trail_owner(c: Call, kind: str, entity_id: str, at: datetime,
                 known: datetime | None) -> tuple[str, dict[str, str]] | None:
    """The entity's id as its trail spells it, and whom it belongs to (city, enterprise, provider); None if it did not
    exist as of ``at`` known at ``known``: a trail is of something that existed then."""
    if kind == "city":
        return (entity_id, {"city": entity_id}) if entity_id in CITIES else None
    if kind == "working_calendar":
        return _calendar_trail(c, entity_id, at, known)
    try:  # an enterprise or a provider may be named by its USCC
        uuid = str(party_id(kind, entity_id) if kind in ("enterprise", "provider") else UUID(entity_id))
    except (ValueError, LedgerError):
        return None
    if kind == "voucher":
        voucher = c.read.voucher_balance(uuid, at, known)
        return None if voucher is None else (uuid, {"city": voucher["city"], "enterprise_id": voucher["enterprise_id"]})
    if kind == "settlement_batch":
        batch = c.read.settlement_batch(uuid, at, known)
        return None if batch is None else (uuid, {"provider_id": batch["provider_id"]})
    if kind == "award":  # its city's and its applicant's (an enterprise or a provider)
        award = created_by(c.ledger.award, uuid, at, known)
        if award is None:
            return None
        applicant = {"ENTERPRISE": "enterprise_id", "PROVIDER": "provider_id"}.get(award.applicant_kind)
        return uuid, {"city": award.city, **({applicant: str(award.applicant_id)} if applicant else {})}
    if kind == "enterprise":
        enterprise = created_by(c.ledger.enterprise, uuid, at, known)
        return None if enterprise is None else (uuid, {"city": enterprise.city, "enterprise_id": uuid})
    return None if created_by(c.ledger.provider, uuid, at, known) is None else (uuid, {"provider_id": uuid})


def _calendar_trail(c: Call, entity_id: str, at: datetime, known: datetime | None) -> tuple[str, dict[str, str]] | None:
    """A working calendar is named by its year (``2020``) or by its id, as its trail rows spell it; it belongs to no
    city or party (only the province and auditors read its trail)."""
    if entity_id.isdigit():
        year = int(entity_id)
    else:
        try:
            year = _CALENDAR_YEARS.get(UUID(entity_id), 0)
        except ValueError:
            return None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    calendar_id = ledger_ids.working_calendar_id(year)
    found = created_by(lambda _: c.ledger.working_calendar(year), calendar_id, at, known)
    return None if found is None else (str(calendar_id), {})


# A calendar's id is derived from its year: the years a calendar may have, by id (a few hundred at most).
_CALENDAR_YEARS = {ledger_ids.working_calendar_id(year): year for year in range(EARLIEST_YEAR, LATEST_YEAR + 1)}


@router.get("/events", response_model=s.Page,
            summary="The global event feed for auditors: in order, cursor-paginated, filterable by type and time")
def event_feed(as_of: datetime | None = AsOf, after: int = Query(0, ge=0, le=2**63 - 1), limit: int = Query(100, ge=1, le=1000),
               event_type: list[Annotated[str, Query(pattern=r"^[A-Za-z]+\.[A-Za-z]+$")]] = Query(
                   [], description="e.g. Voucher.Claimed; repeat for several"),
               recorded_from: datetime | None = Query(None, description="only events recorded at or after this time",
                                                      json_schema_extra=TIME),
               c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="read the global event feed")
    at = as_of_or_now(as_of)
    start = None if recorded_from is None else to_us(checked_moment(recorded_from, "recorded_from"))
    items = c.read.event_feed(at, after_position=after, limit=limit, event_types=tuple(event_type),
                              recorded_from_us=start)
    return {"as_of": at, "items": items, "next_after": items[-1]["position"] if len(items) == limit else None}


@router.get("/late-facts", response_model=s.LateFactsOut,
            summary="Facts learned after known_at that take effect by as_of, and the figures they changed")
def late_facts(as_of: datetime | None = AsOf,
               known_at: datetime | None = Query(None, description="default: as_of (what was learned about as_of later)",
                                                 json_schema_extra=TIME),
               limit: int = Query(200, ge=1, le=1000), c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="list facts learned late")
    at = as_of_or_now(as_of)
    known = known_at_or_now(known_at) or at
    found = c.read.late_facts(at, known, limit=limit)
    return {"as_of": at, "known_at": known, "facts": found["facts"], "more_facts": found["more_facts"],
            "changed_figures": found["changed_figures"], "more_figures": found["more_figures"]}
