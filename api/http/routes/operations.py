"""Running the programme (province only): the year-end expiry run, revocation of a voucher, public-cloud discount
agreements, corrections of eligibility decisions and revisions of quotas. Each sends command values
(``ledger/commands/values.py``); revocation and quota revisions move money, so they take an Idempotency-Key."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path

from api.http.dependencies import Call, call, keyed_call
from api.http.models import operations as s
from api.http.models.commands import Created
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR
from api.http.unique_members import UniqueMembersRoute
from writer.year_end_run import ExpiryRun, direct, run_expiry
from ledger.commands import values as v
from ledger.commands.corrections import QuotaRevision
from ledger.recording import By

router = APIRouter(tags=["commands: running the programme"], route_class=UniqueMembersRoute)
PROVINCE = ("province",)
# Which years exist is the ledger's to say (a year without a catalogue answers CATALOGUE_NOT_PUBLISHED); the path
# only keeps the number within the years the service can compute with.
YearPath = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme (fiscal) year",
                               examples=[2020])]
CityPath = Annotated[str, Path(pattern=CITY_PATTERN, json_schema_extra=CITY_CODES, examples=["440600"])]


@router.post("/programme/years/{year}/expiry-run", response_model=s.ExpiryRunOut,
             summary="Year-end run: expire every open voucher of the year after its redemption deadline "
                     "(idempotent: a second run changes nothing)")
def expiry_run(year: YearPath, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="run the year-end expiry")

    def run(by: By) -> ExpiryRun:
        writer = c.backend.writer
        submit = direct(c.ledger) if writer is None else writer.submit
        return run_expiry(c.ledger, c.read.open_vouchers, year, by, submit)

    return c.perform(None, run, lambda r: s.ExpiryRunOut(**asdict(r)))


@router.post("/vouchers/{voucher_id}/revocation", response_model=s.VoucherClosed,
             summary="Revoke a voucher, with the reason: its unused value goes back to the city's quota")
async def revoke_voucher(voucher_id: UUID, body: s.RevokeVoucher, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="revoke vouchers")
    return await c.send(body, v.RevokeVoucher(voucher_id=voucher_id, reason=body.reason),
                     lambda returned: s.VoucherClosed(voucher_id=voucher_id, status="REVOKED", returned_fen=returned))


@router.post("/providers/{provider_id}/cloud-agreements", status_code=201, response_model=Created,
             summary="Record a public-cloud provider's discount agreement for a year (at least 30 %)")
async def record_cloud_agreement(provider_id: UUID, body: s.RecordCloudAgreement, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="record cloud discount agreements")
    return await c.send(body, v.RecordCloudAgreement(provider_id=provider_id, year=body.year, rate=body.rate),
                     Created.of, status=201)


@router.post("/enterprises/{enterprise_id}/eligibility/{year}/correction", response_model=s.EligibilityCorrected,
             summary="Correct a year's eligibility decision: a new decision from corrected facts, with the reason "
                     "(issued vouchers are left as they are)")
async def correct_eligibility(enterprise_id: UUID, year: YearPath, body: s.CorrectEligibility, c: Call = Depends(call)):
    c.allow(*PROVINCE, what="correct eligibility decisions")
    return await c.send(body, v.CorrectEligibility(enterprise_id=enterprise_id, year=year, **body.model_dump()),
                     lambda d: s.EligibilityCorrected(**{**asdict(d), "reasons": list(d.reasons),
                                                         "active_voucher_ids": list(d.active_voucher_ids)}))


@router.post("/city-quotas/{city}/{year}/revision", response_model=s.QuotaRevised,
             summary="Revise a city's quota for a year (never below what its vouchers use)")
async def revise_city_quota(city: CityPath, year: YearPath, body: s.ReviseQuota, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="revise city quotas")
    return await c.send(body, v.ReviseCityQuota(city=city, year=year, amount_fen=body.amount_fen), _revised)


@router.post("/providers/{provider_id}/quotas/{year}/revision", response_model=s.QuotaRevised,
             summary="Revise a provider's quota for a year (never below what its claims hold)")
async def revise_provider_quota(provider_id: UUID, year: YearPath, body: s.ReviseQuota, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="revise provider quotas")
    return await c.send(body, v.ReviseProviderQuota(provider_id=provider_id, year=year, amount_fen=body.amount_fen),
                     _revised)


def _revised(r: QuotaRevision) -> s.QuotaRevised:
    return s.QuotaRevised(**asdict(r))
