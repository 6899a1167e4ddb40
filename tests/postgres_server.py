"""Find a PostgreSQL server for the tests, in this order:

1. ``VOUCHER_LEDGER_TEST_POSTGRES_URL`` if set;
2. the local server on 127.0.0.1:5432 (user postgres, trust auth, as on this project's machines);
3. a throwaway cluster started from locally installed PostgreSQL binaries (``initdb`` refuses root, so it runs as
   the ``postgres`` user), removed afterwards.

With none of these, the PostgreSQL tests skip with a message saying how to provide one (and ``.ci/run`` fails).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field

import psycopg

HOW_TO = (
    "no PostgreSQL server: set VOUCHER_LEDGER_TEST_POSTGRES_URL=postgresql://user@host:port/db, start the local "
    "server (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or install PostgreSQL "
    "binaries (initdb) so the tests can start a throwaway cluster"
)


@dataclass
class PostgresServer:
    url: str  # points at an existing maintenance database
    how: str
    _cleanup: list = field(default_factory=list)

    def stop(self) -> None:
        for step in reversed(self._cleanup):
            step()


def _can_connect(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _throwaway_cluster() -> PostgresServer | None:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = shutil.which("initdb") or (binaries[-1] if binaries else None)
    if not initdb:
        return None
    bindir = os.path.dirname(initdb)
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        runner = shutil.which("runuser") or shutil.which("su")
        if not runner:
            return None
        as_postgres = [runner, "-u", "postgres", "--"] if runner.endswith("runuser") else []
        if not as_postgres:
            return None
    datadir = tempfile.mkdtemp(prefix="vl-pg-")
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(f"{bindir}/initdb", "-D", datadir, "-U", "postgres", "--auth=trust", "--no-sync")
    run(
        f"{bindir}/pg_ctl", "-D", datadir, "-w", "-l", f"{datadir}/log",
        "-o", f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    server = PostgresServer(url=f"postgresql://postgres@127.0.0.1:{port}/postgres", how=f"throwaway cluster {datadir}")
    server._cleanup.append(lambda: shutil.rmtree(datadir, ignore_errors=True))
    server._cleanup.append(lambda: run(f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "stop"))
    return server


def find_server() -> PostgresServer | None:
    configured = os.environ.get("VOUCHER_LEDGER_TEST_POSTGRES_URL")
    if configured:
        return PostgresServer(configured, "VOUCHER_LEDGER_TEST_POSTGRES_URL") if _can_connect(configured) else None
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    if _can_connect(local):
        return PostgresServer(local, "local server 127.0.0.1:5432")
    try:
        return _throwaway_cluster()
    except (OSError, subprocess.SubprocessError):
        return None
