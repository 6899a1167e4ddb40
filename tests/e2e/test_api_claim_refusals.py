"""A refused claim over HTTP: problem+json whose ``code`` is the first broken rule in DOMAIN.md's refusal order and
whose ``violations`` lists every rule the claim breaks ({code, message} each); a known but uncovered fee category is
the ledger's refusal (CATEGORY_NOT_COVERED), not a schema error."""

from __future__ import annotations

import pytest

from tests.support.api_helpers import api_ready_for_claims, assert_problem, ok, store_params


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    with api_ready_for_claims(request, tmp_path_factory) as api:
        yield api


def test_a_claim_breaking_three_rules_answers_the_first_and_lists_all_three(api):
    unassessed = api.admit()  # never assessed: not on the whitelist
    api.provider_quota(unassessed)
    body = {**api.claim_body(unassessed, eligible_fee_fen=1_000_000, fee_category="AUTOMATION_EQUIPMENT"),
            "payment_proven_fen": 899_999}  # below 90 % of 1,000,000
    before = api.event_count()
    problem = assert_problem(api.claim(api.voucher, body), 409, "CATEGORY_NOT_COVERED")
    assert [v["code"] for v in problem["violations"]] == [
        "CATEGORY_NOT_COVERED", "PROVIDER_NOT_WHITELISTED", "PAYMENT_INSUFFICIENT"]
    assert all(isinstance(v["message"], str) and v["message"] for v in problem["violations"])
    assert set(problem["violations"][0]) == {"code", "message"}
    assert api.event_count() == before


@pytest.mark.parametrize("category", ["AUTOMATION_EQUIPMENT", "NON_CLOUD_SOFTWARE"])
def test_a_known_uncovered_category_is_refused_as_not_covered(api, category):
    body = api.claim_body(api.provider, eligible_fee_fen=100_000, fee_category=category)
    problem = assert_problem(api.claim(api.voucher, body), 409, "CATEGORY_NOT_COVERED")
    assert [v["code"] for v in problem["violations"]] == ["CATEGORY_NOT_COVERED"]


def test_an_unknown_category_is_still_invalid_input(api):
    body = api.claim_body(api.provider, eligible_fee_fen=100_000, fee_category="GOLD_PLATING")
    problem = assert_problem(api.claim(api.voucher, body), 422, "INVALID_INPUT")
    assert any(e["location"][-1] == "fee_category" for e in problem["errors"])
    assert "violations" not in problem


def test_a_rejected_claims_evidence_is_resubmitted_over_http(api):
    body = api.claim_body(api.provider, eligible_fee_fen=200_000)
    first = ok(api.claim(api.voucher, body), 201)
    assert_problem(api.claim(api.voucher, body), 409, "DUPLICATE_CLAIM")
    ok(api.reject(api.voucher, first["claim_id"]))
    again = ok(api.claim(api.voucher, body), 201)
    assert again["claim_id"] != first["claim_id"] and again["amount_fen"] == 100_000  # 0.50 × 200,000
