"""Commands through the application layer (``store.opening.open_ledger`` + ``VoucherLedger``): claims/s and issuance/s
with 1 and N worker threads, on PostgreSQL (a fresh schema in the scratch database) and SQLite (a temp file).

Each worker has its own provider (own yearly quota) and its own vouchers, or its own city (own city quota) when
issuing, so workers never contend on an aggregate; they still serialise on the store's write path (PostgreSQL:
``LOCK TABLE ... IN EXCLUSIVE MODE`` in every insert transaction; SQLite: one writer at a time). Version conflicts
the application retried are counted (``conflicts_retried``), and every refused command by its error code.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import RecordConflictError

from store.settings import Settings
from store.opening import open_ledger
from bench.context import Context
from bench.ledger_world import ISSUE_CITIES, BenchWorld, VoucherRef
from bench.registry import Figure, benchmark
from bench.scale import workers_label
from bench.timing import Job, Tally, measure
from ledger.application import VoucherLedger

EVENTS_PER_CLAIM = 4  # Voucher.Claimed + ProviderQuota.Used + InvoiceKey + ContractKey, in one transaction
EVENTS_PER_ISSUANCE = 2  # Voucher.Issued + CityQuota.Used


class ConflictCounter:
    """Counts version conflicts the application met (and retried) by wrapping this one instance's ``save``."""

    def __init__(self, app: VoucherLedger) -> None:
        self.count = 0
        self._lock = threading.Lock()
        original = app.save

        def save(*objects, **kwargs):
            try:
                return original(*objects, **kwargs)
            except RecordConflictError:
                with self._lock:
                    self.count += 1
                raise

        app.save = save  # type: ignore[method-assign]


def open_app(ctx: Context, store: str) -> VoucherLedger:
    if store == "postgres":
        return open_ledger(ctx.postgres.ledger_settings("bench_commands"))
    return open_ledger(Settings(store="sqlite", sqlite_path=ctx.sqlite_path(f"commands_{uuid.uuid4().hex[:8]}")))


def claim_job(world: BenchWorld, vouchers: Sequence[VoucherRef], provider_id: UUID, n: int, advance) -> Job:
    def job(tally: Tally) -> None:
        for i in range(n):
            tally.attempt(lambda voucher=vouchers[i % len(vouchers)]: world.claim(voucher, provider_id))
            advance()

    return job


def issue_job(world: BenchWorld, tasks: Sequence[tuple[UUID, str]], advance) -> Job:
    def job(tally: Tally) -> None:
        for enterprise_id, item_id in tasks:
            tally.attempt(lambda e=enterprise_id, i=item_id: world.issue(e, i))
            advance()

    return job


def claims_plan(ctx: Context, store: str, world: BenchWorld, workers: int, label: str):
    """Untimed set-up for claim benchmarks: one provider per worker, and per repeat each worker's own vouchers.
    Returns (providers, plan[repeat][worker] -> vouchers, claims per worker per repeat)."""
    scale = ctx.scale
    per_worker = scale.count("commands", workers)
    vouchers_each = math.ceil(per_worker / max(1, scale.claims_per_voucher))
    n_vouchers = scale.repeats * workers * vouchers_each
    with ctx.tracker.step(f"{store}: set up claims, {label}", 3 * workers + n_vouchers * 5 // 3 + 2) as adv:
        providers = [world.provider() for _ in range(workers)]
        adv(3 * workers)
        plan = [[world.vouchers(vouchers_each, adv) for _ in range(workers)] for _ in range(scale.repeats)]
    return providers, plan, per_worker


def claims(ctx: Context, store: str, world: BenchWorld, conflicts: ConflictCounter) -> list[Figure]:
    scale, figures = ctx.scale, []
    for workers in scale.concurrency:
        label = workers_label(workers, "worker")
        per_voucher = max(1, scale.claims_per_voucher)
        providers, plan, per_worker = claims_plan(ctx, store, world, workers, label)
        before = conflicts.count
        with ctx.tracker.step(f"{store}: claims, {label}", scale.repeats * workers * per_worker) as adv:
            figure = measure(
                f"{store}.claims.{label}",
                "claims/s",
                lambda r: [claim_job(world, plan[r][w], providers[w], per_worker, adv) for w in range(workers)],
                scale.repeats,
                baseline=f"{store}.insert_commit.1conn",
                notes={"workers": workers, "events_per_command": EVENTS_PER_CLAIM, "claims_per_voucher": per_voucher},
            )
        figure.notes["conflicts_retried"] = conflicts.count - before
        figures.append(figure)
    return figures


def issuance(ctx: Context, store: str, world: BenchWorld, conflicts: ConflictCounter) -> list[Figure]:
    scale, figures = ctx.scale, []
    for workers in scale.concurrency:
        per_worker = scale.count("commands", workers)
        label = workers_label(workers, "worker")
        total = scale.repeats * workers * per_worker
        with ctx.tracker.step(f"{store}: set up issuance, {label}", 2 * math.ceil(total / 3) + 2 * workers) as adv:
            plan = [
                [world.issuance_tasks(per_worker, ISSUE_CITIES[w % len(ISSUE_CITIES)], adv) for w in range(workers)]
                for _ in range(scale.repeats)
            ]
        before = conflicts.count
        with ctx.tracker.step(f"{store}: issuance, {label}", total) as adv:
            figure = measure(
                f"{store}.issuance.{label}",
                "vouchers/s",
                lambda r: [issue_job(world, plan[r][w], adv) for w in range(workers)],
                scale.repeats,
                baseline=f"{store}.insert_commit.1conn",
                notes={"workers": workers, "events_per_command": EVENTS_PER_ISSUANCE, "cities": workers},
            )
        figure.notes["conflicts_retried"] = conflicts.count - before
        figures.append(figure)
    return figures


@benchmark(
    "commands",
    order=20,
    description="claims/s and issuance/s through the application layer, 1 and N workers, each store",
)
def commands(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    for store in ("postgres", "sqlite"):
        if not ctx.uses(store):
            continue
        app = open_app(ctx, store)
        try:
            conflicts = ConflictCounter(app)
            world = BenchWorld(app)
            world.set_up_year(cities=min(max(ctx.scale.concurrency), len(ISSUE_CITIES)))
            figures += claims(ctx, store, world, conflicts)
            figures += issuance(ctx, store, world, conflicts)
        finally:
            app.close()
    return figures
