"""Request and response bodies. Money is integer fen only: a JSON float or a string is refused (strict ints)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from ledger.fiscal_time import PROGRAMME_YEARS
from ledger.parties import CITIES
from ledger.uscc import ALPHABET

Fen = Annotated[int, Field(strict=True, ge=0, le=10**15, description="integer fen (1 yuan = 100 fen)", examples=[5_000_000])]
Rate = Annotated[str, Field(pattern=r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$", description="exact decimal in [0, 1] as a string",
                            examples=["0.30"])]
Year = Annotated[int, Field(strict=True, ge=min(PROGRAMME_YEARS), le=max(PROGRAMME_YEARS), examples=[2020],
                            description="a programme (fiscal) year")]


def printable(text: str) -> str:
    """No NUL or other control characters (PostgreSQL text cannot hold NUL; a read model could not store it)."""
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in text):
        raise ValueError("control characters are not allowed")
    return text


PRINTABLE = {"pattern": r"^[^\x00-\x08\x0b-\x1f]*$"}  # what printable() lets through, declared
Text = Annotated[str, Field(min_length=1, max_length=500, json_schema_extra=PRINTABLE), AfterValidator(printable)]
Ref = Annotated[str, Field(max_length=200, json_schema_extra=PRINTABLE), AfterValidator(printable)]
# Declared as the ledger checks them. The ledger refuses an unknown city (UNKNOWN_CITY) and a USCC outside GB 32100's
# alphabet or with a wrong check character (INVALID_USCC), both 422; the schema names the cities and the alphabet
# (any case: the ledger upper-cases) so that clients and schema-driven tests know the valid values up front.
USCC_PATTERN = f"^[{ALPHABET}{ALPHABET[10:].lower()}]{{18}}$"  # digits, then letters
USCC = Annotated[str, Field(min_length=18, max_length=18, examples=["91440101MA59ABCD1X"],
                            json_schema_extra={"pattern": USCC_PATTERN},
                            description="unified social credit code (统一社会信用代码, GB 32100): 18 characters from "
                                        "its alphabet, the last a check character")]
CITY_PATTERN = r"^\d{6}$"
CITY_CODES = {"enum": list(CITIES)}
City = Annotated[str, Field(pattern=CITY_PATTERN, examples=["440600"], json_schema_extra=CITY_CODES,
                            description="a Guangdong city code (GB/T 2260)")]


EARLIEST_YEAR, LATEST_YEAR = 2000, 2100  # wide around the programme; beyond, UTC/Shanghai arithmetic overflows


def within_years(moment: datetime) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"a time between the years {EARLIEST_YEAR} and {LATEST_YEAR} is expected")
    return moment


# The year windows below are declared as a pattern on the year digits (JSON Schema bounds no date-time otherwise).
MOMENT_PATTERN = r"^(?:20\d\d|2100)-.*(?:[Zz]|[+-]\d\d:?\d\d)$"  # EARLIEST_YEAR..LATEST_YEAR, with an offset
Moment = Annotated[AwareDatetime, AfterValidator(within_years),
                   Field(description=f"ISO-8601 with a UTC offset, in the years {EARLIEST_YEAR} to {LATEST_YEAR}",
                         examples=["2020-03-05T09:30:00+08:00"], json_schema_extra={"pattern": MOMENT_PATTERN})]


def within_date_years(day: date) -> date:
    if not 1900 <= day.year <= LATEST_YEAR:
        raise ValueError(f"a date between the years 1900 and {LATEST_YEAR} is expected")
    return day


DAY_PATTERN = r"^(?:19\d\d|20\d\d|2100)-"  # 1900..LATEST_YEAR
Day = Annotated[date, AfterValidator(within_date_years),
                Field(examples=["2015-06-30"], description=f"a date in the years 1900 to {LATEST_YEAR}",
                      json_schema_extra={"pattern": DAY_PATTERN})]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- commands: parties and programme ---------------------------------------------------------------------------------
class RegisterEnterprise(Body):
    uscc: USCC
    name: Text
    city: City
    carrier: Literal["CHINA_TELECOM", "CHINA_MOBILE", "CHINA_UNICOM"]
    established_on: Day


class DecideEligibility(Body):
    year: Year
    prior_year_revenue_fen: Fen
    serious_misuse_5y: bool = Field(description="a serious misuse of public funds in the last five years")
    effective_at: Moment


class CatalogueItemIn(Body):
    item_id: Text
    name: Text
    fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"]
    rate: Rate
    cap_fen: Fen


class PublishCatalogue(Body):
    year: Year
    items: list[CatalogueItemIn] = Field(min_length=1, max_length=200)
    redemption_deadline: Day


class SetCityQuota(Body):
    city: City
    year: Year
    amount_fen: Fen
    city_share: Rate


class SetCarrierRates(Body):
    year: Year
    rates: dict[Literal["CHINA_TELECOM", "CHINA_MOBILE", "CHINA_UNICOM"], Rate] = Field(min_length=1)


class AdmitProvider(Body):
    uscc: USCC
    name: Text
    kind: Literal["NATIONAL_PLATFORM", "CARRIER", "PLATFORM", "SERVICE"]


class SetProviderQuota(Body):
    year: Year
    amount_fen: Fen


Area = Literal["NETWORK", "DATA", "APPLICATION", "DEVICE", "CONTROL"]


class RecordAssessment(Body):
    area: Area
    kind: Literal["ASSESSMENT", "SPOT_CHECK"] = "ASSESSMENT"
    passed: bool
    assessor: Text
    report_ref: Ref = ""
    effective_at: Moment


class SpotCheck(Body):
    """A failed spot check suspends; a passed re-assessment of the failing area reinstates."""

    area: Area
    assessor: Text
    report_ref: Ref = ""
    effective_at: Moment


class EliminateProvider(Body):
    year: Year
    rating: Text
    effective_at: Moment


# -- commands: money --------------------------------------------------------------------------------------------------
class IssueVoucher(Body):
    enterprise_id: UUID
    year: Year
    item_id: Text


class ClaimIn(Body):
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


class Reason(Body):
    reason: Text


class ReverseClaim(Body):
    reason: Text
    effective_at: Moment


class OpenBatch(Body):
    provider_id: UUID
    period: Annotated[str, Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$", examples=["2020-03"])]


class AddToBatch(Body):
    voucher_id: UUID
    claim_id: UUID


class PayBatch(Body):
    effective_at: Moment


class CollectRecovery(Body):
    amount_fen: Annotated[int, Field(strict=True, ge=1, le=10**15, examples=[1_000_000],
                                     description="integer fen collected, at most what is still due")]
    bank_reference: Text = Field(description="the bank's reference of the money received")
    effective_at: Moment = Field(description="when the money arrived")


class WriteOffRecovery(Body):
    reason: Text
    effective_at: Moment


# -- responses -------------------------------------------------------------------------------------------------------
class Created(BaseModel):
    id: UUID


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
