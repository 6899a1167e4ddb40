"""Opening the ledger on the configured store (the only place that turns settings into a live application)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from store.settings import Settings, get_settings
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


@contextmanager
def creating_tables(settings: Settings) -> Iterator[None]:
    """Hold PostgreSQL's "voucher-ledger: open" advisory lock for the block: processes starting together (API and
    projection workers) take turns creating tables. The library's table creation re-runs ``CREATE OR REPLACE
    FUNCTION`` and inserts tracking rows, and two at once fail with "tuple concurrently updated"."""
    if settings.store != "postgres":
        yield
        return
    with pg_connect(settings) as conn:  # the session's end releases the lock, whatever happens in the block
        conn.execute("SELECT pg_advisory_lock(hashtext('voucher-ledger: open'))")
        yield


def open_ledger(settings: Settings | None = None) -> VoucherLedger:
    """Build the ledger application on the configured store; tables (and a named schema) are created on first use,
    under :func:`creating_tables`."""
    settings = settings or get_settings()
    with creating_tables(settings):
        ensure_postgres_schema(settings)
        ledger = VoucherLedger(env=settings.eventsourcing_env())
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


def one_reader(settings: Settings) -> Settings:
    """Settings for opening the ledger in a process that only reads its sequence, in one thread: a small pool. The
    library's pool opens its whole minimum size at once, so five workers with the service's pool (20 in the tests)
    plus the service itself ran PostgreSQL out of connections (max 100)."""
    return settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 2})
