"""Benchmarks of the voucher ledger: raw store baselines and commands through the application layer.

``python -m bench`` runs them all (``--quick``, ``--only NAME``, ``--json PATH``; see bench/README.md).
From code: ``bench.run(["commands"], scale="tiny", stores=("sqlite",))`` returns the result document.
"""

from bench.registry import Figure, Goal, benchmark
from bench.runner import run
from bench.scale import SCALES, Scale

__all__ = ["SCALES", "Figure", "Goal", "Scale", "benchmark", "run"]
