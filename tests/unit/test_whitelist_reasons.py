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
    """The forms above are the ones ``projections/whitelist.py``, ``Provider.record_assessment`` (through
    ``ledger.whitelist_status.suspension_reason``) and the history's status rows (``projections/whitelist_queries.py``)
    write: a new form there must come here too, or a Chinese page shows English."""
    import inspect

    from ledger import provider, whitelist_status
    from projections import whitelist, whitelist_queries

    written = "".join(inspect.getsource(m) for m in (whitelist, provider, whitelist_status, whitelist_queries))
    for form in ('assessment by', '"reinstated"', '"entered the whitelist"', '"rated ', 'return f"failed '):
        assert form in written, form
