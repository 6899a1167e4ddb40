"""HTTP claims under ``wrk`` load, beside the stack's floor and ceiling, all in one run (issue 16's table).

Three routes, each loaded in turn by ``wrk`` (``bench/wrk.py``: 2 threads, ``scale.http_connections`` connections, a
fresh claim per request with its own ``Idempotency-Key``), repeats interleaved (claims, floor, ceiling, claims, ...):

* **claims**: ``POST /v1/vouchers/{id}/claims`` of ``voucher-ledger serve --no-workers`` in production settings
  (every other ``VOUCHER_LEDGER_*`` setting its default: one uvicorn worker, group commit on). ``--no-workers``: the
  projection followers ``serve`` starts by default are separate processes that would take the same two cores; they
  are not the request path (their cost is the rebuild benchmark's);
* **floor**: ``/bench/floor/...`` of the benchmark's own server app (``bench/http_app.py``): the same stack (the
  service's app and middleware, token check, body validation) and one row INSERT + COMMIT per request;
* **ceiling**: ``/bench/ceiling/...``, the same app: validation and token only, no database.

Set-up (untimed): a 2021 year redeemable until 2099 (the service records claims on the real clock), providers with
quotas that never run out, and enough vouchers for ``HEADROOM_RATE`` claims/s for the whole run at
``CLAIMS_PER_VOUCHER`` each, written through a group-commit writer; the floor's table (as ``baseline_postgres``'s).
Each route gets ``scale.http_warm_up_s`` of untimed load first.

Figures ``postgres.http.<route>.<N>conn`` (201 responses/s, ratio to ``postgres.insert_commit.1conn``),
``.p50`` / ``.p99`` (ms, wrk's latency of every request), medians of ``scale.http_repeats`` runs. Goals on claims:
≥ 0.5 × the baseline, p99 ≤ 50 ms. Notes: every status other than 201 and socket error (``refused``), and CPU ms
per request of the server process, the PostgreSQL backends of the scratch database, and wrk, from ``/proc`` and
``getrusage`` — on 2 cores all of them share the same CPUs.
"""

from __future__ import annotations

import math
import resource
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


from api.http.auth import mint
from bench import http_app
from bench.benchmarks.http_claims import (REDEMPTION_DEADLINE, Server, backend_pids, cpu_of, cpu_used,
                                         production_settings, serve_command)
from bench.context import Context
from bench.ledger_world import CATEGORY, CLAIM_FEE_FEN, CLAIMS_CITY, ITEMS, SET_UP_AT, YEAR, BenchWorld
from bench.registry import Figure, Goal, benchmark
from bench.wrk import Target, WrkResult, find_wrk, run_wrk, write_script
from ledger import ids
from ledger.commands import values as v
from ledger.money import WAN_YUAN
from ledger.recording import By
from ledger.uscc import make_uscc
from projections.runner import close_projections, open_projections
from store.opening import open_ledger
from writer.group_commit import GroupCommitWriter

BASELINE = "postgres.insert_commit.1conn"
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0
HEADROOM_RATE = 3_000  # claims/s the vouchers are sized for (the service's ceiling on this machine: ~2,800)
CLAIMS_PER_VOUCHER = 50  # the smallest voucher (NET-RENO, 30,000 RMB at 40 %) holds 75 claims of a 1,000 RMB fee
PROVIDERS = 16
WRK_THREADS = 2
ROUTES = ("claims", "floor", "ceiling")


@dataclass
class Runs:
    results: list[WrkResult] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=lambda: {"server": 0.0, "postgres": 0.0, "wrk": 0.0})


