"""The benchmark registry: a benchmark is a decorated function that takes a run context and returns figures.

To add one, drop a module into ``bench/benchmarks/`` (every module there is imported) with::

    from bench.registry import Figure, benchmark

    @benchmark("my_benchmark", order=30, stores=("postgres",), description="what it measures")
    def my_benchmark(ctx) -> list[Figure]:
        ...
        return [Figure("postgres.my_thing.1worker", value, "things/s", baseline="postgres.insert_commit.1conn")]
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.context import Context


@dataclass(frozen=True)
class Goal:
    """A target a figure is held to: its ``value`` (or its ``ratio`` to the baseline) ``>=`` / ``<=`` ``target``.

    A goal is not a baseline: the baseline is measured in the same run, the goal is a fixed target the project set.
    ``x_target`` = measured / target (for ``>=`` goals above 1 is met, for ``<=`` goals below 1 is met).
    """

    op: str  # ">=" or "<="
    target: float
    of: str = "value"  # "value" or "ratio"

    def __post_init__(self) -> None:
        if self.op not in (">=", "<=") or self.of not in ("value", "ratio") or not self.target:
            raise ValueError(f"bad goal {self}")

    def evaluate(self, value: float, ratio: float | None) -> dict[str, Any]:
        measured = value if self.of == "value" else ratio
        result: dict[str, Any] = {"of": self.of, "op": self.op, "target": self.target}
        if measured is None:
            return result | {"x_target": None, "met": None}
        met = measured >= self.target if self.op == ">=" else measured <= self.target
        return result | {"x_target": round(measured / self.target, 3), "met": met}


@dataclass
class Figure:
    """One measured number. ``baseline`` names another figure; the runner fills in ``ratio`` = value / baseline.
    ``goals``: fixed targets the project set (see :class:`Goal`), evaluated when the document is written."""

    name: str
    value: float
    unit: str
    baseline: str | None = None
    ratio: float | None = None
    repeats: list[float] = field(default_factory=list)  # the per-repeat values the median was taken of
    notes: dict[str, Any] = field(default_factory=dict)  # counts of refusals, conflicts, sizes, ...
    benchmark: str = ""  # set by the runner
    goals: list[Goal] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "value": self.value, "unit": self.unit}
        if self.baseline is not None:
            data["baseline"] = self.baseline
            data["ratio"] = self.ratio
        if self.goals:
            data["goals"] = [goal.evaluate(self.value, self.ratio) for goal in self.goals]
        data |= {"benchmark": self.benchmark, "repeats": self.repeats, "notes": self.notes}
        return data


BenchmarkFunc = Callable[["Context"], list[Figure]]


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: BenchmarkFunc
    description: str
    order: int  # run order: baselines first so the others' ratios have them
    stores: tuple[str, ...]  # stores it can measure; skipped when none of them is selected


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, description: str, order: int = 100, stores: tuple[str, ...] = ("postgres", "sqlite")
) -> Callable[[BenchmarkFunc], BenchmarkFunc]:
    def register(func: BenchmarkFunc) -> BenchmarkFunc:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = Benchmark(name, func, description, order, stores)
        return func

    return register


def load_all() -> dict[str, Benchmark]:
    """Import every module of ``bench.benchmarks`` (registering its benchmarks); return them in run order."""
    import bench.benchmarks as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(REGISTRY.items(), key=lambda item: (item[1].order, item[0])))


def select(names: list[str] | tuple[str, ...] | None) -> list[Benchmark]:
    known = load_all()
    if not names:
        return list(known.values())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [b for n, b in known.items() if n in names]
