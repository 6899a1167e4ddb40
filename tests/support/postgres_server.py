"""Find a PostgreSQL server for the tests, in this order:

1. ``VOUCHER_LEDGER_TEST_POSTGRES_URL`` if set;
2. the local server on 127.0.0.1:5432 (user postgres, trust auth, as on this project's machines);
3. a throwaway cluster started from locally installed PostgreSQL binaries (``initdb`` refuses root, so it runs as
   the ``postgres`` user), removed afterwards.

With none of these, the PostgreSQL tests skip with a message saying how to provide one (and ``.ci/run`` fails).
"""

from __future__ import annotations

import contextlib
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


@dataclass
class ThrowawayCluster:
    """A PostgreSQL cluster of its own in a temporary folder, from locally installed binaries; a test may stop and
    start it (an outage) and must :meth:`remove` it."""

    bindir: str
    datadir: str
    port: int
    as_postgres: list[str]  # initdb refuses root: run the binaries as the postgres user

    @classmethod
    def create(cls) -> ThrowawayCluster | None:
        """A new cluster, not started; None if there are no binaries or no postgres user to run them as."""
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = shutil.which("initdb") or (binaries[-1] if binaries else None)
        if not initdb:
            return None
        as_postgres: list[str] = []
        if os.geteuid() == 0:
            runner = shutil.which("runuser")
            if not runner:
                return None
            as_postgres = [runner, "-u", "postgres", "--"]
        datadir = tempfile.mkdtemp(prefix="vl-pg-")
        if os.geteuid() == 0:
            shutil.chown(datadir, "postgres")
        cluster = cls(os.path.dirname(initdb), datadir, _free_port(), as_postgres)
        cluster._run("initdb", "-D", datadir, "-U", "postgres", "--auth=trust", "--no-sync")
        return cluster

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", self.datadir, "-w", "-l", f"{self.datadir}/log", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: connections are terminated ("terminating connection due to administrator command")."""
        self._run("pg_ctl", "-D", self.datadir, "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop("immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, f"{self.bindir}/{program}", *args], check=True, capture_output=True,
                       timeout=120)


def _throwaway_cluster() -> PostgresServer | None:
    cluster = ThrowawayCluster.create()
    if cluster is None:
        return None
    cluster.start()
    server = PostgresServer(url=cluster.url, how=f"throwaway cluster {cluster.datadir}")
    server._cleanup.append(cluster.remove)
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


def claim_database(url: str, database: str) -> psycopg.Connection:
    """A test run's claim on its database: a session holding the database's advisory lock, until it is closed or
    the run dies (the server ends the session with it)."""
    holder = psycopg.connect(url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtext(%s))", (database,))
    return holder


def is_abandoned(conn: psycopg.Connection, database: str) -> bool:
    """Whether no live test run holds ``database`` (:func:`claim_database`). Not the process id in its name: runs in
    other containers share the server but not the process ids, and a live run there was taken for dead and its
    database dropped under it (a local CI run lost fifteen tests so)."""
    if not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (database,)).fetchone()[0]:
        return False
    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (database,))
    return True