def set_up_targets(ctx: Context, settings, vouchers: int) -> list[Target]:
    """The year, ``PROVIDERS`` providers and ``vouchers`` vouchers in the claims city; one target per voucher."""
    app = open_ledger(settings)
    try:
        world = BenchWorld(app)
        world.set_up_year(cities=0, redemption_deadline=REDEMPTION_DEADLINE)
        enterprises = math.ceil(vouchers / len(ITEMS))
        with ctx.tracker.step("postgres: set up HTTP load (wrk)", PROVIDERS * 3 + enterprises * (2 + len(ITEMS))) as adv:
            providers = []
            for _ in range(PROVIDERS):
                providers.append(world.provider())
                adv(3)
            by = By(actor="province:ops", at=SET_UP_AT)
            futures = []
            with GroupCommitWriter(app) as writer:  # queued in order: each enterprise's commands are decided in turn
                for _ in range(enterprises):
                    uscc = make_uscc(f"91{CLAIMS_CITY}MA{world.serial():07d}")
                    enterprise_id = ids.enterprise_id(uscc)
                    futures.append((None, writer.submit(v.RegisterEnterprise(
                        uscc=uscc, name=f"Factory {world.serial()}", city=CLAIMS_CITY, carrier="CHINA_MOBILE",
                        established_on=SET_UP_AT.date().replace(year=2010)), by)))
                    futures.append((None, writer.submit(v.DecideEligibility(
                        enterprise_id=enterprise_id, year=YEAR, prior_year_revenue_fen=1_200 * WAN_YUAN,
                        serious_misuse_5y=False, effective_at=SET_UP_AT), by)))
                    futures += [(item[0], writer.submit(v.IssueVoucher(
                        enterprise_id=enterprise_id, year=YEAR, item_id=item[0]), by)) for item in ITEMS]
                issued = []
                for item_id, future in futures:
                    result = future.result()  # a refusal here is a broken set-up: raised
                    adv()
                    if item_id is not None:
                        issued.append((result.voucher_id, CATEGORY[item_id]))
    finally:
        app.close()
    return [Target(f"/v1/vouchers/{voucher_id}/claims", str(providers[n % PROVIDERS]), category)
            for n, (voucher_id, category) in enumerate(issued)]


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load(ctx: Context, binary: str, server: Server, script, runs: Runs | None, seconds: float, monitor) -> None:
    """One wrk run against ``server``; timed runs add their result and CPU to ``runs``."""
    scale = ctx.scale
    server_pids, pg_pids = [server.proc.pid], backend_pids(monitor)
    before = (cpu_of(server_pids), cpu_of(pg_pids), _cpu_s())
    result = run_wrk(binary, server.url, script, threads=WRK_THREADS, connections=scale.http_connections,
                     seconds=seconds)
    if runs is None:
        return
    runs.results.append(result)
    runs.cpu["server"] += cpu_used(before[0], cpu_of(server_pids))
    runs.cpu["postgres"] += cpu_used(before[1], cpu_of(backend_pids(monitor)))
    runs.cpu["wrk"] += _cpu_s() - before[2]


def figures_of(route: str, runs: Runs, connections: int, notes: dict[str, Any]) -> list[Figure]:
    results = runs.results
    done = sum(r.ok for r in results)
    refused: dict[str, int] = {}
    for r in results:
        for code, n in r.refused().items():
            refused[code] = refused.get(code, 0) + n
    name = f"postgres.http.{route}.{connections}conn"
    rates = [round(r.rate, 1) for r in results]
    p50s, p99s = [round(r.p50_ms, 2) for r in results], [round(r.p99_ms, 2) for r in results]
    all_notes = {**notes, "done": done, "refused": refused, "requests": sum(r.requests for r in results),
                 "seconds": round(sum(r.seconds for r in results), 2),
                 "cpu_ms_per_request": {k: round(1000 * s / max(1, done), 3) for k, s in runs.cpu.items()},
                 "max_ms": max((r.max_ms for r in results), default=0.0)}
    claims = route == "claims"
    return [
        Figure(name, statistics.median(rates), "requests/s", baseline=BASELINE, repeats=rates, notes=all_notes,
               goals=[Goal(">=", GOAL_RATIO, of="ratio")] if claims else []),
        Figure(f"postgres.http.{route}.p50.{connections}conn", statistics.median(p50s), "ms", repeats=p50s,
               notes={"of": name}),
        Figure(f"postgres.http.{route}.p99.{connections}conn", statistics.median(p99s), "ms", repeats=p99s,
               notes={"of": name}, goals=[Goal("<=", GOAL_P99_MS)] if claims else []),
    ]


