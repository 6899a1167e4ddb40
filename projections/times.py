"""The two clocks of a read-model row, as integers: microseconds since the epoch (UTC) and Asia/Shanghai days.

Integers are exact, sort the same on both stores, and index well; the API turns them back into aware datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.fiscal_time import SHANGHAI, require_aware

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SHANGHAI_OFFSET_US = 8 * 3600 * 1_000_000  # Asia/Shanghai has had no daylight saving since 1991
_DAY_US = 86_400 * 1_000_000


def to_us(moment: datetime) -> int:
    # An aware datetime minus the epoch is already the UTC difference; converting first (require_aware) cost a
    # rebuild an astimezone and a memo entry per event. A naive moment cannot be subtracted: the ledger's error then.
    try:
        delta = moment - EPOCH
    except TypeError:
        require_aware(moment, "time")
        raise
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def shanghai_day(us: int) -> int:
    """The Asia/Shanghai calendar date of an instant, as YYYYMMDD."""
    d = (EPOCH + timedelta(days=(us + _SHANGHAI_OFFSET_US) // _DAY_US)).date()
    return d.year * 10_000 + d.month * 100 + d.day


def shanghai_year(us: int) -> int:
    return shanghai_day(us) // 10_000


def start_of_shanghai_day_us(us: int) -> int:
    return (us + _SHANGHAI_OFFSET_US) // _DAY_US * _DAY_US - _SHANGHAI_OFFSET_US


def describe(us: int | None) -> str:
    return "" if us is None else from_us(us).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
