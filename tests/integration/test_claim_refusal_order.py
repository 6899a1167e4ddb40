"""DOMAIN.md "Refusal order": a claim that breaks several rules is refused with the first in the documented order
evidence malformed → voucher unknown, revoked or expired → category not covered or not the voucher's → provider not
whitelisted or eliminated → duplicate evidence → contract before the policy date or payment below 90 % → provider
quota → voucher balance exhausted, and the refusal lists every rule it breaks (LedgerError.violations; over HTTP the
problem+json ``violations`` member: tests/e2e/test_api_claim_refusals.py). A refused claim changes nothing.

Runs on SQLite and PostgreSQL (the ``world`` fixture); the 2019 catalogue of tests/support/scenario.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ledger.errors import LedgerError

ORDER = ["INVALID_INPUT", "VOUCHER_REVOKED", "CATEGORY_NOT_COVERED", "PROVIDER_NOT_WHITELISTED", "DUPLICATE_CLAIM",
         "CONTRACT_BEFORE_POLICY", "QUOTA_NOT_SET", "VOUCHER_EXHAUSTED"]


def refused(world, attempt) -> LedgerError:
    before = world.app.recorder.max_notification_id()
    with pytest.raises(LedgerError) as excinfo:
        attempt()
    assert world.app.recorder.max_notification_id() == before  # nothing written
    return excinfo.value


def codes(error: LedgerError) -> list[str]:
    return [code for code, _ in error.violations]


def test_a_claim_breaking_three_rules_names_the_first_in_domain_order_and_lists_all_three(world):
    voucher_id = world.issue(world.eligible_enterprise()).voucher_id
    unassessed = world.provider(whitelisted=False)  # not on the whitelist; it has a quota
    underpaid = world.evidence(contract_amount_fen=1_000_000, paid_fen=850_000)  # 85 % paid
    error = refused(world, lambda: world.claim(voucher_id, unassessed, eligible_fee_fen=1_000_000,
                                               fee_category="AUTOMATION_EQUIPMENT", evidence=underpaid))
    # The payment is checked first in the code's own flow (the evidence is read before anything else), and the
    # category before the provider; the answer still follows DOMAIN.md's order.
    assert error.code == "CATEGORY_NOT_COVERED"
    assert codes(error) == ["CATEGORY_NOT_COVERED", "PROVIDER_NOT_WHITELISTED", "PAYMENT_INSUFFICIENT"]
    assert all(message for _, message in error.violations)


def test_a_claim_breaking_a_rule_of_every_rank_lists_them_in_domain_order(world):
    voucher_id = world.issue(world.eligible_enterprise(), "NET-RENO").voucher_id  # 40 %, face 3,000,000 fen
    platform = world.provider()
    used = world.evidence(contract_amount_fen=7_500_000, invoice_nos=("FP-USED",))
    world.claim(voucher_id, platform, eligible_fee_fen=7_500_000, fee_category="NETWORK_RENOVATION", evidence=used)
    assert world.app.voucher(voucher_id).balance_fen == 0  # 0.40 × 7,500,000 = 3,000,000: the whole face value
    world.app.revoke_voucher(world.by(), voucher_id=voucher_id, reason="false revenue declaration")
    outsider = world.provider(whitelisted=False, quota_fen=None)
    evidence = world.evidence(contract_amount_fen=1_000_000, invoice_nos=("FP-USED",),
                              signed_at=datetime(2018, 3, 1, tzinfo=UTC))
    blank_proof = type(evidence)(**{**evidence.__dict__, "payment_proof_ref": "  "})
    error = refused(world, lambda: world.claim(voucher_id, outsider, eligible_fee_fen=1_000_000,
                                               fee_category="AUTOMATION_EQUIPMENT", evidence=blank_proof))
    assert error.code == "INVALID_INPUT"
    assert codes(error) == ORDER


@pytest.mark.parametrize(("breaks", "first"), [
    # Each pair: the later rule is the one the ledger used to meet first.
    (("duplicate", "not-whitelisted"), "PROVIDER_NOT_WHITELISTED"),
    (("payment", "duplicate"), "DUPLICATE_CLAIM"),
    (("payment", "unknown-voucher"), "VOUCHER_NOT_FOUND"),
    (("quota", "category"), "CATEGORY_MISMATCH"),
])
def test_of_two_broken_rules_the_earlier_in_domain_order_is_named(world, breaks, first):
    voucher_id = world.issue(world.eligible_enterprise()).voucher_id  # APP-ERP, 50 %
    platform = world.provider(whitelisted="not-whitelisted" not in breaks,
                              quota_fen=100 if "quota" in breaks else 500_000_000)
    if "duplicate" in breaks:
        world.claim(voucher_id, world.provider(), eligible_fee_fen=1_000,
                    evidence=world.evidence(contract_amount_fen=1_000, invoice_nos=("FP-TWICE",)))
    evidence = world.evidence(contract_amount_fen=1_000_000, paid_fen=800_000 if "payment" in breaks else None,
                              invoice_nos=("FP-TWICE",) if "duplicate" in breaks else None)
    on = uuid4() if "unknown-voucher" in breaks else voucher_id
    category = "DEVICE_ACCESS" if "category" in breaks else "APPLICATION_SERVICE"
    error = refused(world, lambda: world.claim(on, platform, eligible_fee_fen=1_000_000, fee_category=category,
                                               evidence=evidence))
    assert error.code == first
    assert len(error.violations) == 2 and codes(error)[0] == first


def test_the_cli_answer_lists_every_rule_a_refused_claim_breaks(tmp_path):
    from tests.e2e.test_api_cli import run

    done = run(["walkthrough", "--db", str(tmp_path / "walk.sqlite3")], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # The walk-through submits a claim's contract and invoice again: the invoice rule comes first, then the
    # contract's (already claimed in full), on the line after.
    first = next(i for i, line in enumerate(lines) if "refused the same contract and invoice again" in line)
    assert "DUPLICATE_CLAIM" in lines[first]
    assert any("CONTRACT_OVERCLAIMED" in line for line in lines[first + 1:first + 4])
