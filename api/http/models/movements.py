"""Answers that explain a figure by the events behind it: a city's spend, a voucher's and a provider's figures
(``*_us``: microseconds since the epoch, UTC)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.http.models.queries import Answer


class SpendMovement(BaseModel):
    position: int = Field(description="the event's place in the global sequence (GET /v1/events)")
    event_type: str
    effective_us: int
    recorded_us: int
    programme_year: int
    cash_year: int
    fee_category: str
    voucher_id: UUID | None
    claim_id: UUID | None
    amount_fen: int = Field(description="this event's part of the figure (of the fund source asked for, or both)")
    province_fen: int
    city_fen: int


class SpendMovementsOut(Answer):
    city: str
    stage: str
    items: list[SpendMovement] = Field(description="the events whose amounts add up to the city spend figure")
    next_after: int | None = Field(description="cursor for the next page; null on the last page")


class VoucherMovement(BaseModel):
    position: int
    event_type: str
    effective_us: int
    recorded_us: int
    claim_id: UUID | None
    amount_fen: int = Field(description="this event's part of the figure")


class VoucherMovementsOut(Answer):
    voucher_id: UUID
    figure: str
    items: list[VoucherMovement] = Field(description="the events whose amounts add up to the voucher's figure")


class ProviderMovementsOut(Answer):
    provider_id: UUID
    figure: str
    items: list[SpendMovement] = Field(description="the events whose amounts add up to the provider's figure")
    next_after: int | None = Field(description="cursor for the next page; null on the last page")
