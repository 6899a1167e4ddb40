"""As-of queries: p50/p99 latency of each read-model query at random times, on a small and a large ledger.

For each ledger size (``scale.asof_events``, e.g. 100k and 1M events) and store: a seeded simulation
(``bench.simulated``, shared with the other benchmarks of the run) whose projections are caught up first (untimed;
a no-op when ``rebuild`` already ran on it). Then ``scale.asof_queries`` calls of each query of
``projections.*_queries``, interleaved (one of each in turn, so drift hits all alike), each at a random time T in
2018-2021 (Asia/Shanghai calendar years) on a random id that exists in the read-model tables (seeded RNG, the same
draws on both stores). One call is timed from the call to its return (``time.perf_counter_ns``): the query
function as the API calls it, one view, one pooled connection, statements and row decoding included. A few untimed
calls of each query warm the connection first. The queries run in a fresh process (``bench.fresh_process``), as an
API process would serve them, not in the bench's, which earlier benchmarks have filled.

Figures: ``<store>.asof.<query>.p50|p99.<size>`` in ms. The larger size's figure has the smaller size's as
baseline, so its ratio is the growth with the ledger (goal: p99 ratio at most 1.5); every p99 has the goal ≤ 10 ms.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from store.opening import open_ledger
from bench.context import Context
from bench.fresh_process import measured_apart
from bench.registry import Figure, Goal, benchmark
from bench.scale import events_label
from bench.simulated import simulated_ledger
from ledger.fiscal_time import SHANGHAI
from projections import audit_trail_queries, money_flows_queries, whitelist_queries
from projections.runner import catch_up, close_projections, open_projections
from projections.times import to_us
from projections.view import ReadModelView

GOAL_P99_MS = 10.0
GOAL_GROWTH = 1.5  # p99 at the large size / p99 at the small size
WARM_UP = 5  # untimed calls of each query before the timed ones
FROM_US = to_us(datetime(2018, 1, 1, tzinfo=SHANGHAI))
UNTIL_US = to_us(datetime(2022, 1, 1, tzinfo=SHANGHAI)) - 1
SEED = 20180101

Ids = dict[str, list[str]]
Query = Callable[[ReadModelView, tuple], Any]  # called with the view and the drawn (id, as_of_us) or (as_of_us,)
# name -> (kind of id it takes, or None; the call)
QUERIES: dict[str, tuple[str | None, Query]] = {
    "voucher_balance": ("voucher", lambda db, a: money_flows_queries.voucher_balance(db, *a)),
    "enterprise_totals": ("enterprise", lambda db, a: money_flows_queries.enterprise_totals(db, *a)),
    "city_spend": ("city", lambda db, a: money_flows_queries.city_spend(db, *a)),
    "provider_receivable": ("provider", lambda db, a: money_flows_queries.provider_receivable(db, *a)),
    "whitelist": (None, lambda db, a: whitelist_queries.whitelist(db, *a)),
    "audit_trail": ("voucher", lambda db, a: audit_trail_queries.audit_trail(db, "voucher", *a)),
}


def existing_ids(db: ReadModelView) -> Ids:
    """Ids the read models know, sorted so that a seeded draw picks the same ones every run."""
    def column(statement: str) -> list[str]:
        return sorted(str(row[0]) for row in db.fetchall(statement) if row[0] is not None)

    return {
        "voucher": column("SELECT voucher_id FROM vl_money_vouchers"),
        "enterprise": column("SELECT DISTINCT enterprise_id FROM vl_money_vouchers"),
        "city": column("SELECT DISTINCT city FROM vl_city_daily"),
        "provider": column("SELECT provider_id FROM vl_providers"),
    }


def draw(rng: random.Random, ids: Ids, kind: str | None) -> tuple:
    at = rng.randint(FROM_US, UNTIL_US)
    return (at,) if kind is None else (rng.choice(ids[kind]), at)


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of sorted samples."""
    rank = max(1, -(-len(sorted_ms) * p // 100))  # ceil
    return sorted_ms[int(rank) - 1]


def size_of(result: Any) -> int:
    if result is None:
        return 0
    if isinstance(result, dict):
        return len(result.get("lines", ())) or len(result.get("quotas", ())) or 1
    return len(result)


@benchmark(
    "asof",
    order=50,
    description="p50/p99 ms of the as-of queries at random times and ids, small vs large ledger, both stores",
)
def asof_benchmark(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    for store in ("postgres", "sqlite"):
        if ctx.uses(store):
            for size in dict.fromkeys(ctx.scale.asof_events):
                simulated_ledger(ctx, store, size)  # here: the run's other benchmarks share them
            figures += measured_apart(ctx, asof_store, store)
    return figures


def asof_store(ctx: Context, store: str) -> list[Figure]:
    """Both sizes on one store; run in a fresh process (:func:`measured_apart`), so that no earlier benchmark's heap
    or threads share the queries' process."""
    scale = ctx.scale
    sizes = list(dict.fromkeys(scale.asof_events))
    figures = []
    for size in sizes:
        label = events_label(size)
        ledger = simulated_ledger(ctx, store, size)
        app = open_ledger(ledger.settings)
        projections = open_projections(ledger.settings)
        try:
            with ctx.tracker.step(f"{store}: catch up projections, {label} (set-up)",
                                  app.recorder.max_notification_id() or 0) as advance:
                catch_up(app, projections, progress=advance)
            db = projections[0].view  # as ReadModels does: every view reaches every read-model table
            ids = existing_ids(db)
            rng = random.Random(SEED)
            calls = [[(name, draw(rng, ids, kind)) for name, (kind, _) in QUERIES.items()]
                     for _ in range(WARM_UP + scale.asof_queries)]
            samples: dict[str, list[float]] = {name: [] for name in QUERIES}
            rows: dict[str, int] = dict.fromkeys(QUERIES, 0)
            with ctx.tracker.step(f"{store}: as-of queries, {label}", len(calls) * len(QUERIES)) as advance:
                for i, round_ in enumerate(calls):
                    for name, args in round_:
                        query = QUERIES[name][1]
                        started = time.perf_counter_ns()
                        result = query(db, args)
                        elapsed_ms = (time.perf_counter_ns() - started) / 1e6
                        if i >= WARM_UP:
                            samples[name].append(elapsed_ms)
                            rows[name] += size_of(result)
                    advance(len(round_))
        finally:
            close_projections(projections)
            app.close()
        for name, ms in samples.items():
            ms.sort()
            notes = {"events": ledger.events, "queries": len(ms), "mean_ms": round(statistics.fmean(ms), 3),
                     "max_ms": round(ms[-1], 3), "mean_rows": round(rows[name] / len(ms), 1),
                     "ids": len(ids[QUERIES[name][0]]) if QUERIES[name][0] else None}
            larger = size != sizes[0]
            for p in (50, 99):
                base = f"{store}.asof.{name}.p{p}.{events_label(sizes[0])}" if larger else None
                goals = [Goal("<=", GOAL_P99_MS)] if p == 99 else []
                if p == 99 and larger:
                    goals.append(Goal("<=", GOAL_GROWTH, of="ratio"))
                figures.append(Figure(f"{store}.asof.{name}.p{p}.{label}", round(percentile(ms, p), 3), "ms",
                                      baseline=base, goals=goals, notes=notes))
    # small size first, then large, per query: the table reads as before/after
    order = {name: i for i, name in enumerate(QUERIES)}
    figures.sort(key=lambda f: (order[f.name.split(".")[2]], f.name.split(".")[3], sizes.index(_size(f, sizes))))
    return figures


def _size(figure: Figure, sizes: list[int]) -> int:
    label = figure.name.rsplit(".", 1)[1]
    return next(s for s in sizes if events_label(s) == label)
