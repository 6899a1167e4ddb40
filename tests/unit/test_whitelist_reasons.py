"""A provider's whitelist history reads in Chinese on a Chinese page (a review read "failed spot check of DATA" and
"entered the whitelist" there): every reason the whitelist projection writes has its Chinese, what a person typed is
kept as typed, and a reason of any other form is shown as stored."""

from __future__ import annotations

import pytest

from projections.whitelist_reasons import reason_zh


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
    assert reason_zh(stored) == shown


def test_the_projection_writes_only_reasons_this_reads():
    """The forms above are the ones ``projections/whitelist.py`` and ``Provider.record_assessment`` write: a new
    form there must come here too, or a Chinese page shows English."""
    import inspect

    from ledger import provider
    from projections import whitelist

    written = inspect.getsource(whitelist) + inspect.getsource(provider)
    for form in ('assessment by', '"reinstated"', '"entered the whitelist"', '"rated ', 'reason=f"failed '):
        assert form in written, form
