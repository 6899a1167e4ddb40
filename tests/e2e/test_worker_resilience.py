"""Projection workers outlive what production throws at them: starting all at once, a database restart; and they
stop, with the reason, on anything else."""

from __future__ import annotations

import json
import multiprocessing
import threading

import pytest

from store.settings import Settings
from store.opening import open_ledger
from projections.check import check
from projections.runner import PROJECTIONS
from tests.conftest import STORES, settings_for
from tests.support.follow_workers import WAIT_S, Worker, at_least, stop_all, wait_until
from tests.support.postgres_server import ThrowawayCluster
from tests.support.projection_helpers import execute
from tests.support.scenario import World

ROUNDS = 3


def _start_in_each_schema(name: str, schemas: list[Settings], barrier, results) -> None:
    """One worker process: for each fresh schema, start together with the others, catch up, stop."""
    from projections.worker import follow

    for settings in schemas:  # pickled whole: a JSON dump would mask the URL's password
        barrier.wait(timeout=WAIT_S)
        stop = threading.Event()
        try:
            follow(settings, name, stop=stop, on_caught_up=lambda _: stop.set(), log=lambda _: None)
            results.put((settings.postgres_schema, name, None))
        except Exception as exc:
            results.put((settings.postgres_schema, name, f"{type(exc).__name__}: {exc}"))


@pytest.mark.postgres
def test_every_worker_starting_at_once_on_a_fresh_schema_starts(request, tmp_path):
    """Five workers released together on an empty schema create the ledger's tables, their tracking tables and the
    read models at the same moment: none may fail (the library's table creation, run by two sessions at once,
    failed with "tuple concurrently updated")."""
    schemas = [settings_for("postgres", request, tmp_path) for _ in range(ROUNDS)]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(PROJECTIONS)), context.Queue()
    workers = [context.Process(target=_start_in_each_schema, args=(name, schemas,
                                                                    barrier, results)) for name in PROJECTIONS]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=WAIT_S) for _ in range(ROUNDS * len(PROJECTIONS))]
    finally:
        for worker in workers:
            worker.join(timeout=WAIT_S)
    assert sorted(outcomes) == sorted((s.postgres_schema, name, None) for s in schemas for name in PROJECTIONS)


@pytest.fixture
def cluster():
    found = ThrowawayCluster.create()
    if found is None:
        pytest.skip("no local PostgreSQL binaries (initdb) to start a cluster that a test may stop")
    try:
        found.start()
        yield found
    finally:
        found.remove()


@pytest.mark.postgres
def test_every_worker_waits_out_a_database_restart_and_projects_what_is_written_after_it(cluster, tmp_path):
    settings = Settings(store="postgres", postgres_url=cluster.url, postgres_schema="outage", postgres_pool_size=2)
    ledger = open_ledger(settings)
    world = World.with_year(ledger, 2019)
    platform = world.provider()
    world.claim(world.issue(world.eligible_enterprise()).voucher_id, platform, eligible_fee_fen=1_000_000)
    workers = [Worker.start(settings, name, tmp_path) for name in PROJECTIONS]
    try:
        wait_until(at_least(settings, PROJECTIONS, ledger.recorder.max_notification_id()), "caught up", workers)
        ledger.close()
        cluster.stop()  # "terminating connection due to administrator command" on every connection
        wait_until(lambda: all("database unavailable" in w.stderr() for w in workers), "every worker noticed",
                   workers)
        cluster.start()

        world.app = ledger = open_ledger(settings)  # the test's own pool went down with the server too
        world.advance(days=1)
        world.approved_claim(world.issue(world.eligible_enterprise()).voucher_id, platform, eligible_fee_fen=600_000)
        wait_until(at_least(settings, PROJECTIONS, ledger.recorder.max_notification_id()), "projected after restart",
                   workers)
        assert check(ledger, settings) == []
    finally:
        exits = stop_all(workers)
        ledger.close()
    assert exits == {name: 0 for name in PROJECTIONS}, [w.stderr() for w in workers]
    assert all(w.stdout().count("caught up") >= 2 for w in workers)  # at start, and again after reconnecting


@pytest.mark.parametrize("store", STORES)
def test_a_worker_stops_with_the_reason_on_anything_but_an_outage(store, request, tmp_path):
    """A projection whose table has gone is not an outage: retrying would repeat the error for ever."""
    settings = settings_for(store, request, tmp_path)
    ledger = open_ledger(settings)
    try:
        world = World.with_year(ledger, 2019)
        platform = world.provider()
        worker = Worker.start(settings, "money_flows", tmp_path)
        try:
            wait_until(at_least(settings, ["money_flows"], ledger.recorder.max_notification_id()), "caught up", [worker])
            for table in PROJECTIONS["money_flows"].tables:
                execute(settings, f"DROP TABLE {table}")
            world.claim(world.issue(world.eligible_enterprise()).voucher_id, platform, eligible_fee_fen=600_000)
            returncode = worker.process.wait(timeout=WAIT_S)
        finally:
            worker.stop()
    finally:
        ledger.close()
    assert returncode == 1
    # its output is a file, not a terminal: one JSON object a line (api/http/log_format.py), every line of both streams
    lines = [json.loads(line) for line in (worker.stdout() + worker.stderr()).splitlines()]
    [reason] = [line for line in lines if line["event"] == "stopped by an error"]
    assert reason["projection"] == "money_flows" and reason["level"] == "error"
    assert "vl_money_" in reason["error"] and "Traceback" in reason["exception"]
    assert not [line for line in lines if line["event"] == "database unavailable"]  # not retried
    assert any(line["event"] == "caught up; keeping up" and line["events"] > 0 for line in lines)
