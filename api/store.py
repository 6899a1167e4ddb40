"""Opening the ledger on the configured store (the only place that turns settings into a live application)."""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

from api.settings import Settings, get_settings
from ledger.application import VoucherLedger

log = logging.getLogger("voucher_ledger.store")


def ensure_postgres_schema(settings: Settings) -> None:
    """The library creates tables on first use but not a named schema; create it so a fresh database just works."""
    if settings.store != "postgres" or not settings.postgres_schema or not settings.create_tables:
        return
    with pg_connect(settings) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.postgres_schema)))


def pg_connect(settings: Settings) -> psycopg.Connection:
    return psycopg.connect(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value() or None,
        connect_timeout=settings.postgres_connect_timeout_s,
        autocommit=True,
    )


def open_ledger(settings: Settings | None = None) -> VoucherLedger:
    """Build the ledger application on the configured store; tables (and a named schema) are created on first use.

    On PostgreSQL, processes starting together (API workers) take turns: the library's table creation re-runs
    ``CREATE OR REPLACE FUNCTION``, and two at once fail with "tuple concurrently updated"."""
    settings = settings or get_settings()
    if settings.store != "postgres":
        return _checked(VoucherLedger(env=settings.eventsourcing_env()))
    with pg_connect(settings) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('voucher-ledger: open'))")
        try:
            ensure_postgres_schema(settings)
            ledger = VoucherLedger(env=settings.eventsourcing_env())
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('voucher-ledger: open'))")
    return _checked(ledger)


def _checked(ledger: VoucherLedger) -> VoucherLedger:
    """Look once, at start-up, whether claims must wait for ``derive-evidence-keys`` (ledger.commands.evidence_guard),
    so that the first claim does not pay for it and the operator reads why in the log."""
    try:
        pending = ledger.evidence_keys_pending()
    except BaseException:
        ledger.close()
        raise
    if pending:
        log.warning("claims are refused (EVIDENCE_KEYS_NOT_DERIVED) until `voucher-ledger derive-evidence-keys` has "
                    "run on this store: it holds claims made before invoice and contract keys existed")
    return ledger
