"""The pure claim rules (ledger.claim_rules.judge_claim, ClaimEvidence.review), judged in memory: the subsidy and its
rounding, the boundaries of each rule, and DOMAIN.md's refusal order ("Redemption")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.unit.builders import DEADLINE, NOW, Desk, assess, by, evidence, provider, voucher

GUANGDONG = ZoneInfo("Asia/Shanghai")


def codes(judgement) -> list[str]:
    return [r.code for r in judgement.refusals]


def test_the_subsidy_is_rate_times_fee_rounded_down_to_the_fen():
    desk = Desk(voucher(rate="0.33"))
    fee = 1_000_003  # 0.33 × 1,000,003 fen = 330,000.99 fen
    judgement = desk.judge(fee=fee)
    assert codes(judgement) == []
    assert judgement.amount_fen == 330_000 == fee * 33 // 100


def test_the_subsidy_stops_at_the_balance_and_a_used_up_voucher_refuses_the_next_claim():
    face = 10_000
    desk = Desk(voucher(cap_fen=face))
    first = desk.claim("claim-1", ev=evidence(invoices=("FP-1",), contract_no="HT-1"), fee=15_000)
    assert first == 15_000 // 2
    second = desk.claim("claim-2", ev=evidence(invoices=("FP-2",), contract_no="HT-2"), fee=10_000)
    assert second == face - first  # min(0.50 × 10,000 = 5,000, balance 2,500)
    assert desk.voucher.balance_fen == 0
    third = desk.judge("claim-3", ev=evidence(invoices=("FP-3",), contract_no="HT-3"), fee=10_000)
    assert codes(third) == ["VOUCHER_EXHAUSTED"]


def test_a_fee_whose_subsidy_rounds_down_to_nothing_is_refused():
    assert codes(Desk().judge(fee=1)) == ["ZERO_SUBSIDY"]  # 0.50 × 1 fen = 0.5 fen → 0


@pytest.mark.parametrize(("contract_fen", "paid_fen", "refused"), [
    (1_000_000, 900_000, False),  # exactly 90 %
    (1_000_000, 899_999, True),
    (1_000_001, 900_000, True),  # 90 % is 900,000.9 fen: no rounding in the claimant's favour
    (1_000_001, 900_001, False),
])
def test_payment_proven_must_reach_90_percent_of_the_contract(contract_fen, paid_fen, refused):
    judgement = Desk().judge(ev=evidence(contract_fen=contract_fen, paid_fen=paid_fen), fee=10_000)
    assert codes(judgement) == (["PAYMENT_INSUFFICIENT"] if refused else [])


@pytest.mark.parametrize(("signed", "refused"), [
    (datetime(2018, 3, 20, 0, 0, tzinfo=GUANGDONG), False),  # the policy's date, in Guangdong
    (datetime(2018, 3, 20, 0, 0, tzinfo=GUANGDONG) - timedelta(seconds=1), True),
    (datetime(2018, 3, 19, 16, 30, tzinfo=UTC), False),  # 2018-03-20 00:30 in Guangdong
])
def test_a_contract_signed_before_the_policy_date_in_guangdong_is_refused(signed, refused):
    judgement = Desk().judge(ev=evidence(signed=signed))
    assert codes(judgement) == (["CONTRACT_BEFORE_POLICY"] if refused else [])


def test_a_voucher_is_redeemable_until_the_end_of_its_deadline_day_in_guangdong():
    desk = Desk()
    deadline_ends = datetime(DEADLINE.year, DEADLINE.month, DEADLINE.day + 1, tzinfo=GUANGDONG)
    assert codes(desk.judge(at=deadline_ends - timedelta(microseconds=1))) == []
    assert codes(desk.judge(at=deadline_ends)) == ["VOUCHER_EXPIRED"]


def test_the_provider_quota_may_be_used_up_exactly_and_not_one_fen_beyond():
    amount = 10_000_00 // 2  # the subsidy of the default claim: 0.50 × 10,000 RMB
    exact = Desk(quota_fen=amount)
    assert exact.claim() == amount and exact.quota.remaining_fen == 0
    assert codes(exact.judge("claim-2", ev=evidence(invoices=("FP-2",), contract_no="HT-2"), fee=2)) == [
        "PROVIDER_QUOTA_EXHAUSTED"]
    assert codes(Desk(quota_fen=amount - 1).judge()) == ["PROVIDER_QUOTA_EXHAUSTED"]


def test_an_invoice_on_a_live_claim_refuses_a_claim_through_another_provider():
    first = Desk()
    first.claim()
    other = Desk(first.voucher, provider(serial=2))
    other.invoice_keys = first.invoice_keys  # one invoice number, whatever the provider
    assert codes(other.judge("claim-2", ev=evidence(contract_no="HT-OTHER"))) == ["DUPLICATE_CLAIM"]


def test_a_rejected_claim_releases_its_contract_and_invoices_for_a_corrected_claim():
    desk = Desk()
    held = desk.claim()
    assert codes(desk.judge("claim-2")) == ["DUPLICATE_CLAIM"]  # the same invoice, held
    assert desk.reject() == held
    assert desk.voucher.balance_fen == desk.voucher.face_value_fen and desk.quota.used_fen == 0
    assert codes(desk.judge("claim-2")) == []
    assert desk.claim("claim-2") == held


def test_parts_of_one_contract_may_add_up_to_its_amount_and_not_one_fen_more():
    desk = Desk()
    contract = 2_000_000
    desk.claim("part-1", ev=evidence(contract_fen=contract, invoices=("FP-1",)), fee=1_200_000)
    desk.claim("part-2", ev=evidence(contract_fen=contract, invoices=("FP-2",)), fee=contract - 1_200_000)
    over = desk.judge("part-3", ev=evidence(contract_fen=contract, invoices=("FP-3",)), fee=2)
    assert codes(over) == ["CONTRACT_OVERCLAIMED"]
    restated = desk.judge("part-3", ev=evidence(contract_fen=contract + 2, invoices=("FP-3",)), fee=2)
    # the amount its live parts stated stands: restated, it is a mismatch, and nothing is left of the stated one
    assert codes(restated) == ["CONTRACT_AMOUNT_MISMATCH", "CONTRACT_OVERCLAIMED"]


def test_the_same_invoice_twice_in_one_claim_is_malformed_whatever_its_case_and_spaces():
    judgement = Desk().judge(ev=evidence(invoices=("FP-0001", " fp-0001 ")))
    assert codes(judgement) == ["INVALID_INPUT"] and judgement.evidence is None


def test_evidence_typed_in_full_width_forms_is_the_evidence_already_claimed():
    # The black-box review's case: invoice 44001234 on contract HT-601 (1,000,000 fen) claimed in full, then both
    # typed again by a Chinese input method. Read as other numbers, the contract was claimed twice its amount.
    desk = Desk()
    contract = 1_000_000
    desk.claim("claim-1", ev=evidence(contract_no="HT-601", contract_fen=contract, invoices=("44001234",)),
               fee=contract)
    again = desk.judge("claim-2", ev=evidence(contract_no="ＨＴ－６０１", contract_fen=contract,
                                              invoices=("４４００１２３４",)), fee=contract)
    assert codes(again) == ["DUPLICATE_CLAIM", "CONTRACT_OVERCLAIMED"]
    new_invoice = desk.judge("claim-2", ev=evidence(contract_no="ＨＴ—６０１\u200b", contract_fen=contract,
                                                    invoices=("44009999",)), fee=2)
    assert codes(new_invoice) == ["CONTRACT_OVERCLAIMED"]


def test_an_invoice_listed_twice_in_two_widths_or_one_of_nothing_visible_is_malformed():
    assert codes(Desk().judge(ev=evidence(invoices=("44001234", "４４００１２３４")))) == ["INVALID_INPUT"]
    assert codes(Desk().judge(ev=evidence(invoices=("\u200b",)))) == ["INVALID_INPUT"]
    assert codes(Desk().judge(ev=evidence(contract_no="\ufeff\u3000"))) == ["INVALID_INPUT"]


def test_an_eligible_fee_above_the_contract_amount_is_malformed():
    assert codes(Desk().judge(ev=evidence(contract_fen=1_000_000), fee=1_000_001)) == ["ELIGIBLE_FEE_EXCEEDS_CONTRACT"]


def test_with_no_such_voucher_only_that_is_refused_not_the_rules_that_need_its_facts():
    judgement = Desk().judge(voucher=None, category="DEVICE_ACCESS")
    assert codes(judgement) == ["VOUCHER_NOT_FOUND"] and judgement.amount_fen == 0


# -- the refusal order: of two broken rules, the earlier in DOMAIN.md's order is named first ------------------------
def _break_malformed(desk, spec):
    spec["ev"]["payment_proof_ref"] = " "


def _break_voucher(desk, spec):
    desk.voucher.revoke(by(), reason="资格撤销")



def _break_category(desk, spec):
    spec["facts"]["category"] = "AUTOMATION_EQUIPMENT"


def _break_provider(desk, spec):
    assess(desk.provider, "DATA", passed=False, at=NOW - timedelta(days=1))


def _break_duplicate(desk, spec):
    desk.claim("claim-0", ev=evidence(contract_no="HT-OTHER"), fee=2_000_00)  # holds the same invoice FP-0001


def _break_policy(desk, spec):
    spec["ev"]["payment_proven_fen"] = evidence().contract_amount_fen * 8 // 10


def _break_quota(desk, spec):
    spec["facts"]["provider_quota"] = None


def _break_balance(desk, spec):
    face = desk.voucher.face_value_fen
    desk.claim("claim-0", ev=evidence(contract_no="HT-ALL", invoices=("FP-ALL",), contract_fen=2 * face), fee=2 * face)


ORDER = [  # DOMAIN.md "Refusal order", one rule of each rank
    ("INVALID_INPUT", _break_malformed), ("VOUCHER_REVOKED", _break_voucher),
    ("CATEGORY_NOT_COVERED", _break_category), ("PROVIDER_SUSPENDED", _break_provider),
    ("DUPLICATE_CLAIM", _break_duplicate), ("PAYMENT_INSUFFICIENT", _break_policy),
    ("QUOTA_NOT_SET", _break_quota), ("VOUCHER_EXHAUSTED", _break_balance),
]


@pytest.mark.parametrize("rank", range(len(ORDER) - 1), ids=[f"{a[0]}-before-{b[0]}" for a, b in zip(ORDER, ORDER[1:])])
def test_of_two_neighbouring_ranks_the_earlier_is_named_first_and_both_are_listed(rank):
    desk, spec = Desk(), {"ev": {}, "facts": {}}
    (first, break_first), (second, break_second) = ORDER[rank], ORDER[rank + 1]
    break_second(desk, spec)  # the later rank first: breaking the voucher or provider first would refuse a set-up claim
    break_first(desk, spec)
    judgement = desk.judge("claim-1", ev=replace(evidence(), **spec["ev"]), **spec["facts"])
    assert codes(judgement) == [first, second]


def test_a_claim_made_before_its_service_was_accepted_is_malformed_and_at_the_acceptance_it_is_not():
    # The acceptance is the claim's effective time: a claim cannot report it as done before it happened. Judged with
    # the evidence (first in the refusal order), not left to the store's generic EFFECTIVE_IN_FUTURE when recorded.
    accepted = datetime(2020, 10, 1, 2, 0, tzinfo=UTC)
    early = Desk().judge(ev=evidence(accepted=accepted), at=accepted - timedelta(microseconds=1))
    assert codes(early) == ["INVALID_INPUT"] and early.evidence is None
    assert codes(Desk().judge(ev=evidence(accepted=accepted), at=accepted)) == []


def test_a_service_accepted_before_its_contract_was_signed_is_malformed():
    signed = datetime(2020, 6, 1, 2, 0, tzinfo=UTC)
    backwards = Desk().judge(ev=evidence(signed=signed, accepted=signed - timedelta(microseconds=1)))
    assert codes(backwards) == ["INVALID_INPUT"] and backwards.evidence is None
    assert codes(Desk().judge(ev=evidence(signed=signed, accepted=signed))) == []  # accepted the day it was signed
