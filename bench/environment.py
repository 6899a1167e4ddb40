"""Where the figures were measured: machine, versions, and the durability settings as found (never changed)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg

from store.settings import Settings
from store.opening import open_ledger

POSTGRES_SETTINGS = ("fsync", "synchronous_commit", "wal_sync_method", "commit_delay", "full_page_writes")
SQLITE_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": memory,
        "memory_gib": round(memory / 2**30, 1),
        "load_average": load_average(),  # 1/5/15-minute load when the run ended: other work skews figures
    }


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def postgres_facts(server_url: str) -> tuple[str | None, dict[str, Any]]:
    """(server version, settings) as ``SHOW`` reports them; an unreachable server is recorded, not fatal."""
    try:
        with psycopg.connect(server_url, connect_timeout=5) as conn:
            show = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in ("server_version", *POSTGRES_SETTINGS)}
    except psycopg.Error as exc:
        return None, {"error": str(exc).strip()}
    return show.pop("server_version"), show


def sqlite_facts() -> dict[str, Any]:
    """The journal mode the ledger's SQLite store leaves a file in, and SQLite's default ``synchronous``
    (the library sets none)."""
    with tempfile.TemporaryDirectory(prefix="vl_bench_env_") as tmp:
        path = Path(tmp) / "probe.sqlite3"
        open_ledger(Settings(store="sqlite", sqlite_path=path)).close()
        with closing(sqlite3.connect(path)) as conn:
            journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    return {"journal_mode": journal_mode, "synchronous": SQLITE_SYNCHRONOUS.get(synchronous, str(synchronous))}


def code_state() -> dict[str, Any]:
    """The commit measured and the files that differed from it when the run started (``git``; empty if none)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout

    dirty = [line[3:] for line in git("status", "--porcelain", "--untracked-files=all").splitlines() if line.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip() or None, "dirty": dirty}


def describe(server_url: str, stores: tuple[str, ...]) -> dict[str, Any]:
    server_version, pg_settings = postgres_facts(server_url) if "postgres" in stores else (None, {})
    return {
        "machine": machine(),
        "versions": {
            "python": platform.python_version(),
            "eventsourcing": version("eventsourcing"),
            "psycopg": psycopg.__version__,
            "libpq": psycopg.pq.version(),
            "postgresql_server": server_version,
            "sqlite": sqlite3.sqlite_version,
        },
        "settings": {
            # -O strips the library's per-event `assert isinstance(event, CanMutateProtocol)`, costly on 3.11
            "python": {"optimize": sys.flags.optimize},
            "postgres": pg_settings,
            "sqlite": sqlite_facts() if "sqlite" in stores else {},
        },
    }
