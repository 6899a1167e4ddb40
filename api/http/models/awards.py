"""What the award routes take and answer (二, 三): a year's award programmes, applications and their lifecycle,
award batches and recoveries. Money is integer fen; rates exact decimals as strings."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from api.http.models.commands import Body
from api.http.models.examples import example
from api.http.models.fields import USCC, City, Fen, Moment, Rate, Ref, Text, Year
from ledger.commands.awards import AwardState

AwardKind = Literal["BENCHMARK_PROJECT", "DEMONSTRATION_BASE", "FINANCE_PILOT", "KEY_PLATFORM", "INNOVATION_CENTRE"]
ApplicantKind = Literal["ENTERPRISE", "PROVIDER", "CITY_GOVERNMENT", "COUNTY_GOVERNMENT"]
PERIOD_PATTERN = r"^[0-9A-Za-z_-]{1,32}$"


class DefineAwardProgramme(Body):
    model_config = example("DefineAwardProgramme")

    kind: AwardKind
    name: Text
    applicants: list[ApplicantKind] = Field(min_length=1, max_length=4, description="who may apply")
    amount_rule: Literal["FIXED", "RATE", "CASE_BY_CASE", "TITLE"] = Field(
        description="FIXED: amount_fen; RATE: rate × the base an application declares, at most cap_fen; "
                    "CASE_BY_CASE (一事一议): the province decides at the grant, at most cap_fen; TITLE: no money")
    amount_fen: Fen | None = None
    rate: Rate | None = None
    cap_fen: Fen | None = None
    max_selected: int | None = Field(None, strict=True, ge=1, le=10_000,
                                     description="at most this many selected at any time (key platforms: 20)")
    city_share: Rate | None = Field(None, description="the city's share of each award; null: the city's configured "
                                                      "share of the year, as for its vouchers")


class ContractRefIn(Body):
    provider_uscc: USCC
    contract_no: Ref = Field(min_length=1)


class ApplyForAward(Body):
    model_config = example("ApplyForAward")

    year: Year
    kind: AwardKind
    project: Text
    city: City | None = Field(None, description="a provider names the city of its project; an enterprise applies in "
                                                "its own city and a government in its own")
    county: Text | None = Field(None, description="a county government names its county (else the city applies)")
    contracts: list[ContractRefIn] = Field(default_factory=list, max_length=100,
                                           description="the contracts of the project the award would fund")
    base_fen: Fen | None = Field(None, description="the base a RATE award is computed from (e.g. R&D spend)")


class Opinion(Body):
    model_config = example("RecommendAward")

    opinion: Text | None = None


class Refusal(Body):
    model_config = example("RefuseAward")

    reason: Text


class NationalNote(Body):
    model_config = example("RecommendAwardNationally")

    note: Text | None = None


class GrantAward(Body):
    model_config = example("GrantAward")

    amount_fen: Fen | None = Field(None, description="only for a CASE_BY_CASE programme; otherwise its rule decides")


class OpenAwardBatch(Body):
    model_config = example("OpenAwardBatch")

    period: str = Field(pattern=PERIOD_PATTERN, description="the period the batch pays, e.g. 2020-12")


class AddAward(Body):
    model_config = example("AddAward")

    award_id: UUID


class PayAwardBatch(Body):
    model_config = example("PayAwardBatch")

    effective_at: Moment


class RecoverAward(Body):
    model_config = example("RecoverAward")

    reason: Text
    effective_at: Moment


class CollectAwardRecovery(Body):
    model_config = example("CollectAwardRecovery")

    amount_fen: Fen
    bank_reference: Text
    effective_at: Moment = Field(description="when the money arrived")


class WriteOffAwardRecovery(Body):
    model_config = example("WriteOffAwardRecovery")

    reason: Text
    effective_at: Moment


# -- answers ----------------------------------------------------------------------------------------------------------
class Recorded(BaseModel):
    id: UUID


class AwardProgrammeOut(BaseModel):
    year: int
    kind: str
    name: str
    applicants: list[str]
    amount_rule: str
    amount_fen: int | None
    rate: str | None
    cap_fen: int | None
    max_selected: int | None
    city_share: str | None

    @classmethod
    def of(cls, rules: Any) -> AwardProgrammeOut:
        r = rules.as_record()
        return cls(**{**r, "rate": None if r["rate"] is None else str(r["rate"]),
                      "city_share": None if r["city_share"] is None else str(r["city_share"])})


class AwardProgrammesOut(BaseModel):
    year: int
    programmes: list[AwardProgrammeOut]


class ContractRefOut(BaseModel):
    provider_uscc: str
    provider_id: UUID
    contract_no: str


class AwardOut(BaseModel):
    award_id: UUID
    year: int
    kind: str
    status: Literal["APPLIED", "RECOMMENDED", "SELECTED", "REFUSED", "GRANTED", "PAID", "RECOVERED"]
    applicant_kind: str
    applicant_id: UUID | None
    applicant_name: str
    city: str
    county: str
    project: str
    contracts: list[ContractRefOut]
    base_fen: int | None
    nationally_recommended: bool
    title_withdrawn: bool
    amount_fen: int
    city_portion_fen: int
    province_portion_fen: int
    batch_id: UUID | None
    paid_at: AwareDatetime | None
    recovery_outstanding_fen: int

    @classmethod
    def of(cls, award: Any) -> AwardOut:
        """An award (``ledger.awards.Award``) as it stands, or as a command left it (``AwardState``)."""
        return cls(**vars(award if isinstance(award, AwardState) else AwardState.of(award)))


class AwardsOut(BaseModel):
    as_of: AwareDatetime
    known_at: AwareDatetime | None
    items: list[AwardOut] = Field(description="each award as it stands now")
    next_after: int | None = Field(description="pass as ?after= for the next page; null at the end")


class GrantedOut(BaseModel):
    award_id: UUID
    amount_fen: int


class RecoveredOut(BaseModel):
    award_id: UUID
    due_fen: int = Field(description="the receivable raised: the whole amount paid")


class AwardBatchPaidOut(BaseModel):
    batch_id: UUID
    total_fen: int
    awards: list[UUID]
    by_city: dict[str, dict[str, int]]


class AwardBatchLine(BaseModel):
    award_id: UUID
    city: str
    amount_fen: int
    city_portion_fen: int
    province_portion_fen: int


class AwardBatchOut(BaseModel):
    batch_id: UUID
    period: str
    paid: bool
    total_fen: int = Field(description="what its payment paid (0 before it is paid)")
    awards: list[UUID]
    lines: list[AwardBatchLine]
    by_city: dict[str, dict[str, int]]

    @classmethod
    def of(cls, b: Any) -> AwardBatchOut:
        return cls(batch_id=b.id, period=b.period, paid=b.paid, total_fen=b.total_fen if b.paid else 0,
                   awards=list(b.lines), by_city=b.by_city if b.paid else {},
                   lines=[AwardBatchLine(award_id=award_id, **line) for award_id, line in b.lines.items()])


class AwardRecoveryOut(BaseModel):
    award_id: UUID
    amount_fen: int
    city_portion_fen: int
    province_portion_fen: int
    outstanding_fen: int
