"""Commands about enterprises, providers and the programme's set-up (province only)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends

from api.http.dependencies import Call, call, keyed_call
from api.http.models import commands as s
from ledger.catalogue import CatalogueItem

router = APIRouter(tags=["commands: parties and programme"])
PROVINCE = ("province",)


@router.post("/enterprises", status_code=201, response_model=s.Created, summary="Register an enterprise")
def register_enterprise(body: s.RegisterEnterprise, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="register enterprises")
    return c.respond(body, lambda: s.Created(id=c.ledger.register_enterprise(c.by(), **body.model_dump())), status=201)


@router.post("/enterprises/{enterprise_id}/eligibility", response_model=s.EligibilityOut,
             summary="Decide an enterprise's eligibility for a fiscal year (a grant also records its network discount)")
def decide_eligibility(enterprise_id: UUID, body: s.DecideEligibility, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="decide eligibility")

    def run() -> s.EligibilityOut:
        d = c.ledger.decide_eligibility(c.by(), enterprise_id=enterprise_id, **body.model_dump())
        return s.EligibilityOut(enterprise_id=d.enterprise_id, year=d.year, granted=d.granted, reasons=list(d.reasons),
                                network_discount_id=d.network_discount_id)

    return c.respond(body, run)


@router.post("/catalogues", status_code=201, response_model=s.Created, summary="Publish a year's voucher catalogue")
def publish_catalogue(body: s.PublishCatalogue, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="publish catalogues")

    def run() -> s.Created:
        items = [CatalogueItem.checked(i.item_id, i.name, i.fee_category, i.rate, i.cap_fen) for i in body.items]
        return s.Created(id=c.ledger.publish_catalogue(c.by(), year=body.year, items=items,
                                                       redemption_deadline=body.redemption_deadline))

    return c.respond(body, run, status=201)


@router.post("/city-quotas", response_model=s.Created, summary="Set or revise a city's quota for a year")
def set_city_quota(body: s.SetCityQuota, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="set city quotas")
    return c.respond(body, lambda: s.Created(id=c.ledger.set_city_quota(c.by(), **body.model_dump())))


@router.post("/carrier-rates", response_model=s.Created, summary="Set or revise the carriers' network discount rates")
def set_carrier_rates(body: s.SetCarrierRates, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="set carrier rates")
    return c.respond(body, lambda: s.Created(id=c.ledger.set_carrier_rates(c.by(), year=body.year, rates=body.rates)))


@router.post("/providers", status_code=201, response_model=s.Created, summary="Admit a service provider to the pool")
def admit_provider(body: s.AdmitProvider, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="admit providers")
    return c.respond(body, lambda: s.Created(id=c.ledger.admit_provider(c.by(), **body.model_dump())), status=201)


@router.post("/providers/{provider_id}/quotas", response_model=s.Created, summary="Set a provider's quota for a year")
def set_provider_quota(provider_id: UUID, body: s.SetProviderQuota, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="set provider quotas")
    return c.respond(body, lambda: s.Created(id=c.ledger.set_provider_quota(c.by(), provider_id=provider_id,
                                                                            **body.model_dump())))


def _assess(c: Call, provider_id: UUID, body: s.RecordAssessment) -> s.StatusOut:
    status = c.ledger.record_assessment(c.by(), provider_id=provider_id, **body.model_dump())
    return s.StatusOut(provider_id=provider_id, status=status)


@router.post("/providers/{provider_id}/assessments", response_model=s.StatusOut,
             summary="Record a security assessment or spot check (a failure suspends, passing all reinstates)")
def record_assessment(provider_id: UUID, body: s.RecordAssessment, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="record assessments")
    return c.respond(body, lambda: _assess(c, provider_id, body))


@router.post("/providers/{provider_id}/suspension", response_model=s.StatusOut,
             summary="Suspend a provider: record a failed spot check of an area")
def suspend_provider(provider_id: UUID, body: s.SpotCheck, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="suspend providers")
    check = s.RecordAssessment(kind="SPOT_CHECK", passed=False, **body.model_dump())
    return c.respond(body, lambda: _assess(c, provider_id, check))


@router.post("/providers/{provider_id}/reinstatement", response_model=s.StatusOut,
             summary="Reinstate a provider: record a passed re-assessment of a failing area")
def reinstate_provider(provider_id: UUID, body: s.SpotCheck, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="reinstate providers")
    check = s.RecordAssessment(kind="ASSESSMENT", passed=True, **body.model_dump())
    return c.respond(body, lambda: _assess(c, provider_id, check))


@router.post("/providers/{provider_id}/elimination", response_model=s.StatusOut,
             summary="Eliminate a provider from the pool for a fiscal year")
def eliminate_provider(provider_id: UUID, body: s.EliminateProvider, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="eliminate providers")

    def run() -> s.StatusOut:
        c.ledger.eliminate_provider(c.by(), provider_id=provider_id, **body.model_dump())
        return s.StatusOut(provider_id=provider_id, status=c.ledger.provider(provider_id).status)

    return c.respond(body, run)
