"""Money rounding at its edges (ledger.money) and the audit trail's lines, which state fen as yuan exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.money import apply_rate, split_funding, yuan_text
from ledger.settlement import SettlementBatch
from projections.audit_summaries import summarise
from tests.unit.builders import NOW, by, uid


@pytest.mark.parametrize(("amount", "rate", "expected"), [
    (2, "0.999", 1),  # 1.998 fen: rounded down, never to the nearest
    (1, "0.50", 0),
    (999_999_999, "0.30", 299_999_999),  # 299,999,999.7 fen
    (3, "0.3333", 0),  # 0.9999 fen
])
def test_a_rate_times_an_amount_is_rounded_down_to_the_fen(amount, rate, expected):
    assert apply_rate(amount, Decimal(rate)) == expected


def test_a_single_fen_goes_to_the_province_when_the_city_share_rounds_it_away():
    assert split_funding(1, Decimal("0.40")) == (0, 1)
    assert split_funding(0, Decimal("0.40")) == (0, 0)


@pytest.mark.parametrize(("fen", "text"), [(-123_456, "-¥1,234.56"), (5, "¥0.05"), (-5, "-¥0.05"), (0, "¥0.00")])
def test_fen_are_written_as_yuan_exactly(fen, text):
    assert yuan_text(fen, symbol="¥") == text


def test_a_collection_line_states_its_amount_and_split_in_yuan_in_simplified_chinese():
    batch = SettlementBatch.open(by(), batch_id=uid("batch-1"), provider_id=uid("provider-1"), period="2020-11")
    event = SettlementBatch.RecoveryCollected(
        originator_id=batch.id, originator_version=9, timestamp=NOW, actor="province:finance", correlation_id=None,
        voucher_id=uid("voucher-1"), claim_id=uid("claim-1"), amount_fen=100_001, city="440600",
        city_portion_fen=40_000, province_portion_fen=60_001, bank_reference="BANK-7", effective_at=NOW)
    chinese, english = summarise("SettlementBatch.RecoveryCollected", event)
    assert "收回追回款 ¥1,000.01" in chinese and "省 ¥600.01 / 市 ¥400.00" in chinese and "银行流水 BANK-7" in chinese
    assert "recovery collected: ¥1,000.01" in english


def test_an_event_type_without_a_template_still_gets_a_line():
    assert summarise("Voucher.SomethingNew", object()) == ("Voucher.SomethingNew", "Voucher.SomethingNew")


@pytest.mark.parametrize(("kind", "facts", "chinese"), [
    ("Enterprise.EligibilityDecided", {"year": 2018, "granted": False,
                                       "reasons": ["SHENZHEN_EXCLUDED", "REVENUE_BELOW_THRESHOLD"]},
     "2018 年度资格不通过：注册地在深圳市（不纳入省级服务券）、上年度主营业务收入未达标准"),
    ("NetworkDiscountGrant.Granted", {"year": 2018, "carrier": "CHINA_TELECOM", "rate": {"$decimal": "0.30"}},
     "2018 年度网络资费优惠：中国电信 折扣率 0.30"),
    ("AwardProgramme.Defined", {"year": 2018, "kind": "INNOVATION_CENTRE", "name": "工业互联网创新中心",
                                "amount_rule": "CASE_BY_CASE"},
     "2018 年度奖补项目设立：创新中心（工业互联网创新中心，一事一议）"),
    ("AwardBatch.AwardAdded", {"award_id": {"$uuid": "9219b50d" + "0" * 24}, "amount_fen": 50_000_000,
                               "payee": "ENTERPRISE:制造企业 49", "city": "440600"},
     "加入奖补 9219b50d：¥500,000.00（企业：制造企业 49，佛山市）"),
    ("Voucher.Issued", {"year": 2020, "item_id": "DEV-01", "fee_category": "DEVICE_ACCESS", "face_value_fen": 100,
                        "province_portion_fen": 60, "city_portion_fen": 40},
     "发放 2020 年度服务券 DEV-01（设备接入费），面值 ¥1.00，省 ¥0.60 / 市 ¥0.40"),
])
def test_a_line_rendered_from_facts_already_stored_names_its_codes_in_chinese(kind, facts, chinese):
    """The trail renders its lines when read, from the facts a row stored (projections/audit_facts.py): rows stored
    before the codes had names read with the names, without a rebuild."""
    import json

    from projections.audit_facts import render

    assert render(kind, json.dumps(facts, ensure_ascii=False))[0] == chinese


@pytest.mark.parametrize(("cleared", "waiting", "english"), [
    (1, 1, "publicity closed: 1 claim may be settled, 1 waits for a ruling"),
    (2, 0, "publicity closed: 2 claims may be settled, 0 wait for a ruling"),
])
def test_an_english_line_counts_one_claim_as_one_claim(cleared, waiting, english):
    from types import SimpleNamespace

    event = SimpleNamespace(cleared=cleared, under_objection=waiting)
    assert summarise("PublicityList.Closed", event) == (f"公示结束：{cleared} 笔可结算，{waiting} 笔待异议处理", english)
