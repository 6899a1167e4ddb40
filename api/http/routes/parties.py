"""Commands about enterprises, providers and the programme's set-up (province only)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.http.dependencies import Call, call, keyed_call
from api.http.models import commands as s
from api.http.unique_members import UniqueMembersRoute
from ledger.catalogue import CatalogueItem
from ledger.commands import values as v

router = APIRouter(tags=["commands: parties and programme"], route_class=UniqueMembersRoute)
PROVINCE = ("province",)


@router.post("/enterprises", status_code=201, response_model=s.Created, summary="Register an enterprise")
async def register_enterprise(body: s.RegisterEnterprise, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="register enterprises")
    return await c.send(body, v.RegisterEnterprise(**body.model_dump()), s.Created.of, status=201)


@router.post("/enterprises/{enterprise_id}/eligibility", response_model=s.EligibilityOut,
             summary="Decide an enterprise's eligibility for a fiscal year (a grant also records its network discount)")
async def decide_eligibility(enterprise_id: UUID, body: s.DecideEligibility, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="decide eligibility")
    return await c.send(body, v.DecideEligibility(enterprise_id=enterprise_id, **body.model_dump()),
                     lambda d: s.EligibilityOut(enterprise_id=d.enterprise_id, year=d.year, granted=d.granted,
                                                reasons=list(d.reasons), network_discount_id=d.network_discount_id))


@router.post("/catalogues", status_code=201, response_model=s.Created, summary="Publish a year's voucher catalogue")
async def publish_catalogue(body: s.PublishCatalogue, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="publish catalogues")
    items = tuple(CatalogueItem.checked(i.item_id, i.name, i.fee_category, i.rate, i.cap_fen) for i in body.items)
    return await c.send(body, v.PublishCatalogue(year=body.year, items=items, redemption_deadline=body.redemption_deadline),
                     s.Created.of, status=201)


@router.post("/city-quotas", response_model=s.Created, summary="Set or revise a city's quota for a year")
async def set_city_quota(body: s.SetCityQuota, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="set city quotas")
    return await c.send(body, v.SetCityQuota(**body.model_dump()), s.Created.of)


@router.post("/carrier-rates", response_model=s.Created, summary="Set or revise the carriers' network discount rates")
async def set_carrier_rates(body: s.SetCarrierRates, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="set carrier rates")
    return await c.send(body, v.SetCarrierRates(year=body.year, rates=tuple(body.rates.items())), s.Created.of)


@router.post("/providers", status_code=201, response_model=s.Created, summary="Admit a service provider to the pool")
async def admit_provider(body: s.AdmitProvider, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="admit providers")
    return await c.send(body, v.AdmitProvider(**body.model_dump()), s.Created.of, status=201)


@router.post("/providers/{provider_id}/quotas", response_model=s.Created, summary="Set a provider's quota for a year")
async def set_provider_quota(provider_id: UUID, body: s.SetProviderQuota, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="set provider quotas")
    return await c.send(body, v.SetProviderQuota(provider_id=provider_id, **body.model_dump()), s.Created.of)


async def _assess(c: Call, provider_id: UUID, body: BaseModel, check: s.RecordAssessment):
    return await c.send(body, v.RecordAssessment(provider_id=provider_id, **check.model_dump()),
                     lambda status: s.StatusOut(provider_id=provider_id, status=status))


@router.post("/providers/{provider_id}/assessments", response_model=s.StatusOut,
             summary="Record a security assessment or spot check (a failure suspends, passing all reinstates)")
async def record_assessment(provider_id: UUID, body: s.RecordAssessment, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="record assessments")
    return await _assess(c, provider_id, body, body)


@router.post("/providers/{provider_id}/suspension", response_model=s.StatusOut,
             summary="Suspend a provider: record a failed spot check of an area")
async def suspend_provider(provider_id: UUID, body: s.SpotCheck, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="suspend providers")
    return await _assess(c, provider_id, body, s.RecordAssessment(kind="SPOT_CHECK", passed=False, **body.model_dump()))


@router.post("/providers/{provider_id}/reinstatement", response_model=s.StatusOut,
             summary="Reinstate a provider: record a passed re-assessment of a failing area")
async def reinstate_provider(provider_id: UUID, body: s.SpotCheck, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="reinstate providers")
    return await _assess(c, provider_id, body, s.RecordAssessment(kind="ASSESSMENT", passed=True, **body.model_dump()))


@router.post("/providers/{provider_id}/elimination", response_model=s.StatusOut,
             summary="Eliminate a provider from the pool for a fiscal year")
async def eliminate_provider(provider_id: UUID, body: s.EliminateProvider, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="eliminate providers")
    return await c.send(body, v.EliminateProvider(provider_id=provider_id, **body.model_dump()),
                     lambda status: s.StatusOut(provider_id=provider_id, status=status))
