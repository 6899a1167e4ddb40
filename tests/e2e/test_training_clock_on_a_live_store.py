"""A training clock never turns a live store into a training one (DOMAIN.md: "a production service never opens such a
store", and events are never removed). `voucher-ledger demo` prints `export VOUCHER_LEDGER_CLOCK=...`; a shell that
kept it, pointed at a store written on the real clock, must be refused with the way out, and nothing written: a
command that only reads (`figure`), one that writes, `simulate` (which also refuses a store that already holds
events), the API app `serve` runs, and a projection worker. Afterwards a production service still opens the store."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from projections.worker import follow
from simulator.store import open_simulation_store
from store.opening import RealStoreRefusedError, open_ledger
from tests.support.api_helpers import api_settings, store_env
from tests.support.cli_runner import voucher_ledger
from tests.support.assertions import stored_topics as topics
from tests.support.scenario import World

DEMO_CLOCK = "2020-10-15T09:00:00+08:00"  # what `voucher-ledger demo` tells the shell to export
MARK = "ledger.training:TrainingMark.Marked"


def production(settings):
    return settings.model_copy(update={"production": True, "jwt_audience": "voucher-ledger-api",
                                       "jwt_secret": SecretStr("a-production-key-of-at-least-32-bytes!!")})


def still_live(settings, before: list[str]) -> None:
    """Nothing was written, and `serve` in production (its app) opens the store."""
    assert topics(settings) == before and MARK not in before
    shown = voucher_ledger(["programme", "show"], store_env(settings))
    assert shown.returncode == 0 and '"training": false' in shown.stdout, shown.stdout + shown.stderr
    with TestClient(create_app(production(api_settings(settings)))) as client:
        assert client.get("/healthz").status_code == 200


@pytest.fixture
def live(store_settings):
    """A store written on the real clock: opened by `programme show`, a provider admitted."""
    env = store_env(store_settings)
    assert voucher_ledger(["programme", "show"], env).returncode == 0
    app = open_ledger(store_settings)
    try:
        World(app=app, now=datetime.now(UTC)).provider(quota_fen=None, whitelisted=False)
    finally:
        app.close()
    return store_settings, env, topics(store_settings)


def refused(done, *, exit_code: int = 2) -> str:
    assert done.returncode == exit_code, done.stdout + done.stderr
    return " ".join((done.stdout + done.stderr).split())  # as one line, whatever the terminal wrapped


def test_a_command_that_reads_or_writes_on_a_training_clock_is_refused(live):
    """Repro A: `VOUCHER_LEDGER_CLOCK=... voucher-ledger figure city 440100`, then `programme show` said training."""
    settings, env, before = live
    for args in (["figure", "city", "440100"], ["programme", "show"],
                 ["programme", "open-year", "2031", "--redemption-deadline", "2032-02-08"]):
        said = refused(voucher_ledger(args, {**env, "VOUCHER_LEDGER_CLOCK": DEMO_CLOCK,
                                             "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true"}))
        assert "holds events recorded on the real clock" in said, said
        assert f"VOUCHER_LEDGER_CLOCK={DEMO_CLOCK}" in said and "unset VOUCHER_LEDGER_CLOCK" in said
        assert "new store" in said and "Nothing was written" in said
    still_live(settings, before)


def test_simulate_refuses_a_store_with_events_before_writing_anything(live):
    """Repro B: `voucher-ledger simulate --events 1000` refused with "already holds events" after it had marked."""
    settings, env, before = live
    said = refused(voucher_ledger(["simulate", "--events", "1000"], env))
    assert "already holds events" in said and "empty store" in said, said
    still_live(settings, before)


def test_simulate_refuses_a_store_set_up_on_the_real_clock(store_settings):
    """A store opened once on the real clock holds only its set-up, but that set-up is real history (the rule chosen
    in store.opening.holds_events): no simulated history goes into it."""
    env = store_env(store_settings)
    assert voucher_ledger(["programme", "show"], env).returncode == 0
    before = topics(store_settings)
    said = refused(voucher_ledger(["simulate", "--events", "1000"], env))
    assert "holds events recorded on the real clock" in said and "new store" in said, said
    still_live(store_settings, before)


def test_simulate_refuses_a_training_store_that_holds_events_before_writing_anything(store_settings):
    app = open_simulation_store(store_settings)
    try:
        World(app=app, now=datetime(2019, 3, 1, 1, tzinfo=UTC)).provider(quota_fen=None, whitelisted=False)
    finally:
        app.close()
    before = topics(store_settings)
    said = refused(voucher_ledger(["simulate", "--events", "1000"], store_env(store_settings)))
    assert "already holds events" in said and "empty store" in said, said
    assert topics(store_settings) == before


def test_the_api_and_a_worker_on_a_training_clock_are_refused(live):
    settings, _, before = live
    training = api_settings(settings).model_copy(update={"clock": datetime.fromisoformat(DEMO_CLOCK)})
    with pytest.raises(RealStoreRefusedError, match="unset VOUCHER_LEDGER_CLOCK"):
        with TestClient(create_app(training)):  # the app `serve` runs: its start-up fails
            pass
    with pytest.raises(RealStoreRefusedError):
        follow(training, "spend", stop=threading.Event(), log=lambda line: None)
    still_live(settings, before)
