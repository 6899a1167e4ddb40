"""HTTP load from ``wrk`` (a C load generator: its client costs the server's CPUs little), with a Lua script that
sends a fresh claim on every request.

``wrk`` is the Debian package: found on the PATH (or /usr/bin/wrk), else installed with ``apt-get install -y wrk``
when this process may (root), else the benchmark says it is missing. The script reads a plan file — one target a
line, ``path<TAB>provider_id<TAB>fee_category`` — and sends request n of thread t to target ``(t + n × threads) mod
targets``, with contract and invoice numbers and an ``Idempotency-Key`` made of the run's tag, t and n: every request
is a new claim. Its ``done`` prints one JSON line: requests, seconds, statuses (201 counted apart from the rest),
socket errors and latency percentiles (microseconds) of every request.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULT_PREFIX = "WRK_RESULT "

LUA = r"""
local plan_path, token, tag, fee = "%(plan)s", "%(token)s", "%(tag)s", %(fee)d
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local targets = {}
local n = 0
statuses = {}

function init(args)
  for line in io.lines(plan_path) do
    local path, provider, category = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(targets, {path, provider, category})
  end
end

local function body(i, provider, category)
  local serial = string.format("%%s-%%d-%%d", tag, tid, i)
  return string.format('{"provider_id":"%%s","fee_category":"%%s","eligible_fee_fen":%%d,'
    .. '"contract_no":"HT-%%s","contract_date":"2019-01-30T10:00:00+00:00","contract_amount_fen":%%d,'
    .. '"invoice_nos":["INV-%%s"],"payment_proven_fen":%%d,"payment_proof_ref":"BANK-%%s",'
    .. '"acceptance_report_ref":"ACC-%%s","accepted_at":"2019-02-28T10:00:00+00:00","no_other_funding":true}',
    provider, category, fee, serial, fee, serial, fee, serial, serial)
end

function request()
  n = n + 1
  local t = targets[((tid + (n - 1) * %(threads)d) %% #targets) + 1]
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
                   ["Idempotency-Key"] = string.format("%%s-%%d-%%d", tag, tid, n)}
  return wrk.format("POST", t[1], headers, body(n, t[2], t[3]))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for k, v in pairs(s) do total[tostring(k)] = (total[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%%s":%%d', k, v)) end
  local e = summary.errors
  io.write(string.format('%(prefix)s{"requests":%%d,"duration_us":%%d,"statuses":{%%s},'
    .. '"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d},'
    .. '"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,"mean_us":%%f}\n',
    summary.requests, summary.duration, table.concat(parts, ","), e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def find_wrk(install: bool = True) -> str | None:
    """The ``wrk`` binary; installed from Debian's archive if absent and this process is root."""
    found = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if found or not install or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    for args in (["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"],
                 ["apt-get", "install", "-y", "-q", "wrk"]):
        subprocess.run(args, capture_output=True, timeout=600, check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if shutil.which("wrk"):
            return shutil.which("wrk")
    return None


@dataclass
class Target:
    path: str  # e.g. /v1/vouchers/<id>/claims
    provider_id: str
    fee_category: str


@dataclass
class WrkResult:
    requests: int
    seconds: float
    statuses: dict[str, int]
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def refused(self) -> dict[str, int]:
        bad = {f"HTTP {k}": v for k, v in self.statuses.items() if k != "201"}
        bad |= {f"socket {k}": v for k, v in self.errors.items() if v and k != "status"}
        return bad


def write_script(folder: Path, name: str, targets: list[Target], token: str, tag: str, fee_fen: int,
                 threads: int) -> Path:
    plan = folder / f"{name}.plan"
    plan.write_text("".join(f"{t.path}\t{t.provider_id}\t{t.fee_category}\n" for t in targets))
    script = folder / f"{name}.lua"
    script.write_text(LUA % {"plan": plan, "token": token, "tag": tag, "fee": fee_fen, "threads": threads,
                             "prefix": RESULT_PREFIX})
    return script


def run_wrk(binary: str, url: str, script: Path, *, threads: int, connections: int, seconds: float,
            timeout_s: float = 10.0) -> WrkResult:
    """One wrk run (whole seconds: wrk takes no fractions); raises ``RuntimeError`` with wrk's output if it printed no result."""
    done = subprocess.run([binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                           f"--timeout={max(1, round(timeout_s))}s",
                           "-s", str(script), url], capture_output=True, text=True,
                          timeout=seconds + timeout_s + 30, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line[len(RESULT_PREFIX):])
    return WrkResult(requests=raw["requests"], seconds=raw["duration_us"] / 1e6, statuses=raw["statuses"],
                     errors=raw["errors"], p50_ms=raw["p50_us"] / 1000, p90_ms=raw["p90_us"] / 1000,
                     p99_ms=raw["p99_us"] / 1000, max_ms=raw["max_us"] / 1000, raw=raw)
