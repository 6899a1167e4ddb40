"""Claims through the HTTP service: ``voucher-ledger serve`` in production settings, N concurrent HTTP clients.

Set-up (untimed) writes a 2021 programme year straight through the ledger application into a fresh PostgreSQL
schema of the scratch database (``bench.ledger_world``, as the ``commands`` benchmark does), with a redemption
deadline far in the future: the service records every command at ``datetime.now(UTC)`` (``api/http/dependencies.py``)
and has no clock setting, so vouchers with the programme's real deadline (2020) would refuse every claim as
``VOUCHER_EXPIRED``. Per repeat and client: a fresh provider (own quota, so every repeat replays the same quota
snapshot cycle) and its own vouchers. The read-model migrations are applied before the server starts.

Then ``voucher-ledger serve`` runs as a subprocess with ``VOUCHER_LEDGER_PRODUCTION=1``, a random JWT secret,
``STORE=postgres``, that schema, ``scale.http_server_workers`` uvicorn workers and a free port; every other
``VOUCHER_LEDGER_*`` variable is removed from its environment so that the run measures the defaults (pool sizes
&c.). It is ready when every worker has logged "Application startup complete" and ``/openapi.json`` answers.

Clients: N threads in the bench process (``bench.timing.run_workers``), each with its own ``httpx.Client`` and
keep-alive connection (see :class:`Clients` for why not one ``AsyncClient``), each POSTing its claims one after
another (closed loop): ``POST /v1/vouchers/{id}/claims`` with a province bearer token, a fresh ``Idempotency-Key``
and unique contract/invoice numbers, bodies encoded before the clock starts. A warm-up round (2 claims per client,
on their own providers and vouchers) opens every connection first. Timed: from releasing all threads together to
the last response. Only 201s count as done; any other status (by status and problem ``code``) or transport error
(by class) is counted in ``refused`` and shown in the table. The server is stopped with SIGINT (as Ctrl-C) and its
exit code recorded; a start-up that fails is retried and recorded (``server_failed_starts``).

Figures (each the median of the repeats):
``postgres.http_claims.<N>clients`` claims/s, ratio to ``postgres.insert_commit.1conn``;
``postgres.http_claims.p50|p99.<N>clients`` ms per 201 response, client-side. The issue's goals (≥ 0.5 ×, p99 ≤ 50 ms)
are judged on the ``http_wrk`` figures (wrk's load costs the shared CPUs far less than these Python clients).
Unless ``scale.http_compare`` is off (tiny), the same again, each on its own fresh schema, with suffix ``.nodelay``
(N workers, the listener given TCP_NODELAY: see ``NODELAY_SERVE``), ``.1worker`` (API_WORKERS=1) and
``.no_group_commit`` (N workers, ``VOUCHER_LEDGER_API_GROUP_COMMIT=0``: one transaction per command).
Notes hold the CPU milliseconds per claim of the client (this process), the server's processes and the PostgreSQL
backends of the scratch database, read from ``/proc`` — on 2 cores they all compete for the same CPUs.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from pydantic import SecretStr

from api.http.auth import mint
from store.settings import Settings
from store.opening import open_ledger
from bench.context import Context
from bench.ledger_world import CLAIM_FEE_FEN, CLAIMED_AT, BenchWorld, VoucherRef
from bench.registry import Figure, benchmark
from bench.timing import Job, Tally, run_workers
from projections.runner import close_projections, open_projections

REDEMPTION_DEADLINE = date(2099, 12, 31)  # redeemable on the real clock (see the module docstring)
WARM_UP_CLAIMS = 2  # per client, untimed
START_TIMEOUT_S = 60.0
START_ATTEMPTS = 3
STOP_TIMEOUT_S = 20.0
BASELINE = "postgres.insert_commit.1conn"


@dataclass(frozen=True)
class Post:
    path: str
    body: bytes
    key: str


def claim_post(world: BenchWorld, voucher: VoucherRef, provider_id: uuid.UUID) -> Post:
    """One claim of a 1,000 RMB fee (as ``BenchWorld.claim_command``), as the JSON body of ``ClaimIn``."""
    n = world.serial()
    body = {
        "provider_id": str(provider_id),
        "fee_category": voucher.fee_category,
        "eligible_fee_fen": CLAIM_FEE_FEN,
        "contract_no": f"HT-{world.tag}-{n:07d}",
        "contract_date": (CLAIMED_AT - timedelta(days=30)).isoformat(),
        "contract_amount_fen": CLAIM_FEE_FEN,
        "invoice_nos": [f"INV-{world.tag}-{n:07d}"],
        "payment_proven_fen": CLAIM_FEE_FEN,
        "payment_proof_ref": f"BANK-{n:07d}",
        "acceptance_report_ref": f"ACC-{n:07d}",
        "accepted_at": (CLAIMED_AT - timedelta(days=1)).isoformat(),
        "no_other_funding": True,
    }
    return Post(f"/v1/vouchers/{voucher.voucher_id}/claims", json.dumps(body).encode(), f"bench-{world.tag}-{n}")


def client_plan(world: BenchWorld, claims: int, per_voucher: int, advance) -> list[Post]:
    """A fresh provider and ``ceil(claims / per_voucher)`` vouchers; claims go round the vouchers (as ``commands``)."""
    provider_id = world.provider()
    advance(3)
    vouchers = world.vouchers(math.ceil(claims / per_voucher), advance)
    return [claim_post(world, vouchers[i % len(vouchers)], provider_id) for i in range(claims)]


# -- CPU accounting from /proc (no psutil here) -------------------------------------------------------------------------
_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime (fields 14 and 15 of stat)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: _proc_cpu_s(pid) for pid in pids}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two samples; a process first seen in ``after`` started in between (counted from 0)."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


# -- the server ----------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ``voucher-ledger serve`` with one change, to measure what it costs (the ``.nodelay`` figures): uvicorn's
# ``Config.bind_socket`` (the listener the multi-worker supervisor binds and hands to its workers) creates the socket
# with ``proto=0``; accepted sockets inherit it and asyncio sets TCP_NODELAY only when ``proto == IPPROTO_TCP``, so
# with ``--workers N > 1`` Nagle stays on and every keep-alive response waits ~40 ms for the client's delayed ACK
# (https://github.com/Kludex/uvicorn/issues/3149). This re-wraps the bound socket's descriptor with IPPROTO_TCP.
NODELAY_SERVE = """
import socket
import uvicorn.config

