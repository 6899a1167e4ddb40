"""What a command takes and answers. Money is integer fen only: a JSON float or a string is refused (strict ints)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from api.http.models.examples import example
from api.http.models.fields import USCC, City, Day, Fen, Moment, Rate, Ref, Text, Year


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- commands: parties and programme ---------------------------------------------------------------------------------
class RegisterEnterprise(Body):
    model_config = example("RegisterEnterprise")

    uscc: USCC
    name: Text
    city: City
    carrier: Literal["CHINA_TELECOM", "CHINA_MOBILE", "CHINA_UNICOM"]
    established_on: Day


class DecideEligibility(Body):
    model_config = example("DecideEligibility")

    year: Year
    prior_year_revenue_fen: Fen = Field(description="main business revenue of the year before, integer fen (the "
                                              "year's revenue line decides)", examples=[1_200_000_000])
    serious_misuse_5y: bool = Field(description="a serious misuse of public funds within the year's look-back "
                                    "(misuse_lookback_years: 5 in 2018-2020)")
    effective_at: Moment


class CatalogueItemIn(Body):
    model_config = example("CatalogueItemIn")

    item_id: Text
    name: Text
    # Every known category: an item in a never-covered one is the ledger's to refuse (CATEGORY_NOT_COVERED), as a
    # claim in one is; a name nobody knows is a malformed request.
    fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION", "AUTOMATION_EQUIPMENT",
                          "NON_CLOUD_SOFTWARE"] = Field(
        description="AUTOMATION_EQUIPMENT (自动化和智能化设备) and NON_CLOUD_SOFTWARE are never covered: a catalogue "
                    "naming one is refused with CATEGORY_NOT_COVERED")
    rate: Rate
    cap_fen: Fen


class PublishCatalogue(Body):
    model_config = example("PublishCatalogue")

    year: Year
    items: list[CatalogueItemIn] = Field(min_length=1, max_length=200)
    redemption_deadline: Day | None = Field(
        None, description="the last day its vouchers are redeemable (Asia/Shanghai): the programme year's redemption "
        "deadline, the default; another date is 409 CATALOGUE_DEADLINE_MISMATCH", examples=["2021-02-08"])


class SetCityQuota(Body):
    model_config = example("SetCityQuota")

    city: City
    year: Year
    amount_fen: Fen
    city_share: Rate


class SetCarrierRates(Body):
    model_config = example("SetCarrierRates")

    year: Year
    rates: dict[Literal["CHINA_TELECOM", "CHINA_MOBILE", "CHINA_UNICOM"], Rate] = Field(min_length=1)


class AdmitProvider(Body):
    model_config = example("AdmitProvider")

    uscc: USCC
    name: Text
    kind: Literal["NATIONAL_PLATFORM", "CARRIER", "PLATFORM", "SERVICE"]


class SetProviderQuota(Body):
    model_config = example("SetProviderQuota")

    year: Year
    amount_fen: Fen


Area = Literal["NETWORK", "DATA", "APPLICATION", "DEVICE", "CONTROL"]


class RecordAssessment(Body):
    model_config = example("RecordAssessment")

    area: Area
    kind: Literal["ASSESSMENT", "SPOT_CHECK"] = "ASSESSMENT"
    passed: bool
    assessor: Text
    report_ref: Ref = ""
    effective_at: Moment


class SpotCheck(Body):
    """A failed spot check suspends; a passed re-assessment of the failing area reinstates."""

    model_config = example("SpotCheck")

    area: Area
    assessor: Text
    report_ref: Ref = ""
    effective_at: Moment


class EliminateProvider(Body):
    model_config = example("EliminateProvider")

    year: Year
    rating: Text
    effective_at: Moment


# -- commands: money --------------------------------------------------------------------------------------------------
class IssueVoucher(Body):
    model_config = example("IssueVoucher")

    enterprise_id: UUID
    year: Year
    item_id: Text


class ClaimIn(Body):
    model_config = example("ClaimIn")

    provider_id: UUID
    # Every known category, the never-covered ones included: a claim in one of them is the ledger's to refuse
    # (CATEGORY_NOT_COVERED, listed with any other rule it breaks), not a malformed request.
    fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION", "AUTOMATION_EQUIPMENT",
                          "NON_CLOUD_SOFTWARE"] = Field(
        description="AUTOMATION_EQUIPMENT (自动化和智能化设备) and NON_CLOUD_SOFTWARE are never covered: such a claim "
                    "is refused with CATEGORY_NOT_COVERED")
    eligible_fee_fen: Fen
    contract_no: Text
    contract_date: Moment
    contract_amount_fen: Fen
    invoice_nos: list[Text] = Field(min_length=1, max_length=50)
    payment_proven_fen: Fen
    payment_proof_ref: Text
    acceptance_report_ref: Text
    accepted_at: Moment
    # Optional in the schema so that a request without it is answered by the ledger's own code, not a generic 422.
    no_other_funding: StrictBool | None = Field(
        None, description="the claimant declares that no award or other fiscal fund pays for this contract (one item "
                          "of work is funded once). Required in effect: a claim that omits it is refused with "
                          "FUNDING_NOT_DECLARED; false is refused with ALREADY_FUNDED")


class Reason(Body):
    model_config = example("Reason")

    reason: Text


class ReverseClaim(Body):
    model_config = example("ReverseClaim")

    reason: Text
    effective_at: Moment


class OpenBatch(Body):
    model_config = example("OpenBatch")

    provider_id: UUID
    period: Annotated[str, Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$", examples=["2020-03"])]


class AddToBatch(Body):
    model_config = example("AddToBatch")

    voucher_id: UUID
    claim_id: UUID


class PayBatch(Body):
    model_config = example("PayBatch")

    effective_at: Moment | None = Field(
        None, description="when the money was paid (not before the claims' approval, not after now); omitted: paid "
                          "now, at the moment the ledger records the payment")


class CollectRecovery(Body):
    model_config = example("CollectRecovery")

    amount_fen: Annotated[int, Field(strict=True, ge=1, le=10**15, examples=[1_000_000],
                                     description="integer fen collected, at most what is still due")]
    bank_reference: Text = Field(description="the bank's reference of the money received")
    effective_at: Moment = Field(description="when the money arrived")


class WriteOffRecovery(Body):
    model_config = example("WriteOffRecovery")

    reason: Text
    effective_at: Moment


# -- responses -------------------------------------------------------------------------------------------------------
class Created(BaseModel):
    id: UUID

    @classmethod
    def of(cls, new_id: UUID) -> Created:
        """The answer to a command whose result is the id it created."""
        return cls(id=new_id)


class EligibilityOut(BaseModel):
    enterprise_id: UUID
    year: int
    granted: bool
    reasons: list[str]
    network_discount_id: UUID | None


class StatusOut(BaseModel):
    provider_id: UUID
    status: str


class VoucherIssued(BaseModel):
    voucher_id: UUID
    face_value_fen: int
    city_portion_fen: int
    province_portion_fen: int
    expires_at: AwareDatetime


class ClaimReceiptOut(BaseModel):
    voucher_id: UUID
    claim_id: UUID
    amount_fen: int
    balance_after_fen: int


class ClaimChanged(BaseModel):
    voucher_id: UUID
    claim_id: UUID
    status: str
    freed_fen: int = Field(0, description="given back to the voucher balance (rejection, reversal before payment)")
    recovery_fen: int = Field(0, description="to recover from the provider (reversal after payment)")


class RecoveryChanged(BaseModel):
    batch_id: UUID
    claim_id: UUID
    amount_fen: int = Field(description="collected, or written off (what was still due)")
    city_portion_fen: int = Field(description="back to (or lost to) the city's budget")
    province_portion_fen: int = Field(description="back to (or lost to) the province's budget")
    outstanding_fen: int = Field(description="still due on the recovery after this (0: closed)")


class BatchPaid(BaseModel):
    batch_id: UUID
    total_fen: int
    settled_claims: list[UUID]
    dropped_claims: list[UUID]
    by_city: dict[str, dict[str, int]]
