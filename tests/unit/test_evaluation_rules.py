"""The evaluation formula and its configuration (``ledger/evaluation_rules.py``), figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger import default_programme
from ledger.errors import InvalidInputError
from ledger.evaluation_rules import EvaluationInputs, EvaluationRules
from ledger.programme import ProgrammeYear

STRICT = EvaluationRules(formula="strict-v2", points_per_star=20, unrated_score=50, complaint_penalty=10,
                         failed_spot_check_penalty=15, promotion_line=85, elimination_line=55,
                         quota_bands=((85, Decimal("1.5")), (70, Decimal("1.0")), (55, Decimal("0.5"))))


def inputs(*ratings: int, complaints: int = 0, passed: int = 0, failed: int = 0) -> EvaluationInputs:
    return EvaluationInputs(ratings=len(ratings), rating_points=sum(ratings), complaints=complaints,
                            spot_checks_passed=passed, spot_checks_failed=failed)


def test_a_score_is_the_average_rating_in_points_less_complaints_and_failed_spot_checks():
    # (3 + 4 + 4 + 5) x 20 / 4 = 80; one complaint 70; one failed spot check 55: on the line, so not eliminated
    score = STRICT.score(inputs(3, 4, 4, 5, complaints=1, failed=1, passed=2))
    assert score == Decimal("55.00")
    assert STRICT.outcome(score).value == "RETAINED"
    # the lowest band (55) halves the cap: 30,000,001 fen x 0.5 = 15,000,000.5, rounded down
    assert STRICT.next_quota_fen(score, 30_000_001) == 15_000_000


def test_the_lines_and_bands_decide_promotion_elimination_and_quota():
    assert STRICT.score(inputs(5, 4)) == Decimal("90.00") and STRICT.outcome(Decimal("90.00")).value == "PROMOTED"
    assert STRICT.next_quota_fen(Decimal("90.00"), 1_000) == 1_500
    assert STRICT.outcome(Decimal("54.99")).value == "ELIMINATED"
    assert STRICT.next_quota_fen(Decimal("54.99"), 1_000) == 0
    assert STRICT.next_quota_fen(Decimal("70.00"), 1_000) == 1_000
    # the promotion line itself promotes ("the best": at or above it), one hundredth below does not
    assert STRICT.outcome(Decimal("85.00")).value == "PROMOTED"
    assert STRICT.outcome(Decimal("84.99")).value == "RETAINED"


def test_an_unrated_provider_scores_the_configured_figure_and_no_score_goes_below_zero():
    assert STRICT.score(inputs()) == Decimal("50.00")
    assert inputs().average_rating is None
    assert STRICT.score(inputs(1, complaints=3, failed=2)) == Decimal("0.00")  # 20 - 30 - 30


def test_averages_and_scores_are_rounded_half_up_to_hundredths():
    # (5 + 5 + 4) / 3 = 4.666... → 4.67; x 20 = 93.333... → 93.33
    assert inputs(5, 5, 4).average_rating == Decimal("4.67")
    assert STRICT.score(inputs(5, 5, 4)) == Decimal("93.33")


def test_a_configuration_that_cannot_be_applied_is_refused():
    with pytest.raises(InvalidInputError):
        EvaluationRules(**{**vars(STRICT), "elimination_line": 90})
    with pytest.raises(InvalidInputError):
        EvaluationRules(**{**vars(STRICT), "quota_bands": ((55, Decimal("0.5")), (85, Decimal("1.5")))})
    with pytest.raises(InvalidInputError):
        EvaluationRules(**{**vars(STRICT), "points_per_star": 101})


def test_a_rule_reads_back_from_its_record():
    assert EvaluationRules.from_record(STRICT.as_record()) == STRICT


def test_a_year_stored_before_the_evaluation_was_configured_reads_the_2018_2020_figures():
    state: dict = {}
    ProgrammeYear.Opened.upcast_v1_v2(state)
    assert EvaluationRules.from_record(state["evaluation"]) == default_programme.EVALUATION
    assert all(rules.evaluation == default_programme.EVALUATION for rules in default_programme.YEARS)

