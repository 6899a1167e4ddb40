"""The service's commands as a user runs them: `voucher-ledger token` mints a token the app accepts, for any role
(`voucher-ledger demo`: tests/e2e/test_demo.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from projections.runner import QUIET_CATCH_UP
from simulator import simulate
from simulator.store import open_simulation_store
from store.settings import Settings
from tests.support.api_helpers import assert_problem, ok, store_env
from tests.support.cli_runner import voucher_ledger

SECRET = "a-test-signing-key-for-the-cli-0123456789"


def cli() -> str:
    found = Path(sys.executable).with_name("voucher-ledger")
    return str(found) if found.exists() else shutil.which("voucher-ledger") or pytest.skip("voucher-ledger not found")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")}
    return subprocess.run([cli(), *args], cwd=cwd, env={**clean, "COLUMNS": "200", **env}, capture_output=True,
                          text=True, timeout=120, check=False)


def test_token_mints_a_token_the_app_accepts(tmp_path):
    done = run(["token", "--role", "province"], tmp_path, VOUCHER_LEDGER_JWT_SECRET=SECRET)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.count(".") == 2 and "\n" not in token
    settings = Settings(store="sqlite", sqlite_path=tmp_path / "token.sqlite3", jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        resp = client.get("/v1/events", headers={"Authorization": f"Bearer {token}"})
        set_up = {e["position"] for e in ok(resp)["items"]}  # the province may read the feed: the role came through
        assert {e["event_type"].split(".")[0] for e in ok(resp)["items"]} == {"Programme", "ProgrammeYear"}
        ok(client.post("/v1/carrier-rates", json={"year": 2020, "rates": {"CHINA_TELECOM": "0.30"}},
                       headers={"Authorization": f"Bearer {token}"}))  # a province-only command
        feed = ok(client.get("/v1/events", headers={"Authorization": f"Bearer {token}"}))["items"]
        assert [(e["event_type"], e["actor"]) for e in feed if e["position"] not in set_up] == [
            ("CarrierDiscountRates.Set", "province")]
    other = settings.model_copy(update={"jwt_secret": SecretStr("another-key-0123456789-0123456789")})
    with TestClient(create_app(other)) as client:  # signed with the configured key, not a fixed one
        assert_problem(client.get("/v1/whitelist", headers={"Authorization": f"Bearer {token}"}), 401,
                       "UNAUTHENTICATED")


def test_token_for_a_scoped_role_and_a_refused_role(tmp_path):
    done = run(["token", "--role", "city:440600", "--subject", "foshan-finance", "--ttl-s", "120"], tmp_path,
               VOUCHER_LEDGER_JWT_SECRET=SECRET)
    assert done.returncode == 0, done.stderr
    settings = Settings(store="sqlite", sqlite_path=tmp_path / "scoped.sqlite3", jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {done.stdout.strip()}"}
        assert ok(client.get("/v1/cities/440600/spend", headers=headers))["city"] == "440600"
        assert_problem(client.get("/v1/cities/441900/spend", headers=headers), 404, "NOT_FOUND")  # not its city
    refused = run(["token", "--role", "mayor"], tmp_path, VOUCHER_LEDGER_JWT_SECRET=SECRET)
    assert refused.returncode == 2 and refused.stdout.count(".") < 2


def test_a_path_that_cannot_be_written_is_one_line_and_exit_2(tmp_path):
    """`export` into a file, or into a folder whose parent is missing, and `digest --out` into a missing folder: one
    clear line and exit 2 before any work, never a traceback, and no folder made where nobody meant one."""
    (tmp_path / "a-file").write_text("not a folder")
    store = {"VOUCHER_LEDGER_STORE": "sqlite", "VOUCHER_LEDGER_SQLITE_PATH": str(tmp_path / "l.sqlite3")}
    for args, why in ((["export", str(tmp_path / "a-file")], "is a file, not a folder"),
                      (["export", str(tmp_path / "missing" / "out")], "does not exist"),
                      (["digest", "--out", str(tmp_path / "missing" / "d.json")], "does not exist")):
        done = run(args, tmp_path, **store)
        assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr)
        assert why in done.stderr and len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
    assert (tmp_path / "a-file").read_text() == "not a folder" and not (tmp_path / "missing").exists()
    assert not (tmp_path / "l.sqlite3").exists()  # refused before the store was opened


def test_a_query_after_a_large_write_shows_its_catch_up_on_stderr(store_settings, tmp_path):
    """The first query after `simulate` caught the read models up for seconds with nothing on screen. Now a catch-up
    of more than a page (runner.QUIET_CATCH_UP) shows a bar on standard error, and standard output stays the
    answer alone; the next query, caught up, shows none. In this process (tests/support/cli_runner.py)."""
    app = open_simulation_store(store_settings)
    try:
        simulate(app, events=QUIET_CATCH_UP + 1_500, seed=5, flush_events=500)  # written, not yet projected
        last = app.recorder.max_notification_id()
    finally:
        app.close()
    env = {**store_env(store_settings), "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true"}
    ask = ["figure", "city", "440600", "--as-of", "2020-01-01T00:00:00+08:00"]
    first = voucher_ledger(ask, env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "catching up the read models" in first.stderr and f"{last}/{last}" in first.stderr  # every position
    answer = json.loads(first.stdout)["answer"]  # nothing but the answer on standard output
    # its times as Guangdong reads them, as --as-of took it (not 2019-12-31 16:00:00+00:00)
    assert json.loads(first.stdout)["as_of"] == "2020-01-01T00:00:00+08:00"
    second = voucher_ledger(ask, env, cwd=tmp_path)
    assert second.returncode == 0 and "catching up" not in second.stderr
    assert json.loads(second.stdout)["answer"] == answer
