"""What publicity (公示) takes and answers: a period's list published by the province, objections by anyone, the
province's rulings, and the public list as of a time."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.models.commands import Body
from api.http.models.examples import example
from api.http.models.fields import Text

PERIOD_PATTERN = r"^[0-9A-Za-z_-]{1,32}$"


class ListedClaim(Body):
    voucher_id: UUID
    claim_id: UUID


class PublishList(Body):
    model_config = example("PublishList")

    period: str = Field(pattern=PERIOD_PATTERN, description="the period the list publishes, e.g. 2021-03")
    claims: list[ListedClaim] = Field(min_length=1, max_length=10_000, description="approved claims of the year")


class LodgeObjection(Body):
    model_config = example("LodgeObjection")

    claim_id: UUID
    objector: Text = Field(description="who objects, as they name themselves (the caller is recorded too)")
    reason: Text = Field(description="why")


class RuleOnObjection(Body):
    model_config = example("RuleOnObjection")

    ruling: Literal["UPHOLD", "SUSTAIN"] = Field(description="UPHOLD: the claim goes on; SUSTAIN: the objection is "
                                                 "founded and the claim is reversed with the reason")
    reason: Text


class CalendarCounted(BaseModel):
    year: int
    version: int = Field(description="1: the year's arrangement as first recorded; each revision adds one (its "
                         "audit trail, GET /v1/audit/working_calendar/{year}, holds every version)")


CALENDARS_DESCRIPTION = ("the working calendars the objection window was counted on, each year's at the version then "
                         "recorded (a later revision does not move the window); [] for a window of 0 days; null for "
                         "a list published before lists recorded them")


class PublishedOut(BaseModel):
    list_id: UUID
    year: int
    period: str
    claims: int
    window_ends_at: datetime = Field(description="no objection is taken from this instant on")
    calendars: list[CalendarCounted] | None = Field(description=CALENDARS_DESCRIPTION)


class ObjectionOut(BaseModel):
    list_id: UUID
    claim_id: UUID
    number: int = Field(description="the objection's number on the list")


class RulingOut(BaseModel):
    list_id: UUID
    claim_id: UUID
    sustained: bool
    claim_status: str
    freed_fen: int
    recovery_fen: int


class ClosedOut(BaseModel):
    list_id: UUID
    cleared: int = Field(description="listed claims payable from now on")
    under_objection: int = Field(description="listed claims still waiting for a ruling")


class Objection(BaseModel):
    number: int
    objector: str | None = Field(description="shown to the province and auditors only")
    reason: str
    lodged_at: datetime


class PublicClaim(BaseModel):
    claim_id: UUID
    voucher_id: UUID
    provider_id: UUID
    enterprise_id: UUID
    city: str
    amount_fen: int
    standing: str = Field(description="PUBLICISED, UNDER_OBJECTION, UPHELD or SUSTAINED")
    ruling_reason: str | None
    objections: list[Objection]


class PublicListOut(BaseModel):
    as_of: datetime
    known_at: datetime | None
    list_id: UUID
    year: int
    period: str
    published_at: datetime
    window_ends_at: datetime
    calendars: list[CalendarCounted] | None = Field(description=CALENDARS_DESCRIPTION)
    closed_at: datetime | None
    claims: list[PublicClaim]
