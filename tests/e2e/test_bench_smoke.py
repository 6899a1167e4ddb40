"""The benchmark harness runs end to end at a tiny scale and produces the documented result shape.

This checks the harness works, not how fast anything is: figures are never asserted here (see bench/README.md).
"""

import bench


def test_every_benchmark_runs_at_tiny_scale_on_both_stores(postgres_database):
    result = bench.run(scale="tiny", stores=("sqlite", "postgres"), postgres_url=postgres_database)
    figures = {figure["name"]: figure for figure in result["figures"]}
    assert {"postgres.insert_commit.1conn", "sqlite.insert_commit.1conn", "postgres.claims.8workers"} <= set(figures)
    for figure in figures.values():
        assert {"name", "value", "unit"} <= set(figure) and figure["value"] > 0
        if "baseline" in figure:
            base = figures[figure["baseline"]]["value"]
            assert abs(figure["ratio"] - figure["value"] / base) <= 0.0005 + 1e-9  # given to 3 decimals (half a unit off, at most)
    assert {"machine", "versions", "settings"} <= set(result)
