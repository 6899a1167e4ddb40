"""What the auditors' and disputes' features cost at the rebuild scale: the journal projection, the known-at queries,
``export`` and ``replay --until``.

One seeded simulated ledger per store (``bench.simulated``, ``scale.rebuild_events``: 1M events at full scale; shared
with ``rebuild`` / ``asof`` when they run in the same process), then, in this order:

* **rebuild** of every projection of ``projections.runner.PROJECTIONS`` (the journal included) sequentially
  (``rebuild(app, projections)``, one process), then one process per projection
  (``projections.parallel.rebuild_in_processes``, as ``voucher-ledger rebuild`` does), then the journal alone. Rate:
  the ledger's last notification id / wall time, as in ``rebuild``.
* **queries** (``QUERIES``): ``DEFAULT_CALLS`` timed calls each (50; 5 at tiny), interleaved, after 3 untimed
  warm-up rounds; each call inside ``view.reading()`` (one transaction, as ``ReadModels`` asks). Random ids and as_of
  in 2019-2021 (seeded); ``known`` variants ask known_at = as_of. A query whose calls pass ``QUERY_BUDGET_S`` in
  all stops early (``notes.queries`` says how many). p50/p99 in ms (nearest rank). For any query with p50 above
  ``EXPLAIN_OVER_MS``, one more call is traced statement by statement and the slowest statement is explained
  (PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)``; SQLite: ``EXPLAIN QUERY PLAN``) into the figure's notes.
* **export** (``audit.export.export``, as of now, known now, into a fresh folder): seconds, with the figures
  (CSV + XLSX) and the two streams (events.csv, audit_trail.csv) timed apart; notes hold rows and bytes.
* **replay --until** (``audit.replay.replay``, fresh target, T = ``REPLAY_UNTIL``): events/s = the ledger's last
  notification id / wall time (the replay reads the whole sequence whatever T).
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from store.opening import open_ledger
from audit.export import export
from audit.replay import replay
from bench.context import Context
from bench.registry import Figure, benchmark
from bench.scale import events_label
from bench.simulated import simulated_ledger
from ledger.fiscal_time import SHANGHAI
from projections import journal_queries, late_facts, money_flows_queries
from projections.parallel import rebuild_in_processes
from projections.runner import PROJECTIONS, close_projections, open_projections, rebuild
from projections.times import to_us
from projections.view import ReadModelView

CALLS = {"tiny": 5, "quick": 20}  # timed calls per query by scale name; otherwise DEFAULT_CALLS
DEFAULT_CALLS = 50
WARM_UP = 3
QUERY_BUDGET_S = 90.0  # a query stops after this much time in timed calls
EXPLAIN_OVER_MS = 100.0
SEED = 7
FROM_US = to_us(datetime(2019, 1, 1, tzinfo=SHANGHAI))
UNTIL_US = to_us(datetime(2022, 1, 1, tzinfo=SHANGHAI)) - 1
LATE_AS_OF = [to_us(datetime(y, m, 28, 23, 59, tzinfo=SHANGHAI)) for y, m in
              ((2019, 3), (2019, 9), (2020, 3), (2020, 9), (2021, 3), (2021, 9))]
REPLAY_UNTIL = to_us(datetime(2020, 12, 31, 23, 59, 59, tzinfo=SHANGHAI))

Ids = dict[str, list[str]]


def _ids(db: ReadModelView) -> Ids:
    def column(statement: str) -> list[str]:
        return sorted(str(row[0]) for row in db.fetchall(statement) if row[0] is not None)

    return {"city": column("SELECT DISTINCT city FROM vl_city_daily"),
            "provider": column("SELECT provider_id FROM vl_providers")}


def _at(rng: random.Random) -> int:
    return rng.randint(FROM_US, UNTIL_US)


# name -> call(db, rng, ids) -> result
QUERIES: dict[str, Callable[[ReadModelView, random.Random, Ids], Any]] = {
    "trial_balance": lambda db, rng, ids: journal_queries.trial_balance(db, _at(rng)),
    "trial_balance.city": lambda db, rng, ids: journal_queries.trial_balance(db, _at(rng), city=rng.choice(ids["city"])),
    "trial_balance.known": lambda db, rng, ids: (lambda t: journal_queries.trial_balance(db, t, t))(_at(rng)),
    "late_facts": lambda db, rng, ids: (lambda t: late_facts.late_facts(db, t, t))(rng.choice(LATE_AS_OF)),
    "provider_receivable": lambda db, rng, ids: money_flows_queries.provider_receivable(db, rng.choice(ids["provider"]), _at(rng)),
    "provider_receivable.known": lambda db, rng, ids: (
        lambda p, t: money_flows_queries.provider_receivable(db, p, t, t))(rng.choice(ids["provider"]), _at(rng)),
    "city_spend": lambda db, rng, ids: money_flows_queries.city_spend(db, rng.choice(ids["city"]), _at(rng)),
    "city_spend.known": lambda db, rng, ids: (
        lambda c, t: money_flows_queries.city_spend(db, c, t, t))(rng.choice(ids["city"]), _at(rng)),
}


def percentile(sorted_ms: list[float], p: float) -> float:
    rank = max(1, -(-len(sorted_ms) * p // 100))
    return sorted_ms[int(rank) - 1]


def _size(result: Any) -> int:
    if isinstance(result, dict):
        return (len(result.get("facts", ())) + len(result.get("changed_figures", ()))
                or len(result.get("lines", ())) or len(result.get("accounts", ())) or 1)
    return len(result) if result else 0


@benchmark("auditors", order=60,
           description="auditors' features at the rebuild size: rebuild with the journal (sequential, per process, "
                       "journal alone), known-at queries p50/p99, export, replay --until")
def auditors_benchmark(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    for store in ("postgres", "sqlite"):
        if ctx.uses(store):
            figures += auditors_store(ctx, store)
    return figures


def auditors_store(ctx: Context, store: str) -> list[Figure]:
    size = ctx.scale.rebuild_events
    label = events_label(size)
    ledger = simulated_ledger(ctx, store, size)
    app = open_ledger(ledger.settings)
    figures: list[Figure] = []
    try:
        total = app.recorder.max_notification_id() or 0
        base = {"events": total, "simulated_events": ledger.events}
        for part in (lambda: _rebuilds(ctx, store, label, app, ledger.settings, total, base),
                     lambda: _queries(ctx, store, label, ledger.settings, base),
                     lambda: _export(ctx, store, label, app, ledger.settings, total, base),
                     lambda: _replay(ctx, store, label, app, ledger.settings, total, base)):
            for figure in part():
                figures.append(figure)  # also to stderr, so a run that dies later keeps what it measured
                print(f"{figure.name} {figure.value} {figure.unit} {figure.notes}", file=sys.stderr, flush=True)
    finally:
        app.close()
    return figures


def _rebuilds(ctx, store, label, app, settings, total, base) -> list[Figure]:
    figures = []
    for variant, names in (("all", list(PROJECTIONS)), ("journal", ["journal"])):
        projections = open_projections(settings, names)
        try:
            with ctx.tracker.step(f"{store}: rebuild {variant}, sequential", total) as advance:
                started = time.perf_counter()
                read = rebuild(app, projections, progress=advance)
                elapsed = time.perf_counter() - started
        finally:
            close_projections(projections)
        figures.append(Figure(f"{store}.auditors.rebuild.{variant}.{label}", round(total / elapsed, 1), "events/s",
                              notes={**base, "read": read, "seconds": round(elapsed, 2), "projections": names}))
        if variant == "all":
            finished: dict[str, float] = {}
            done: dict[str, int] = dict.fromkeys(names, 0)
            with ctx.tracker.step(f"{store}: rebuild all, one process per projection", total * len(names)) as adv:
                started = time.perf_counter()

                def progress(name: str, n: int) -> None:
                    done[name] += n
                    adv(n)
                    if done[name] >= total and name not in finished:
                        finished[name] = round(time.perf_counter() - started, 2)

                outcomes = rebuild_in_processes(settings, names, progress=progress)
                elapsed = time.perf_counter() - started
            errors = {o.name: o.error for o in outcomes if o.error}
            if errors:  # leave the read models complete for the queries below (untimed)
                failed = open_projections(settings, list(errors))
                try:
                    with ctx.tracker.step(f"{store}: rebuild {', '.join(errors)} again, sequential (set-up)", total) as a:
                        rebuild(app, failed, progress=a)
                finally:
                    close_projections(failed)
            figures.append(Figure(f"{store}.auditors.rebuild.all_processes.{label}", round(total / elapsed, 1),
                                  "events/s", notes={**base, "seconds": round(elapsed, 2),
                                                     "finished_after_s": finished, "errors": errors}))
    return figures


@contextmanager
def _traced(db: ReadModelView):
    """Record (seconds, statement, params) of every statement run through ``db.fetchall`` in the block."""
    calls: list[tuple[float, str, tuple]] = []
    original = db.fetchall

    def fetchall(statement: str, params=()):
        started = time.perf_counter()
        try:
            return original(statement, params)
        finally:
            calls.append((time.perf_counter() - started, statement, tuple(params)))

    db.fetchall = fetchall  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        del db.fetchall


def _explain(db: ReadModelView, query: Callable, rng: random.Random, ids: Ids) -> dict[str, Any]:
    with _traced(db) as calls:
        with db.reading():
            query(db, rng, ids)
    slowest = max(calls, key=lambda c: c[0])
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if db.dialect == "postgres" else "EXPLAIN QUERY PLAN "
    plan = [" ".join(str(x) for x in row) for row in db.fetchall(prefix + slowest[1], slowest[2])]
    return {"statements": len(calls), "statements_ms": round(sum(c[0] for c in calls) * 1e3, 1),
            "slowest_ms": round(slowest[0] * 1e3, 1), "slowest_sql": slowest[1], "slowest_params": list(slowest[2]),
            "plan": plan}


def _queries(ctx, store, label, settings, base) -> list[Figure]:
    calls = CALLS.get(ctx.scale.name, DEFAULT_CALLS)
    projections = open_projections(settings)
    figures = []
    try:
        db = projections[0].view
        ids = _ids(db)
        rng = random.Random(SEED)
        samples: dict[str, list[float]] = {name: [] for name in QUERIES}
        spent: dict[str, float] = dict.fromkeys(QUERIES, 0.0)
        rows: dict[str, int] = dict.fromkeys(QUERIES, 0)
        with ctx.tracker.step(f"{store}: auditor queries, {label}", (WARM_UP + calls) * len(QUERIES)) as advance:
            for i in range(WARM_UP + calls):
                for name, query in QUERIES.items():
                    if spent[name] > QUERY_BUDGET_S:
                        advance(1)
                        continue
                    started = time.perf_counter_ns()
                    with db.reading():
                        result = query(db, rng, ids)
                    elapsed_ms = (time.perf_counter_ns() - started) / 1e6
                    if i >= WARM_UP:
                        samples[name].append(elapsed_ms)
                        spent[name] += elapsed_ms / 1e3
                        rows[name] += _size(result)
                    advance(1)
        for name, ms in samples.items():
            ms.sort()
            notes: dict[str, Any] = {**base, "queries": len(ms), "mean_ms": round(statistics.fmean(ms), 3),
                                     "max_ms": round(ms[-1], 3), "mean_size": round(rows[name] / len(ms), 1)}
            if percentile(ms, 50) > EXPLAIN_OVER_MS:
                notes["explain"] = _explain(db, QUERIES[name], random.Random(SEED), ids)
            for p in (50, 99):
                figures.append(Figure(f"{store}.auditors.{name}.p{p}.{label}", round(percentile(ms, p), 3), "ms",
                                      notes=notes))
    finally:
        close_projections(projections)
    return figures


def _export(ctx, store, label, app, settings, total, base) -> list[Figure]:
    out = ctx.tmpdir / f"export_{store}"
    shutil.rmtree(out, ignore_errors=True)
    phases: dict[str, float] = {}
    started = time.perf_counter()

    @contextmanager
    def bar(count: int, name: str):
        entered = time.perf_counter()
        phases.setdefault("figures_s", round(entered - started, 2))
        with ctx.tracker.step(f"{store}: export {name}", count) as advance:
            yield advance
        phases[f"{name}_s"] = round(time.perf_counter() - entered, 2)

    result = export(app, settings, out, bar=bar)
    elapsed = time.perf_counter() - started
    files = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    manifest = result.manifest
    counts = {k: v for k, v in manifest.items() if isinstance(v, int)}
    shutil.rmtree(out, ignore_errors=True)
    return [Figure(f"{store}.auditors.export.{label}", round(elapsed, 2), "s",
                   notes={**base, **phases, "events_per_s": round(total / elapsed, 1), "manifest_counts": counts,
                          "bytes": files})]


def _replay(ctx, store, label, app, settings, total, base) -> list[Figure]:
    with ctx.tracker.step(f"{store}: replay --until", total) as advance:
        started = time.perf_counter()
        report = replay(app, settings, REPLAY_UNTIL, fresh=True, progress=advance)
        elapsed = time.perf_counter() - started
    return [Figure(f"{store}.auditors.replay_until.{label}", round(total / elapsed, 1), "events/s",
                   notes={**base, "seconds": round(elapsed, 2), "until_us": REPLAY_UNTIL, "read": report.read,
                          "applied": report.applied, "target": report.target})]
