"""What the resource pool's evaluation takes and answers (三(三)): ratings, complaints, the year's run and its
results, each shown with the formula and lines it was computed by. Money is integer fen; scores are decimals as text."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.http.models.examples import example
from api.http.models.fields import Text
from ledger.evaluation import EvaluationResult
from ledger.evaluation_rules import EvaluationRules


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RateService(Body):
    model_config = example("RateService")

    score: int = Field(strict=True, ge=1, le=5, description="1 (poor) to 5 (excellent); a claim is rated once")
    comment: str | None = Field(None, max_length=500, description="what the enterprise has to say, if anything")


class FileComplaint(Body):
    model_config = example("FileComplaint")

    reason: Text = Field(description="what the complaint is about (recorded, shown in the audit trail)")


class EvaluationRulesIO(Body):
    """A year's evaluation: score = average rating x points_per_star (unrated: unrated_score) - complaints x
    complaint_penalty - failed spot checks x failed_spot_check_penalty, never below 0; at or above promotion_line
    promoted, below elimination_line eliminated for the next year; next year's quota = the next year's cap for the
    provider's kind x the factor of the first band (highest first) whose lower bound the score reaches."""

    formula: str = Field(min_length=1, max_length=100, description="the formula's name and version")
    points_per_star: int = Field(strict=True, ge=0, le=100)
    unrated_score: int = Field(strict=True, ge=0, le=100)
    complaint_penalty: int = Field(strict=True, ge=0, le=100)
    failed_spot_check_penalty: int = Field(strict=True, ge=0, le=100)
    promotion_line: int = Field(strict=True, ge=0, le=100)
    elimination_line: int = Field(strict=True, ge=0, le=100)
    quota_bands: list[tuple[int, Decimal]] = Field(max_length=20, description="(lowest score, factor), highest first")

    def rules(self) -> EvaluationRules:
        return EvaluationRules(**{**self.model_dump(), "quota_bands": tuple(tuple(b) for b in self.quota_bands)})

    @classmethod
    def of(cls, rules: EvaluationRules) -> EvaluationRulesIO:
        return cls(**rules.as_record())


class Recorded(BaseModel):
    id: UUID


class EvaluationResultOut(BaseModel):
    provider_id: UUID
    year: int
    kind: str
    rules: EvaluationRulesIO = Field(description="the year's formula and lines, as configured when it was run")
    ratings: int
    rating_points: int
    average_rating: str | None
    complaints: int
    spot_checks_passed: int
    spot_checks_failed: int
    score: str
    outcome: str = Field(description="PROMOTED (重点宣传推荐), RETAINED or ELIMINATED (out of the pool next year)")
    promoted: bool
    next_year: int
    cap_fen: int | None = Field(description="the next year's cap for the provider's kind (None: none configured)")
    quota_factor: str
    next_quota_fen: int | None = Field(description="cap x factor, rounded down")
    quota_set_fen: int | None = Field(description="the next year's quota set: never below what claims already hold")
    evaluated_at: datetime

    @classmethod
    def of(cls, r: EvaluationResult) -> EvaluationResultOut:
        i = r.inputs
        return cls(provider_id=r.provider_id, year=r.year, kind=r.kind, rules=EvaluationRulesIO.of(r.rules),
                   ratings=i.ratings, rating_points=i.rating_points,
                   average_rating=None if i.average_rating is None else str(i.average_rating), complaints=i.complaints,
                   spot_checks_passed=i.spot_checks_passed, spot_checks_failed=i.spot_checks_failed, score=str(r.score),
                   outcome=r.outcome, promoted=r.promoted, next_year=r.year + 1, cap_fen=r.cap_fen,
                   quota_factor=str(r.quota_factor), next_quota_fen=r.next_quota_fen, quota_set_fen=r.quota_set_fen,
                   evaluated_at=r.evaluated_at)


class PoolEvaluationOut(BaseModel):
    year: int
    evaluated: int
    promoted: int
    eliminated: int
    results: list[EvaluationResultOut]

    @classmethod
    def of(cls, year: int, results: list[EvaluationResult]) -> PoolEvaluationOut:
        return cls(year=year, evaluated=len(results), promoted=sum(r.promoted for r in results),
                   eliminated=sum(r.eliminated for r in results), results=[EvaluationResultOut.of(r) for r in results])

