"""`voucher-ledger follow NAME` as production runs it: separate processes that catch up, then keep up.

Workers are started as real processes with the store's settings in their environment
(tests/support/follow_workers.py) and stopped with SIGTERM; what they wrote must equal a rebuild from zero
(``check``), and ``check`` itself, run while they work, must leave them working.
"""

from __future__ import annotations

import threading

from projections.check import check
from projections.runner import PROJECTIONS, close_projections, open_projections
from tests.support.follow_workers import Worker, at_least, stop_all, wait_until
from tests.support.scenario import World


def test_a_follow_worker_catches_up_keeps_up_and_stops_cleanly(ledger, store_settings, tmp_path):
    world = World.with_year(ledger, 2019)
    enterprise = world.eligible_enterprise()
    world.issue(enterprise)
    worker = Worker.start(store_settings, "money_flows", tmp_path)
    try:
        wait_until(at_least(store_settings, ["money_flows"], ledger.recorder.max_notification_id()), "caught up", [worker])
        platform = world.provider()
        world.advance(days=1)
        voucher = world.issue(world.eligible_enterprise())
        world.claim(voucher.voucher_id, platform, eligible_fee_fen=1_000_000)
        wait_until(at_least(store_settings, ["money_flows"], ledger.recorder.max_notification_id()), "kept up", [worker])
    finally:
        returncode = worker.stop()
    assert returncode == 0, worker.stderr()
    assert "caught up" in worker.stdout()
    assert check(ledger, store_settings, ["money_flows"]) == []


def test_check_while_every_worker_follows_sees_one_position_and_leaves_them_all_running(ledger, store_settings,
                                                                                         tmp_path):
    """``check`` rebuilds into scratch tables up to the live views' positions while the workers move them: it finds
    no difference, and every worker carries on (it used to move the live tracking records under them, and they
    stopped with ProjectionConflictError)."""
    world = World.with_year(ledger, 2019)
    platform = world.provider()
    receipt = world.approved_claim(world.issue(world.eligible_enterprise()).voucher_id, platform,
                                   eligible_fee_fen=1_000_000)
    world.paid_batch(platform, [receipt])
    workers = [Worker.start(store_settings, name, tmp_path) for name in PROJECTIONS]
    try:
        wait_until(at_least(store_settings, PROJECTIONS, ledger.recorder.max_notification_id()), "caught up", workers)
        checked, written = threading.Event(), []

        def write_while_checking() -> None:  # new events, so the workers move their positions during check
            while not checked.is_set() and len(written) < 30:
                world.advance(hours=1)
                written.append(world.claim(world.issue(world.eligible_enterprise()).voucher_id, platform,
                                           eligible_fee_fen=500_000))

        writer = threading.Thread(target=write_while_checking)
        writer.start()
        try:
            differences = check(ledger, store_settings)
        finally:
            checked.set()
            writer.join()
        assert differences == []
        assert written, "no event was written while check ran"
        assert all(worker.alive() for worker in workers), [(w.name, w.stderr()) for w in workers if not w.alive()]

        world.advance(days=1)  # after check: every worker still projects what is written
        world.approved_claim(world.issue(world.eligible_enterprise()).voucher_id, platform, eligible_fee_fen=800_000)
        wait_until(at_least(store_settings, PROJECTIONS, ledger.recorder.max_notification_id()), "kept up after check",
                   workers)
    finally:
        exits = stop_all(workers)
    assert exits == {name: 0 for name in PROJECTIONS}, [w.stderr() for w in workers]
    assert check(ledger, store_settings) == []


def test_a_rebuild_in_one_process_per_projection_equals_a_rebuild_from_zero(ledger, store_settings):
    from projections.parallel import rebuild_in_processes

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
