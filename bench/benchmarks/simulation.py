"""The simulator end to end: events/s of a seeded 2018-2020 programme written through the ledger's commands into an
empty store (``simulator.simulate``; many commands per transaction, flushed on a background thread)."""

from __future__ import annotations

from simulator.store import open_simulation_store
from bench.context import Context
from bench.registry import Figure, Goal, benchmark
from bench.simulated import SEED, fresh_settings, remember
from simulator import simulate

GOAL_EVENTS_PER_S = 20_000  # issue 4: the simulator writes at least this into PostgreSQL


@benchmark("simulation", order=30, description="events/s of the simulator, end to end, into an empty store")
def simulation(ctx: Context) -> list[Figure]:
    figures = []
    for store in ("postgres", "sqlite"):
        if not ctx.uses(store):
            continue
        settings = fresh_settings(ctx, store, "bench_sim")
        app = open_simulation_store(settings)
        try:
            target = ctx.scale.simulated_events
            with ctx.tracker.step(f"{store}: simulate {target:,} events", target) as advance:
                report = simulate(app, events=target, seed=SEED, progress=advance)
        finally:
            app.close()
        remember(ctx, store, target, SEED, settings, report)  # the projection benchmarks reuse it at this size
        figures.append(Figure(
            f"{store}.simulation.events", round(report.events_per_second, 1), "events/s",
            baseline=f"{store}.insert_commit.1conn", goals=[Goal(">=", GOAL_EVENTS_PER_S)] if store == "postgres" else [],
            notes={"events": report.events, "commands": report.commands, "seconds": round(report.seconds, 2),
                   "peak_rss_mib": round(report.peak_rss_mib, 1), "refused": report.refusals},
        ))
    return figures
