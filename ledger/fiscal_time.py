"""Fiscal years and date boundaries in Asia/Shanghai; instants stored in UTC.

No clock is read here: every function takes the instant it reasons about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ledger.errors import NaiveDatetimeError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Normalise to UTC; a naive datetime is refused because its fiscal year would be a guess."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"{what} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def shanghai_date(moment: datetime) -> date:
    return require_aware(moment).astimezone(SHANGHAI).date()


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
