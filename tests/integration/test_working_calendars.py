"""The province records each calendar year's holiday arrangement and a publicity list's objection window counts on
it, on both stores (ledger/working_calendar.py). Expected dates counted by hand (tests/unit/test_working_calendar.py
explains them): published Wednesday 30 September 2020, five working days end at 24:00 on 14 October (1-8 October off,
Saturday 10 October worked); published Tuesday 29 December 2020, on 6 January 2021 (1-3 January off)."""

from datetime import UTC, date, datetime, timedelta, timezone

from ledger import ids
from ledger.commands.values import PublishClaims, PublishWorkingCalendar, ReviseWorkingCalendar
from simulator.reference import WORKING_CALENDARS
from tests.support.assertions import refused
from tests.support.scenario import World

GUANGDONG = timezone(timedelta(hours=8))
FEE = 2_000_000


def record(world, year, kind=PublishWorkingCalendar, **changes):
    days_off, workdays, notice = WORKING_CALENDARS[year]
    fields = {"year": year, "days_off": days_off, "workdays": workdays, "notice": notice, **changes}
    return world.app.handle(kind(**fields), world.by())


def run(world, value):
    return world.app.handle(value, world.by())


def test_a_list_counts_its_window_on_the_recorded_arrangement_and_keeps_it_when_the_calendar_is_revised(ledger):
    world = World.with_year(ledger, 2020)
    provider = world.provider()
    receipts = [world.approved_claim(world.issue(world.eligible_enterprise()).voucher_id, provider,
                                     eligible_fee_fen=FEE) for _ in range(2)]
    national_day = PublishClaims(year=2020, period="2020-09", claims=((receipts[0].voucher_id, receipts[0].claim_id),))
    new_year = PublishClaims(year=2020, period="2020-12", claims=((receipts[1].voucher_id, receipts[1].claim_id),))

    world.now = datetime(2020, 9, 30, 10, tzinfo=GUANGDONG)
    refused("WORKING_CALENDAR_NOT_RECORDED", ledger, run, world=world, value=national_day)  # not Monday-Friday
    assert not ledger.stored(ids.publicity_list_id(2020, "2020-09"))
    world.now -= timedelta(hours=1)
    assert record(world, 2020) == ids.working_calendar_id(2020)
    world.now += timedelta(hours=1)
    listed = run(world, national_day)
    assert listed.window_ends_at == datetime(2020, 10, 14, 16, tzinfo=UTC)
    (publicised,) = [e for e in ledger.events.get(receipts[0].voucher_id) if type(e).__name__ == "ClaimPublicised"]
    assert publicised.window_ends_at == listed.window_ends_at  # the voucher records the same window

    world.now = datetime(2020, 12, 29, 10, tzinfo=GUANGDONG)
    refused("WORKING_CALENDAR_NOT_RECORDED", ledger, run, world=world, value=new_year)  # 2021 not yet recorded
    record(world, 2021)
    assert run(world, new_year).window_ends_at == datetime(2021, 1, 6, 16, tzinfo=UTC)

    days_off, workdays, _ = WORKING_CALENDARS[2020]
    refused("ALREADY_EXISTS", ledger, record, world=world, year=2020)
    refused("INVALID_WORKING_CALENDAR", ledger, record, world=world, year=2020, kind=ReviseWorkingCalendar,
            reason="")
    refused("WORKING_CALENDAR_NOT_FOUND", ledger, run, world=world, value=ReviseWorkingCalendar(
        year=2019, days_off=(), workdays=(), notice="x", reason="y"))
    record(world, 2020, ReviseWorkingCalendar, days_off=(*days_off, date(2020, 10, 9)),
           reason="录入更正")
    assert not ledger.working_calendar(2020).is_working_day(date(2020, 10, 9))
    assert ledger.working_calendar(2020).revisions == 1
    # A window already computed stays as its list recorded it.
    assert ledger.publicity_list(listed.list_id).window_ends_at == datetime(2020, 10, 14, 16, tzinfo=UTC)
