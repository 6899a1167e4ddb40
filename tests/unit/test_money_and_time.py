"""Money is integer fen with one rounding rule; fiscal years and day boundaries are Asia/Shanghai."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import InvalidAmountError, InvalidRateError, NaiveDatetimeError
from ledger.fiscal_time import add_years, end_of_day, fiscal_year, shanghai_date
from ledger.money import apply_rate, check_fen, split_funding, to_rate

CST = timezone(timedelta(hours=8))


def test_an_event_at_5am_on_new_years_day_in_guangdong_is_fiscal_2020():
    moment = datetime(2020, 1, 1, 5, 0, tzinfo=CST)  # = 2019-12-31 21:00 UTC
    assert moment.astimezone(UTC).year == 2019
    assert fiscal_year(moment) == 2020
    assert fiscal_year(datetime(2019, 12, 31, 15, 59, 59, tzinfo=UTC)) == 2019  # 23:59:59 in Shanghai
    assert fiscal_year(datetime(2019, 12, 31, 16, 0, 0, tzinfo=UTC)) == 2020  # 00:00:00 in Shanghai


def test_a_deadline_day_ends_at_midnight_shanghai():
    assert end_of_day(date(2021, 2, 8)) == datetime(2021, 2, 8, 16, 0, tzinfo=UTC)
    assert shanghai_date(datetime(2018, 3, 19, 16, 0, tzinfo=UTC)) == date(2018, 3, 20)


def test_naive_times_are_refused():
    with pytest.raises(NaiveDatetimeError):
        fiscal_year(datetime(2020, 1, 1))


def test_anniversaries_of_29_february_fall_on_1_march():
    assert add_years(date(2016, 2, 29), 1) == date(2017, 3, 1)
    assert add_years(date(2017, 5, 2), 1) == date(2018, 5, 2)


def test_products_are_rounded_down_to_the_fen():
    assert apply_rate(6_000_001, Decimal("0.50")) == 3_000_000  # 3,000,000.5 → 3,000,000
    assert apply_rate(999, Decimal("0.333")) == 332  # 332.667 → 332
    assert apply_rate(100, Decimal("0.30")) == 30


@given(st.integers(min_value=0, max_value=10**13), st.decimals(min_value=0, max_value=1, places=4))
def test_funding_split_always_adds_up_and_the_city_share_is_rounded_down(amount, share):
    city, province = split_funding(amount, share)
    assert city + province == amount
    assert city <= amount * share < city + 1  # exact Decimal comparison: floor


@pytest.mark.parametrize("bad", [1.5, -1, True, "100", None])
def test_money_must_be_non_negative_integer_fen(bad):
    with pytest.raises(InvalidAmountError):
        check_fen(bad, "amount")


@pytest.mark.parametrize("bad", [10**15 + 1, 2**63, 10**23])
def test_money_beyond_the_services_bound_is_refused(bad):
    """Found by the hostile review: an import row (which no schema bounds) recorded a city quota of 10**23 fen; the
    read models' bigint columns cannot hold it, so on PostgreSQL every read answered 422 from then on. The ledger
    takes what the API's schema takes, at most 10**15 fen (10 trillion yuan)."""
    assert check_fen(10**15, "amount") == 10**15
    with pytest.raises(InvalidAmountError, match="at most"):
        check_fen(bad, "amount")


@pytest.mark.parametrize("bad", ["1e-999999999", "0.3000000000000000000000000000000001", "0.1234567"])
def test_a_rate_has_at_most_six_decimal_places(bad):
    """Found by the hostile review: an import cell (which no schema bounds) gave a catalogue item the subsidy rate
    1e-999999999; rounding a claim down with it computes 10**999999999 (apply_rate works in integers), which holds the
    writer, and every command behind it, for hours. The ledger takes what the API's schema takes: six decimals."""
    assert to_rate("0.123456") == Decimal("0.123456") and to_rate("0.5000000") == Decimal("0.5")
    with pytest.raises(InvalidRateError, match="decimal places"):
        to_rate(bad)


@pytest.mark.parametrize("bad", [0.3, "1.2", "-0.1", "abc", "NaN"])
def test_rates_must_be_exact_and_between_0_and_1(bad):
    with pytest.raises(InvalidRateError):
        to_rate(bad)


def test_rates_given_as_strings_stay_exact():
    assert to_rate("0.30") == Decimal("0.30")


def test_a_rate_with_more_digits_than_decimal_precision_still_rounds_down():
    # 3 × 0.333… (30 threes) is 0.999… fen: a Decimal product rounded to 28 digits first would make it 1 fen. Such a
    # rate is refused now (six decimals at most), but a store may hold one recorded before: it still rounds down.
    rate = Decimal("0." + "3" * 30)
    assert apply_rate(3, rate) == 0
    assert apply_rate(3_000_000, to_rate("0.333")) == 999_000
    assert apply_rate(-1, to_rate("0.5")) == -1  # floor, as before, for the negative side


def test_a_time_in_a_message_reads_as_guangdong_writes_it():
    """A redemption deadline stored as 2021-02-08 16:00 UTC is midnight of 9 February in Guangdong: a message that
    said "until 2021-02-08T16:00:00+00:00" read as the afternoon of the 8th (found by a black-box review)."""
    from ledger.fiscal_time import shanghai_text

    assert shanghai_text(datetime(2021, 2, 8, 16, 0, tzinfo=UTC)) == "2021-02-09T00:00:00+08:00"
