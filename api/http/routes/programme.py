"""The programme: its policy and years (every role reads it), and the province opening a successor year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.http.dependencies import Call, call, keyed_call, query_call
from api.http.models.commands import Created
from api.http.models.fields import EARLIEST_YEAR, LATEST_YEAR
from api.http.models.programme import (
    OpenYear,
    ProgrammeOut,
    PublishWorkingCalendar,
    ReviseWorkingCalendar,
    WorkingCalendarOut,
    YearOut,
)
from api.http.problems import ApiError
from api.http.unique_members import UniqueMembersRoute
from ledger.commands import values as v

router = APIRouter(tags=["programme"], route_class=UniqueMembersRoute)
CALENDARS = "/programme/working-calendars"
CalendarYear = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a calendar year", examples=[2020])]


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
        "policy": body.policy.policy() if body.policy is not None else None,
    })
    return await c.send(body, command, lambda rules: YearOut.of(rules, c.request.app.state.clock.now(),
                                                                c.ledger.programme()), status=201)


@router.post(CALENDARS, status_code=201, response_model=Created,
             summary="Record a calendar year's holiday arrangement (working days of the objection windows)")
async def publish_working_calendar(body: PublishWorkingCalendar, c: Call = Depends(call)):
    c.allow("province", what="record working calendars")
    return await c.send(body, v.PublishWorkingCalendar(year=body.year, days_off=tuple(body.days_off),
                                                       workdays=tuple(body.workdays), notice=body.notice),
                        Created.of, status=201)


@router.post(CALENDARS + "/{year}/revision", response_model=Created,
             summary="Correct a year's holiday arrangement, with the reason (published windows stay as recorded)")
async def revise_working_calendar(year: CalendarYear, body: ReviseWorkingCalendar, c: Call = Depends(keyed_call)):
    c.allow("province", what="revise working calendars")
    return await c.send(body, v.ReviseWorkingCalendar(year=year, days_off=tuple(body.days_off),
                                                      workdays=tuple(body.workdays), notice=body.notice,
                                                      reason=body.reason), Created.of)


@router.get(CALENDARS + "/{year}", response_model=WorkingCalendarOut,
            summary="A calendar year's holiday arrangement as recorded now (404 WORKING_CALENDAR_NOT_FOUND if none)")
def working_calendar(year: CalendarYear, c: Call = Depends(query_call)):
    found = c.ledger.working_calendar(year)
    return WorkingCalendarOut(year=found.year, days_off=sorted(found.days_off), workdays=sorted(found.workdays),
                              notice=found.notice, revisions=found.revisions)


def answer(c: Call) -> ProgrammeOut:
    ledger, now = c.ledger, c.request.app.state.clock.now()
    programme = ledger.programme()
    if programme is None:  # opening a store records one; a store opened only for reading may have none yet
        raise ApiError(404, "NOT_FOUND", "this store runs no programme yet")
    mark = ledger.training_mark()
    years = [YearOut.of(rules, now, programme) for rules in ledger.programme_years()]
    return ProgrammeOut(name=programme.name, document_number=programme.document_number,
                        policy_date=programme.policy_date, now=now, training=c.request.app.state.training(),
                        training_clock_started_at=mark.clock_started_at if mark else None, years=years,
                        open_years=[y.year for y in years if y.open])
