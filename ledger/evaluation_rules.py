"""The resource pool's annual evaluation as configured for a programme year (三(三); DOMAIN.md, "Resource pool
evaluation"): the formula that scores a provider, the promotion and elimination lines, and the rule that sets its
next year's quota. A year's figures are data (``YearRules.evaluation``), recorded with every result.

Formula (version named by ``formula``), on a 0-100 scale, in hundredths:

    rating part = average rating (1-5) x ``points_per_star``, or ``unrated_score`` when nobody rated the provider
    score       = rating part - complaints x ``complaint_penalty`` - failed spot checks x ``failed_spot_check_penalty``,
                  never below 0

A score at or above ``promotion_line`` is flagged for promotion (重点宣传推荐); a score below ``elimination_line`` is
eliminated from the pool for the next year. The next year's quota is the next year's cap for the provider's kind
times the factor of the first band (highest first) whose lower bound the score reaches, rounded down to the fen;
an eliminated provider's is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from ledger.errors import InvalidInputError

HUNDREDTHS = Decimal("0.01")
MAX_QUOTA_FACTOR = 10  # next year's quota at most ten times its kind's cap
FACTOR_STEP = Decimal("0.000001")  # six decimals, as a rate (ledger/money.py)


class Outcome(StrEnum):
    PROMOTED = "PROMOTED"  # 重点宣传推荐
    RETAINED = "RETAINED"
    ELIMINATED = "ELIMINATED"  # out of the pool for the next year


@dataclass(frozen=True)
class EvaluationInputs:
    """What a provider's evaluation is computed from: the year's running tallies and spot checks."""

    ratings: int
    rating_points: int  # the sum of the ratings (1-5 each)
    complaints: int
    spot_checks_passed: int
    spot_checks_failed: int

    @property
    def average_rating(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(self.rating_points) / self.ratings).quantize(HUNDREDTHS, ROUND_HALF_UP)


@dataclass(frozen=True)
class EvaluationRules:
    formula: str
    points_per_star: int
    unrated_score: int
    complaint_penalty: int
    failed_spot_check_penalty: int
    promotion_line: int
    elimination_line: int
    quota_bands: tuple[tuple[int, Decimal], ...]  # (lowest score of the band, factor), highest band first

    def __post_init__(self) -> None:
        if not isinstance(self.formula, str) or not self.formula.strip():
            raise InvalidInputError("an evaluation formula is named (its version)")
        for name in ("points_per_star", "unrated_score", "complaint_penalty", "failed_spot_check_penalty",
                     "promotion_line", "elimination_line"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise InvalidInputError(f"evaluation {name} must be a whole number from 0 to 100, got {value!r}")
        if self.elimination_line > self.promotion_line:
            raise InvalidInputError("the elimination line cannot lie above the promotion line")
        bands = tuple((int(low), Decimal(str(factor))) for low, factor in self.quota_bands)
        if [low for low, _ in bands] != sorted({low for low, _ in bands}, reverse=True):
            raise InvalidInputError("quota bands are listed from the highest score down, each lower bound once")
        if any(factor < 0 for _, factor in bands):
            raise InvalidInputError("a quota factor cannot be negative")
        object.__setattr__(self, "quota_bands", bands)

    # -- the formula -----------------------------------------------------------------------------------------------
    def score(self, inputs: EvaluationInputs) -> Decimal:
        if inputs.ratings:
            rating_part = Decimal(inputs.rating_points * self.points_per_star) / inputs.ratings
        else:
            rating_part = Decimal(self.unrated_score)
        score = (rating_part - inputs.complaints * self.complaint_penalty
                 - inputs.spot_checks_failed * self.failed_spot_check_penalty)
        return max(score, Decimal(0)).quantize(HUNDREDTHS, ROUND_HALF_UP)

    def outcome(self, score: Decimal) -> Outcome:
        if score < self.elimination_line:
            return Outcome.ELIMINATED
        return Outcome.PROMOTED if score >= self.promotion_line else Outcome.RETAINED

    def quota_factor(self, score: Decimal) -> Decimal:
        if self.outcome(score) is Outcome.ELIMINATED:
            return Decimal(0)
        return next((factor for low, factor in self.quota_bands if score >= low), Decimal(0))

    def next_quota_fen(self, score: Decimal, cap_fen: int) -> int:
        return int((cap_fen * self.quota_factor(score)).to_integral_value(ROUND_DOWN))

    # -- as stored ---------------------------------------------------------------------------------------------------
    def factors_checked(self) -> EvaluationRules:
        """These rules, or a refusal of a quota factor they cannot apply. Checked when a year is opened, not when its
        rules are read back: a year's rules are never edited, so a factor it cannot apply (1e999999999 overflows; 1e308
        makes a quota of 316 digits) would leave the year never evaluated."""
        for _, factor in self.quota_bands:
            if not factor.is_finite() or factor > MAX_QUOTA_FACTOR or factor != factor.quantize(FACTOR_STEP):
                raise InvalidInputError(f"a quota factor is at most {MAX_QUOTA_FACTOR} (that many times the kind's "
                                        f"cap) with at most 6 decimal places, got {factor}")
        return self

    def as_record(self) -> dict[str, Any]:
        return {
            "formula": self.formula, "points_per_star": self.points_per_star, "unrated_score": self.unrated_score,
            "complaint_penalty": self.complaint_penalty, "failed_spot_check_penalty": self.failed_spot_check_penalty,
            "promotion_line": self.promotion_line, "elimination_line": self.elimination_line,
            # factors as text: exact, and plain JSON inside the year's record
            "quota_bands": [[low, str(factor)] for low, factor in self.quota_bands],
        }

    @classmethod
    def from_record(cls, r: Mapping[str, Any]) -> EvaluationRules:
        return cls(formula=r["formula"], points_per_star=r["points_per_star"], unrated_score=r["unrated_score"],
                   complaint_penalty=r["complaint_penalty"], failed_spot_check_penalty=r["failed_spot_check_penalty"],
                   promotion_line=r["promotion_line"], elimination_line=r["elimination_line"],
                   quota_bands=tuple((int(low), Decimal(factor)) for low, factor in r["quota_bands"]))

