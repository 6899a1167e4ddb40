"""What the operations of the programme's running take and answer: the year-end expiry run, revocation, cloud
discount agreements, eligibility corrections and quota revisions. Money is integer fen."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.http.models.examples import example
from api.http.models.fields import Fen, Moment, Rate, Text, Year


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests --------------------------------------------------------------------------------------------------------
class RevokeVoucher(Body):
    model_config = example("RevokeVoucher")

    reason: Text = Field(description="why the voucher is withdrawn (recorded, shown in the audit trail)")


class RecordCloudAgreement(Body):
    model_config = example("RecordCloudAgreement")

    year: Year
    rate: Rate = Field(description="the agreed public-cloud discount, at least 0.30 by policy")


class CorrectEligibility(Body):
    model_config = example("CorrectEligibility")

    prior_year_revenue_fen: Fen = Field(description="the corrected prior-year main business revenue, integer fen",
                                        examples=[1_200_000_000])
    serious_misuse_5y: bool = Field(description="a serious misuse of public funds within the year's look-back "
                                    "(misuse_lookback_years: 5 in 2018-2020)")
    effective_at: Moment = Field(description="when the corrected decision takes effect")
    reason: Text = Field(description="why the decision is corrected (recorded, shown in the audit trail)")


class ReviseQuota(Body):
    model_config = example("ReviseQuota")

    amount_fen: Fen = Field(description="the quota's new amount, integer fen; never below what is already used")


# -- answers ---------------------------------------------------------------------------------------------------------
class VoucherClosed(BaseModel):
    voucher_id: UUID
    status: str
    returned_fen: int = Field(description="the unused value given back to the city's quota")


class CityReturnOut(BaseModel):
    expired: int
    returned_fen: int = Field(description="back to the city's quota of the year")


class ExpiryRunOut(BaseModel):
    year: int
    deadline: datetime = Field(description="the end of the year's redemption window")
    found: int = Field(description="open vouchers of the year, as the read models knew them")
    expired: int
    skipped: int = Field(description="already expired or revoked when the ledger decided: nothing to do")
    returned_fen: int
    by_city: dict[str, CityReturnOut]
    failed: dict[str, str] = Field(description="voucher id -> error code; run again to retry them")


class EligibilityCorrected(BaseModel):
    enterprise_id: UUID
    year: int
    granted: bool
    reasons: list[str]
    previously_granted: bool
    network_discount_id: UUID | None = Field(description="recorded by this correction, if there was none")
    active_voucher_ids: list[UUID] = Field(
        description="the year's vouchers still redeemable: a correction leaves them as they are; revoke them "
                    "separately (POST /v1/vouchers/{id}/revocation) where the province so decides")


class QuotaRevised(BaseModel):
    quota_id: UUID
    year: int
    previous_fen: int
    amount_fen: int
    used_fen: int
