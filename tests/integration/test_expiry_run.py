"""The year-end expiry run (``writer/year_end_run.py``): after the 2019 deadline (2020-02-08, end of day Asia/Shanghai), every
2019 voucher still open is expired and its unused value goes back to its city's quota; vouchers already closed are
skipped, not errors; a second run changes nothing. Both stores, through the group-commit writer and directly.

Figures (tests/support/scenario.py): APP-ERP face 10,000,000 fen at 0.50, DEV-ACCESS face 5,000,000 fen at 0.30.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from writer.year_end_run import direct, run_expiry
from ledger.errors import LedgerError
from projections.read_models import ReadModels
from tests.support.assertions import last_event_id
from tests.support.scenario import DONGGUAN, FOSHAN
from writer.group_commit import GroupCommitWriter

APP, DEV = 10_000_000, 5_000_000
AFTER_DEADLINE = datetime(2020, 2, 8, 16, 0, tzinfo=UTC)  # 2020-02-09 00:00 in Shanghai


@pytest.fixture
def read(world, store_settings):
    models = ReadModels(store_settings, world.app, in_process=True)
    yield models
    models.close()


@pytest.fixture
def year_2019(world):
    """Three Foshan vouchers (one with a live claim, one revoked) and one Dongguan voucher; the live claim's and
    the revocation's figures are worked out by hand below."""
    provider = world.provider()
    a = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    b = world.issue(world.eligible_enterprise(city=FOSHAN), "DEV-ACCESS").voucher_id
    c = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    d = world.issue(world.eligible_enterprise(city=DONGGUAN), "DEV-ACCESS").voucher_id
    world.advance(days=10)
    world.approved_claim(a, provider, eligible_fee_fen=2_469_135)  # 0.50 × 2,469,135 = 1,234,567.5 → 1,234,567
    world.app.revoke_voucher(world.by(), voucher_id=c, reason="虚报收入")
    return {"a": a, "b": b, "c": c, "d": d}


def quotas(world) -> tuple[int, int]:
    return (world.app.city_quota(FOSHAN, 2019).remaining_fen, world.app.city_quota(DONGGUAN, 2019).remaining_fen)


def by_at(world, at):
    return world.by("province:year-end", at=at, correlation_id="expiry-run-2019")


@pytest.mark.parametrize("through", ["writer", "direct"])
def test_the_run_expires_every_open_voucher_and_returns_the_unused_value_per_city(world, read, year_2019, through):
    foshan, dongguan = quotas(world)
    by = by_at(world, AFTER_DEADLINE)
    if through == "writer":
        with GroupCommitWriter(world.app) as writer:
            run = run_expiry(world.app, read.open_vouchers, 2019, by, writer.submit)
    else:
        run = run_expiry(world.app, read.open_vouchers, 2019, by, direct(world.app))

    a_unused, b_unused, d_unused = APP - 1_234_567, DEV, DEV
    assert (run.found, run.expired, run.skipped, run.failed) == (3, 3, 0, {})  # the revoked one is not open
    assert run.by_city[FOSHAN].expired == 2 and run.by_city[FOSHAN].returned_fen == a_unused + b_unused
    assert run.by_city[DONGGUAN].expired == 1 and run.by_city[DONGGUAN].returned_fen == d_unused
    assert run.returned_fen == a_unused + b_unused + d_unused
    assert quotas(world) == (foshan + a_unused + b_unused, dongguan + d_unused)
    assert {world.app.voucher(year_2019[k]).status for k in "abd"} == {"EXPIRED"}
    assert world.app.voucher(year_2019["c"]).status == "REVOKED"
    # Each expiry carries the run's actor, recorded time and correlation id.
    expired = world.app.repository.event_store.get(year_2019["a"])
    last = list(expired)[-1]
    assert (last.actor, last.timestamp, last.correlation_id) == ("province:year-end", AFTER_DEADLINE,
                                                                 "expiry-run-2019")


def test_running_it_twice_changes_nothing(world, read, year_2019):
    first = run_expiry(world.app, read.open_vouchers, 2019, by_at(world, AFTER_DEADLINE), direct(world.app))
    assert first.expired == 3
    before, figures = last_event_id(world.app), quotas(world)
    second = run_expiry(world.app, read.open_vouchers, 2019, by_at(world, AFTER_DEADLINE), direct(world.app))
    assert (second.found, second.expired, second.skipped, second.returned_fen) == (0, 0, 0, 0)
    assert last_event_id(world.app) == before and quotas(world) == figures


def test_a_voucher_closed_since_the_read_models_caught_up_is_skipped_not_an_error(world, year_2019):
    """A read model that lags (PostgreSQL's follow workers) still lists closed vouchers: the ledger refuses them."""
    stale = [(str(year_2019[k]), FOSHAN) for k in "abc"]  # c is revoked, a and b are open
    world.app.expire_voucher(by_at(world, AFTER_DEADLINE), voucher_id=year_2019["a"])
    run = run_expiry(world.app, lambda year: stale, 2019, by_at(world, AFTER_DEADLINE), direct(world.app))
    assert (run.found, run.expired, run.skipped, run.returned_fen, run.failed) == (3, 1, 2, DEV, {})


def test_before_the_deadline_the_run_is_refused_and_writes_nothing(world, read, year_2019):
    before = last_event_id(world.app)
    last_second = datetime(2020, 2, 8, 15, 59, 59, tzinfo=UTC)
    with pytest.raises(LedgerError) as caught:
        run_expiry(world.app, read.open_vouchers, 2019, by_at(world, last_second), direct(world.app))
    assert caught.value.code == "VOUCHER_NOT_YET_EXPIRED"
    assert "redeemable until 2020-02-09T00:00:00+08:00" in caught.value.detail  # midnight in Guangdong, not UTC
    with pytest.raises(LedgerError) as caught:
        run_expiry(world.app, read.open_vouchers, 2017, by_at(world, AFTER_DEADLINE), direct(world.app))
    assert caught.value.code == "CATALOGUE_NOT_PUBLISHED"
    assert last_event_id(world.app) == before
