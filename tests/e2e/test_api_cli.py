"""The service's commands as a user runs them: `voucher-ledger token` mints a token the app accepts; `voucher-ledger
demo --no-serve` fills a SQLite store and prints tokens and three curl examples, which answer 200 with plausible
bodies from an app built on that store."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from store.settings import Settings
from tests.support.api_helpers import assert_problem, ok

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


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    where = tmp_path_factory.mktemp("demo")
    done = run(["demo", "--events", "5000", "--no-serve"], where)
    assert done.returncode == 0, done.stdout + done.stderr
    return where, done.stdout


def _curls(stdout: str) -> list[tuple[dict[str, str], str]]:
    requests = []
    for line in stdout.splitlines():
        if not line.strip().startswith("curl "):
            continue
        words = shlex.split(line)
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        url = next(w for w in words if w.startswith("http"))
        parts = urlsplit(url)
        assert parts.path.startswith("/v1/")
        requests.append((headers, parts.path + (f"?{parts.query}" if parts.query else "")))
    return requests


def test_demo_prints_tokens_and_three_examples(demo):
    where, stdout = demo
    assert (where / "var" / "demo.sqlite3").exists()
    curls = _curls(stdout)
    assert [path.split("/")[2] for _, path in curls] == ["vouchers", "cities", "audit"]
    roles = [line.split()[0] for line in stdout.splitlines() if line.startswith("  ") and line.split()
             and line.split()[0].split(":")[0] in ("province", "auditor", "city", "enterprise", "provider")]
    assert [r.split(":")[0] for r in roles] == ["province", "auditor", "city", "enterprise", "provider"]


def test_the_demo_examples_answer_from_the_demo_store(demo):
    where, stdout = demo
    settings = Settings(store="sqlite", sqlite_path=where / "var" / "demo.sqlite3")
    (voucher_headers, voucher_path), (city_headers, city_path), (audit_headers, audit_path) = _curls(stdout)
    with TestClient(create_app(settings)) as client:
        voucher = ok(client.get(voucher_path, headers=voucher_headers))
        assert voucher["voucher_id"] == voucher_path.rsplit("/", 1)[1]
        assert voucher["face_value_fen"] > 0 and voucher["settled_fen"] > 0  # the demo picks a settled voucher
        assert voucher["remaining_fen"] == (voucher["face_value_fen"] - voucher["claimed_fen"] - voucher["approved_fen"]
                                            - voucher["settled_fen"] - voucher["returned_fen"]) >= 0
        assert 2018 <= voucher["programme_year"] <= 2020

        spend = ok(client.get(city_path, headers=city_headers))
        city = city_path.split("/")[3].split("?")[0]
        assert spend["city"] == city == voucher["city"]
        assert spend["quotas"] and all(q["quota_set_fen"] >= q["quota_used_fen"] >= 0 for q in spend["quotas"].values())
        assert spend["lines"] and all(isinstance(line["amount_fen"], int) for line in spend["lines"])
        claimed = sum(line["amount_fen"] for line in spend["lines"] if line["stage"] == "claimed")
        assert claimed >= 0

        trail = ok(client.get(audit_path, headers=audit_headers))
        types = [e["event_type"] for e in trail["items"]]
        positions = [e["position"] for e in trail["items"]]
        assert positions == sorted(set(positions))
        assert "Voucher.Issued" in types and "Voucher.ClaimSettled" in types
        assert types.index("Voucher.Issued") < types.index("Voucher.ClaimSettled")


def test_every_demo_token_is_accepted(demo):
    where, stdout = demo
    settings = Settings(store="sqlite", sqlite_path=where / "var" / "demo.sqlite3")
    tokens = [line.split()[1] for line in stdout.splitlines() if line.startswith("  ") and len(line.split()) == 2
              and line.split()[1].count(".") == 2]
    assert len(tokens) == 5
    with TestClient(create_app(settings)) as client:
        for token in tokens:
            assert ok(client.get("/v1/whitelist", headers={"Authorization": f"Bearer {token}"}))["providers"]
