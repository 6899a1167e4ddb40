"""A whitelist history row's reason in Chinese. The projection (``projections/whitelist.py``) stores the reason as the
ledger gives it, in English words around codes ("SPOT_CHECK assessment by …", "failed spot check of DATA",
"entered the whitelist"); a Chinese reader is shown the same reason in Chinese, worked out here when the row is read,
so that rows already stored read the same. What a person typed (the assessor, the report, the rating) is kept as
typed; a reason in any other form is shown as stored."""

from __future__ import annotations

import re

from ledger.words import named

_ASSESSED = re.compile(r"^(ASSESSMENT|SPOT_CHECK) assessment by (.+?)(?: \((.+)\))?$")
_FAILED = re.compile(r"^failed (assessment|spot check) of ([A-Z]+)$")
_RATED = re.compile(r"^rated (.+)$")
_FIXED = {"entered the whitelist": "列入白名单", "reinstated": "复评通过，恢复白名单资格"}


def _kind(kind: str) -> str:
    """``SPOT_CHECK`` or ``spot check`` (the two forms the reasons carry) by its Chinese name."""
    return named(kind.replace(" ", "_").upper())


def assessment_kind(reason: str | None) -> str:
    """An assessment row's kind (``ASSESSMENT`` / ``SPOT_CHECK``), the first word of the reason the projection wrote."""
    found = _ASSESSED.match(reason or "")
    return found.group(1) if found else "ASSESSMENT"


def reason_zh(reason: str | None) -> str | None:
    if reason is None:
        return None
    if reason in _FIXED:
        return _FIXED[reason]
    if found := _ASSESSED.match(reason):
        kind, assessor, report = found.groups()
        return f"安全{_kind(kind)}，评估机构：{assessor}" + (f"（报告 {report}）" if report else "")
    if found := _FAILED.match(reason):
        kind, area = found.groups()
        return f"{named(area)}{_kind(kind)}不通过"
    if found := _RATED.match(reason):
        return f"年度评价 {found.group(1)}，淘汰出资源池"
    return reason
