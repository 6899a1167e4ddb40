"""One item of work is funded once: the province records that another fiscal fund paid for a provider's contract;
from then on no voucher claim may name it (ALREADY_FUNDED), and a contract already claimed on a voucher is refused
the same way."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends

from api.http.dependencies import Call, call
from api.http.models import funding as s
from api.http.unique_members import UniqueMembersRoute
from ledger.commands import values as v

router = APIRouter(tags=["one item funded once"], route_class=UniqueMembersRoute)


@router.post("/providers/{provider_id}/other-funding", status_code=201, response_model=s.ContractFundingOut,
             summary="Record that another fiscal fund paid for a provider's contract: no voucher may claim it")
async def record_other_funding(provider_id: UUID, body: s.RecordOtherFunding, c: Call = Depends(call)):
    c.allow("province", what="record other fiscal funding")
    command = v.RecordOtherFunding(provider_id=provider_id, contract_no=body.contract_no, fund_name=body.fund_name,
                                   document_no=body.document_no, amount_fen=body.amount_fen,
                                   effective_at=body.effective_at, reason=body.reason)
    return await c.send(body, command, lambda r: s.ContractFundingOut(provider_id=r.provider_id,
                                                                   contract_no=r.contract_no, source=r.source),
                     status=201)
