"""Simulated ledgers shared by the benchmarks of one run: simulated once per (store, size, seed), then reused.

The projection benchmarks need a ledger with history: ``rebuild`` reads one, ``asof`` queries its read models. A
simulated million events take about a minute per store, so the first benchmark that asks for a size simulates it
(``simulator.simulate``, a fresh PostgreSQL schema in the scratch database or a fresh SQLite file in the run's temp
folder) and the others get the same store; the ``simulation`` benchmark hands over the store it just wrote. Nothing
outlives the run: the scratch database is dropped and the temp folder removed, as for every other benchmark.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.settings import Settings
from simulator.store import open_simulation_store
from simulator import simulate
from simulator.run import SimulationReport

if TYPE_CHECKING:
    from bench.context import Context

SEED = 1  # the simulation benchmark's seed: its store is reused at the same size


@dataclass(frozen=True)
class SimulatedLedger:
    store: str
    target: int  # events asked of the simulator
    settings: Settings  # open it with store.opening.open_ledger; projections with projections.runner.open_projections
    report: SimulationReport  # report.events: the exact number written

    @property
    def events(self) -> int:
        return self.report.events


def fresh_settings(ctx: Context, store: str, stem: str) -> Settings:
    if store == "postgres":
        return ctx.postgres.ledger_settings(stem)
    return Settings(store="sqlite", sqlite_path=ctx.sqlite_path(f"{stem}_{uuid.uuid4().hex[:8]}"))


def remember(ctx: Context, store: str, target: int, seed: int, settings: Settings, report: SimulationReport) -> None:
    """Offer a store that was just simulated (seeded, into an empty store) to the later benchmarks of the run."""
    ctx.simulated.setdefault((store, target, seed), SimulatedLedger(store, target, settings, report))


def simulated_ledger(ctx: Context, store: str, events: int, seed: int = SEED) -> SimulatedLedger:
    """A store holding a simulated programme of about ``events`` events: this run's, or simulated now (untimed
    set-up, shown as a progress step)."""
    key = (store, events, seed)
    if key not in ctx.simulated:
        settings = fresh_settings(ctx, store, f"bench_sim{events}")
        app = open_simulation_store(settings)
        try:
            with ctx.tracker.step(f"{store}: simulate {events:,} events (set-up)", events) as advance:
                report = simulate(app, events=events, seed=seed, progress=advance)
        finally:
            app.close()
        remember(ctx, store, events, seed, settings, report)
    return ctx.simulated[key]
