"""The objection window counts working days on the State Council's holiday arrangement, not Monday-Friday.

The expected dates are counted by hand from the notices (Asia/Shanghai, UTC+8):

* 2020 (国办发明电〔2019〕16号): 1-8 October off (National Day and Mid-Autumn); Sunday 27 September and Saturday
  10 October worked. Published Wednesday 30 September: 9 Oct (Fri) 1, 10 Oct (Sat, worked) 2, 12 Oct 3, 13 Oct 4,
  14 Oct 5 → the window ends at 24:00 on 14 October = 2020-10-14T16:00Z. (Monday-Friday gave 7 October: the whole
  window inside the holiday.) Published Friday 25 September: 27 Sep (Sun, worked) 1, 28, 29, 30 Sep 2-4, 9 Oct 5.
* 2021 (国办发明电〔2020〕27号): 11-17 February off (Spring Festival); Sunday 7 and Saturday 20 February worked.
  Published Wednesday 10 February: 18 Feb 1, 19 Feb 2, 20 Feb (Sat, worked) 3, 22 Feb 4, 23 Feb 5 → 2021-02-23T16:00Z.
  Published Friday 5 February: 7 Feb (Sun, worked) 1, 8, 9, 10 Feb 2-4, 18 Feb 5.
* Across New Year: published Tuesday 29 December 2020: 30, 31 Dec 1-2, 1-3 January 2021 off, 4, 5, 6 Jan 3-5.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ledger.errors import LedgerError
from ledger.publicity import objection_window_ends, working_days_after
from ledger.recording import By
from ledger.working_calendar import WorkingCalendar, working_day_rule
from simulator.reference import WORKING_CALENDARS

GUANGDONG = timezone(timedelta(hours=8))
BY = By(actor="province:ops", at=datetime(2020, 11, 30, 2, tzinfo=UTC))


def calendar(year: int) -> WorkingCalendar:
    days_off, workdays, notice = WORKING_CALENDARS[year]
    return WorkingCalendar.publish(BY, year=year, days_off=days_off, workdays=workdays, notice=notice)


@pytest.fixture(scope="module")
def recorded():
    return working_day_rule([calendar(2020), calendar(2021)])


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=GUANGDONG)


def code(action) -> str:
    with pytest.raises(LedgerError) as caught:
        action()
    return caught.value.code


@pytest.mark.parametrize(("published", "ends"), [
    (date(2020, 9, 30), datetime(2020, 10, 14, 16, tzinfo=UTC)),  # the whole of 1-8 October is skipped
    (date(2020, 9, 25), datetime(2020, 10, 9, 16, tzinfo=UTC)),  # Sunday 27 September counts
    (date(2021, 2, 10), datetime(2021, 2, 23, 16, tzinfo=UTC)),  # Saturday 20 February counts
    (date(2021, 2, 5), datetime(2021, 2, 18, 16, tzinfo=UTC)),  # Sunday 7 February counts
    (date(2020, 12, 29), datetime(2021, 1, 6, 16, tzinfo=UTC)),  # across New Year, on the 2021 calendar
])
def test_five_working_days_on_the_holiday_arrangement(recorded, published, ends):
    assert objection_window_ends(at_ten(published), 5, recorded) == ends


def test_make_up_days_are_worked_and_holidays_are_not(recorded):
    assert recorded(date(2020, 9, 27)) and recorded(date(2020, 10, 10)) and recorded(date(2021, 2, 20))
    assert not recorded(date(2020, 10, 5)) and not recorded(date(2021, 2, 15)) and not recorded(date(2020, 10, 11))
    assert recorded(date(2020, 10, 9)) and not recorded(date(2020, 10, 3))
    assert working_days_after(date(2020, 9, 30), 1, recorded) == date(2020, 10, 9)
    assert objection_window_ends(at_ten(date(2020, 9, 30)), 0, recorded) == at_ten(date(2020, 9, 30))


def test_a_year_without_a_recorded_calendar_is_refused_not_counted_monday_to_friday():
    only_2020 = working_day_rule([calendar(2020)])
    assert code(lambda: objection_window_ends(at_ten(date(2020, 12, 29)), 5, only_2020)) == \
        "WORKING_CALENDAR_NOT_RECORDED"
    assert objection_window_ends(at_ten(date(2020, 12, 1)), 5, only_2020) == datetime(2020, 12, 8, 16, tzinfo=UTC)
    assert code(lambda: working_days_after(date(2020, 3, 2), 1, working_day_rule([]))) == \
        "WORKING_CALENDAR_NOT_RECORDED"


@pytest.mark.parametrize(("days_off", "workdays", "notice", "refused"), [
    ([date(2021, 1, 1)], [], "国办发明电〔2019〕16号", "a day off in another year"),
    ([], [date(2020, 10, 9)], "国办发明电〔2019〕16号", "a make-up working day on a Friday"),
    ([date(2020, 10, 10)], [date(2020, 10, 10)], "国办发明电〔2019〕16号", "a day both off and worked"),
    ([date(2020, 10, 1)], [], "  ", "no notice"),
    (["2020-10-01"], [], "国办发明电〔2019〕16号", "text, not a date"),
    ([datetime(2020, 10, 1, tzinfo=UTC)], [], "国办发明电〔2019〕16号", "a moment, not a day"),
])
def test_a_calendar_that_cannot_be_the_arrangement_is_refused(days_off, workdays, notice, refused):
    assert code(lambda: WorkingCalendar.publish(BY, year=2020, days_off=days_off, workdays=workdays,
                                                notice=notice)) == "INVALID_WORKING_CALENDAR", refused


def test_a_revision_replaces_the_arrangement_and_records_why():
    recorded = calendar(2020)
    recorded.collect_events()
    assert code(lambda: recorded.revise(BY, days_off=[], workdays=[], notice="x", reason=" ")) == \
        "INVALID_WORKING_CALENDAR"
    days_off, workdays, _ = WORKING_CALENDARS[2020]
    recorded.revise(BY, days_off=[*days_off, date(2020, 10, 9)], workdays=workdays, notice="更正",
                    reason="录入遗漏")
    (revised,) = recorded.collect_events()
    assert (revised.reason, recorded.revisions, recorded.is_working_day(date(2020, 10, 9))) == ("录入遗漏", 1, False)
    assert revised.days_off == sorted({*days_off, date(2020, 10, 9)})
