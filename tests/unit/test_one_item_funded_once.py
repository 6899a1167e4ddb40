"""One item of work is funded once (DOMAIN.md "Awards", last rule), in memory: a claim declares that its contract has
no other fiscal funding; a contract funded by an award or another fiscal fund is claimed on no voucher, and a contract
with a live claim part funds no award. The refusal is ``ALREADY_FUNDED``, ranked with duplicate evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ledger import ids
from ledger.errors import LedgerError
from ledger.evidence_keys import ContractKey
from tests.unit.builders import Desk, by, evidence, uid

GRANTED = datetime(2020, 7, 1, 2, 0, tzinfo=UTC)


def codes(judgement) -> list[str]:
    return [r.code for r in judgement.refusals]


def funded_elsewhere(desk: Desk, contract_no: str = "HT-2020-001") -> ContractKey:
    key = ContractKey.open(by(), provider_id=desk.provider.id, contract_no=contract_no)
    key.record_other_funding(by(), fund_name="省级专项资金", document_no="粤财〔2020〕1号", amount_fen=5_000_00,
                             effective_at=GRANTED, reason="已获省级专项资金扶持")
    desk.contract_keys[(desk.provider.id, ids.evidence_number(contract_no))] = key
    return key


def test_a_claim_that_does_not_declare_its_funding_is_refused_as_malformed():
    desk = Desk()
    undeclared = replace(evidence(), no_other_funding=None)
    assert codes(desk.judge(ev=undeclared)) == ["FUNDING_NOT_DECLARED"]
    assert codes(desk.judge(ev=replace(evidence(), no_other_funding="yes"))) == ["FUNDING_NOT_DECLARED"]
    assert codes(desk.judge(ev=evidence())) == []  # declared: no other fiscal funding


def test_a_claim_declaring_other_funding_is_refused_already_funded():
    desk = Desk()
    assert codes(desk.judge(ev=replace(evidence(), no_other_funding=False))) == ["ALREADY_FUNDED"]


def test_a_contract_another_fund_paid_for_is_claimed_on_no_voucher():
    desk = Desk()
    funded_elsewhere(desk, " ht-2020-001 ")  # compared trimmed and upper-cased, as claims compare it
    assert codes(desk.judge(ev=evidence(contract_no="HT-2020-001"))) == ["ALREADY_FUNDED"]
    assert codes(desk.judge(ev=evidence(contract_no="HT-2020-002"))) == []  # another contract of the provider


def test_a_contract_funded_under_its_plain_number_is_the_contract_a_full_width_claim_names():
    desk = Desk()
    key = funded_elsewhere(desk, "HT-2020-001")
    assert key.id == ids.contract_key_id(desk.provider.id, "ＨＴ－２０２０－００１")
    assert codes(desk.judge(ev=evidence(contract_no="ＨＴ－２０２０－００１"))) == ["ALREADY_FUNDED"]
    assert codes(desk.judge(ev=evidence(contract_no="HT\u20142020\u2013001\u200b"))) == ["ALREADY_FUNDED"]


def test_already_funded_ranks_with_duplicate_evidence_after_the_provider_and_before_the_payment_rule():
    """Refusal order: ... provider not whitelisted → duplicate evidence (ALREADY_FUNDED) → payment below 90 % ..."""
    desk = Desk()
    funded_elsewhere(desk)
    underpaid = evidence(paid_fen=10_000_00)  # 50 % of 20,000,00 fen paid
    judged = desk.judge(ev=underpaid, category="DEVICE_ACCESS")
    assert codes(judged) == ["CATEGORY_MISMATCH", "ALREADY_FUNDED", "PAYMENT_INSUFFICIENT"]


def test_a_contract_claimed_on_a_voucher_funds_no_award_until_its_claim_is_rejected():
    desk = Desk()
    desk.claim("claim-1", ev=evidence(), fee=10_000_00)
    key = desk.contract_keys[(desk.provider.id, "HT-2020-001")]
    with pytest.raises(LedgerError) as refused:
        key.fund_by_award(by(), award_id=uid("award-1"), amount_fen=1_000_00, effective_at=GRANTED)
    assert refused.value.code == "ALREADY_FUNDED"
    with pytest.raises(LedgerError):
        key.record_other_funding(by(), fund_name="x", document_no="y", amount_fen=1, effective_at=GRANTED, reason="z")
    desk.reject("claim-1")  # a rejected claim releases its contract part
    assert key.fund_by_award(by(), award_id=uid("award-1"), amount_fen=1_000_00, effective_at=GRANTED) is True
    assert codes(desk.judge("claim-2", ev=evidence(invoices=("FP-0002",)))) == ["ALREADY_FUNDED"]


def test_a_reversed_claim_keeps_its_contract_part_so_the_contract_stays_funded_by_the_voucher():
    desk = Desk()
    desk.claim("claim-1", ev=evidence(), fee=10_000_00)
    desk.voucher.reverse(by(), claim_id=uid("claim-1"), reason="抽查不合格", effective_at=GRANTED)
    key = desk.contract_keys[(desk.provider.id, "HT-2020-001")]
    assert key.funding_refusal(award_id=uid("award-1")) is not None


def test_an_award_funds_a_contract_once_a_repeat_of_the_same_grant_changes_nothing_and_another_is_refused():
    key = ContractKey.open(by(), provider_id=uid("provider-1"), contract_no="HT-9")
    assert key.id == ids.contract_key_id(uid("provider-1"), "HT-9")  # the key every claim on HT-9 meets
    assert key.fund_by_award(by(), award_id=uid("award-1"), amount_fen=300_000_00, effective_at=GRANTED) is True
    version = key.version
    assert key.fund_by_award(by(), award_id=uid("award-1"), amount_fen=300_000_00, effective_at=GRANTED) is False
    assert key.version == version
    with pytest.raises(LedgerError) as other_award:
        key.fund_by_award(by(), award_id=uid("award-2"), amount_fen=1, effective_at=GRANTED)
    with pytest.raises(LedgerError) as other_fund:
        key.record_other_funding(by(), fund_name="x", document_no="y", amount_fen=1, effective_at=GRANTED, reason="z")
    assert other_award.value.code == other_fund.value.code == "ALREADY_FUNDED"
    assert f"award {uid('award-1')}" in other_award.value.detail  # the province's grant: the award named
    assert "by an award" in key.claim_refusals()[0].detail  # a claimant's refusal: not which (see below)


def test_parts_of_one_contract_stay_claimable_up_to_its_amount_when_nothing_else_funds_it():
    desk = Desk()
    desk.claim("claim-1", ev=evidence(contract_fen=20_000_00, invoices=("FP-1",)), fee=12_000_00)
    assert codes(desk.judge("claim-2", ev=evidence(contract_fen=20_000_00, invoices=("FP-2",)), fee=8_000_00)) == []
    assert codes(desk.judge("claim-2", ev=evidence(contract_fen=20_000_00, invoices=("FP-2",)), fee=8_000_01)) == [
        "CONTRACT_OVERCLAIMED"]


def test_the_audit_trail_says_what_funds_a_contract_in_simplified_chinese_and_in_english():
    from projections.audit_summaries import summarise

    desk = Desk()
    key = funded_elsewhere(desk)
    zh, en = summarise("ContractKey.OtherFundingRecorded", key.pending_events[-1])
    assert "省级专项资金" in zh and "粤财〔2020〕1号" in zh and "¥5,000.00" in zh and "不得再申请服务券兑付" in zh
    assert "no voucher may claim it" in en


def test_a_claimant_refused_for_an_awards_contract_is_not_told_which_award():
    """The claimant may be another enterprise than the award's applicant (a contract number is the provider's): the
    refusal says an award funds the contract, not the award's id, which would name another's award."""
    desk = Desk()
    key = ContractKey.open(by(), provider_id=desk.provider.id, contract_no="HT-2020-001")
    key.fund_by_award(by(), award_id=uid("award-1"), amount_fen=300_000_00, effective_at=GRANTED)
    desk.contract_keys[(desk.provider.id, ids.evidence_number("HT-2020-001"))] = key
    refusals = desk.judge(ev=evidence(contract_no="HT-2020-001")).refusals
    assert [r.code for r in refusals] == ["ALREADY_FUNDED"]
    assert str(uid("award-1")) not in str(refusals[0]) and "an award" in str(refusals[0])
