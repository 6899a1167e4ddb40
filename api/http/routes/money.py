"""Commands that create or move money: vouchers, claims, settlement. Each takes an Idempotency-Key."""

from __future__ import annotations

from uuid import UUID, uuid4

from fastapi import APIRouter, Depends

from api.http.clock import service_now
from api.http.dependencies import Call, keyed_call
from api.http.models import commands as s
from api.http.unique_members import UniqueMembersRoute
from ledger.claims import ClaimEvidence
from ledger.commands import values as v
from ledger.commands.vouchers import ClaimChange

router = APIRouter(tags=["commands: vouchers, claims and settlement"], route_class=UniqueMembersRoute)
PROVINCE = ("province",)


def _claim_changed(change: ClaimChange) -> s.ClaimChanged:
    return s.ClaimChanged(voucher_id=change.voucher_id, claim_id=change.claim_id, status=change.status,
                          freed_fen=change.freed_fen, recovery_fen=change.recovery_fen)


@router.post("/vouchers", status_code=201, response_model=s.VoucherIssued,
             summary="Issue a voucher to an eligible enterprise (uses the city's quota)")
async def issue_voucher(body: s.IssueVoucher, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="issue vouchers")
    return await c.send(body, v.IssueVoucher(**body.model_dump()),
                     lambda i: s.VoucherIssued(voucher_id=i.voucher_id, face_value_fen=i.face_value_fen,
                                               city_portion_fen=i.city_portion_fen,
                                               province_portion_fen=i.province_portion_fen, expires_at=i.expires_at),
                     status=201)


@router.post("/vouchers/{voucher_id}/claims", status_code=201, response_model=s.ClaimReceiptOut,
             summary="Claim (redeem) part of a voucher for a provider's accepted service")
async def claim(voucher_id: UUID, body: s.ClaimIn, c: Call = Depends(keyed_call)):
    c.allow("province", "enterprise", what="submit claims")
    evidence = ClaimEvidence(contract_no=body.contract_no, contract_date=body.contract_date,
                             contract_amount_fen=body.contract_amount_fen, invoice_nos=tuple(body.invoice_nos),
                             payment_proven_fen=body.payment_proven_fen, payment_proof_ref=body.payment_proof_ref,
                             acceptance_report_ref=body.acceptance_report_ref, accepted_at=body.accepted_at,
                             no_other_funding=body.no_other_funding)
    on_behalf_of = UUID(c.principal.party_id) if c.principal.kind == "enterprise" else None
    command = v.SubmitClaim(voucher_id=voucher_id, claim_id=uuid4(), provider_id=body.provider_id, evidence=evidence,
                            fee_category=body.fee_category, eligible_fee_fen=body.eligible_fee_fen,
                            on_behalf_of=on_behalf_of)
    return await c.send(body, command,
                     lambda r: s.ClaimReceiptOut(voucher_id=r.voucher_id, claim_id=r.claim_id, amount_fen=r.amount_fen,
                                                 balance_after_fen=r.balance_after_fen),
                     status=201)


@router.post("/vouchers/{voucher_id}/claims/{claim_id}/approval", response_model=s.ClaimChanged,
             summary="Approve a claim after review and public announcement")
async def approve(voucher_id: UUID, claim_id: UUID, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="approve claims")
    return await c.send(None, v.ApproveClaim(voucher_id=voucher_id, claim_id=claim_id), _claim_changed)


@router.post("/vouchers/{voucher_id}/claims/{claim_id}/rejection", response_model=s.ClaimChanged,
             summary="Reject a claim in review (frees its amount)")
async def reject(voucher_id: UUID, claim_id: UUID, body: s.Reason, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="reject claims")
    return await c.send(body, v.RejectClaim(voucher_id=voucher_id, claim_id=claim_id, reason=body.reason), _claim_changed)


@router.post("/vouchers/{voucher_id}/claims/{claim_id}/reversal", response_model=s.ClaimChanged,
             summary="Reverse a claim (before payment it frees the amount; after, a recovery is raised)")
async def reverse(voucher_id: UUID, claim_id: UUID, body: s.ReverseClaim, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="reverse claims")
    return await c.send(body, v.ReverseClaim(voucher_id=voucher_id, claim_id=claim_id, **body.model_dump()),
                     _claim_changed)


@router.post("/vouchers/{voucher_id}/claims/{claim_id}/release", response_model=s.ClaimChanged,
             summary="Release a claim held after a suspension recorded late, so that it can be settled")
async def release(voucher_id: UUID, claim_id: UUID, body: s.Reason, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="release held claims")
    return await c.send(body, v.ReleaseClaim(voucher_id=voucher_id, claim_id=claim_id, reason=body.reason),
                     _claim_changed)


@router.post("/settlement-batches", status_code=201, response_model=s.Created,
             summary="Open a settlement batch for a provider and period")
async def open_batch(body: s.OpenBatch, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="open settlement batches")
    return await c.send(body, v.OpenBatch(batch_id=uuid4(), **body.model_dump()), s.Created.of,
                     status=201)


@router.post("/settlement-batches/{batch_id}/claims", response_model=s.ClaimChanged,
             summary="Put an approved claim in a settlement batch")
async def add_to_batch(batch_id: UUID, body: s.AddToBatch, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="fill settlement batches")
    return await c.send(body, v.AddToBatch(batch_id=batch_id, **body.model_dump()),
                     lambda _: s.ClaimChanged(voucher_id=body.voucher_id, claim_id=body.claim_id, status="APPROVED"))


@router.post("/settlement-batches/{batch_id}/payment", response_model=s.BatchPaid,
             summary="Pay a batch: settles its approved claims (claims of a suspended provider are held)")
async def pay_batch(batch_id: UUID, body: s.PayBatch, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="pay settlement batches")
    # Read before the command's recorded time is (Call.by), so "paid now" is never after the time it is recorded.
    paid_at = body.effective_at or service_now()
    return await c.send(body, v.PayBatch(batch_id=batch_id, effective_at=paid_at),
                     lambda p: s.BatchPaid(batch_id=p.batch_id, total_fen=p.total_fen,
                                           settled_claims=list(p.settled_claims), dropped_claims=list(p.dropped_claims),
                                           by_city=p.by_city))


@router.post("/settlement-batches/{batch_id}/recoveries/{claim_id}/collections", response_model=s.RecoveryChanged,
             summary="Record money collected on a recovery (追回): partial collections allowed, never more than is due")
async def collect_recovery(batch_id: UUID, claim_id: UUID, body: s.CollectRecovery, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="collect recoveries")
    return await c.send(body, v.CollectRecovery(batch_id=batch_id, claim_id=claim_id, **body.model_dump()),
                     lambda r: s.RecoveryChanged(**vars(r)))


@router.post("/settlement-batches/{batch_id}/recoveries/{claim_id}/write-off", response_model=s.RecoveryChanged,
             summary="Write off what is still due on a recovery, with the reason (closes the receivable)")
async def write_off_recovery(batch_id: UUID, claim_id: UUID, body: s.WriteOffRecovery, c: Call = Depends(keyed_call)):
    c.allow(*PROVINCE, what="write off recoveries")
    return await c.send(body, v.WriteOffRecovery(batch_id=batch_id, claim_id=claim_id, **body.model_dump()),
                     lambda r: s.RecoveryChanged(**vars(r)))
