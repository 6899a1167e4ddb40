"""The pickers' values: an Asia/Shanghai date (the end of that day) or an ISO-8601 time with offset; and how the
pages write times and money."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.http.clock import service_now
from api.http.dependencies import checked_moment
from api.http.models.programme import YearOut
from api.http.problems import ApiError
from ledger.errors import YearNotInProgrammeError
from ledger.fiscal_time import fiscal_year
from projections.times import from_us

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59, 999_999)


def moment(text: str | None, name: str) -> datetime | None:
    """None for empty (now, or known now). A bare date means the whole of that day in Guangdong: as of its end, or
    as of now for today (its end is still to come). Checked as the API checks it (a future time is refused)."""
    found = _read(text, name)
    return None if found is None else checked_moment(found, name)


def _read(text: str | None, name: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day, now = date.fromisoformat(text), service_now()
            return now if day == now.astimezone(SHANGHAI).date() else datetime.combine(day, END_OF_DAY, SHANGHAI)
        found = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+", 1) if "T" in text else text)
    except ValueError:
        raise ApiError(422, "INVALID_INPUT", f"{name}: a date (2020-03-05) or a time with offset") from None
    if found.utcoffset() is None:
        found = found.replace(tzinfo=SHANGHAI)  # a time without offset is read as Guangdong's
    return found


def picker_date(text: str | None) -> str:
    """The date a date picker shows for the query's value ('' for now, or for a value the figures will refuse)."""
    try:
        found = moment(text, "date")
    except ApiError:
        return ""
    return "" if found is None else found.astimezone(SHANGHAI).date().isoformat()


def shown(value: datetime | int | None) -> str:
    """A time as Guangdong reads it, to the second."""
    if value is None:
        return ""
    found = from_us(value) if isinstance(value, int) else value
    return found.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def year_shown(years: Sequence[YearOut], at: datetime, year: int | None) -> int:
    """The year a page asked for, else the latest programme year of ``years`` begun by ``at``: whose issuance window
    opened by ``at``'s Asia/Shanghai day (now is a UTC time, eight hours behind on New Year's Day). Not the calendar
    year: a successor year may issue from before its 1 January, or only from later in it."""
    if year is not None:
        if year not in {y.year for y in years}:  # else a page of zeros, read as a year in which nothing was spent
            raise YearNotInProgrammeError(f"{year} is not a year of the programme")
        return year
    today = at.astimezone(SHANGHAI).date()
    opened = [y.year for y in years]
    return max([y.year for y in years if y.issuance_opens <= today] or opened or [fiscal_year(at)])


def last_day(value: datetime | int | None) -> str:
    """The last Guangdong day a window closing at ``value`` covers: a voucher of 2020 closes at 2021-02-09 00:00, and
    its deadline is 2021-02-08, the day an official reads on the policy (the instant itself reads as the 9th)."""
    if value is None:
        return ""
    found = from_us(value) if isinstance(value, int) else value
    return (found.astimezone(SHANGHAI) - timedelta(microseconds=1)).strftime("%Y-%m-%d")


def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals and thousands separators (exact: no float)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def percent(part: int, whole: int) -> int:
    """A bar's width in whole percent, 0-100."""
    return 0 if whole <= 0 else max(0, min(100, part * 100 // whole))
