"""Fiscal years and date boundaries in Asia/Shanghai; instants stored in UTC.

No clock is read here: every function takes the instant it reasons about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ledger.errors import NaiveDatetimeError

SHANGHAI = ZoneInfo("Asia/Shanghai")


# An import passes the same time objects row after row (a register's cells are parsed once per distinct text), and
# each row's claim converts them again: to UTC, then to its Asia/Shanghai date. Both answers are remembered by the
# object's identity (an entry holds its object, so the id cannot be reused while it is remembered; datetimes are
# immutable), and the same UTC object comes back for the same input, so that the encoder's own identity cache
# (ledger/lean_transcoder.py) formats it once. Forgotten all at once when full.
REMEMBERED = 1024
_remembered: dict[int, tuple[datetime, datetime, list[date]]] = {}


def _utc_entry(moment: datetime, what: str) -> tuple[datetime, datetime, list[date]]:
    entry = _remembered.get(id(moment))
    if entry is not None and entry[0] is moment:
        return entry
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"{what} must be a timezone-aware datetime, got {moment!r}")
    entry = (moment, moment.astimezone(UTC), [])
    if len(_remembered) >= REMEMBERED:
        _remembered.clear()
    _remembered[id(moment)] = entry
    return entry


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Normalise to UTC; a naive datetime is refused because its fiscal year would be a guess."""
    return _utc_entry(moment, what)[1]


def shanghai_text(moment: datetime) -> str:
    """An instant as a Guangdong reader writes it (``2021-02-09T00:00:00+08:00``, not ``2021-02-08T16:00:00+00:00``):
    for messages and reasons a person reads; stored times stay UTC."""
    return moment.astimezone(SHANGHAI).isoformat()


def shanghai_date(moment: datetime) -> date:
    day = _utc_entry(moment, "time")[2]
    if not day:
        day.append(moment.astimezone(SHANGHAI).date())
    return day[0]


def fiscal_year(moment: datetime) -> int:
    """The Asia/Shanghai calendar year: 2019-12-31 21:00 UTC is 2020-01-01 05:00 in Guangdong, fiscal year 2020."""
    return shanghai_date(moment).year


def end_of_day(day: date) -> datetime:
    """The first instant (UTC) after ``day`` ends in Asia/Shanghai: a deadline 'until day D' is valid before it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def add_years(day: date, years: int) -> date:
    """Anniversary arithmetic; 29 February rolls to 1 March in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)
