"""Running a selection of benchmarks and collecting one result document (what ``--json`` writes)."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import environment
from bench.context import STORES, Context
from bench.progress import Tracker
from bench.registry import Figure, select
from bench.report import apply_ratios
from bench.scale import SCALES, Scale
from bench.scratch import server_url


def run(
    names: list[str] | tuple[str, ...] | None = None,
    *,
    scale: str | Scale = "quick",
    stores: tuple[str, ...] = STORES,
    postgres_url: str | None = None,
    tracker: Tracker | None = None,
) -> dict[str, Any]:
    """Run the named benchmarks (all if none) and return the result document.

    ``scale``: ``"full"``, ``"quick"``, ``"tiny"`` (a smoke run: a few operations each, seconds in all) or a
    :class:`bench.scale.Scale`. ``stores``: which of ``postgres``/``sqlite`` to measure. ``postgres_url``: a server
    on which the bench may create and drop its scratch database (default: ``VOUCHER_LEDGER_TEST_POSTGRES_URL``,
    else local). ``tracker``: progress display (default none). Raises ``ValueError`` for an unknown name or store.
    """
    scale = SCALES[scale] if isinstance(scale, str) else scale
    unknown_stores = set(stores) - set(STORES)
    if unknown_stores:
        raise ValueError(f"unknown store(s) {sorted(unknown_stores)}; known: {', '.join(STORES)}")
    benchmarks = select(names)
    started_at, started = datetime.now(UTC), time.perf_counter()
    load_at_start = environment.load_average()
    code = environment.code_state()  # at the start: the working tree may change while a long run goes on
    server = server_url(postgres_url)
    figures: list[Figure] = []
    failed: dict[str, str] = {}  # benchmark -> its error: the run goes on, and the document says so
    durations: dict[str, float] = {}  # seconds per benchmark, set-up included: what to shrink when a run is too long
    with tempfile.TemporaryDirectory(prefix="vl_bench_") as tmp, tracker or Tracker() as shown:
        ctx = Context(scale=scale, stores=tuple(stores), tmpdir=Path(tmp), postgres_server=server, tracker=shown)
        try:
            for bench in benchmarks:
                if not set(bench.stores) & set(ctx.stores):
                    continue
                began = time.perf_counter()
                try:
                    for figure in bench.func(ctx):
                        figure.benchmark = bench.name
                        figures.append(figure)
                except Exception as exc:  # noqa: BLE001 - one broken benchmark must not lose the others' figures
                    failed[bench.name] = f"{type(exc).__name__}: {exc}"[:2000]
                durations[bench.name] = round(time.perf_counter() - began, 1)
        finally:
            ctx.close()
    apply_ratios(figures)
    described = environment.describe(server, tuple(stores))
    described["machine"]["load_average_at_start"] = load_at_start
    return {
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 1),
        "scale": scale.name,
        "repeats": scale.repeats,
        "benchmarks": [b.name for b in benchmarks],
        "benchmark_durations_s": durations,
        "failed": failed,
        "stores": list(stores),
        **described,
        "code": code,
        "figures": [f.to_json() for f in figures],
    }
