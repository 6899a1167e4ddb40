"""Which stores a training clock may open (DOMAIN.md: "A training clock (demos, rehearsals) marks its store as training
for ever; a production service never opens such a store"). A training clock marks only a store that holds no events
yet, or continues on one already marked; a store with real history, even only the set-up recorded when it was first
opened on the real clock, is refused, for a process that writes and one that only reads, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.store import StoreNotEmptyError, open_simulation_store
from store.clock import FixedClock, TrainingClock
from store.opening import RealStoreRefusedError, TrainingStoreRefusedError, open_ledger
from tests.support.assertions import stored_topics as topics
from tests.support.scenario import World

STARTED = datetime(2020, 10, 15, 1, tzinfo=UTC)


def test_a_store_opened_once_on_the_real_clock_is_never_marked_by_a_training_clock(store_settings):
    """The chosen rule: what a store gets on its first open (the default programme, here recorded on the real clock
    as `voucher-ledger migrate` or `programme show` would) is real history. A store so set up is most likely a live
    store before its first command; marking it would end it."""
    open_ledger(store_settings).close()
    before = topics(store_settings)
    assert before and "ledger.training:TrainingMark.Marked" not in before
    for clock in (TrainingClock(STARTED), FixedClock(STARTED)):
        with pytest.raises(RealStoreRefusedError, match="holds events recorded on the real clock.*new store"):
            open_ledger(store_settings, clock=clock)
        with pytest.raises(RealStoreRefusedError):  # a process that only reads (workers, verify) too
            open_ledger(store_settings, clock=clock, prepare=False)
    with pytest.raises(RealStoreRefusedError):
        open_simulation_store(store_settings)
    assert topics(store_settings) == before  # nothing written
    production = store_settings.model_copy(update={"production": True, "jwt_secret": "a-real-key"})
    open_ledger(production).close()  # still a live store


def test_a_store_with_history_refuses_a_training_clock_and_stays_live(store_settings):
    app = open_ledger(store_settings)
    try:
        # a real command, on the real clock
        World(app=app, now=datetime.now(UTC)).provider(quota_fen=None, whitelisted=False)
    finally:
        app.close()
    before = topics(store_settings)
    setting = store_settings.model_copy(update={"clock": datetime.fromisoformat("2020-10-15T09:00:00+08:00")})
    with pytest.raises(RealStoreRefusedError, match="unset VOUCHER_LEDGER_CLOCK") as refusal:
        open_ledger(setting)
    assert "VOUCHER_LEDGER_CLOCK=2020-10-15T09:00:00+08:00" in str(refusal.value)
    assert topics(store_settings) == before
    production = store_settings.model_copy(update={"production": True, "jwt_secret": "a-real-key"})
    open_ledger(production).close()


def test_a_new_store_is_marked_first_and_a_marked_one_is_continued(store_settings):
    app = open_ledger(store_settings, clock=TrainingClock(STARTED))
    app.close()
    marked = topics(store_settings)
    assert marked[0] == "ledger.training:TrainingMark.Marked"  # before anything else the store holds
    for clock in (TrainingClock(STARTED), FixedClock(STARTED)):  # a training store goes on with any training clock
        open_ledger(store_settings, clock=clock).close()
    open_ledger(store_settings).close()  # and on the real clock (not in production): it stays marked
    assert topics(store_settings) == marked
    production = store_settings.model_copy(update={"production": True, "jwt_secret": "a-real-key"})
    with pytest.raises(TrainingStoreRefusedError):
        open_ledger(production)


def test_a_production_service_on_a_training_clock_is_refused_before_it_writes(store_settings):
    production = store_settings.model_copy(update={"production": True, "jwt_secret": "a-real-key"})
    with pytest.raises(TrainingStoreRefusedError, match="training clock"):
        open_ledger(production, clock=TrainingClock(STARTED))  # a clock given in code: the settings refuse one
    assert topics(store_settings) == []


def test_the_simulator_refuses_a_store_with_history_before_writing(store_settings):
    open_simulation_store(store_settings, empty=True).close()  # a new store: marked, its set-up recorded
    set_up = topics(store_settings)
    open_simulation_store(store_settings, empty=True).close()  # only its set-up: still empty for the simulator
    app = open_simulation_store(store_settings)
    try:
        World(app=app, now=STARTED).provider(quota_fen=None, whitelisted=False)
    finally:
        app.close()
    before = topics(store_settings)
    assert len(before) > len(set_up)
    with pytest.raises(StoreNotEmptyError, match="already holds events"):
        open_simulation_store(store_settings, empty=True)
    assert topics(store_settings) == before
