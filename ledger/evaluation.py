"""The resource pool's annual evaluation (三(三)): enterprises' ratings and complaints, and each provider's result.

A rating is its own record at an id derived from the claim it rates (``ids.service_rating_id``), so a second rating
of one claim is a second creation the store refuses, whoever races. In the same transaction it is counted on the
provider's review of the voucher's programme year (``ProviderReview``): the running tallies the evaluation reads,
kept with every rating so they cannot drift from the ratings. The evaluation closes the review with one event that
carries every input, the year's formula and lines, the score and what followed (promotion flag, elimination, next
year's quota), so it can be re-derived and audited from that event alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.errors import InvalidInputError, YearAlreadyEvaluatedError, YearNotOverError
from ledger.evaluation_rules import EvaluationInputs, EvaluationRules, Outcome
from ledger.fiscal_time import shanghai_text
from ledger.programme import YearRules
from ledger.recording import By, LedgerAggregate

COMMENT_LIMIT = 500


class ServiceRating(LedgerAggregate):
    """An enterprise's rating (1-5) of the service its claim paid for; once per claim."""

    read_after_write = False

    class Rated(LedgerAggregate.Created):
        voucher_id: UUID
        claim_id: UUID
        provider_id: UUID
        enterprise_id: UUID
        year: int  # the voucher's programme year: the evaluation it counts in
        score: int
        comment: str

        def apply(self, r: ServiceRating) -> None:
            r.claim_id, r.provider_id, r.year, r.score = self.claim_id, self.provider_id, self.year, self.score

    @classmethod
    def rate(cls, by: By, *, voucher_id: UUID, claim_id: UUID, provider_id: UUID, enterprise_id: UUID, year: int,
             score: object, comment: object) -> ServiceRating:
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidInputError(f"a rating is a whole number from 1 to 5, got {score!r}")
        return cls._start(cls.Rated, ids.service_rating_id(claim_id), by, voucher_id=voucher_id, claim_id=claim_id,
                          provider_id=provider_id, enterprise_id=enterprise_id, year=year, score=score,
                          comment=_comment(comment, required=False))


class Complaint(LedgerAggregate):
    """An enterprise's complaint about the provider of one of its claims."""

    read_after_write = False

    class Filed(LedgerAggregate.Created):
        voucher_id: UUID
        claim_id: UUID
        provider_id: UUID
        enterprise_id: UUID
        year: int
        reason: str

        def apply(self, c: Complaint) -> None:
            c.claim_id, c.provider_id, c.year = self.claim_id, self.provider_id, self.year

    @classmethod
    def file(cls, by: By, *, complaint_id: UUID, voucher_id: UUID, claim_id: UUID, provider_id: UUID,
             enterprise_id: UUID, year: int, reason: object) -> Complaint:
        return cls._start(cls.Filed, complaint_id, by, voucher_id=voucher_id, claim_id=claim_id,
                          provider_id=provider_id, enterprise_id=enterprise_id, year=year,
                          reason=_comment(reason, required=True))


class ProviderReview(LedgerAggregate):
    """One provider's programme year in the pool: ratings and complaints counted as they come, then evaluated."""

    class Opened(LedgerAggregate.Created):
        provider_id: UUID
        year: int

        def apply(self, r: ProviderReview) -> None:
            r.provider_id, r.year = self.provider_id, self.year
            r.ratings = r.rating_points = r.complaints = 0
            r.evaluated = False

    class RatingCounted(LedgerAggregate.Event):
        claim_id: UUID
        score: int

        def apply(self, r: ProviderReview) -> None:
            r.ratings += 1
            r.rating_points += self.score

    class ComplaintCounted(LedgerAggregate.Event):
        complaint_id: UUID
        claim_id: UUID

        def apply(self, r: ProviderReview) -> None:
            r.complaints += 1

    class Evaluated(LedgerAggregate.Event):
        """The year's result with everything it was computed from (``ledger/evaluation_rules.py``)."""

        rules: dict[str, Any]  # the year's formula, lines and quota bands, as configured
        ratings: int
        rating_points: int
        average_rating: Decimal | None
        complaints: int
        spot_checks_passed: int
        spot_checks_failed: int
        score: Decimal
        outcome: str
        next_year: int
        kind: str
        cap_fen: int | None  # the next year's cap for the provider's kind; None: none configured, no quota set
        quota_factor: Decimal
        next_quota_fen: int | None  # cap x factor, rounded down
        quota_set_fen: int | None  # what was set: never below what claims of the next year already hold

        def apply(self, r: ProviderReview) -> None:
            r.evaluated = True
            r.score, r.outcome = self.score, self.outcome

    @classmethod
    def open(cls, by: By, *, provider_id: UUID, year: int) -> ProviderReview:
        return cls._start(cls.Opened, ids.provider_review_id(provider_id, year), by, provider_id=provider_id,
                          year=year)

    def _require_open(self) -> None:
        if self.evaluated:
            raise YearAlreadyEvaluatedError(
                f"the {self.year} resource pool was evaluated: ratings and complaints of that year are closed")

    def count_rating(self, by: By, *, claim_id: UUID, score: int) -> None:
        self._require_open()
        self._record(self.RatingCounted, by, claim_id=claim_id, score=score)

    def count_complaint(self, by: By, *, complaint_id: UUID, claim_id: UUID) -> None:
        self._require_open()
        self._record(self.ComplaintCounted, by, complaint_id=complaint_id, claim_id=claim_id)

    def inputs(self, spot_checks_passed: int, spot_checks_failed: int) -> EvaluationInputs:
        return EvaluationInputs(ratings=self.ratings, rating_points=self.rating_points, complaints=self.complaints,
                                spot_checks_passed=spot_checks_passed, spot_checks_failed=spot_checks_failed)

    def evaluate(self, by: By, *, rules: EvaluationRules, inputs: EvaluationInputs, kind: str, cap_fen: int | None,
                 used_next_year_fen: int) -> EvaluationResult:
        """Score the year and record the result; returns it (the command acts on its outcome)."""
        self._require_open()
        score = rules.score(inputs)
        next_quota = None if cap_fen is None else rules.next_quota_fen(score, cap_fen)
        result = EvaluationResult(
            provider_id=self.provider_id, year=self.year, rules=rules, inputs=inputs, score=score,
            outcome=rules.outcome(score).value, kind=kind, cap_fen=cap_fen, quota_factor=rules.quota_factor(score),
            next_quota_fen=next_quota,
            quota_set_fen=None if next_quota is None else max(next_quota, used_next_year_fen),
            evaluated_at=by.at)
        self._record(
            self.Evaluated, by, rules=rules.as_record(), ratings=inputs.ratings, rating_points=inputs.rating_points,
            average_rating=inputs.average_rating, complaints=inputs.complaints,
            spot_checks_passed=inputs.spot_checks_passed, spot_checks_failed=inputs.spot_checks_failed, score=score,
            outcome=result.outcome, next_year=self.year + 1, kind=kind, cap_fen=cap_fen,
            quota_factor=result.quota_factor, next_quota_fen=next_quota, quota_set_fen=result.quota_set_fen,
        )
        return result


