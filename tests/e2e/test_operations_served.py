"""The operations kit as production runs it: `voucher-ledger serve` on PostgreSQL, its `follow` workers as its own
children (restarted when one dies), /metrics scraped, /readyz judging the workers, and the JSON access log read back.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.support.follow_workers import Worker
from tests.support.served_api import ServedApi, prepare_claims, small_pools, token, until

pytestmark = pytest.mark.postgres
WAIT_S = 60  # a bound for slow shared machines, never a figure an assert depends on
PROJECTIONS = ("money_flows", "whitelist", "audit_trail", "settlement_batches", "journal", "lists")


@pytest.fixture
def served_settings(request, tmp_path):
    from tests.conftest import settings_for

    return small_pools(settings_for("postgres", request, tmp_path))


def ready(server: ServedApi) -> httpx.Response:
    return httpx.get(f"{server.url}/readyz", timeout=10)


def children(pid: int) -> dict[str, int]:
    """The `follow` processes whose parent is ``pid``, by projection."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"follow" in argv:
            found[argv[argv.index(b"follow") + 1].decode()] = int(entry.name)
    return found


def access_lines(server: ServedApi) -> list[dict]:
    return [record for record in json_lines(server) if record.get("event") == "request"]


def test_serve_runs_its_workers_restarts_a_dead_one_scrapes_metrics_and_logs_json(served_settings, tmp_path):
    [claim] = prepare_claims(served_settings, vouchers=1, claims=1, tag="OPS")
    server = ServedApi(served_settings, tmp_path / "serve.log", workers=True)
    try:
        server.start()
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "alive"}
        until(lambda: ready(server).status_code == 200, f"/readyz 200 with serve's own workers:\n{server.log()}")
        workers = until(lambda: len(c := children(server.proc.pid)) == len(PROJECTIONS) and c, "six workers")
        assert set(workers) == set(PROJECTIONS)
        before = ready(server).json()["checks"]["position"]

        headers = {"Authorization": f"Bearer {token(served_settings)}", "Idempotency-Key": claim.key,
                   "X-Request-ID": "ops-test-claim-1"}
        answer = httpx.post(f"{server.url}{claim.path}", json=claim.body, headers=headers, timeout=WAIT_S)
        assert answer.status_code == 201 and answer.headers["x-request-id"] == "ops-test-claim-1"
        generated = httpx.get(f"{server.url}/v1/whitelist").headers["x-request-id"]  # 401, and an id made here
        assert len(generated) == 32

        # the claim's figures reach every projection: ready again, every lag 0 at the claim's position
        checks = until(lambda: (r := ready(server)).status_code == 200 and all(
            p["lag_events"] == 0 for p in r.json()["checks"]["projections"].values()) and r.json()["checks"],
            "caught up after the claim")
        assert checks["position"] > 0 and all(p["followed"] for p in checks["projections"].values())

        metrics = httpx.get(f"{server.url}/metrics").text
        route = "/v1/vouchers/{voucher_id}/claims"
        assert f'voucher_ledger_http_requests_total{{method="POST",route="{route}",status="201"}} 1.0' in metrics
        assert f'voucher_ledger_http_request_duration_seconds_count{{method="POST",route="{route}",status="201"}} 1.0' \
            in metrics
        assert "voucher_ledger_group_commit_batch_commands_count 1.0" in metrics  # one claim, one batch
        # what the writer says it appended is what the store's position moved by
        assert f"\nvoucher_ledger_events_appended_total {float(checks['position'] - before)}\n" in metrics
        assert checks["position"] > before
        assert 'voucher_ledger_projection_lag_events{projection="whitelist"} 0.0' in metrics
        assert f'voucher_ledger_projection_position{{projection="lists"}} {float(checks["position"])}' in metrics

        [line] = [r for r in access_lines(server) if r["request_id"] == "ops-test-claim-1"]
        assert (line["method"], line["route"], line["status"]) == ("POST", route, 201)
        assert line["duration_ms"] > 0
        assert any(r["request_id"] == generated and r["status"] == 401 for r in access_lines(server))

        # a worker that dies is started again by serve
        os.kill(workers["whitelist"], signal.SIGKILL)
        again = until(lambda: (c := children(server.proc.pid)).get("whitelist") not in (None, workers["whitelist"])
                      and c, "the whitelist worker restarted")
        assert set(again) == set(PROJECTIONS)
        until(lambda: ready(server).status_code == 200, "ready again after the restart")
    finally:
        server.stop()
    assert children(server.proc.pid) == {}  # serve stopped its workers with it
    # the death an operator alerts on is a JSON line like every other, not loose text among them
    [death] = [r for r in json_lines(server) if "follow whitelist exited" in str(r.get("event"))]
    assert death["level"] == "warning" and "restarting in" in death["event"]


