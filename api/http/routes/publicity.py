"""Publicity (公示): the province publishes a programme year's approved claims as the list of a period, rules on
objections and closes the list after its objection window; any authenticated caller may lodge an objection (who and
why are recorded); everyone reads the public list as of a time. A ruling that sustains an objection reverses the
claim (money given back), so it takes an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path

from api.http.dependencies import Call, as_of_or_now, call, keyed_call, known_at_or_now, query_call
from api.http.models import publicity as s
from api.http.models.fields import EARLIEST_YEAR, LATEST_YEAR
from api.http.routes.queries import AsOf, KnownAt
from api.http.scope import not_found, sees_objectors
from api.http.unique_members import UniqueMembersRoute
from ledger import ids
from ledger.commands import values as v

router = APIRouter(tags=["publicity (公示)"], route_class=UniqueMembersRoute)
EVERYONE = ("province", "auditor", "city", "enterprise", "provider")
YearPath = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme year", examples=[2026])]
PeriodPath = Annotated[str, Path(pattern=s.PERIOD_PATTERN, description="the list's period", examples=["2026-03"])]
LISTS = "/programme/years/{year}/publicity-lists"


@router.post(LISTS, status_code=201, response_model=s.PublishedOut,
             summary="Publish a period's approved claims of the year (公示): the objection window starts")
async def publish(year: YearPath, body: s.PublishList, c: Call = Depends(call)):
    c.allow("province", what="publish publicity lists")
    claims = tuple((x.voucher_id, x.claim_id) for x in body.claims)
    return await c.send(body, v.PublishClaims(year=year, period=body.period, claims=claims),
                     lambda r: s.PublishedOut(list_id=r.list_id, year=r.year, period=r.period, claims=r.claims,
                                              window_ends_at=r.window_ends_at,
                                              calendars=None if r.calendars is None else list(r.calendars)),
                     status=201)


@router.post(LISTS + "/{period}/objections", status_code=201, response_model=s.ObjectionOut,
             summary="Object to a listed claim during its window (anyone): it is held from settlement until a ruling")
async def lodge_objection(year: YearPath, period: PeriodPath, body: s.LodgeObjection, c: Call = Depends(call)):
    c.allow(*EVERYONE, what="lodge objections")
    list_id = ids.publicity_list_id(year, period)
    return await c.send(body, v.LodgeObjection(list_id=list_id, claim_id=body.claim_id, objector=body.objector,
                                            reason=body.reason),
                     lambda n: s.ObjectionOut(list_id=list_id, claim_id=body.claim_id, number=n), status=201)


@router.post(LISTS + "/{period}/claims/{claim_id}/ruling", response_model=s.RulingOut,
             summary="Rule on the objections to a claim: UPHOLD (it goes on) or SUSTAIN (it is reversed)")
async def rule(year: YearPath, period: PeriodPath, claim_id: UUID, body: s.RuleOnObjection,
               c: Call = Depends(keyed_call)):
    c.allow("province", what="rule on objections")
    list_id = ids.publicity_list_id(year, period)
    kind = v.SustainObjection if body.ruling == "SUSTAIN" else v.UpholdClaim
    return await c.send(body, kind(list_id=list_id, claim_id=claim_id, reason=body.reason),
                     lambda r: s.RulingOut(list_id=r.list_id, claim_id=r.claim_id, sustained=r.sustained,
                                           claim_status=r.claim_status, freed_fen=r.freed_fen,
                                           recovery_fen=r.recovery_fen))


@router.post(LISTS + "/{period}/closure", response_model=s.ClosedOut,
             summary="Close the list after its objection window: its claims without a waiting objection may be paid")
async def close(year: YearPath, period: PeriodPath, c: Call = Depends(call)):
    c.allow("province", what="close publicity lists")
    list_id = ids.publicity_list_id(year, period)
    return await c.send(None, v.ClosePublicityList(list_id=list_id),
                     lambda r: s.ClosedOut(list_id=list_id, cleared=r[0], under_objection=r[1]))


@router.get(LISTS + "/{period}", response_model=s.PublicListOut,
            summary="The public list of a period as of a time: its claims, window, objections and rulings")
def public_list(year: YearPath, period: PeriodPath, as_of: datetime | None = AsOf,
                known_at: datetime | None = KnownAt, c: Call = Depends(query_call)):
    c.allow(*EVERYONE, what="read publicity lists")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    found = c.read.publicity_list(ids.publicity_list_id(year, period), at, known)
    if found is None:
        raise not_found("publicity list", f"{year}/{period}", at)
    if not sees_objectors(c.principal):  # the public sees that, and why, a claim was objected to
        for claim in found["claims"]:
            for objection in claim["objections"]:
                objection["objector"] = None
    return {"as_of": at, "known_at": known, **found}
