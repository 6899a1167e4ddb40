"""`voucher-ledger follow NAME` as production runs it: a real process per projection, with the store's settings in
its environment and its output in files, so that a test can read what it logged while it still runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from store.settings import Settings
from tests.support.api_helpers import store_env
from tests.support.projection_helpers import tracking_position

WAIT_S = 60  # a bound for slow shared machines, never a figure that an assert depends on


def worker_env(settings: Settings) -> dict[str, str]:
    return dict(os.environ, **store_env(settings))


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    out_path: Path
    err_path: Path

    @classmethod
    def start(cls, settings: Settings, name: str, folder: Path) -> Worker:
        out_path, err_path = folder / f"{name}.out", folder / f"{name}.err"
        with out_path.open("w") as out, err_path.open("w") as err:
            process = subprocess.Popen([sys.executable, "-m", "api.cli", "follow", name], env=worker_env(settings),
                                       stdout=out, stderr=err, text=True)
        return cls(name, process, out_path, err_path)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stdout(self) -> str:
        return self.out_path.read_text()

    def stderr(self) -> str:
        return self.err_path.read_text()

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def stop_all(workers: Iterable[Worker]) -> dict[str, int]:
    return {worker.name: worker.stop() for worker in workers}


def wait_until(condition: Callable[[], bool], what: str, workers: Sequence[Worker] = ()) -> None:
    """Poll ``condition`` until it holds; fail at once if a worker exits meanwhile, and after WAIT_S at the latest."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        for worker in workers:
            assert worker.alive(), f"{worker.name} exited ({worker.process.returncode}) waiting for {what}:\n{worker.stderr()}"
        assert time.monotonic() < deadline, f"not within {WAIT_S} s: {what}"
        time.sleep(0.1)


def at_least(settings: Settings, names: Iterable[str], position: int) -> Callable[[], bool]:
    """Whether every named projection's tracking record has reached ``position`` (False while the worker has not
    created its tracking table yet, or while the database is down)."""
    def reached() -> bool:
        try:
            return all((tracking_position(settings, name) or 0) >= position for name in names)
        except (sqlite3.Error, psycopg.Error):
            return False

    return reached