def json_lines(server: ServedApi) -> list[dict]:
    found = []
    for line in server.log_path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line that is not JSON (a worker's progress bar)
        if isinstance(record, dict):
            found.append(record)
    return found


def test_a_killed_serve_leaves_no_worker_behind(served_settings, tmp_path):
    """SIGKILL gives serve no chance to stop its workers: each dies with it all the same, by the parent-death signal
    each child sets itself before it becomes the worker (api/cli/supervisor.py)."""
    server = ServedApi(served_settings, tmp_path / "serve.log", workers=True)
    try:
        server.start()
        workers = until(lambda: len(c := children(server.proc.pid)) == len(PROJECTIONS) and c, "six workers")
    finally:
        server.kill()
    until(lambda: not any(_running(pid) for pid in workers.values()), "every worker gone with serve")


def _running(pid: int) -> bool:
    """A process that has not exited (a zombie waiting for its new parent to reap it has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_without_its_workers_readyz_fails_until_one_follows_each_projection(served_settings, tmp_path):
    # the followers are judged here, not the lag: however slow the machine, the prepared events never count as late
    served_settings = served_settings.model_copy(update={"ready_max_lag_s": 24 * 3600.0})
    prepare_claims(served_settings, vouchers=1, claims=0, tag="NOWORK")
    server = ServedApi(served_settings, tmp_path / "serve.log", workers=False)
    workers: dict[str, Worker] = {}
    try:
        server.start()
        answer = ready(server)
        assert answer.status_code == 503 and answer.headers["content-type"].startswith("application/problem+json")
        problem = answer.json()
        assert problem["code"] == "NOT_READY" and problem["request_id"] == answer.headers["x-request-id"]
        assert sorted(problem["reasons"]) == sorted(f"no worker follows projection {name} "
                                                    f"(`voucher-ledger follow {name}`)" for name in PROJECTIONS)
        for name in PROJECTIONS:
            workers[name] = Worker.start(served_settings, name, tmp_path)
        until(lambda: ready(server).status_code == 200, "ready once every projection is followed")

        assert workers["journal"].stop() == 0
        stopped = until(lambda: (r := ready(server)).status_code == 503 and r.json(), "503 while journal has none")
        assert stopped["reasons"] == ["no worker follows projection journal (`voucher-ledger follow journal`)"]
        workers["journal"] = Worker.start(served_settings, "journal", tmp_path)
        until(lambda: ready(server).status_code == 200, "ready once journal is followed again")
    finally:
        for worker in workers.values():
            worker.stop()
        server.stop()


def test_every_line_serve_writes_is_json_for_a_log_collector(served_settings, tmp_path):
    """README: a collector reads every line of `serve` as JSON. uvicorn's own records (started, shutting down, and an
    unhandled exception's traceback, many loose lines) and serve's banner were plain text beside the JSON lines."""
    server = ServedApi(served_settings, tmp_path / "serve.log")
    try:
        server.start()
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    lines = [line for line in server.log_path.read_text().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}\n{server.log()}")
    events = [r.get("event", "") for r in records]
    assert any("Application startup complete" in e for e in events), events
    assert any(r.get("event") == "serving" and r.get("docs", "").endswith("/docs") for r in records), events
    assert any(r.get("event") == "request" and r.get("route") == "/healthz" for r in records), events
