"""A provider's whitelist history reads in Chinese on a Chinese page (a review read "failed spot check of DATA" and
"entered the whitelist" there): every reason the whitelist projection writes has its Chinese, built from the event's
facts (tests/integration/test_whitelist_reasons.py); rows and events from before, which say it only in English
words, read the same; what a person typed is kept as typed, and a reason of any other form is shown as stored."""

from __future__ import annotations

import pytest

from ledger.provider import AssessmentArea
from projections import whitelist_reasons as reasons
from projections.whitelist_reasons import from_english, reason_zh


@pytest.mark.parametrize(("stored", "shown"), [
    ("ASSESSMENT assessment by 省网络安全评估中心 (R-1)", "安全评估，评估机构：省网络安全评估中心（报告 R-1）"),
    ("SPOT_CHECK assessment by 国家级信息安全评测机构", "安全抽查，评估机构：国家级信息安全评测机构"),
    ("failed spot check of DATA", "数据安全抽查不通过"),
    ("failed assessment of NETWORK", "网络安全评估不通过"),
    ("entered the whitelist", "列入白名单"),
    ("reinstated", "复评通过，恢复白名单资格"),
    ("rated D", "年度评价 D，淘汰出资源池"),
    ("由省厅人工录入", "由省厅人工录入"),
    (None, None),
])
def test_each_stored_reason_reads_in_chinese(stored, shown):
    assert from_english(stored) == shown
    assert reason_zh(None, stored) == shown  # a row projected before its Chinese was stored
    assert reason_zh("由事实生成", stored) == "由事实生成"  # a row's own Chinese is what it reads


def test_the_chinese_from_facts_is_the_chinese_of_the_english_words_of_the_same_facts():
    assert reasons.assessed("ASSESSMENT", "省网络安全评估中心", "R-1") == from_english(
        "ASSESSMENT assessment by 省网络安全评估中心 (R-1)")
    assert reasons.assessed("SPOT_CHECK", "机构", "") == from_english("SPOT_CHECK assessment by 机构")
    for kind, words in (("ASSESSMENT", "assessment"), ("SPOT_CHECK", "spot check")):
        for area in AssessmentArea:
            assert reasons.suspended(kind, area) == from_english(f"failed {words} of {area}")
    assert (reasons.whitelisted(False), reasons.whitelisted(True)) == (from_english("entered the whitelist"),
                                                                       from_english("reinstated"))
    assert reasons.eliminated("D") == from_english("rated D")


def test_the_projection_writes_only_reasons_this_reads():
    """The forms above are the ones ``projections/whitelist.py``, ``Provider.record_assessment`` (through
    ``ledger.whitelist_status.suspension_reason``) and the history's status rows (``projections/whitelist_queries.py``)
    write, a (re)admission's through ``whitelist_reasons.whitelisted_en``: a new form there must come here too, or a
    Chinese page shows English."""
    import inspect

    from ledger import provider, whitelist_status
    from projections import whitelist, whitelist_queries, whitelist_reasons

    written = "".join(inspect.getsource(m) for m in (whitelist, provider, whitelist_status, whitelist_queries,
                                                     whitelist_reasons.whitelisted_en))
    for form in ('assessment by', '"reinstated"', '"entered the whitelist"', '"rated ', 'return f"failed '):
        assert form in written, form
