"""Commands on the working calendar (工作日): the province records each calendar year's holiday arrangement as the
State Council published it, and corrects it with a reason; whatever counts working days reads it here
(``ledger/working_calendar.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from uuid import UUID

from ledger import ids
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import AlreadyExistsError, WorkingCalendarNotFoundError
from ledger.fiscal_time import shanghai_date
from ledger.recording import By
from ledger.working_calendar import WorkingCalendar, working_day_rule


class WorkingCalendarCommands(LedgerApplicationBase):
    def working_calendar(self, year: int) -> WorkingCalendar:
        calendar = self._find(ids.working_calendar_id(year), WorkingCalendar)
        if calendar is None:
            raise WorkingCalendarNotFoundError(f"no working calendar of {year} is recorded")
        return calendar

    def working_days_from(self, moment: datetime) -> Callable[[date], bool]:
        """``is_working_day`` for a period counted from ``moment``: the calendars of its year and the next (a period
        of working days can cross New Year, never two of them); a year not recorded is refused when it is reached."""
        first = shanghai_date(moment).year
        found = (self._find(ids.working_calendar_id(year), WorkingCalendar) for year in (first, first + 1))
        return working_day_rule(calendar for calendar in found if calendar is not None)

    def publish_working_calendar(self, by: By, *, year: int, days_off: Iterable[date], workdays: Iterable[date],
                                 notice: str) -> UUID:
        """Record a year's holiday arrangement; a second one for the year is refused (revise it instead)."""

        def run() -> UUID:
            if self._exists(ids.working_calendar_id(year)):
                raise AlreadyExistsError(f"the {year} working calendar is already recorded: revise it, with a reason")
            calendar = WorkingCalendar.publish(by, year=year, days_off=days_off, workdays=workdays, notice=notice)
            self._save(calendar)
            return calendar.id

        return self._run(run)

    def revise_working_calendar(self, by: By, *, year: int, days_off: Iterable[date], workdays: Iterable[date],
                                notice: str, reason: str) -> UUID:
        """Correct a year's arrangement as a whole; windows already computed keep what their records say."""

        def run() -> UUID:
            calendar = self.working_calendar(year)
            calendar.revise(by, days_off=days_off, workdays=workdays, notice=notice, reason=reason)
            self._save(calendar)
            return calendar.id

        return self._run(run)
