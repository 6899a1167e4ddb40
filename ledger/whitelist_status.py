"""A provider's whitelist status at any effective time, from the security assessments known (DOMAIN.md, Whitelist):
the one rule that the Provider aggregate decides claims and payments with and the whitelist read model answers
"as of T, known at K" with.

For an effective time t, take in each assessed area the result with the latest effective time at or before t; of
two with the same effective time, the one recorded later. No result by t: PENDING_ASSESSMENT. Any area's result a
failure: SUSPENDED. Otherwise WHITELISTED. So a pass recorded late with an effective time before a failure already
recorded does not lift that failure, and a failure recorded late with an effective time before a pass already
recorded suspends only until that pass.

Which assessments are known is the caller's: the aggregate passes all of its own, the read model those recorded by
K. Times only need to be ordered (datetimes in the aggregate, microseconds in the read model), and so does ``order``,
the recording order (a list index, a position). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class WhitelistStatus(StrEnum):
    PENDING_ASSESSMENT = "PENDING_ASSESSMENT"
    WHITELISTED = "WHITELISTED"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class AreaResult:
    """One assessment or spot check: its area's result from ``effective`` on. ``ref`` is the caller's (a row)."""

    area: str
    passed: bool
    effective: Any
    order: Any
    kind: str = "ASSESSMENT"
    ref: Any = None


@dataclass(frozen=True)
class StatusChange:
    """From ``effective`` on the status is ``status`` (it was ``previous`` just before). ``cause``: the failure in
    effect that was most recently effective (a suspension), or the result in effect most recently effective."""

    effective: Any
    status: WhitelistStatus
    previous: WhitelistStatus
    failing_areas: tuple[str, ...]
    cause: AreaResult


def suspension_reason(kind: str, area: str) -> str:
    """Why a suspension began, as the ledger words it: "failed spot check of DATA"."""
    return f"failed {kind.lower().replace('_', ' ')} of {area}"


def _in_effect(results: Iterable[AreaResult], t: Any = None) -> dict[str, AreaResult]:
    """Each area's result in effect at ``t`` (None: after every result)."""
    latest: dict[str, AreaResult] = {}
    for r in sorted(results, key=lambda r: (r.effective, r.order)):
        if t is not None and r.effective > t:
            break
        latest[r.area] = r
    return latest


def _status_of(latest: dict[str, AreaResult]) -> WhitelistStatus:
    if not latest:
        return WhitelistStatus.PENDING_ASSESSMENT
    if any(not r.passed for r in latest.values()):
        return WhitelistStatus.SUSPENDED
    return WhitelistStatus.WHITELISTED


def _change(effective: Any, previous: WhitelistStatus, latest: dict[str, AreaResult]) -> StatusChange:
    status = _status_of(latest)
    failing = [r for r in latest.values() if not r.passed]
    key = lambda r: (r.effective, r.order)  # noqa: E731
    cause = max(failing, key=key) if failing else max(latest.values(), key=key)
    return StatusChange(effective, status, previous, tuple(sorted(r.area for r in failing)), cause)


def status_at(results: Iterable[AreaResult], t: Any = None) -> WhitelistStatus:
    """The status at effective time ``t`` (None: from the last result's effective time on, i.e. now)."""
    return _status_of(_in_effect(results, t))


def failing_areas_at(results: Iterable[AreaResult], t: Any = None) -> list[str]:
    return sorted(r.area for r in _in_effect(results, t).values() if not r.passed)


def timeline(results: Iterable[AreaResult]) -> list[StatusChange]:
    """Every change of status, in effective order: the status at t is that of the last change at or before t
    (PENDING_ASSESSMENT before the first)."""
    ordered = sorted(results, key=lambda r: (r.effective, r.order))
    changes: list[StatusChange] = []
    latest: dict[str, AreaResult] = {}
    status = WhitelistStatus.PENDING_ASSESSMENT
    for i, r in enumerate(ordered):
        latest[r.area] = r
        if i + 1 < len(ordered) and ordered[i + 1].effective == r.effective:
            continue  # the status at this time is that after every result with this effective time
        now = _status_of(latest)
        if now != status:
            changes.append(_change(r.effective, status, dict(latest)))
            status = now
    return changes


def status_in(changes: Sequence[StatusChange], t: Any) -> WhitelistStatus:
    """The status at ``t`` read off a :func:`timeline`."""
    found = WhitelistStatus.PENDING_ASSESSMENT
    for change in changes:
        if change.effective > t:
            break
        found = change.status
    return found


def changes_to_announce(before: Sequence[AreaResult],
                        after: Sequence[AreaResult]) -> list[tuple[StatusChange, WhitelistStatus]]:
    """The status changes to record when the results go from ``before`` to ``after`` (one more result), each with
    the status the record gave that time before (``was``: a reinstatement lifts a suspension announced there).

    From the first effective time at which the two timelines differ, every change of the new timeline: read in
    recording order, "the last change recorded among those effective by t" then gives the new timeline's status at
    every t, whatever was recorded before. Nothing when the timelines agree (a pass while already on the list)."""
    old, new = timeline(before), timeline(after)
    new_at = {c.effective: c for c in new}
    points = sorted({c.effective for c in old} | set(new_at))
    out: list[tuple[StatusChange, WhitelistStatus]] = []
    for t in points:
        was = status_in(old, t)
        if out:
            if t in new_at:
                out.append((new_at[t], was))
        elif status_in(new, t) != was:
            out.append((new_at.get(t) or _change(t, status_in(new, t), _in_effect(after, t)), was))
    return out


def newly_suspended(before: Sequence[AreaResult], after: Sequence[AreaResult]) -> list[tuple[Any, Any]]:
    """The effective intervals [start, end) in which the provider is suspended after the change and was not before;
    ``end`` None: open."""
    old, new = timeline(before), timeline(after)
    points = sorted({c.effective for c in old} | {c.effective for c in new})
    windows: list[tuple[Any, Any]] = []
    start = None
    for t in points:
        inside = status_in(new, t) == WhitelistStatus.SUSPENDED and status_in(old, t) != WhitelistStatus.SUSPENDED
        if inside and start is None:
            start = t
        elif not inside and start is not None:
            windows.append((start, t))
            start = None
    if start is not None:
        windows.append((start, None))
    return windows
