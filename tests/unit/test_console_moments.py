"""The console's pickers and figures: a date is the whole of that day in Guangdong; money is exact yuan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.http.console.moments import last_day, moment, percent, picker_date, shown, yuan
from api.http.problems import ApiError


def test_a_date_means_the_end_of_that_day_in_guangdong():
    assert moment("2020-03-05", "as_of") == datetime(2020, 3, 5, 15, 59, 59, 999_999, tzinfo=UTC)
    assert moment("2020-03-05T00:00:00+08:00", "as_of") == datetime(2020, 3, 4, 16, tzinfo=UTC)
    assert moment("2020-03-05T00:00:00 08:00", "as_of") == datetime(2020, 3, 4, 16, tzinfo=UTC)  # '+' as a space
    assert moment("2020-03-05T00:00:00", "as_of") == datetime(2020, 3, 4, 16, tzinfo=UTC)  # no offset: Guangdong's
    assert moment("", "as_of") is None and moment(None, "as_of") is None
    assert picker_date("2020-03-04T20:00:00Z") == "2020-03-05"  # 04:00 on the 5th in Guangdong
    with pytest.raises(ApiError) as refused:
        moment("5 March", "as_of")
    assert refused.value.status == 422


def test_money_and_times_as_the_page_writes_them():
    assert [yuan(0), yuan(5), yuan(123_456_789), yuan(-50)] == ["0.00", "0.05", "1,234,567.89", "-0.50"]
    assert shown(datetime(2020, 3, 4, 16, tzinfo=UTC)) == "2020-03-05 00:00:00"
    assert [percent(1, 3), percent(5, 0), percent(7, 5)] == [33, 0, 100]


def test_a_window_closing_at_midnight_is_shown_by_its_last_day():
    """The 2020 vouchers close at 2021-02-09 00:00 in Guangdong: their deadline reads 2021-02-08, as the policy
    writes it, not the 9th (a reader takes a date for the day it names)."""
    closes = datetime(2021, 2, 8, 16, tzinfo=UTC)  # 2021-02-09 00:00 +08:00
    assert (shown(closes), last_day(closes)) == ("2021-02-09 00:00:00", "2021-02-08")
    assert last_day(datetime(2021, 2, 8, 16, 0, 0, 1, tzinfo=UTC)) == "2021-02-09" and last_day(None) == ""
