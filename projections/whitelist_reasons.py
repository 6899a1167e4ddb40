"""A whitelist history row's reason in Chinese.

The projection (``projections/whitelist.py``) writes each row's reason twice, in English and in Chinese, both built
from the event's facts: the assessment's kind and area (named by ``ledger/words.py``), the assessor and report as
typed, the rating, whether a pass was a reinstatement (:func:`assessed`, :func:`suspended`, ...). What a person typed
is kept as typed.

Two kinds of old data say these facts only in English words, and read through :func:`from_english`: rows projected
before migration 0023 (no Chinese stored, until a rebuild) and suspensions recorded before ``Provider.Suspended`` v2
named the failed assessment ("failed spot check of DATA"). A reason in any other form is shown as stored.
"""

from __future__ import annotations

import re

from ledger.words import named


def assessed(kind: str, assessor: str, report_ref: str | None) -> str:
    return f"安全{named(kind)}，评估机构：{assessor}" + (f"（报告 {report_ref}）" if report_ref else "")


def suspended(kind: str, area: str) -> str:
    """A suspension, by the failed assessment that caused it."""
    return f"{named(area)}{named(kind)}不通过"


def whitelisted(reinstated: bool) -> str:
    return "复评通过，恢复白名单资格" if reinstated else "列入白名单"


def whitelisted_en(reinstated: bool) -> str:
    """The same, as the English reason column says it."""
    return "reinstated" if reinstated else "entered the whitelist"


def eliminated(rating: str) -> str:
    return f"年度评价 {rating}，淘汰出资源池"


# -- old data: the facts in English words ---------------------------------------------------------------------------
_ASSESSED = re.compile(r"^(ASSESSMENT|SPOT_CHECK) assessment by (.+?)(?: \((.+)\))?$")
_FAILED = re.compile(r"^failed (assessment|spot check) of ([A-Z]+)$")
_RATED = re.compile(r"^rated (.+)$")
_FIXED = {whitelisted_en(flag): whitelisted(flag) for flag in (False, True)}


def _kind(kind: str) -> str:
    """``SPOT_CHECK`` or ``spot check`` (the two forms the reasons carry) as its code."""
    return kind.replace(" ", "_").upper()


def assessment_kind(reason: str | None) -> str:
    """An assessment row's kind (``ASSESSMENT`` / ``SPOT_CHECK``), the first word of the reason the projection wrote."""
    found = _ASSESSED.match(reason or "")
    return found.group(1) if found else "ASSESSMENT"


def from_english(reason: str | None) -> str | None:
    """The Chinese of a reason stored in English words only (see the module's docstring)."""
    if reason is None:
        return None
    if reason in _FIXED:
        return _FIXED[reason]
    if found := _ASSESSED.match(reason):
        kind, assessor, report = found.groups()
        return assessed(_kind(kind), assessor, report)
    if found := _FAILED.match(reason):
        kind, area = found.groups()
        return suspended(_kind(kind), area)
    if found := _RATED.match(reason):
        return eliminated(found.group(1))
    return reason


def reason_en(reason: str | None) -> str | None:
    """A row's English reason as an English page says it: the assessment's kind, which the stored reason begins
    with as its code (``assessment_kind`` reads it there), in words ("spot check by ..."); any other as stored."""
    if found := _ASSESSED.match(reason or ""):
        kind, assessor, report = found.groups()
        return f"{named(kind, 'en')} by {assessor}" + (f" ({report})" if report else "")
    return reason


def reason_zh(stored_zh: str | None, reason: str | None) -> str | None:
    """A row's Chinese reason: the one the projection built from the facts, else its English reason's."""
    return stored_zh if stored_zh is not None else from_english(reason)
