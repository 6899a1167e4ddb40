"""`voucher-ledger follow NAME` as production runs it: a separate process that catches up, then keeps up.

The worker is started as a real process with the store's settings in its environment, then stopped with SIGTERM;
what it wrote must equal a rebuild from zero (``check``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from ledger.stored_names import APPLICATION_NAME
from projections.check import check
from projections.runner import close_projections, open_projections
from tests.scenario import World

WAIT_S = 60


def _env(settings) -> dict[str, str]:
    env = dict(os.environ, VOUCHER_LEDGER_STORE=settings.store, VOUCHER_LEDGER_SQLITE_PATH=str(settings.sqlite_path))
    if settings.store == "postgres":
        env |= {"VOUCHER_LEDGER_POSTGRES_URL": (f"postgresql://{settings.postgres_user}@{settings.postgres_host}:"
                                                f"{settings.postgres_port}/{settings.postgres_dbname}"),
                "VOUCHER_LEDGER_POSTGRES_SCHEMA": settings.postgres_schema}
    return env


def _last_relevant(ledger, projection) -> int:
    """The library's runner tracks the last event *of its topics*; later events of other topics leave it there."""
    notifications = ledger.recorder.select_notifications(1, 1_000_000, topics=projection.topics)
    return notifications[-1].id


def _wait_for(projection, position: int, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_S
    while projection.view.position(APPLICATION_NAME) < position:
        assert worker.poll() is None, f"the worker exited early: {worker.communicate()}"
        assert time.monotonic() < deadline, f"the worker did not reach position {position} in {WAIT_S} s"
        time.sleep(0.2)


def test_a_follow_worker_catches_up_keeps_up_and_stops_cleanly(ledger, store_settings):
    world = World.with_year(ledger, 2019)
    enterprise = world.eligible_enterprise()
    world.issue(enterprise)
    [watcher] = open_projections(store_settings, ["money_flows"])
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "follow", "money_flows"], env=_env(store_settings),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(watcher, _last_relevant(ledger, watcher), worker)  # caught up
        platform = world.provider()
        world.advance(days=1)
        voucher = world.issue(world.eligible_enterprise())
        world.claim(voucher.voucher_id, platform, eligible_fee_fen=1_000_000)
        _wait_for(watcher, _last_relevant(ledger, watcher), worker)  # kept up with new events
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=WAIT_S)
        close_projections([watcher])
    assert worker.returncode == 0, err
    assert "caught up" in out
    assert check(ledger, store_settings, ["money_flows"]) == []


def test_a_rebuild_in_one_process_per_projection_equals_a_rebuild_from_zero(ledger, store_settings):
    from projections.parallel import rebuild_in_processes
    from projections.runner import PROJECTIONS

    world = World.with_year(ledger, 2019)
    platform = world.provider()
    voucher = world.issue(world.eligible_enterprise())
    receipt = world.approved_claim(voucher.voucher_id, platform, eligible_fee_fen=1_000_000)
    world.paid_batch(platform, [receipt])
    advanced: dict[str, int] = {}
    outcomes = rebuild_in_processes(store_settings, list(PROJECTIONS),
                                    progress=lambda name, n: advanced.__setitem__(name, advanced.get(name, 0) + n))
    assert [(o.name, o.error) for o in outcomes] == [(name, None) for name in PROJECTIONS]
    last = ledger.recorder.max_notification_id()
    assert advanced == {name: last for name in PROJECTIONS}  # every worker reported its progress to the end
    [money] = open_projections(store_settings, ["money_flows"])
    try:
        assert money.view.fetchone("SELECT COUNT(*) FROM vl_money_movements")[0] > 0
    finally:
        close_projections([money])
    assert check(ledger, store_settings) == []
