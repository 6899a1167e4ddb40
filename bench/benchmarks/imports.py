"""Claims imported from a CSV register (``importer.run.run_import``): rows/s of a whole all-or-nothing import (every
row decided once, what was decided sent to the store chunk by chunk and committed in one transaction at the end),
and of a ``--partial`` import (decided once and committed chunk by chunk). Set-up (providers, year, enterprises,
vouchers; imported too) is not timed. Full scale: the issue's 100,000-row file; quick: 2,000 rows. The notes give
the import's CPU seconds (this process, every thread) and the process's peak RSS: on a machine shared with other
work the CPU per row moves less than the wall-clock rate.
"""

from __future__ import annotations

import resource
import time
import uuid
from datetime import UTC, datetime

from bench import import_files as files
from bench.context import Context
from bench.registry import Figure, Goal, benchmark
from importer.run import run_import
from simulator.store import open_simulation_store
from store.settings import Settings

ROWS = {"full": 100_000, "quick": 2_000, "tiny": 50}


def _open(ctx: Context, store: str):
    """A training store: the synthetic 2019 registers carry their recorded times, which only such a store takes
    (importer/recorded.py)."""
    if store == "postgres":
        return open_simulation_store(ctx.postgres.ledger_settings("bench_import"))
    path = ctx.sqlite_path(f"import_{uuid.uuid4().hex[:8]}")
    return open_simulation_store(Settings(store="sqlite", sqlite_path=path))


@benchmark("imports", order=27, description="claims/s imported from a CSV file (all-or-nothing and partial)")
def imports(ctx: Context) -> list[Figure]:
    rows = ROWS.get(ctx.scale.name, ROWS["quick"])
    now = datetime.now(UTC)
    figures = []
    for store in ("postgres", "sqlite"):
        if not ctx.uses(store):
            continue
        for mode in ("whole", "partial"):
            app = _open(ctx, store)
            try:
                with ctx.tracker.step(f"{store}: import set-up for {rows} claims", 1) as advance:
                    for kind, data in files.set_up_files(-(-rows // files.CLAIMS_PER_VOUCHER)):
                        result = run_import(app, kind, data, file_name=kind, actor="province:bench", now=now)
                        assert not result.errors, result.errors[:3]
                    advance()
                data = files.claims_file(rows)
                with ctx.tracker.step(f"{store}: import {rows} claims ({mode})", 1) as advance:
                    started, cpu = time.perf_counter(), time.process_time()
                    result = run_import(app, "claims", data, file_name="claims.csv", actor="province:bench",
                                        now=now, partial=mode == "partial")
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                    advance()
            finally:
                app.close()
            rate = result.written / elapsed
            figures.append(Figure(
                f"{store}.import_claims.{mode}", round(rate), "rows/s", baseline=f"{store}.insert_commit.1conn",
                repeats=[round(rate)], goals=[Goal(">=", 5_000)] if store == "postgres" and mode == "whole" else [],
                notes={"rows": rows, "written": result.written, "refused": result.refused_rows,
                       "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
                       "cpu_us_per_row": round(cpu * 1e6 / max(result.written, 1)),
                       "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "bytes": len(data)}))
    return figures
