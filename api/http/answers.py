"""Answers of the queries: figures in integer fen as of a time; ``*_us`` are microseconds since the epoch (UTC)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field


class Answer(BaseModel):
    as_of: AwareDatetime


class MoneyFigures(BaseModel):
    face_value_fen: int
    claimed_fen: int = Field(description="claims waiting for review")
    approved_fen: int = Field(description="approved, not yet paid")
    settled_fen: int = Field(description="paid to providers (including amounts now due back)")
    reversed_fen: int
    recovered_fen: int = Field(description="due back from providers after a reversal of a paid claim")
    returned_fen: int = Field(description="given back to the city's quota (expiry, revocation)")
    remaining_fen: int


class VoucherOut(Answer, MoneyFigures):
    voucher_id: UUID
    enterprise_id: UUID
    city: str
    programme_year: int
    fee_category: str
    status: str


class EnterpriseYear(MoneyFigures):
    programme_year: int
    vouchers: int


class EnterpriseOut(Answer):
    enterprise_id: UUID
    uscc: str
    name: str
    city: str
    years: list[EnterpriseYear]


class SpendLine(BaseModel):
    programme_year: int
    cash_year: int
    fee_category: str
    fund_source: Literal["province", "city"]
    stage: Literal["claimed", "approved", "settled", "reversed", "recovered", "spend"]
    amount_fen: int


class CityQuotaFigures(BaseModel):
    quota_set_fen: int
    issued_fen: int
    quota_used_fen: int
    quota_remaining_fen: int


class CitySpendOut(Answer):
    city: str
    lines: list[SpendLine]
    quotas: dict[int, CityQuotaFigures]


class ProviderQuotaFigures(BaseModel):
    quota_set_fen: int
    quota_used_fen: int
    quota_remaining_fen: int


class WhitelistEvent(BaseModel):
    position: int
    event_type: str
    status: str | None
    effective_us: int
    recorded_us: int
    area: str | None
    passed: bool | None
    eliminated_year: int | None
    reason: str | None
    actor: str


class BatchRef(BaseModel):
    batch_id: UUID
    period: str
    opened_us: int


class ProviderOut(Answer):
    provider_id: UUID
    status: str | None
    approved_unsettled_fen: int
    held_fen: int = Field(description="approved but held from settlement while the provider is suspended")
    claimed_pending_fen: int
    settled_fen: int
    recoveries_due_fen: int
    quotas: dict[int, ProviderQuotaFigures]
    whitelist_history: list[WhitelistEvent]
    batches: list[BatchRef]


class WhitelistEntry(BaseModel):
    provider_id: UUID
    uscc: str
    name: str
    kind: str
    status: str | None
    eliminated_this_year: bool


class WhitelistOut(Answer):
    providers: list[WhitelistEntry]
    next_after_uscc: str | None


class BatchLine(BaseModel):
    claim_id: UUID
    voucher_id: UUID | None
    city: str | None
    amount_fen: int
    city_fen: int
    province_fen: int
    effective_us: int


class BatchOut(Answer):
    batch_id: UUID
    provider_id: UUID
    period: str
    opened_us: int
    paid: bool
    paid_us: int | None
    lines: list[BatchLine]
    settled: list[BatchLine]
    recoveries: list[BatchLine]
    total_settled_fen: int
    total_recoveries_fen: int


class Page(BaseModel):
    as_of: AwareDatetime
    items: list[dict[str, Any]]
    next_after: int | None = Field(description="pass as ?after= for the next page; null at the end")
