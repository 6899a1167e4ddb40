"""Working days (工作日) as the State Council's holiday arrangement makes them (国务院办公厅关于节假日安排的通知),
recorded by the province for each calendar year, and read wherever a period is counted in working days (the
publicity objection window, ``ledger/publicity.py``).

The arrangement is published once a year and is not Monday to Friday: around the Spring Festival and National Day
whole weeks are off, and weekend days next to them are worked in exchange (调休). A :class:`WorkingCalendar` holds
one year's arrangement as two lists of exceptions to Monday-Friday: ``days_off`` (the statutory holidays and the days
moved to join them) and ``workdays`` (the weekend days worked in exchange), with the notice it comes from. A
correction is a ``Revised`` event with its reason; a deadline already computed from the earlier version stays as it
was recorded where it was used (a list's window is recorded on the list).

A year with no recorded calendar is not guessed: :func:`working_day_rule` refuses to count a day of it
(``WORKING_CALENDAR_NOT_RECORDED``), because Monday-Friday would silently give a deadline inside a holiday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ledger import ids
from ledger.errors import InvalidWorkingCalendarError, WorkingCalendarNotRecordedError
from ledger.recording import By, LedgerAggregate

SATURDAY = 5


class WorkingCalendar(LedgerAggregate):
    class Published(LedgerAggregate.Created):
        year: int
        days_off: list[date]
        workdays: list[date]
        notice: str  # the notice the arrangement is taken from, e.g. 国办发明电〔2019〕16号

        def apply(self, c: WorkingCalendar) -> None:
            c.year, c.revisions = self.year, 0
            c._arrange(self.days_off, self.workdays, self.notice)

    class Revised(LedgerAggregate.Event):
        """A correction of the year's arrangement (a typing error, or a later notice changing it)."""

        days_off: list[date]
        workdays: list[date]
        notice: str
        reason: str

        def apply(self, c: WorkingCalendar) -> None:
            c.revisions += 1
            c._arrange(self.days_off, self.workdays, self.notice)

    @classmethod
    def publish(cls, by: By, *, year: int, days_off: Iterable[object], workdays: Iterable[object],
                notice: object) -> WorkingCalendar:
        if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 10_000:
            raise InvalidWorkingCalendarError(f"a working calendar is of one calendar year, not {year!r}")
        return cls._start(cls.Published, ids.working_calendar_id(year), by, year=year,
                          **_checked(year, days_off, workdays, notice))

    def revise(self, by: By, *, days_off: Iterable[object], workdays: Iterable[object], notice: object,
               reason: object) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidWorkingCalendarError("a revised working calendar records why it was revised")
        self._record(self.Revised, by, **_checked(self.year, days_off, workdays, notice), reason=reason.strip())

    def is_working_day(self, day: date) -> bool:
        if day.year != self.year:
            raise WorkingCalendarNotRecordedError(f"{day} is not in the {self.year} working calendar")
        if day.weekday() < SATURDAY:
            return day not in self.days_off
        return day in self.workdays

    def _arrange(self, days_off: list[date], workdays: list[date], notice: str) -> None:
        self.days_off, self.workdays, self.notice = frozenset(days_off), frozenset(workdays), notice


class WorkingDayRule:
    """``is_working_day`` on these calendars: a day of a year none of them covers is refused, never guessed. It notes
    which calendar, at which version, answered for each year it was asked about (:meth:`counted`), so that what a
    period was counted on is recorded with it (a publicity list's window) and a later revision cannot blur it."""

    def __init__(self, calendars: Iterable[WorkingCalendar]) -> None:
        self._by_year = {calendar.year: calendar for calendar in calendars}
        self._counted: dict[int, int] = {}

    def __call__(self, day: date) -> bool:
        calendar = self._by_year.get(day.year)
        if calendar is None:
            raise WorkingCalendarNotRecordedError(
                f"the working days of {day.year} are not recorded: record that year's holiday arrangement (国务院办公厅"
                f"关于节假日安排的通知) before counting working days into it (reached {day})")
        self._counted[day.year] = calendar.version
        return calendar.is_working_day(day)

    def counted(self) -> list[dict[str, int]]:
        """The calendars asked so far, as ``{"year", "version"}`` in year order: version 1 is the arrangement as first
        recorded, each revision adds one (its audit trail, ``/v1/audit/working_calendar/{year}``, has every version)."""
        return [{"year": year, "version": version} for year, version in sorted(self._counted.items())]


def working_day_rule(calendars: Iterable[WorkingCalendar]) -> WorkingDayRule:
    """``is_working_day`` on these calendars; a day of a year none of them covers is refused, never guessed."""
    return WorkingDayRule(calendars)


def _checked(year: int, days_off: Iterable[object], workdays: Iterable[object], notice: object) -> dict[str, object]:
    off, worked = _days(year, days_off, "day off"), _days(year, workdays, "make-up working day")
    both = sorted(set(off) & set(worked))
    if both:
        raise InvalidWorkingCalendarError(f"{', '.join(map(str, both))}: a day is either off or worked, not both")
    weekdays = [day for day in worked if day.weekday() < SATURDAY]
    if weekdays:
        raise InvalidWorkingCalendarError(
            f"{', '.join(map(str, weekdays))}: a make-up working day (调休上班) is a Saturday or Sunday; a weekday is "
            "worked anyway unless it is listed as a day off")
    if not isinstance(notice, str) or not notice.strip():
        raise InvalidWorkingCalendarError("a working calendar names the notice of its arrangement")
    return {"days_off": off, "workdays": worked, "notice": notice.strip()}


def _days(year: int, values: Iterable[object], what: str) -> list[date]:
    """The days sorted and each once (the notice lists some twice: a holiday and the range it belongs to)."""
    days = list(values) if not isinstance(values, str | bytes) else [values]
    wrong = [d for d in days if type(d) is not date]  # a datetime is a date too, but not a day
    if wrong:
        raise InvalidWorkingCalendarError(f"a {what} is a date (YYYY-MM-DD), not {wrong[0]!r}")
    outside = [d for d in days if d.year != year]
    if outside:
        raise InvalidWorkingCalendarError(f"{outside[0]}: a {what} of the {year} working calendar is in {year}")
    return sorted(set(days))  # type: ignore[arg-type]
