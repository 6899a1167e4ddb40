"""Every ledger test runs on both stores: the embedded SQLite default and PostgreSQL (production).

PostgreSQL: one fresh database per test run (dropped afterwards), one fresh schema per test.
If no server can be found the PostgreSQL cases skip with instructions — unless
``VOUCHER_LEDGER_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which turns that skip into a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from store.settings import Settings
from simulator.store import open_simulation_store
from ledger.application import VoucherLedger
from tests.support.postgres_server import HOW_TO, claim_database, find_server, is_abandoned
from tests.support.scenario import World

# pytest-xdist starts its workers with COLUMNS=80 in their environment, where a serial run has none: the command
# line's rich consoles, made when api.cli is imported, would keep that as their width in a worker only, and the
# in-process command-line tests (tests/support/cli_runner.py) would see tables cut to 80 columns.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)

STORES = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    server = find_server()
    if server is None:
        if os.environ.get("VOUCHER_LEDGER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but {HOW_TO}")
        pytest.skip(HOW_TO)
    name = f"vl_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    # This run's claim on its database, held until the run ends (or dies: the server ends the session with it).
    holder = claim_database(server.url, name)
    with psycopg.connect(server.url, autocommit=True) as conn:
        left = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'vl\\_test\\_%'")]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        abandoned = [db for db in left if is_abandoned(conn, db)]
    drop_in_background(server.url, abandoned)  # runs killed before their own drop
    base = psycopg.conninfo.conninfo_to_dict(server.url)
    try:
        yield psycopg.conninfo.make_conninfo(**{**base, "dbname": name})
    finally:
        holder.close()
        if server.how.startswith(("VOUCHER_LEDGER_TEST_POSTGRES_URL", "local server")):
            drop_in_background(server.url, [name])
        server.stop()  # a throwaway cluster goes whole, its databases with it


# A run leaves ~1,000 schemas of ~60 tables each: dropping that database took ~30 s of the suite's end (pytest
# --durations, the last test's teardown). Nothing waits for it, so a process of its own drops it after pytest exits
# (the server finishes a DROP DATABASE once started, whatever its client does); a run killed first leaves its
# database to the next run, which drops those no live run holds (`is_abandoned`).
_DROP = """
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    for name in sys.argv[2:]:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
"""


def drop_in_background(url: str, names: list[str]) -> None:
    if names:
        subprocess.Popen([sys.executable, "-c", _DROP, url, *names], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def settings_for(store: str, request: pytest.FixtureRequest, tmp_path) -> Settings:
    if store == "sqlite":
        return Settings(store="sqlite", sqlite_path=tmp_path / "ledger.sqlite3")
    url = request.getfixturevalue("postgres_database")
    return Settings(
        store="postgres",
        postgres_url=psycopg.conninfo.make_conninfo(url),
        postgres_schema=f"t_{uuid.uuid4().hex[:12]}",
        # The concurrency tests run 16 writers: the pool grows to 20 for them. Opened at once it holds 2, since every
        # connection opened is a server process forked: 20 per test, over ~1,000 tests, cost the suite minutes.
        postgres_pool_size=2,
        postgres_max_overflow=18,
        postgres_lock_timeout_s=10,
    )


@pytest.fixture(params=STORES)
def store_settings(request: pytest.FixtureRequest, tmp_path) -> Settings:
    return settings_for(request.param, request, tmp_path)


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[VoucherLedger]:
    """Opened on the simulation's clock, before the programme: whatever a test records later (in 2018-2021, as the
    simulator or a scenario does) comes after the store's set-up in recorded time, as in a real store."""
    app = open_simulation_store(store_settings)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def world(ledger: VoucherLedger) -> World:
    """A ready programme year (2019) with catalogue, quotas, carrier rates, one whitelisted provider."""
    return World.with_year(ledger, 2019)
