"""`voucher-ledger demo --no-serve` (a small programme) fills its store up to a morning of 2020 and prints tokens,
example requests that write (a claim on a real voucher, its approval, a batch opened, filled and paid) and reads,
and the line that points the command line at its store and clock. The printed lines are taken as printed (parsed
as the shell would read them, the ids the service gives out kept as the shell variables they name) and sent to an
app on the demo's store and clock: every one answers 2xx, and the figures move as the rules say."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from simulator.reference import CATALOGUE_ITEMS
from store.settings import Settings
from tests.e2e.test_api_cli import cli, run
from tests.support.api_helpers import ok

PORT = 8765  # printed in the examples, never listened on: the test sends them to an app in this process
DEMO_CLOCK = datetime.fromisoformat("2020-10-15T09:00:00+08:00")
KEPT = re.compile(r"""(?:(?P<name>[A-Z]+)=\$\()?(?P<curl>curl .+?)"""
                  r"""(?: \| tee /dev/stderr \| python3 -c '.*\["(?P<field>\w+)"\].*'\))?""")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    where = tmp_path_factory.mktemp("demo")
    done = run(["demo", "--events", "5000", "--no-serve", "--host", "127.0.0.1", "--port", str(PORT)], where)
    assert done.returncode == 0, done.stdout + done.stderr
    return where, done.stdout


@dataclass
class Printed:
    keeps: str | None  # the shell variable its answer's ``field`` is kept in
    field: str | None
    words: list[str]  # curl's words, as the shell splits them (variables not yet expanded)

    def request(self, kept: dict[str, str]) -> tuple[str, str, dict[str, str], str | None]:
        words = [re.sub(r"\$([A-Z]+)", lambda m: kept[m.group(1)], w) for w in self.words]
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        body = next((words[i + 1] for i, w in enumerate(words) if w == "-d"), None)
        method = next((words[i + 1] for i, w in enumerate(words) if w == "-X"), "GET")
        url = urlsplit(next(w for w in words if w.startswith("http")))
        assert url.netloc == f"127.0.0.1:{PORT}"  # --host and --port
        return method, url.path, headers, body


def printed(stdout: str) -> tuple[list[Printed], list[Printed]]:
    """(writes, reads): every curl line under "Write" and under "Read"."""
    section, found = None, {"Write": [], "Read": []}
    for line in stdout.splitlines():
        heading = line.split(" ", 1)[0].rstrip(":")
        if heading in found:
            section = heading
        elif section and line.startswith("  ") and "curl " in line:
            match = KEPT.fullmatch(line.strip())
            assert match, line
            found[section].append(Printed(match["name"], match["field"], shlex.split(match["curl"])))
    return found["Write"], found["Read"]


def send(client: TestClient, line: Printed, kept: dict[str, str]):
    method, path, headers, body = line.request(kept)
    return client.request(method, path, headers=headers, content=body)


def floor_rate(fee_fen: int, rate: str) -> int:
    return int((Decimal(fee_fen) * Decimal(rate)).to_integral_value(rounding=ROUND_FLOOR))


def settled(spend: dict, year: int) -> int:
    return sum(line["amount_fen"] for line in spend["lines"]
               if line["stage"] == "settled" and line["programme_year"] == year)


def test_the_printed_writes_work_as_printed_and_move_the_figures(demo):
    where, stdout = demo
    export = next(line for line in stdout.splitlines() if line.strip().startswith("export "))
    env = dict(word.split("=", 1) for word in shlex.split(export.strip())[1:])
    assert env["VOUCHER_LEDGER_CLOCK"] == DEMO_CLOCK.isoformat()
    assert Path(env["VOUCHER_LEDGER_SQLITE_PATH"]) == where / "var" / "demo.sqlite3"
    writes, reads = printed(stdout)
    assert [w.keeps for w in writes] == ["CLAIM", None, "BATCH", None, None]
    keys = [w.request({"CLAIM": "c", "BATCH": "b"})[2].get("Idempotency-Key") for w in writes]
    assert all(keys) and len(set(keys)) == len(keys)
    settings = Settings(store="sqlite", sqlite_path=Path(env["VOUCHER_LEDGER_SQLITE_PATH"]),
                        clock=datetime.fromisoformat(env["VOUCHER_LEDGER_CLOCK"]))
    with TestClient(create_app(settings)) as client:
        assert ok(client.get("/v1/programme", headers=reads[0].request({})[2]))["training"] is True
        voucher_path, spend_path, audit_path = (r.request({})[1] for r in reads)
        before = ok(send(client, reads[0], {}))
        spend_before = ok(send(client, reads[1], {}))
        trail_before = ok(send(client, reads[2], {}))["items"]
        assert before["status"] == "ACTIVE" and before["programme_year"] == DEMO_CLOCK.year
        # The history stops at the demo's clock: nothing was recorded after it.
        assert max(e["recorded_us"] for e in trail_before) < DEMO_CLOCK.timestamp() * 1e6
        listed = ok(client.get("/v1/vouchers", params={"year": before["programme_year"]},
                               headers=reads[0].request({})[2]))["items"]
        item = next(v["item_id"] for v in listed if v["voucher_id"] == before["voucher_id"])
        rate = next(rate for suffix, _, _, rate, _ in CATALOGUE_ITEMS if item == f"{DEMO_CLOCK.year}-{suffix}")

        kept: dict[str, str] = {}
        answers = []
        for line in writes:
            answer = send(client, line, kept)
            assert 200 <= answer.status_code < 300, f"{line.words[:3]}: {answer.status_code} {answer.text}"
            answers.append(answer.json())
            if line.keeps:
                kept[line.keeps] = str(answer.json()[line.field])
        claim_body = writes[0].request(kept)[3]
        fee = json.loads(claim_body)["eligible_fee_fen"]
        amount = floor_rate(fee, rate)
        assert answers[0]["amount_fen"] == amount > 0
        assert answers[0]["balance_after_fen"] == before["remaining_fen"] - amount
        assert answers[1]["status"] == "APPROVED" and answers[4]["total_fen"] == amount

        after = ok(send(client, reads[0], {}))
        assert after["remaining_fen"] == before["remaining_fen"] - amount
        assert after["settled_fen"] == before["settled_fen"] + amount
        assert (after["claimed_fen"], after["approved_fen"]) == (before["claimed_fen"], before["approved_fen"])
        spend_after = ok(send(client, reads[1], {}))
        assert settled(spend_after, DEMO_CLOCK.year) == settled(spend_before, DEMO_CLOCK.year) + amount
        trail = ok(send(client, reads[2], {}))["items"]
        new = [e for e in trail if e["position"] not in {t["position"] for t in trail_before}]
        assert {(e["event_type"], e["correlation_id"]) for e in new} >= {
            ("Voucher.Claimed", keys[0]), ("Voucher.ClaimApproved", keys[1]),
            ("Voucher.ClaimBatched", keys[3]), ("Voucher.ClaimSettled", keys[4])}
        start_us = DEMO_CLOCK.timestamp() * 1e6  # recorded on the demo's training clock, after its history
        assert all(start_us <= e["recorded_us"] < start_us + timedelta(hours=1).total_seconds() * 1e6 for e in new)

        again = send(client, writes[0], kept)  # the same line again: the same answer, nothing moves
        assert again.status_code == 201 and again.json()["claim_id"] == kept["CLAIM"]
        assert ok(send(client, reads[0], {}))["remaining_fen"] == after["remaining_fen"]
        assert spend_path.startswith("/v1/cities/") and audit_path == f"/v1/audit/voucher/{before['voucher_id']}"
        assert voucher_path == f"/v1/vouchers/{before['voucher_id']}"

    # The command line after the export line reads the demo's store, and sees the claim settled.
    listed = run(["list", "claims", "--voucher", before["voucher_id"], "--json"], where, **env)
    assert listed.returncode == 0, listed.stderr
    claims = {c["claim_id"]: c for c in json.loads(listed.stdout)["items"]}
    assert claims[kept["CLAIM"]]["status"] == "SETTLED" and claims[kept["CLAIM"]]["amount_fen"] == amount
    # ... and writes on the demo's clock: a revocation is recorded after the service's writes, in 2020, so the
    # figure as of the clock's now (the command line's default) shows it.
    revoked = run(["revoke-voucher", before["voucher_id"], "--reason", "demo: withdrawn"], where, **env)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    figure = run(["figure", "voucher", before["voucher_id"]], where, **env)
    assert figure.returncode == 0 and json.loads(figure.stdout)["answer"]["status"] == "REVOKED", figure.stdout
    with TestClient(create_app(settings)) as client:
        trail = ok(send(client, reads[2], {}))["items"]
    [revocation] = [e for e in trail if e["event_type"] == "Voucher.Revoked"]
    assert max(e["recorded_us"] for e in new) < revocation["recorded_us"] < start_us + 3600e6


def test_every_demo_token_is_accepted_and_names_the_picked_parties(demo):
    where, stdout = demo
    roles = {line.split()[0]: line.split()[1] for line in stdout.splitlines()
             if line.startswith("  ") and len(line.split()) == 2 and line.split()[1].count(".") == 2}
    assert [r.split(":")[0] for r in roles] == ["province", "auditor", "city", "enterprise", "provider"]
    settings = Settings(store="sqlite", sqlite_path=where / "var" / "demo.sqlite3")
    with TestClient(create_app(settings)) as client:
        for role, token in roles.items():
            assert ok(client.get("/v1/programme", headers={"Authorization": f"Bearer {token}"}))["training"] is True
        provider = next(r for r in roles if r.startswith("provider:")).split(":")[1]
        whitelisted = ok(client.get("/v1/providers", params={"uscc": provider},
                                    headers={"Authorization": f"Bearer {roles['province']}"}))["items"]
        assert [p["status"] for p in whitelisted] == ["WHITELISTED"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
def test_the_demo_serves_and_its_lines_run_in_a_shell_as_printed(tmp_path):
    """The demo as the README runs it (serving), and its write and read lines pasted into bash: every curl answers
    2xx (``--fail``), the claim's and the batch's ids flow through the shell variables, the batch is paid."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")}
    demo = subprocess.Popen([cli(), "demo", "--events", "5000", "--port", str(port)], cwd=tmp_path,
                            env={**clean, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        for line in demo.stdout:  # up to the command line's two lines, printed last before serving
            lines.append(line)
            if line.strip().startswith("export "):
                lines.append(next(demo.stdout))
                break
        stdout = "".join(lines)
        writes, reads = printed(stdout)
        assert len(writes) == 5 and len(reads) == 3
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and demo.poll() is None, "the demo did not start serving"
                time.sleep(0.2)
        pasted = [line.strip().replace("curl -s ", "curl -s --fail ", 1) for line in stdout.splitlines()
                  if line.startswith("  ") and "curl " in line]
        script = "set -euo pipefail\n" + "\n".join(pasted) + '\necho "CLAIM=$CLAIM BATCH=$BATCH"\n'
        shell = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False)
        assert shell.returncode == 0, shell.stdout + shell.stderr
        answers = [json.loads(line) for line in (shell.stdout + shell.stderr).splitlines() if line.startswith("{")]
        paid = next(a for a in answers if "total_fen" in a)
        claim = next(a for a in answers if "balance_after_fen" in a)
        assert paid["total_fen"] == claim["amount_fen"] > 0
        assert f"CLAIM={claim['claim_id']} BATCH={paid['batch_id']}" in shell.stdout
    finally:
        demo.terminate()
        demo.wait(timeout=30)
