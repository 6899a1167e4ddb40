"""The programme: its policy and years (every role reads it), and the province opening a successor year."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.http.dependencies import Call, keyed_call, query_call
from api.http.models.programme import OpenYear, ProgrammeOut, YearOut
from api.http.problems import ApiError
from ledger.commands import values as v

router = APIRouter(tags=["programme"])


@router.get("/programme", response_model=ProgrammeOut,
            summary="The programme: its policy, its years with their figures, which are open, and whether this is a "
                    "training service")
def programme(c: Call = Depends(query_call)):
    return answer(c)


@router.post("/programme/years", status_code=201, response_model=YearOut,
             summary="Open a programme year (e.g. a successor year), with its windows and figures")
async def open_year(body: OpenYear, c: Call = Depends(keyed_call)):
    c.allow("province", what="open programme years")
    fields = body.model_dump(exclude_none=True)
    command = v.OpenProgrammeYear(**{
        **fields,
        "evaluation": body.evaluation.rules() if body.evaluation is not None else None,
        "covered_fee_categories": tuple(fields["covered_fee_categories"]) if "covered_fee_categories" in fields else None,
        "provider_caps_fen": tuple(sorted(fields["provider_caps_fen"].items())) if "provider_caps_fen" in fields else None,
    })
    return await c.send(body, command, lambda rules: YearOut.of(rules, c.request.app.state.clock.now()), status=201)


def answer(c: Call) -> ProgrammeOut:
    ledger, now = c.ledger, c.request.app.state.clock.now()
    programme = ledger.programme()
    if programme is None:  # opening a store records one; a store opened only for reading may have none yet
        raise ApiError(404, "NOT_FOUND", "this store runs no programme yet")
    mark = ledger.training_mark()
    years = [YearOut.of(rules, now) for rules in ledger.programme_years()]
    return ProgrammeOut(name=programme.name, document_number=programme.document_number,
                        policy_date=programme.policy_date, now=now, training=c.request.app.state.training(),
                        training_clock_started_at=mark.clock_started_at if mark else None, years=years,
                        open_years=[y.year for y in years if y.open])
