"""Prometheus metrics of one API process (``GET /metrics``, text exposition format).

Counted as they happen: requests by method, route template and status (count and latency), group-commit batches
(commands per batch, commit latency), the events this process appended (whichever way it wrote them) and store
errors. Read at each scrape: the ledger's last
position and each projection's position and lag (``projections/health.py``, the same figures /readyz judges).
Each app has its own registry, so several apps in one process (the tests) do not collide. With several uvicorn
workers (``api_workers`` > 1) ``serve`` gives them one folder for prometheus-client's multiprocess mode
(:func:`shared_between_processes`): each process writes its counts there, and whichever answers a scrape sums them
all, so /metrics counts every request of the service, not one process's share.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

SHARED_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own variable: read when a process imports it
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class Metrics:
    def __init__(self, state: Callable[[], dict[str, Any] | None]) -> None:
        """``state()`` answers the readiness figures at scrape time (None while the store cannot be asked)."""
        self.registry = registry = CollectorRegistry(auto_describe=True)
        labels = ("method", "route", "status")
        self.requests = Counter("voucher_ledger_http_requests", "HTTP requests answered", labels, registry=registry)
        self.latency = Histogram("voucher_ledger_http_request_duration_seconds", "time to answer a request", labels,
                                 buckets=LATENCY_BUCKETS, registry=registry)
        self.batch_commands = Histogram("voucher_ledger_group_commit_batch_commands", "commands per committed batch",
                                        buckets=BATCH_BUCKETS, registry=registry)
        self.commit_seconds = Histogram("voucher_ledger_group_commit_seconds", "time to commit one batch",
                                        buckets=LATENCY_BUCKETS, registry=registry)
        self.events = Counter("voucher_ledger_events_appended", "events this process appended to the store "
                              "(commands, imports, kept answers, its set-up)", registry=registry)
        self.store_errors = Counter("voucher_ledger_store_errors", "requests failed by the store", ("kind",),
                                    registry=registry)
        self.figures = _StoreFigures(state)
        registry.register(self.figures)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route, str(status)).observe(seconds)

    def committed(self, commands: int, events: int, seconds: float) -> None:
        """The group-commit writer's hook (``GroupCommitWriter.on_commit``). Its events are counted by
        :meth:`appended`, as every other write's: counted here, an import's were missed."""
        self.batch_commands.observe(commands)
        self.commit_seconds.observe(seconds)

    def appended(self, events: int) -> None:
        """The ledger's hook for every committed write of this process (``store/appended.py``)."""
        self.events.inc(events)

    def store_error(self, kind: str) -> None:
        self.store_errors.labels(kind).inc()

    def exposition(self) -> tuple[bytes, str]:
        if not os.environ.get(SHARED_DIR):
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        every_process = CollectorRegistry()  # the counts of every process of the service, and this one's figures
        MultiProcessCollector(every_process)
        every_process.register(self.figures)
        return generate_latest(every_process), CONTENT_TYPE_LATEST


def shared_between_processes() -> Path | None:
    """Before uvicorn starts its worker processes: the folder they count in, emptied (the counts of an earlier run
    must not be added); a new temporary one unless ``PROMETHEUS_MULTIPROC_DIR`` names one. Returns the folder to
    remove at the end, if made here."""
    if given := os.environ.get(SHARED_DIR):
        for old in Path(given).glob("*.db"):
            old.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="voucher-ledger-metrics-"))
    os.environ[SHARED_DIR] = str(made)
    return made


class _StoreFigures(Collector):
    def __init__(self, state: Callable[[], dict[str, Any] | None]) -> None:
        self.state = state

    def describe(self) -> list:
        return []  # figures read at scrape time: nothing to describe up front

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = self.state()
        up = GaugeMetricFamily("voucher_ledger_store_up", "1 if the store answered this scrape")
        up.add_metric([], 0 if state is None else 1)
        yield up
        if state is None:
            return
        head = GaugeMetricFamily("voucher_ledger_store_position", "the ledger's last event position")
        head.add_metric([], state["position"])
        yield head
        names = ("position", "lag_events", "lag_seconds")
        families = {n: GaugeMetricFamily(f"voucher_ledger_projection_{n}", f"each projection's {n.replace('_', ' ')}",
                                         labels=["projection"]) for n in names}
        for name, figures in state["projections"].items():
            for n in names:
                families[n].add_metric([name], figures[n])
        yield from families.values()
        pools = GaugeMetricFamily("voucher_ledger_pool_connections", "PostgreSQL connections of each pool of this "
                                  "process: pool_min, pool_max, pool_size (open), pool_available (idle), "
                                  "requests_waiting", labels=["pool", "measure"])
        for pool, measures in state.get("pools", {}).items():
            for measure, value in measures.items():
                pools.add_metric([pool, measure], value)
        yield pools
