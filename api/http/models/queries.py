"""Answers of the queries: figures in integer fen as of a time; ``*_us`` are microseconds since the epoch (UTC).
The journal's answers: ``journal.py``; the events behind a figure: ``movements.py``."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field


class Answer(BaseModel):
    as_of: AwareDatetime = Field(description="effective time: what was true at this time")
    known_at: AwareDatetime | None = Field(
        None, description="recorded time: as the ledger knew it then (null: as known now, every fact recorded so far)")


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
    enterprise_uscc: str = Field(description="the holder's USCC, as registered")
    enterprise_name: str = Field(description="the holder's name, as registered")
    city: str
    programme_year: int
    fee_category: str
    status: str = Field(description="ACTIVE, REVOKED or EXPIRED as of `as_of`: EXPIRED from the redemption deadline "
                                    "on, whether or not the year's expiry run has recorded it yet (`expiry_recorded`)")
    expiry_recorded: bool = Field(description="the expiry run has recorded this voucher's expiry (by `as_of`, known "
                                              "at `known_at`); while false, its unused value is still in "
                                              "`remaining_fen` and has not returned to the city's quota")
    expires_at: AwareDatetime | None = Field(description="the end of the redemption deadline day (Asia/Shanghai): "
                                                         "from this instant claims on it are refused VOUCHER_EXPIRED")


class EnterpriseYear(MoneyFigures):
    programme_year: int
    vouchers: int


class EligibilityYear(BaseModel):
    year: int
    granted: bool
    reasons: list[str] = Field(description="refusal codes; empty when granted")
    corrected: bool = Field(description="the decision in effect is a correction superseding an earlier one")
    correction_reason: str | None
    effective_at: AwareDatetime
    recorded_at: AwareDatetime


class ApplicantAwards(BaseModel):
    programme: str = Field(description="the award programme (BENCHMARK_PROJECT, KEY_PLATFORM, ...)")
    programme_year: int
    granted_unpaid_fen: int
    paid_fen: int
    recovered_fen: int
    spend_fen: int = Field(description="paid − recovered")


class EnterpriseOut(Answer):
    enterprise_id: UUID
    uscc: str
    name: str
    city: str
    eligibility: list[EligibilityYear] = Field(
        description="per programme year, the decision in effect as of the time asked (the latest recorded "
                    "correction supersedes earlier decisions from its effective time on)")
    years: list[EnterpriseYear]
    awards: list[ApplicantAwards] = Field(default_factory=list, description="its awards as applicant, per "
                                          "programme and year (voucher figures are in years)")


class SpendLine(BaseModel):
    programme: str = Field(description="VOUCHERS, or the award programme the money went to (BENCHMARK_PROJECT, "
                                       "DEMONSTRATION_BASE, FINANCE_PILOT, KEY_PLATFORM, INNOVATION_CENTRE)")
    programme_year: int
    cash_year: int
    fee_category: str | None = Field(description="a voucher line's fee category; null on an award's line")
    fund_source: Literal["province", "city"]
    stage: Literal["claimed", "approved", "settled", "reversed", "recovered", "spend", "collected", "written_off",
                   "outstanding", "cash_out"] = Field(
        description="spend = settled − recovered (recoveries raised); outstanding = recovered − collected − written "
                    "off; cash_out = settled − collected")
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
    reason_zh: str | None = Field(None, description="the reason in Chinese (what a person typed kept as typed)")
    actor: str


class BatchRef(BaseModel):
    batch_id: UUID
    period: str
    opened_us: int
    paid: bool = Field(description="paid by `as_of` (known at `known_at`), as the batch's own answer says")
    paid_us: int | None
    total_settled_fen: int = Field(description="what its payment settled; 0 while unpaid")


class HeldClaim(BaseModel):
    claim_id: UUID
    voucher_id: UUID
    held_fen: int
    held_from_us: int = Field(description="effective time of the suspension that holds it")
    recorded_us: int


class ProviderOut(Answer):
    provider_id: UUID
    uscc: str
    name: str = Field(description="as admitted (no event changes it)")
    kind: str = Field(description="NATIONAL_PLATFORM, CARRIER, PLATFORM or SERVICE")
    status: str | None
    approved_unsettled_fen: int
    held_fen: int = Field(description="approved but held from settlement while the provider is suspended")
    claims_held_fen: int = Field(description="claims held after a suspension recorded late, until released or "
                                 "reversed, whatever their status: a held claim still waiting for review is in "
                                 "claimed_pending_fen, an approved one, while the provider is suspended, in held_fen "
                                 "too (add neither to those)")
    claims_held: list[HeldClaim]
    claimed_pending_fen: int
    settled_fen: int
    recoveries_due_fen: int = Field(description="recoveries still outstanding: raised − collected − written off")
    recoveries_raised_fen: int
    recoveries_collected_fen: int
    recoveries_written_off_fen: int
    awards: list[ApplicantAwards] = Field(default_factory=list, description="its awards as applicant (a key "
                                          "platform's, ...), per programme and year; the figures above are claims'")
    quotas: dict[int, ProviderQuotaFigures]
    whitelist_history: list[WhitelistEvent]
    batches: list[BatchRef]


class LateFact(BaseModel):
    position: int
    event_type: str
    originator_id: UUID
    effective_us: int
    recorded_us: int
    actor: str
    reason: str | None
    summary_zh: str
    summary_en: str


class ChangedFigure(BaseModel):
    figure: Literal["voucher", "city_spend", "provider"]
    key: str
    known_then: dict[str, Any] = Field(description="the figures that differ, as known at known_at")
    known_now: dict[str, Any]


class LateFactsOut(Answer):
    facts: list[LateFact] = Field(description="events recorded after known_at that take effect by as_of")
    more_facts: bool
    changed_figures: list[ChangedFigure]
    more_figures: bool = Field(description="more figures changed than the limit: narrow as_of or raise limit")


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
    reference: str | None = Field(None, description="a collection's bank reference, a write-off's reason")


class BatchOut(Answer):
    batch_id: UUID
    provider_id: UUID
    period: str
    opened_us: int
    paid: bool
    paid_us: int | None
    lines: list[BatchLine] = Field(description="the batch's lines as of the time: added and not withdrawn")
    withdrawn: list[BatchLine] = Field(description="lines that left it: claims held after a suspension recorded late")
    settled: list[BatchLine]
    recoveries: list[BatchLine]
    collections: list[BatchLine] = Field(description="money collected on the recoveries")
    write_offs: list[BatchLine] = Field(description="recoveries written off (reference: the reason)")
    total_settled_fen: int
    total_recoveries_fen: int
    total_collections_fen: int
    total_write_offs_fen: int
    recoveries_outstanding_fen: int = Field(description="still to recover: raised − collected − written off")


class Page(Answer):
    items: list[dict[str, Any]]
    next_after: int | None = Field(description="pass as ?after= for the next page; null at the end")
