"""The read models' integer clock agrees with the ledger's Asia/Shanghai calendar (ledger/fiscal_time.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ledger.errors import NaiveDatetimeError
from ledger.fiscal_time import fiscal_year, shanghai_date, start_of_day
from projections.times import from_us, shanghai_day, shanghai_year, start_of_shanghai_day_us, to_us


def test_the_integer_clock_matches_the_ledgers_calendar_around_every_new_year():
    for year in (2018, 2019, 2020, 2021):
        new_year_utc = datetime(year - 1, 12, 31, 16, 0, tzinfo=UTC)  # 00:00 on 1 January in Guangdong
        for offset in (-1, 0, 1, 3_600_000_000, -3_600_000_000):
            moment = new_year_utc + timedelta(microseconds=offset)
            us = to_us(moment)
            assert from_us(us) == moment
            assert shanghai_year(us) == fiscal_year(moment)
            day = shanghai_date(moment)
            assert shanghai_day(us) == day.year * 10_000 + day.month * 100 + day.day
            assert start_of_shanghai_day_us(us) == to_us(start_of_day(day))


def test_a_naive_or_dateless_moment_is_refused_with_the_ledgers_error():
    for moment in (datetime(2020, 3, 5, 12, 0), datetime(2020, 3, 5).date()):
        with pytest.raises(NaiveDatetimeError):
            to_us(moment)
    shanghai = timezone(timedelta(hours=8))
    assert to_us(datetime(2020, 3, 5, 8, 0, tzinfo=shanghai)) == to_us(datetime(2020, 3, 5, 0, 0, tzinfo=UTC))
