"""The resource pool's evaluation (三(三)): an enterprise rates and complains about the provider of its own claims
(another enterprise's voucher answers 404, as an unknown one does); the province runs a year's evaluation once over
every provider of the pool; the province and auditors read the results with their formula and inputs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Path

from api.http.dependencies import Call, call, keyed_call, query_call
from api.http.models import evaluation as s
from api.http.models.fields import EARLIEST_YEAR, LATEST_YEAR
from api.http.unique_members import UniqueMembersRoute
from ledger.commands import values as v
from ledger.errors import EvaluationNotRunError

router = APIRouter(tags=["resource pool evaluation"], route_class=UniqueMembersRoute)
YearPath = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme (fiscal) year",
                               examples=[2020])]


def _own(c: Call) -> UUID | None:
    return UUID(c.principal.party_id) if c.principal.kind == "enterprise" else None


@router.post("/vouchers/{voucher_id}/claims/{claim_id}/rating", status_code=201, response_model=s.Recorded,
             summary="Rate the service a claim paid for (1-5, once per claim); counts in the provider's evaluation "
                     "of the voucher's year")
async def rate_service(voucher_id: UUID, claim_id: UUID, body: s.RateService, c: Call = Depends(call)):
    c.allow("enterprise", what="rate providers' services")
    command = v.RateService(voucher_id=voucher_id, claim_id=claim_id, score=body.score, comment=body.comment or "",
                            on_behalf_of=_own(c))
    return await c.send(body, command, lambda rating_id: s.Recorded(id=rating_id), status=201)


@router.post("/vouchers/{voucher_id}/claims/{claim_id}/complaints", status_code=201, response_model=s.Recorded,
             summary="Complain about the provider of a claim; counts in its evaluation of the voucher's year")
async def file_complaint(voucher_id: UUID, claim_id: UUID, body: s.FileComplaint, c: Call = Depends(keyed_call)):
    c.allow("enterprise", what="file complaints")
    command = v.FileComplaint(voucher_id=voucher_id, claim_id=claim_id, complaint_id=uuid4(), reason=body.reason,
                              on_behalf_of=_own(c))
    return await c.send(body, command, lambda complaint_id: s.Recorded(id=complaint_id), status=201)


@router.post("/programme/years/{year}/pool-evaluation", status_code=201, response_model=s.PoolEvaluationOut,
             summary="Evaluate the year's resource pool (once): score every provider, flag the best for promotion, "
                     "eliminate the lowest for the next year and set the next year's quotas")
def evaluate_pool(year: YearPath, c: Call = Depends(keyed_call)):
    c.allow("province", what="evaluate the resource pool")
    providers = tuple(UUID(p) for p in c.read.pool_providers())
    return c.respond(None, v.EvaluateResourcePool(year=year, provider_ids=providers),
                     lambda results: s.PoolEvaluationOut.of(year, results), status=201)


@router.get("/programme/years/{year}/pool-evaluation", response_model=s.PoolEvaluationOut,
            summary="A year's evaluation: every provider's result with its inputs, formula and lines (as known now)")
def pool_evaluation(year: YearPath, c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="read the resource pool's evaluation")
    results = c.ledger.evaluation_results(year)
    if results is None:
        raise EvaluationNotRunError(f"the {year} resource pool has not been evaluated")
    return s.PoolEvaluationOut.of(year, results)