_bind = uvicorn.config.Config.bind_socket


def bind_socket(self):
    sock = _bind(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
    return sock


uvicorn.config.Config.bind_socket = bind_socket
from api.cli import app
app()
"""


def serve_command(nodelay_listener: bool = False) -> list[str]:
    if nodelay_listener:
        return [sys.executable, "-c", NODELAY_SERVE, "serve"]
    script = Path(sys.executable).with_name("voucher-ledger")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-c", "from api.cli import app; app()", "serve"]


@dataclass
class Server:
    """``voucher-ledger serve`` as a subprocess; its output goes to ``log_path``."""

    settings: Settings
    workers: int
    log_path: Path
    nodelay_listener: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    command: list[str] | None = None  # what to run instead of ``serve_command(nodelay_listener)``
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    started_in_s: float = 0.0
    failed_starts: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")}
        env.update({
            "VOUCHER_LEDGER_PRODUCTION": "1",
            "VOUCHER_LEDGER_JWT_SECRET": self.settings.jwt_secret.get_secret_value(),
            "VOUCHER_LEDGER_JWT_AUDIENCE": self.settings.jwt_audience or "",
            "VOUCHER_LEDGER_STORE": "postgres",
            "VOUCHER_LEDGER_POSTGRES_URL": self.settings.environment()["VOUCHER_LEDGER_POSTGRES_URL"],
            "VOUCHER_LEDGER_POSTGRES_SCHEMA": self.settings.postgres_schema,
            "VOUCHER_LEDGER_API_HOST": "127.0.0.1",
            "VOUCHER_LEDGER_API_PORT": str(self.port),
            "VOUCHER_LEDGER_API_WORKERS": str(self.workers),
            **self.extra_env,
        })
        return env

    def start(self) -> Server:
        """Start and wait until ready. A start-up that exits is retried (``START_ATTEMPTS``) and recorded in
        ``failed_starts``: with several workers, each worker's ``open_ledger`` re-runs the library's
        ``CREATE OR REPLACE FUNCTION`` and two at once can fail with "tuple concurrently updated" (bench/README.md)."""
        started = time.perf_counter()
        for attempt in range(1, START_ATTEMPTS + 1):
            if self._start_once():
                break
            reason = next((line for line in reversed(self.log_tail(80).splitlines())
                           if "Error" in line or "error" in line), "?")
            self.failed_starts.append(f"exit {self.proc.returncode if self.proc else '?'}: {reason.strip()[:200]}")
            if attempt == START_ATTEMPTS:
                raise RuntimeError(f"voucher-ledger serve failed to start {attempt} times:\n{self.log_tail()}")
        self.started_in_s = round(time.perf_counter() - started, 2)
        return self

    def _start_once(self) -> bool:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(self.command or serve_command(self.nodelay_listener), env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                return False
            if self.log_path.read_text(errors="replace").count("Application startup complete") >= self.workers:
                try:
                    if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"voucher-ledger serve not ready after {START_TIMEOUT_S} s:\n{self.log_tail()}")
            time.sleep(0.05)

    def pids(self) -> list[int]:
        """The uvicorn supervisor and its worker processes."""
        assert self.proc is not None
        return [self.proc.pid, *_children(self.proc.pid)]

    def stop(self) -> int | None:
        """SIGINT (what Ctrl-C sends: uvicorn shuts its workers down and exits); SIGKILL after a timeout."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        workers = _children(self.proc.pid)
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for pid in workers:  # only the processes this server started
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait(5)
            raise RuntimeError(f"voucher-ledger serve did not stop within {STOP_TIMEOUT_S} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# -- the clients ---------------------------------------------------------------------------------------------------
class Refused(Exception):
    """A response other than 201: counted by the harness's tally under ``code`` (status and problem code)."""

    def __init__(self, response: httpx.Response) -> None:
        problem = None
        try:
            body = response.json()
            problem = body.get("code") if isinstance(body, dict) else None
        except ValueError:
            pass
        self.code = f"HTTP {response.status_code}" + (f" {problem}" if problem else "")
        super().__init__(self.code)


@dataclass
class Round:
    elapsed_s: float = 0.0
    ok: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # of the 201 responses
    refused: Counter[str] = field(default_factory=Counter)


class Clients:
    """N client threads, each with its own ``httpx.Client`` (one keep-alive connection, kept across rounds).

    Threads rather than one ``httpx.AsyncClient``: with 32 requests in flight on one asyncio loop, httpcore's
    connection pool scans every connection on each request (``AsyncConnectionPool._assign_requests_to_connections``
    → ``has_expired`` → a socket poll per connection) and the client process became the bottleneck (~4.5 ms of CPU
    per request, one core nearly full). A pool of one connection per thread costs a fraction of that.
    """

    def __init__(self, url: str, token: str, n: int) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.clients = [httpx.Client(base_url=url, headers=headers, timeout=60.0,
                                     limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
                        for _ in range(n)]

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def round(self, plans: list[list[Post]], advance) -> Round:
        latencies: list[list[float]] = [[] for _ in plans]

        def job(client: httpx.Client, posts: list[Post], mine: list[float]) -> Job:
            def send(post: Post) -> None:
                started = time.perf_counter_ns()
                response = client.post(post.path, content=post.body, headers={"Idempotency-Key": post.key})
                if response.status_code != 201:
                    raise Refused(response)
                mine.append((time.perf_counter_ns() - started) / 1e6)

            def run(tally: Tally) -> None:
                for post in posts:
                    tally.attempt(lambda post=post: send(post))
                    advance()

            return run

        elapsed, tally = run_workers([job(c, posts, mine) for c, posts, mine in
                                      zip(self.clients, plans, latencies, strict=True)])
        return Round(elapsed, tally.ok, [ms for mine in latencies for ms in mine], tally.refused)


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest rank (as ``bench.benchmarks.asof``)."""
    if not sorted_ms:
        return 0.0
    rank = max(1, -(-len(sorted_ms) * p // 100))
    return sorted_ms[int(rank) - 1]


def backend_pids(monitor: psycopg.Connection) -> list[int]:
    """The scratch database's other backends (the server's and the monitor's own excluded). ``monitor`` is opened
    before the server starts: a new connection mid-run could be refused once the server's pools fill the server."""
    rows = monitor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()").fetchall()
    return [row[0] for row in rows]


@dataclass(frozen=True)
class Variant:
    suffix: str  # appended to the figure names ("" for the service as shipped)
    workers: int
    nodelay_listener: bool = False  # serve through NODELAY_SERVE (see there)
    env: tuple[tuple[str, str], ...] = ()  # VOUCHER_LEDGER_* settings other than the defaults


def variants(scale) -> list[Variant]:
    shipped = Variant("", scale.http_server_workers)
    if not scale.http_compare:
        return [shipped]
    others = [Variant(".nodelay", scale.http_server_workers, nodelay_listener=True)] if shipped.workers > 1 else []
    if shipped.workers > 1:
        others.append(Variant(".1worker", 1))
    if "api_group_commit" in Settings.model_fields:  # commands one transaction each (the API before a2064c1)
        others.append(Variant(".no_group_commit", scale.http_server_workers,
                              env=(("VOUCHER_LEDGER_API_GROUP_COMMIT", "0"),)))
    return [shipped, *others]


def group_commit_setting(env: dict[str, str]) -> bool | None:
    """What the server's ``Settings.api_group_commit`` will be (None: this version of the API has no such setting)."""
    if "api_group_commit" not in Settings.model_fields:
        return None
    value = env.get("VOUCHER_LEDGER_API_GROUP_COMMIT")
    return bool(Settings.model_fields["api_group_commit"].default) if value is None else value.lower() in (
        "1", "true", "yes", "on", "y")


@benchmark(
    "http_claims",
    order=28,
    stores=("postgres",),
    description="claims/s, p50/p99 ms through `voucher-ledger serve` (production settings) with N HTTP clients",
)
def http_claims(ctx: Context) -> list[Figure]:
    if not ctx.uses("postgres"):
        return []
    figures: list[Figure] = []
    for variant in variants(ctx.scale):
        figures += http_variant(ctx, variant)
    return figures


def production_settings(settings: Settings) -> Settings:
    """``settings`` as a production service runs: a fresh signing key of 32 bytes and an audience (production
    refuses tokens without one)."""
    return settings.model_copy(update={"production": True, "jwt_secret": SecretStr(secrets.token_urlsafe(32)),
                                       "jwt_audience": "voucher-ledger-bench"})


def http_variant(ctx: Context, variant: Variant) -> list[Figure]:
    """One server configuration on a fresh schema: set up, start, warm up, time ``scale.repeats`` rounds, stop."""
    scale = ctx.scale
    clients, per_client = scale.http_clients, scale.http_claims_per_client
    per_voucher = max(1, scale.claims_per_voucher)
    settings = production_settings(ctx.postgres.ledger_settings("bench_http"))
    what = f"{variant.workers} worker{'s' if variant.workers > 1 else ''}" + (
        ", NODELAY listener" if variant.nodelay_listener else "") + "".join(f", {k[15:]}={v}" for k, v in variant.env)

    # -- set-up through the application (untimed) ---------------------------------------------------------------
    app = open_ledger(settings)
    try:
        world = BenchWorld(app)
        world.set_up_year(cities=0, redemption_deadline=REDEMPTION_DEADLINE)
        vouchers_each = math.ceil(per_client / per_voucher)
        total = (scale.repeats + 1) * clients * (3 + vouchers_each * 5 // 3 + 2)
        with ctx.tracker.step(f"postgres: set up HTTP claims ({what})", total) as adv:
            warm_up = [client_plan(world, WARM_UP_CLAIMS, per_voucher, adv) for _ in range(clients)]
            plans = [[client_plan(world, per_client, per_voucher, adv) for _ in range(clients)]
                     for _ in range(scale.repeats)]
    finally:
        app.close()
    close_projections(open_projections(settings))  # migrations now, not raced by the workers' start-ups

    token = mint(settings, "province", subject="bench:http_claims")
    server = Server(settings, variant.workers, ctx.tmpdir / f"http_claims_server{variant.suffix}.log",
                    nodelay_listener=variant.nodelay_listener, extra_env=dict(variant.env))
    rounds: list[Round] = []
    cpu = {"client": 0.0, "server": 0.0, "postgres": 0.0}
    warm: Round | None = None
    monitor = ctx.postgres.connect(autocommit=True)
    with ctx.tracker.step(f"postgres: start voucher-ledger serve ({what})", 1) as adv:
        try:
            server.start()
        except BaseException:
            monitor.close()
            raise
        adv()
    clients_ = Clients(server.url, token, clients)
    try:
        with ctx.tracker.step(f"postgres: HTTP claims, warm-up ({what})", clients * WARM_UP_CLAIMS) as adv:
            warm = clients_.round(warm_up, adv)
        for r in range(scale.repeats):
            with ctx.tracker.step(f"postgres: HTTP claims, {clients} clients ({what}), {r + 1}",
                                  clients * per_client) as adv:
                server_pids, pg_pids = server.pids(), backend_pids(monitor)
                before = (time.process_time(), cpu_of(server_pids), cpu_of(pg_pids))
                rounds.append(clients_.round(plans[r], adv))
                cpu["client"] += time.process_time() - before[0]
                cpu["server"] += cpu_used(before[1], cpu_of(server.pids()))
                cpu["postgres"] += cpu_used(before[2], cpu_of(backend_pids(monitor)))
        connections = len(backend_pids(monitor))
    finally:
        clients_.close()
        monitor.close()
        exit_code = server.stop()

    done = sum(r.ok for r in rounds)
    refused: Counter[str] = Counter()
    for r in [warm, *rounds] if warm else rounds:
        refused.update(r.refused)
    rates = [r.ok / r.elapsed_s if r.elapsed_s else 0.0 for r in rounds]
    p50s = [percentile(sorted(r.latencies_ms), 50) for r in rounds]
    p99s = [percentile(sorted(r.latencies_ms), 99) for r in rounds]
    timed_s = sum(r.elapsed_s for r in rounds)
    notes: dict[str, Any] = {
        "clients": clients, "claims_per_client": per_client, "claims_per_voucher": per_voucher,
        "server_workers": server.workers, "nodelay_listener": variant.nodelay_listener,
        "api_group_commit": group_commit_setting(server.environment()), "server_env": dict(variant.env),
        "done": done, "refused": dict(sorted(refused.items())), "warm_up_done": warm.ok if warm else 0,
        "role": "province", "server_started_in_s": server.started_in_s,
        "server_failed_starts": server.failed_starts, "server_exit_code": exit_code,
        "pool": {"postgres_pool_size": settings.postgres_pool_size,
                 "postgres_max_overflow": settings.postgres_max_overflow},
        "db_connections_at_end": connections,
        "cpu_ms_per_claim": {k: round(1000 * v / max(1, done), 2) for k, v in cpu.items()},
        "cpu_cores_busy": {k: round(v / max(1e-9, timed_s), 2) for k, v in cpu.items()},
        "server_log_tail": server.log_tail(8).splitlines() if refused or exit_code else [],
    }
    label = f"{clients}clients{variant.suffix}"
    name = f"postgres.http_claims.{label}"
    return [
        Figure(name, round(statistics.median(rates), 1), "claims/s", baseline=BASELINE,
               repeats=[round(x, 1) for x in rates], notes=notes),
        Figure(f"postgres.http_claims.p50.{label}", round(statistics.median(p50s), 2), "ms",
               repeats=[round(x, 2) for x in p50s], notes={"of": name}),
        Figure(f"postgres.http_claims.p99.{label}", round(statistics.median(p99s), 2), "ms",
               repeats=[round(x, 2) for x in p99s], notes={"of": name}),
    ]
