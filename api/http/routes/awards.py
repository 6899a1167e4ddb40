"""Awards (二, 三): the province defines a year's award programmes; an enterprise, a provider or a city (for its city
or a county of it) applies for itself; a city recommends or declines only its own city's applications; the province
selects or refuses, grants, records a recommendation for national status, pays awards in award batches and recovers
them. Auditors read everything; an applicant and its city read its award, and another's answers 404 as an unknown
one does. Granting, paying and recovering move money, so they take an Idempotency-Key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool

from api.http.dependencies import Call, as_of_or_now, call, keyed_call, known_at_or_now, query_call
from api.http.models import awards as s
from api.http.models.fields import CITY_CODES, CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR
from api.http.routes.queries import AsOf, KnownAt
from api.http.unique_members import UniqueMembersRoute
from ledger.award_programmes import AwardKind
from ledger.awards import Award
from ledger.commands import values as v
from ledger.commands.awards import AwardState
from ledger.errors import AwardNotFoundError, AwardProgrammeNotFoundError
from ledger.parties import check_city

router = APIRouter(tags=["awards (奖补)"], route_class=UniqueMembersRoute)
EVERYONE = ("province", "auditor", "city", "enterprise", "provider")
YearPath = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a programme year", examples=[2020])]
APPLICANT_OF = {"enterprise": "ENTERPRISE", "provider": "PROVIDER"}


def _visible(c: Call, award_id: UUID) -> Award:
    """The award if the caller may see it: the province and auditors any, a city its city's, an enterprise or a
    provider its own application; any other answers as an unknown award (404)."""
    award = c.ledger.award(award_id)
    p = c.principal
    mine = (p.kind in ("province", "auditor") or (p.kind == "city" and award.city == p.scope)
            or (p.kind in APPLICANT_OF and award.applicant_id is not None and str(award.applicant_id) == p.party_id))
    if not mine:
        raise AwardNotFoundError(f"no award {award_id}")
    return award


def _award_out(c: Call, award_id: UUID) -> Callable[[AwardState | None], s.AwardOut]:
    """The answer of a step of an award's lifecycle: the award as its command left it. An answer stored under a key
    may hold no award state (commands once returned none); it is then the award as it stands, as it always was."""
    return lambda state: s.AwardOut.of(c.ledger.award(award_id) if state is None else state)


@router.post("/programme/years/{year}/award-programmes", status_code=201, response_model=s.Recorded,
             summary="Define a year's award programme of one kind: who applies, the amount rule, caps, the city share")
async def define_programme(year: YearPath, body: s.DefineAwardProgramme, c: Call = Depends(call)):
    c.allow("province", what="define award programmes")
    return await c.send(body, v.DefineAwardProgramme(year=year, kind=body.kind, name=body.name,
                                                     applicants=tuple(body.applicants), amount_rule=body.amount_rule,
                                                     amount_fen=body.amount_fen, rate=body.rate, cap_fen=body.cap_fen,
                                                     max_selected=body.max_selected, city_share=body.city_share),
                        lambda new_id: s.Recorded(id=new_id), status=201)


@router.get("/programme/years/{year}/award-programmes", response_model=s.AwardProgrammesOut,
            summary="A year's award programmes and their rules (public)")
def programmes(year: YearPath, c: Call = Depends(query_call)):
    c.allow(*EVERYONE, what="read award programmes")
    found = []
    for kind in AwardKind:
        try:
            found.append(s.AwardProgrammeOut.of(c.ledger.award_rules(year, kind.value)))
        except AwardProgrammeNotFoundError:
            continue
    return s.AwardProgrammesOut(year=year, programmes=found)


@router.post("/awards", status_code=201, response_model=s.Recorded,
             summary="Apply for an award, for oneself: an enterprise or provider as itself, a city for its own city "
                     "(or, naming a county, for that county's government)")
async def apply(body: s.ApplyForAward, c: Call = Depends(call)):
    c.allow("enterprise", "provider", "city", what="apply for awards")
    p = c.principal
    if p.kind == "city":
        applicant = {"applicant_kind": "COUNTY_GOVERNMENT" if body.county else "CITY_GOVERNMENT", "city": p.scope,
                     "county": body.county}
    else:
        applicant = {"applicant_kind": APPLICANT_OF[p.kind], "applicant_id": UUID(p.party_id),
                     "city": body.city if p.kind == "provider" else None}
    command = v.ApplyForAward(award_id=uuid4(), year=body.year, kind=body.kind, project=body.project,
                           contracts=tuple((x.provider_uscc, x.contract_no) for x in body.contracts),
                           base_fen=body.base_fen, **applicant)
    return await c.send(body, command, lambda new_id: s.Recorded(id=new_id), status=201)


@router.get("/awards", response_model=s.AwardsOut,
            summary="The awards applied for by a time, oldest first, each as it stands now: all of them for the "
                    "province and auditors (or one city's), a city its city's, an applicant its own")
def awards(as_of: datetime | None = AsOf, known_at: datetime | None = KnownAt,
           city: str | None = Query(None, pattern=CITY_PATTERN, json_schema_extra=CITY_CODES,
                                 description="province and auditors: only this city's"),
           after: int = Query(0, ge=0, le=2**63 - 1, description="the last page's next_after"),
           limit: int = Query(100, ge=1, le=1000), c: Call = Depends(query_call)):
    c.allow(*EVERYONE, what="read awards")
    at, known = as_of_or_now(as_of), known_at_or_now(known_at)
    p = c.principal
    scope = ({"entity_kind": "city", "entity_id": p.scope} if p.kind == "city"
             else {"entity_kind": p.kind, "entity_id": p.party_id} if p.kind in APPLICANT_OF
             else {"entity_kind": "city", "entity_id": check_city(city)} if city is not None else {})
    rows = c.read.awards_applied(at, known, after_position=after, limit=limit, **scope)
    items = [s.AwardOut.of(c.ledger.award(UUID(r["award_id"]))) for r in rows]
    if city is not None and p.kind not in ("province", "auditor"):
        # a scoped caller's rows are narrowed by its scope above; its `city` filter narrows them further, so one
        # naming another city finds nothing, as every list's filter does (the page's position is still the rows')
        wanted = check_city(city)
        items = [a for a in items if a.city == wanted]
    return {"as_of": at, "known_at": known, "items": items,
            "next_after": rows[-1]["position"] if len(rows) == limit else None}


@router.get("/awards/{award_id}", response_model=s.AwardOut, summary="An award: its application, status and money")
def award(award_id: UUID, c: Call = Depends(query_call)):
    c.allow(*EVERYONE, what="read awards")
    return s.AwardOut.of(_visible(c, award_id))


@router.post("/awards/{award_id}/recommendation", response_model=s.AwardOut,
             summary="Its city recommends the application to the province")
async def recommend(award_id: UUID, body: s.Opinion, c: Call = Depends(call)):
    c.allow("city", what="recommend award applications")
    await run_in_threadpool(_visible, c, award_id)
    return await c.send(body, v.RecommendAward(award_id=award_id, city=c.principal.scope, opinion=body.opinion or ""),
                        _award_out(c, award_id))


@router.post("/awards/{award_id}/refusal", response_model=s.AwardOut,
             summary="Refuse an application with the reason: its city before recommending it, or the province")
async def refuse(award_id: UUID, body: s.Refusal, c: Call = Depends(call)):
    c.allow("province", "city", what="refuse award applications")
    await run_in_threadpool(_visible, c, award_id)
    city = c.principal.scope if c.principal.kind == "city" else None
    return await c.send(body, v.RefuseAward(award_id=award_id, reason=body.reason, city=city),
                        _award_out(c, award_id))


@router.post("/awards/{award_id}/selection", response_model=s.AwardOut,
             summary="The province selects a recommended application (refused when the programme's cap is reached)")
async def select(award_id: UUID, c: Call = Depends(call)):
    c.allow("province", what="select awards")
    return await c.send(None, v.SelectAward(award_id=award_id), _award_out(c, award_id))


@router.post("/awards/{award_id}/national-recommendation", response_model=s.AwardOut,
             summary="Record that the province recommended a selected award for national status")
async def recommend_nationally(award_id: UUID, body: s.NationalNote, c: Call = Depends(call)):
    c.allow("province", what="recommend awards for national status")
    return await c.send(body, v.RecommendAwardNationally(award_id=award_id, note=body.note or ""),
                        _award_out(c, award_id))


@router.post("/awards/{award_id}/title-withdrawal", response_model=s.AwardOut,
             summary="End a selected award's title (e.g. a key platform no longer one): its place under the cap is "
                     "freed; money paid stays paid")
async def withdraw_title(award_id: UUID, body: s.Refusal, c: Call = Depends(call)):
    c.allow("province", what="withdraw award titles")
    return await c.send(body, v.WithdrawAwardTitle(award_id=award_id, reason=body.reason),
                        _award_out(c, award_id))


@router.post("/awards/{award_id}/grant", response_model=s.GrantedOut,
             summary="Grant a selected award its amount by the programme's rule, split between province and city")
async def grant(award_id: UUID, body: s.GrantAward, c: Call = Depends(keyed_call)):
    c.allow("province", what="grant awards")
    return await c.send(body, v.GrantAward(award_id=award_id, amount_fen=body.amount_fen),
                        lambda amount: s.GrantedOut(award_id=award_id, amount_fen=amount))


@router.post("/award-batches", status_code=201, response_model=s.Recorded, summary="Open an award batch of a period")
async def open_batch(body: s.OpenAwardBatch, c: Call = Depends(call)):
    c.allow("province", what="open award batches")
    return await c.send(body, v.OpenAwardBatch(batch_id=uuid4(), period=body.period),
                        lambda new_id: s.Recorded(id=new_id), status=201)


@router.get("/award-batches/{award_batch_id}", response_model=s.AwardBatchOut,
            summary="An award batch as it stands: its awards, and what its payment paid per city")
def award_batch(award_batch_id: UUID, c: Call = Depends(query_call)):
    c.allow("province", "auditor", what="read award batches")
    return s.AwardBatchOut.of(c.ledger.award_batch(award_batch_id))


@router.post("/award-batches/{award_batch_id}/awards", response_model=s.AwardOut,
             summary="Put a granted award into the batch (an award enters one batch)")
async def add_award(award_batch_id: UUID, body: s.AddAward, c: Call = Depends(call)):
    c.allow("province", what="fill award batches")
    return await c.send(body, v.AddAwardToBatch(batch_id=award_batch_id, award_id=body.award_id),
                        _award_out(c, body.award_id))


@router.post("/award-batches/{award_batch_id}/payment", response_model=s.AwardBatchPaidOut,
             summary="Pay the award batch once: every award in it is paid")
async def pay(award_batch_id: UUID, body: s.PayAwardBatch, c: Call = Depends(keyed_call)):
    c.allow("province", what="pay award batches")
    return await c.send(body, v.PayAwardBatch(batch_id=award_batch_id, effective_at=body.effective_at),
                        lambda r: s.AwardBatchPaidOut(batch_id=r.batch_id, total_fen=r.total_fen,
                                                   awards=list(r.awards), by_city=r.by_city))


@router.post("/awards/{award_id}/recovery", response_model=s.RecoveredOut,
             summary="Recover a paid award (追回): the whole amount becomes a receivable from its payee")
async def recover(award_id: UUID, body: s.RecoverAward, c: Call = Depends(keyed_call)):
    c.allow("province", what="recover awards")
    return await c.send(body, v.RecoverAward(award_id=award_id, reason=body.reason, effective_at=body.effective_at),
                        lambda due: s.RecoveredOut(award_id=award_id, due_fen=due))


def _recovery_out(r) -> s.AwardRecoveryOut:
    return s.AwardRecoveryOut(award_id=r.award_id, amount_fen=r.amount_fen, city_portion_fen=r.city_portion_fen,
                           province_portion_fen=r.province_portion_fen, outstanding_fen=r.outstanding_fen)


@router.post("/awards/{award_id}/recovery/collections", response_model=s.AwardRecoveryOut,
             summary="Record money collected on an award's recovery (never more than is due)")
async def collect(award_id: UUID, body: s.CollectAwardRecovery, c: Call = Depends(keyed_call)):
    c.allow("province", what="collect award recoveries")
    command = v.CollectAwardRecovery(award_id=award_id, amount_fen=body.amount_fen,
                                  bank_reference=body.bank_reference, effective_at=body.effective_at)
    return await c.send(body, command, _recovery_out)


@router.post("/awards/{award_id}/recovery/write-off", response_model=s.AwardRecoveryOut,
             summary="Write off what is still due on an award's recovery, with the reason")
async def write_off(award_id: UUID, body: s.WriteOffAwardRecovery, c: Call = Depends(keyed_call)):
    c.allow("province", what="write off award recoveries")
    command = v.WriteOffAwardRecovery(award_id=award_id, reason=body.reason, effective_at=body.effective_at)
    return await c.send(body, command, _recovery_out)
