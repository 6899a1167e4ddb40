"""The programme and its years, as the province opens them and everyone reads them (GET /v1/programme)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.http.models.commands import Body
from api.http.models.evaluation import EvaluationRulesIO
from api.http.models.examples import example
from api.http.models.fields import Day, Fen, Rate, Text, Year
from ledger.policy import Policy
from ledger.programme import Programme, YearRules

FeeCategoryName = str


class PolicyIO(BaseModel):
    """A policy (政策文件): its name, document number (文号) and date; contracts before the date are not covered."""

    name: Text
    document_number: Text = Field(description="the policy's document number, e.g. 粤府〔2018〕23号")
    policy_date: Day

    def policy(self) -> Policy:
        return Policy.checked(name=self.name, document_number=self.document_number, policy_date=self.policy_date)


class OpenYear(Body):
    """A successor year. What is not given is the latest earlier year's figure; the issuance window defaults to the
    fiscal year, contracts are covered from the policy's date."""

    model_config = example("OpenYear")

    year: Year
    redemption_deadline: Day = Field(description="the year's vouchers are redeemable until the end of this day")
    issuance_opens: Day | None = None
    issuance_closes: Day | None = None
    contracts_from: Day | None = None
    revenue_threshold_fen: Fen | None = Field(None, description="prior-year main business revenue at least this")
    min_payment_ratio: Rate | None = Field(None, description="payment proven at least this share of the contract; "
                                            "above 0 (0 would switch the payment proof off: 422 INVALID_RATE)")
    covered_fee_categories: list[FeeCategoryName] | None = Field(
        None, min_length=1, max_length=10, description="some of APPLICATION_SERVICE, DEVICE_ACCESS and "
        "NETWORK_RENOVATION; AUTOMATION_EQUIPMENT and NON_CLOUD_SOFTWARE are never covered (409 CATEGORY_NOT_COVERED)")
    established_years: int | None = Field(None, strict=True, ge=0, le=100)
    misuse_lookback_years: int | None = Field(None, strict=True, ge=0, le=100)
    provider_caps_fen: dict[str, Fen] | None = Field(None, description="default provider quota by provider kind")
    objection_working_days: int | None = Field(None, strict=True, ge=1, le=100)
    applications_open: Day | None = None
    applications_close: Day | None = None
    publicity_required: bool | None = Field(None, description="claims of the year are paid only after a publicity "
                                            "list (公示) cleared them; default: the latest earlier year's rule")
    evaluation: EvaluationRulesIO | None = Field(None, description="the resource pool's evaluation of the year")
    policy: PolicyIO | None = Field(None, description="a successor policy the year runs under (its contracts are "
                                    "covered from its date unless contracts_from says otherwise); default: the latest "
                                    "earlier year's, else the programme's")


class YearOut(BaseModel):
    year: int
    phase: str = Field(description="UPCOMING, ISSUING, REDEEMING or CLOSED, on the service's clock")
    open: bool = Field(description="vouchers of the year are issued or redeemed now")
    issuance_opens: date
    issuance_closes: date
    redemption_deadline: date
    contracts_from: date
    revenue_threshold_fen: int
    min_payment_ratio: str
    covered_fee_categories: list[str]
    established_years: int
    misuse_lookback_years: int
    provider_caps_fen: dict[str, int]
    objection_working_days: int
    applications_open: date | None
    applications_close: date | None
    publicity_required: bool = Field(description="claims are paid only after their publicity (公示) cleared them")
    evaluation: EvaluationRulesIO = Field(description="the resource pool's evaluation: formula, lines, quota bands")
    policy: PolicyIO = Field(description="the policy the year runs under: its own successor policy, else the "
                             "programme's")
    own_policy: bool = Field(description="the year runs under a successor policy of its own (else the programme's)")

    @classmethod
    def of(cls, rules: YearRules, now: datetime, programme: Programme) -> YearOut:
        record = rules.as_record()
        policy = rules.policy or Policy(programme.name, programme.document_number, programme.policy_date)
        return cls(**{**record, "min_payment_ratio": str(rules.min_payment_ratio),
                      "evaluation": EvaluationRulesIO.of(rules.evaluation),
                      "policy": PolicyIO(name=policy.name, document_number=policy.document_number,
                                         policy_date=policy.policy_date)},
                   phase=rules.phase(now).value, open=rules.is_open(now), own_policy=rules.policy is not None)


class ProgrammeOut(BaseModel):
    name: str
    document_number: str
    policy_date: date
    now: datetime = Field(description="the service's clock")
    training: bool = Field(description="a training service: its clock or its store is not the real record")
    training_clock_started_at: datetime | None = Field(None, description="where this store's training clock started")
    years: list[YearOut]
    open_years: list[int]


# -- the working calendar (工作日) of a calendar year ----------------------------------------------------------------
class _Arrangement(Body):
    days_off: list[Day] = Field(max_length=366, description="statutory holidays and the weekdays moved to join them "
                                "(放假), Asia/Shanghai")
    workdays: list[Day] = Field(max_length=366, description="Saturdays and Sundays worked in exchange (调休上班)")
    notice: Text = Field(description="the notice of the arrangement (国务院办公厅关于节假日安排的通知), e.g. its number")


class PublishWorkingCalendar(_Arrangement):
    """A calendar year's holiday arrangement: objection windows count working days on it (a window that reaches a
    year with none is refused, 409 WORKING_CALENDAR_NOT_RECORDED)."""

    model_config = example("PublishWorkingCalendar")

    year: Year


class ReviseWorkingCalendar(_Arrangement):
    """The year's arrangement corrected as a whole; windows of lists already published stay as recorded."""

    model_config = example("ReviseWorkingCalendar")

    reason: Text


class WorkingCalendarOut(BaseModel):
    year: int
    days_off: list[date]
    workdays: list[date]
    notice: str
    revisions: int = Field(description="how many times the arrangement was revised since it was recorded")
