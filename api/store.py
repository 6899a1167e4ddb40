"""Opening the ledger on the configured store (the only place that turns settings into a live application)."""

from __future__ import annotations

import psycopg
from psycopg import sql

from api.settings import Settings, get_settings
from ledger.application import VoucherLedger


def ensure_postgres_schema(settings: Settings) -> None:
    """The library creates tables on first use but not a named schema; create it so a fresh database just works."""
    if settings.store != "postgres" or not settings.postgres_schema:
        return
    with psycopg.connect(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password or None,
        connect_timeout=settings.postgres_connect_timeout_s,
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.postgres_schema)))


def open_ledger(settings: Settings | None = None) -> VoucherLedger:
    """Build the ledger application on the configured store; tables (and a named schema) are created on first use."""
    settings = settings or get_settings()
    ensure_postgres_schema(settings)
    return VoucherLedger(env=settings.eventsourcing_env())
