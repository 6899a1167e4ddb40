"""Answers of the lists: one page of rows as known now, and the cursor of the next page (null on the last one).

``*_us`` are microseconds since the epoch (UTC), as in every other answer; amounts are integer fen.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

NEXT_CURSOR = Field(description="pass as `cursor` for the next page; null: this page is the last")


class ListPage(BaseModel):
    next_cursor: str | None = NEXT_CURSOR


class EnterpriseRow(BaseModel):
    enterprise_id: UUID
    uscc: str
    name: str
    city: str
    registered_us: int


class VoucherRow(BaseModel):
    voucher_id: UUID
    enterprise_id: UUID
    city: str
    programme_year: int
    item_id: str
    fee_category: str
    face_value_fen: int
    status: Literal["ACTIVE", "EXPIRED", "REVOKED"] = Field(
        description="as of now, as GET /v1/vouchers/{id} answers it: EXPIRED from expires_us on, run or no run")
    expiry_recorded: bool = Field(description="the year's expiry run has recorded the voucher's expiry (until then "
                                              "its unused value is not yet back in the city's quota)")
    issued_us: int
    expires_us: int = Field(description="the first instant after its redemption deadline day (Asia/Shanghai)")


class ClaimRow(BaseModel):
    claim_id: UUID
    voucher_id: UUID
    enterprise_id: UUID
    city: str
    programme_year: int
    provider_id: UUID
    fee_category: str
    amount_fen: int = Field(description="the subsidy the claim holds")
    status: Literal["CLAIMED", "APPROVED", "REJECTED", "SETTLED", "REVERSED"] = Field(
        description="CLAIMED: waiting for review; APPROVED: approved, not yet paid")
    flagged: bool = Field(description="covered by a suspension of its provider recorded late")
    held: bool = Field(description="kept out of settlement until the province releases or reverses it")
    batch_id: UUID | None = Field(description="the settlement batch it is in, paid or not")
    claimed_us: int
    changed_us: int = Field(description="when the ledger recorded the claim's latest change")


class ProviderRow(BaseModel):
    provider_id: UUID
    uscc: str
    name: str
    kind: str
    status: Literal["PENDING_ASSESSMENT", "WHITELISTED", "SUSPENDED"] = Field(description="whitelist status")
    admitted_us: int
    status_since_us: int


class BatchRow(BaseModel):
    batch_id: UUID
    provider_id: UUID
    period: str
    status: Literal["OPEN", "PAID"]
    lines: int = Field(description="claims in the batch (added, less withdrawn)")
    amount_fen: int = Field(description="the amounts of those claims")
    paid_fen: int = Field(description="what its payment settled; 0 while open")
    opened_us: int
    paid_us: int | None = Field(description="the payment's effective time")


class EnterprisesPage(ListPage):
    items: list[EnterpriseRow]


class VouchersPage(ListPage):
    items: list[VoucherRow]


class ClaimsPage(ListPage):
    items: list[ClaimRow]


class ProvidersPage(ListPage):
    items: list[ProviderRow]


class BatchesPage(ListPage):
    items: list[BatchRow]


class CatalogueItemRow(BaseModel):
    item_id: str
    name: str
    fee_category: str
    rate: str = Field(description="exact decimal: the share of the eligible fee a voucher pays")
    cap_fen: int = Field(description="the voucher's face value")


class CatalogueOut(BaseModel):
    year: int
    redemption_deadline: str = Field(description="vouchers of the year are redeemable until the end of this day "
                                                 "(Asia/Shanghai), ISO date")
    items: list[CatalogueItemRow]


class CityQuotaRow(BaseModel):
    city: str
    quota_set_fen: int
    issued_fen: int = Field(description="face value of the vouchers issued against it")
    quota_used_fen: int = Field(description="issued, less what expiry and revocation gave back")
    quota_remaining_fen: int


class ProviderQuotaRow(BaseModel):
    provider_id: UUID
    uscc: str | None
    quota_set_fen: int
    quota_used_fen: int = Field(description="claims held against it, less what rejections and reversals gave back")
    quota_remaining_fen: int


class QuotasOut(BaseModel):
    year: int
    cities: list[CityQuotaRow]
    providers: list[ProviderQuotaRow]
