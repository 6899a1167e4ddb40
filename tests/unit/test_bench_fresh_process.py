"""``bench.fresh_process.measured_apart``: a measurement runs in another interpreter, its progress steps reach the
run's tracker, its figures come back, and its failure becomes the benchmark's failure."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.context import Context
from bench.fresh_process import measured_apart
from bench.progress import Tracker
from bench.registry import Figure
from bench.scale import SCALES


def measure_pid(ctx: Context, label: str) -> list[Figure]:
    with ctx.tracker.step(f"{label}: counting", 5) as advance:
        for _ in range(5):
            advance(1)
    ctx.tracker.log("counted")
    return [Figure(f"{label}.pid", float(os.getpid()), "pid", notes={"simulated": sorted(ctx.simulated)})]


def measure_failing(ctx: Context) -> list[Figure]:
    raise ValueError("no ledger here")


class Recorder(Tracker):
    def __init__(self) -> None:
        self.steps: dict[str, int] = {}
        self.logs: list[str] = []

    @contextmanager
    def step(self, description: str, total: int):
        self.steps[description] = 0

        def advance(n: int = 1) -> None:
            self.steps[description] += n

        yield advance

    def log(self, message: str) -> None:
        self.logs.append(message)


def context(tmp_path: Path) -> Context:
    return Context(scale=SCALES["tiny"], stores=("sqlite",), tmpdir=tmp_path, postgres_server="unused",
                   tracker=Recorder(), simulated={("sqlite", 3, 1): "a ledger"})


def test_a_measurement_runs_in_another_process_and_its_steps_reach_the_run(tmp_path):
    ctx = context(tmp_path)
    [figure] = measured_apart(ctx, measure_pid, "x")
    assert figure.name == "x.pid" and figure.value != os.getpid()
    assert figure.notes == {"simulated": [("sqlite", 3, 1)]}  # the run's simulated ledgers went with it
    assert ctx.tracker.steps == {"x: counting": 5} and ctx.tracker.logs == ["counted"]


def test_a_failing_measurement_fails_the_benchmark_with_its_error(tmp_path):
    with pytest.raises(RuntimeError, match="ValueError: no ledger here"):
        measured_apart(context(tmp_path), measure_failing)
