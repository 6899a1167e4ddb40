"""Tamper evidence: events/s of ``voucher-ledger verify`` (and of ``digest``) over a simulated ledger.

The ledger is the seeded simulation the ``rebuild`` benchmark reads (``bench.simulated``, ``scale.rebuild_events``:
1M events at full scale; untimed set-up, shared). One untimed digest is taken first with a throwaway auditor key
in the run's temp folder; each timed repeat is exactly ``audit.verify.verify(source, digest)``: read every covered
event raw (PostgreSQL: binary COPY; SQLite: sqlite3), hash its leaf, the chain and the per-block Merkle roots,
compare with the signed checkpoints, count the events after the digest. The rate is covered events / wall time.
The figure's goal: verify 1,000,000 events at >= 100,000 events/s. ``digest`` (same hashing plus
writing the 64-byte-per-event leaves file) is timed once and reported beside it, without a goal.
"""

from __future__ import annotations

import statistics
import time

from audit.digest import generate_keys, load_private_key, take_digest
from audit.source import EventSource
from audit.verify import verify
from bench.context import Context
from bench.registry import Figure, Goal, benchmark
from bench.scale import events_label
from bench.simulated import simulated_ledger

GOAL_EVENTS_PER_S = 100_000  # the tamper-evidence target: verify 1,000,000 events at >= 100,000 events/s


@benchmark("verify", order=45, description="events/s of `verify` (hash chain + Merkle checkpoints) over a simulated "
                                           "ledger against a signed digest; `digest` beside it")
def verify_benchmark(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    for store in ("postgres", "sqlite"):
        if ctx.uses(store):
            figures += verify_store(ctx, store)
    return figures


def verify_store(ctx: Context, store: str) -> list[Figure]:
    ledger = simulated_ledger(ctx, store, ctx.scale.rebuild_events)
    source = EventSource(ledger.settings)
    folder = ctx.tmpdir / f"audit_{store}"
    generate_keys(folder / "auditor.key.pem", folder / "auditor.pub.pem")
    total = source.stats()[0]
    with ctx.tracker.step(f"{store}: digest {total:,} events", total) as advance:
        started = time.perf_counter()
        digest = take_digest(source, load_private_key(folder / "auditor.key.pem"), folder / "digest.json",
                             progress=advance)
        digest_s = time.perf_counter() - started
    rates, seconds = [], []
    for r in range(ctx.scale.repeats):
        with ctx.tracker.step(f"{store}: verify {digest.events:,} events ({r + 1}/{ctx.scale.repeats})",
                              digest.events) as advance:
            result = verify(source, digest, progress=advance)
        if not result.ok:  # a benchmark of a store that does not verify would measure the slow path
            raise RuntimeError(f"{store}: the simulated store does not verify against its own digest: {result.first}")
        rates.append(result.events_per_second)
        seconds.append(round(result.seconds, 2))
    label = events_label(ledger.target)  # the size asked of the simulator, as the other figures name it
    notes = {"events": digest.events, "seconds": seconds, "blocks": len(digest.checkpoints),
             "block_size": digest.block_size, "leaves_file_mib": round(digest.events * 64 / 2**20, 1)}
    return [
        Figure(f"{store}.verify.{label}", round(statistics.median(rates), 1), "events/s",
               repeats=[round(x, 1) for x in rates], goals=[Goal(">=", GOAL_EVENTS_PER_S)], notes=notes),
        Figure(f"{store}.digest.{label}", round(digest.events / digest_s, 1), "events/s",
               baseline=f"{store}.verify.{label}", notes={"events": digest.events, "seconds": round(digest_s, 2)}),
    ]
