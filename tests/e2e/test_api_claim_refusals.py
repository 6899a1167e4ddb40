"""A refused claim over HTTP: problem+json whose ``code`` is the first broken rule in DOMAIN.md's refusal order and
whose ``violations`` lists every rule the claim breaks ({code, message} each); a known but uncovered fee category is
the ledger's refusal (CATEGORY_NOT_COVERED), not a schema error."""

from __future__ import annotations

import json

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


def test_a_duplicate_invoice_refusal_tells_an_enterprise_nothing_of_another_enterprises_claim(api):
    """DUPLICATE_CLAIM names the invoice by its number (the claimant typed it), and the claim holding it only when
    that claim is on the claimant's own voucher: an invoice held by another enterprise's claim is refused without its
    claim, voucher, enterprise or USCC, in the detail and in every violation (ledger/evidence_keys.py). This pins
    the scope rule the review asked about; it held before."""
    invoice = "INV-SCOPE-77"
    theirs = ok(api.claim(api.voucher, api.claim_body(api.provider, eligible_fee_fen=100_000,
                                                      invoice_nos=[invoice])), 201)
    holder = ok(api.get(f"/v1/vouchers/{api.voucher}"))
    mine = api.eligible_enterprise()
    my_voucher = ok(api.issue(mine), 201)["voucher_id"]
    body = api.claim_body(api.provider, eligible_fee_fen=100_000, invoice_nos=[invoice])
    problem = assert_problem(api.claim(my_voucher, body, role=f"enterprise:{mine.uscc}"), 409, "DUPLICATE_CLAIM")
    told = json.dumps(problem, ensure_ascii=False)
    assert invoice in problem["detail"]
    for secret in (theirs["claim_id"], api.voucher, holder["enterprise_id"], holder["enterprise_uscc"],
                   holder["enterprise_name"]):
        assert secret not in told, secret
    # on the claimant's own voucher the holding claim is its own, and named
    again = assert_problem(api.claim(api.voucher, body), 409, "DUPLICATE_CLAIM")
    assert theirs["claim_id"] in again["detail"]
