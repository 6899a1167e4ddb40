"""The PostgreSQL server the bench runs on, and the scratch database it creates there and drops afterwards.

The server comes from ``--postgres-url`` / ``run(postgres_url=...)``, else ``VOUCHER_LEDGER_TEST_POSTGRES_URL``
(the same server the tests use), else ``postgresql://postgres@127.0.0.1:5432/postgres``. The bench only creates
and drops its own database ``vl_bench_<pid>`` there and changes no server setting.
"""

from __future__ import annotations

import os
import uuid

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from store.settings import Settings

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("VOUCHER_LEDGER_TEST_POSTGRES_URL") or DEFAULT_SERVER_URL


class ScratchDatabase:
    def __init__(self, server: str) -> None:
        self.server = server
        self.name = f"vl_bench_{os.getpid()}"
        self.url = make_conninfo(**{**conninfo_to_dict(server), "dbname": self.name})
        self.created = False

    def create(self) -> ScratchDatabase:
        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as conn:
            # A database left behind by a crashed run of a process with the same pid is ours to replace.
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True
        return self

    def drop(self) -> None:
        if not self.created:
            return
        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        self.created = False

    def connect(self, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(self.url, connect_timeout=5, **kwargs)

    def ledger_settings(self, schema_prefix: str) -> Settings:
        """Settings for the ledger application on a fresh schema of the scratch database; every other setting
        (pool size, lock timeout, ...) is what ``Settings`` finds in the environment or its default."""
        return Settings(
            store="postgres",
            postgres_url=self.url,
            postgres_schema=f"{schema_prefix}_{uuid.uuid4().hex[:8]}",
        )