@dataclass(frozen=True)
class EvaluationResult:
    """A provider's result for a year, with what it was computed from (as its ``Evaluated`` event records it)."""

    provider_id: UUID
    year: int
    rules: EvaluationRules
    inputs: EvaluationInputs
    score: Decimal
    outcome: str  # Outcome
    kind: str
    cap_fen: int | None
    quota_factor: Decimal
    next_quota_fen: int | None
    quota_set_fen: int | None
    evaluated_at: datetime

    @property
    def formula(self) -> str:
        return self.rules.formula

    @property
    def eliminated(self) -> bool:
        return self.outcome == Outcome.ELIMINATED

    @property
    def promoted(self) -> bool:
        return self.outcome == Outcome.PROMOTED

    @classmethod
    def of(cls, provider_id: UUID, year: int, e: ProviderReview.Evaluated) -> EvaluationResult:
        """The result as its event recorded it."""
        inputs = EvaluationInputs(ratings=e.ratings, rating_points=e.rating_points, complaints=e.complaints,
                                  spot_checks_passed=e.spot_checks_passed, spot_checks_failed=e.spot_checks_failed)
        return cls(provider_id=provider_id, year=year, rules=EvaluationRules.from_record(e.rules), inputs=inputs,
                   score=e.score, outcome=e.outcome, kind=e.kind, cap_fen=e.cap_fen, quota_factor=e.quota_factor,
                   next_quota_fen=e.next_quota_fen, quota_set_fen=e.quota_set_fen, evaluated_at=e.timestamp)


def require_year_over(rules: YearRules, at: datetime) -> None:
    """A year is evaluated once its redemption deadline has passed (``at``: the evaluation's time, which is also when
    its eliminations take effect).

    Why the redemption deadline and not the end of issuance: the evaluation judges the year's service from its
    ratings and complaints, and closes them (``ProviderReview._require_open``); the year's vouchers are claimed on,
    and those claims rated and complained about, until that deadline (DOMAIN.md "Vouchers": valid until the year's
    redemption deadline). Run at the end of issuance it would shut out every claim of the redemption months. The next
    year needs no earlier run: it issues on its providers' quotas as set, eliminations take effect from the run on,
    and a quota the run sets never falls below what the next year's claims already hold (``ProviderReview.evaluate``).
    """
    if at < rules.redemption_ends:
        raise YearNotOverError(
            f"the {rules.year} resource pool is evaluated once the year is over: its vouchers are redeemable, and "
            f"their claims rated, until {rules.redemption_deadline} (the evaluation can run from "
            f"{shanghai_text(rules.redemption_ends)})")


class PoolEvaluation(LedgerAggregate):
    """That a year's evaluation was run, by whom and over which providers: once per programme year."""

    read_after_write = False

    class Run(LedgerAggregate.Created):
        year: int
        formula: str
        provider_ids: list[UUID]
        promoted: int
        eliminated: int

        def apply(self, p: PoolEvaluation) -> None:
            p.year, p.provider_ids = self.year, self.provider_ids

    @classmethod
    def run(cls, by: By, *, year: int, formula: str, provider_ids: list[UUID], promoted: int,
            eliminated: int) -> PoolEvaluation:
        return cls._start(cls.Run, ids.pool_evaluation_id(year), by, year=year, formula=formula,
                          provider_ids=provider_ids, promoted=promoted, eliminated=eliminated)


def _comment(text: object, *, required: bool) -> str:
    if text is None and not required:
        return ""
    if not isinstance(text, str) or (required and not text.strip()):
        raise InvalidInputError("a complaint says what it is about" if required else "a comment is text")
    if len(text.strip()) > COMMENT_LIMIT:
        raise InvalidInputError(f"at most {COMMENT_LIMIT} characters, got {len(text.strip())}")
    return text.strip()
