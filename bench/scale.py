"""How much work each benchmark does: one named preset per run (full, quick, tiny)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Counts per timed repeat. With one worker the ``*_single`` count is used; with N workers each does
    ``*_per_worker`` (so the N-worker run does N times that in total)."""

    name: str
    repeats: int  # the figure is the median of the repeats' rates
    concurrency: tuple[int, ...]  # worker/connection counts to measure, e.g. (1, 8)
    raw_rows_single: int  # raw baselines: rows (= transactions) with one connection
    raw_rows_per_worker: int
    commands_single: int  # application commands with one worker
    commands_per_worker: int
    claims_per_voucher: int = 5  # claims on one voucher before a worker moves on (vouchers have no snapshots)
    simulated_events: int = 300_000  # the simulator's target size (its rate settles after ~100k events)
    rebuild_events: int = 100_000  # rebuild benchmark: size of the simulated ledger the projections are rebuilt from
    rebuild_repeats: int = 1  # rebuilds timed per variant (all projections, each alone); the figure is the median
    asof_events: tuple[int, ...] = (10_000, 100_000)  # asof benchmark: ledger sizes; the last is compared with the first
    asof_queries: int = 500  # timed calls of each as-of query per size and store
    http_clients: int = 32  # http_claims: concurrent HTTP clients (each its own provider and vouchers)
    http_claims_per_client: int = 100  # http_claims: claims each client POSTs per repeat (one after another)
    http_server_workers: int = 2  # http_claims: uvicorn worker processes (VOUCHER_LEDGER_API_WORKERS)
    http_compare: bool = True  # http_claims: also measure 1 worker, and N workers with a TCP_NODELAY listener
    http_connections: int = 32  # http_wrk: wrk's connections (2 threads)
    http_seconds: float = 10.0  # http_wrk: each timed wrk run, per route
    http_warm_up_s: float = 2.0  # http_wrk: untimed load per route before the timed runs
    http_repeats: int = 3  # http_wrk: timed runs per route (interleaved claims, floor, ceiling); the figure is the median

    def count(self, kind: str, workers: int) -> int:
        """Operations one worker does per repeat: ``kind`` is ``raw_rows`` or ``commands``."""
        return getattr(self, f"{kind}_single" if workers == 1 else f"{kind}_per_worker")


# Command counts per worker are multiples of 100, the quotas' snapshot interval (VoucherLedger.snapshotting_intervals):
# every claim replays its provider's quota since the last snapshot (0-99 events), and every issuance its city's, so a
# repeat that covers whole snapshot cycles costs the same as the next; a partial cycle would make repeats drift.
FULL = Scale("full", repeats=3, concurrency=(1, 8), raw_rows_single=3000, raw_rows_per_worker=750,
             commands_single=1000, commands_per_worker=200, simulated_events=1_000_000,
             rebuild_events=1_000_000, rebuild_repeats=1, asof_events=(100_000, 1_000_000), asof_queries=500,
             http_clients=32, http_claims_per_client=100)
# Quick must stay under two minutes on 2 cores for every benchmark; `python -m bench` prints each one's
# seconds. The simulated ledgers (rebuild, verify, as-of, auditors) dominate, so they are small here: quick figures
# for those are a check that the numbers are sane, the full scale is the measurement.
QUICK = Scale("quick", repeats=3, concurrency=(1, 8), raw_rows_single=1000, raw_rows_per_worker=200,
              commands_single=100, commands_per_worker=100, simulated_events=100_000,
              rebuild_events=30_000, rebuild_repeats=1, asof_events=(10_000, 30_000), asof_queries=200,
              http_clients=32, http_claims_per_client=25, http_server_workers=1, http_compare=False, http_seconds=5.0, http_warm_up_s=1.0,
              http_repeats=1)
TINY = Scale("tiny", repeats=1, concurrency=(1, 8), raw_rows_single=20, raw_rows_per_worker=5,
             commands_single=6, commands_per_worker=2, simulated_events=2_000,  # for a smoke test: checks the wiring, not the speed
             rebuild_events=3_000, rebuild_repeats=1, asof_events=(1_000, 3_000), asof_queries=20,
             http_clients=4, http_claims_per_client=3, http_server_workers=1, http_compare=False, http_connections=4,
             http_seconds=0.5, http_warm_up_s=0.5, http_repeats=1)

SCALES: dict[str, Scale] = {s.name: s for s in (FULL, QUICK, TINY)}


def events_label(events: int) -> str:
    """``3k``, ``100k``, ``1M``, ``1.5M``: the ledger size in figure names."""
    if events >= 1_000_000:
        return f"{events / 1_000_000:g}M"
    if events >= 1_000:
        return f"{events / 1_000:g}k"
    return str(events)


def workers_label(workers: int, noun: str) -> str:
    """``1conn``, ``8conn``, ``1worker``, ``8workers``: the suffix of figure names."""
    if noun == "conn":
        return f"{workers}conn"
    return f"{workers}{noun}" if workers == 1 else f"{workers}{noun}s"
