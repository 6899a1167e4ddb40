"""Opening a PostgreSQL store waits for its first connection up to the connect timeout, not a request's one second:
a server slow to accept (a loaded machine) delays a process's start but does not fail it, and an unreachable one
still fails it, after the connect timeout."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from ledger.application import VoucherLedger
from store.settings import Settings
from tests.support.api_helpers import TcpProxy

pytestmark = pytest.mark.postgres


def _proxy(url: str) -> TcpProxy:
    server = psycopg.conninfo.conninfo_to_dict(url)
    return TcpProxy(str(server.get("host", "127.0.0.1")), int(server.get("port", 5432)))


def _through(proxy: TcpProxy, url: str, connect_timeout_s: int) -> Settings:
    base = psycopg.conninfo.conninfo_to_dict(url)
    return Settings(store="postgres", postgres_host="127.0.0.1", postgres_port=proxy.port,
                    postgres_dbname=base["dbname"], postgres_user=base.get("user", "postgres"), postgres_schema=f"t_{uuid.uuid4().hex[:12]}",
                    postgres_pool_size=1, postgres_connect_timeout_s=connect_timeout_s, create_tables=False)


def test_a_first_connection_slower_than_a_requests_wait_still_opens_the_store(postgres_database) -> None:
    proxy = _proxy(postgres_database).start()
    settings = _through(proxy, postgres_database, connect_timeout_s=5)
    assert settings.pool_wait_s() == 1  # a request waits one second for a connection
    proxy.hold(1.6)
    started = time.monotonic()
    try:
        ledger = VoucherLedger(env=settings.eventsourcing_env())
        ledger.close()
    finally:
        proxy.stop()
    assert time.monotonic() - started >= 1.5  # it did wait for the slow server, past one request's wait


def test_an_unreachable_server_still_fails_the_opening_after_the_connect_timeout(postgres_database) -> None:
    proxy = _proxy(postgres_database)  # never started: nothing listens on its port
    settings = _through(proxy, postgres_database, connect_timeout_s=2)
    started = time.monotonic()
    with pytest.raises(OperationalError):
        VoucherLedger(env=settings.eventsourcing_env())
    # the connect timeout and one last attempt's wait (about 3 s), not the library's ten attempts (about 12 s)
    assert time.monotonic() - started < 6