@benchmark("http_wrk", order=29, stores=("postgres",),
           description="HTTP claims, the stack's floor and ceiling routes under wrk, each × the commit baseline")
def http_wrk(ctx: Context) -> list[Figure]:
    if not ctx.uses("postgres"):
        return []
    binary = find_wrk()
    if binary is None:
        ctx.tracker.log("http_wrk: skipped, no wrk binary and none could be installed (apt-get install wrk)")
        return []
    scale = ctx.scale
    seconds, warm_up, repeats = scale.http_seconds, scale.http_warm_up_s, scale.http_repeats
    settings = production_settings(ctx.postgres.ledger_settings("bench_wrk"))
    vouchers = max(scale.http_connections, math.ceil(HEADROOM_RATE * (warm_up + repeats * seconds) / CLAIMS_PER_VOUCHER))
    targets = set_up_targets(ctx, settings, vouchers)
    close_projections(open_projections(settings))  # migrations now, not raced by the servers' start-ups
    with ctx.postgres.connect(autocommit=True) as conn:
        conn.execute(http_app.CREATE_FLOOR_TABLE)
    token = mint(settings, "province", subject="bench:http_wrk")
    paths = {"claims": "", "floor": "/bench/floor", "ceiling": "/bench/ceiling"}
    scripts = {}
    for route in ROUTES:
        routed = [Target(paths[route] + t.path, t.provider_id, t.fee_category) for t in targets]
        scripts[route] = [write_script(ctx.tmpdir, f"wrk_{route}_{r}", routed, token, f"{route[:2]}{r}-{uuid.uuid4().hex[:6]}",
                                       CLAIM_FEE_FEN, WRK_THREADS) for r in range(repeats + 1)]
    service = Server(settings, 1, ctx.tmpdir / "http_wrk_service.log",
                     command=[*serve_command(), "--no-workers"])
    bench_app = Server(settings, 1, ctx.tmpdir / "http_wrk_bench_app.log", command=http_app.serve_command())
    servers = {"claims": service, "floor": bench_app, "ceiling": bench_app}
    runs = {route: Runs() for route in ROUTES}
    monitor = ctx.postgres.connect(autocommit=True)
    try:
        with ctx.tracker.step("postgres: start the service and the bench app", 2) as adv:
            for server in (service, bench_app):
                server.start()
                adv()
        with ctx.tracker.step(f"postgres: wrk warm-up, {warm_up:g} s each", len(ROUTES)) as adv:
            for route in ROUTES:
                load(ctx, binary, servers[route], scripts[route][-1], None, warm_up, monitor)
                adv()
        with ctx.tracker.step(f"postgres: wrk, {scale.http_connections} connections, {seconds:g} s × "
                              f"{repeats} × {len(ROUTES)}", repeats * len(ROUTES)) as adv:
            for r in range(repeats):
                for route in ROUTES:
                    time.sleep(0.5)  # let the previous run's last commits and sockets settle
                    load(ctx, binary, servers[route], scripts[route][r], runs[route], seconds, monitor)
                    adv()
    finally:
        monitor.close()
        exit_codes = {"service": service.stop(), "bench_app": bench_app.stop()}
    notes = {"connections": scale.http_connections, "wrk_threads": WRK_THREADS, "seconds_each": seconds,
             "server_workers": 1, "vouchers": len(targets), "server_exit_codes": exit_codes,
             "failed_starts": service.failed_starts + bench_app.failed_starts, "wrk": binary}
    figures: list[Figure] = []
    for route in ROUTES:
        figures += figures_of(route, runs[route], scale.http_connections, notes)
    claims, floor, ceiling = (figures[3 * i] for i in range(3))
    for other in (floor, ceiling):
        claims.notes[f"x_{other.name.split('.')[2]}"] = round(claims.value / other.value, 3) if other.value else None
    return figures

