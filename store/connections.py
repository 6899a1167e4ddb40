"""The PostgreSQL connections of each kind of process: their pools' sizes, their names, their statement timeout.

A process says what it is (``Settings.process_kind``: ``api`` for a served API process, ``worker`` for a ``follow``
worker, ``cli`` for everything else) and its pools follow:

- the ledger's pool: ``postgres_pool_size`` opened at once, up to ``postgres_max_overflow`` more under load (API and
  command line; a worker reads the sequence in one thread, ``store.opening.one_reader``: 1, up to 2);
- the read models' query pool (the view every query of an API or a command reads through):
  ``postgres_query_pool_size`` + ``postgres_query_max_overflow``;
- every other projection's view: none opened at once, at most :data:`OTHER_VIEW_MAX` (in an API process they only
  answer /readyz's positions; a worker's own view has one writer).

Every pooled connection is named in ``pg_stat_activity`` ``voucher-ledger KIND SCHEMA:POOL`` (:func:`label`), so an
operator sees who holds what, and an API process's statements are cancelled after ``api_statement_timeout_s``
(PostgreSQL ``statement_timeout``, set when the connection is made): a hung database answers a request 503
``STATEMENT_TIMEOUT`` instead of holding it. Workers and the command line run long statements on purpose (catch-up
pages, rebuilds, migrations) and have none. README, "Connection budget", adds them up for a deployment.
"""

from __future__ import annotations

from typing import Any

OTHER_VIEW_MAX = 2
PREFIX = "voucher-ledger"
# Environment keys the settings pass to the library's factory (store.postgres_recorder reads them).
LABEL_KEY, TIMEOUT_KEY = "VOUCHER_LEDGER_CONNECTION_LABEL", "VOUCHER_LEDGER_STATEMENT_TIMEOUT_MS"


def label(settings: Any, pool: str = "") -> str:
    """The ``application_name`` of this process's connections to ``settings``' store (PostgreSQL keeps 63 bytes)."""
    name = f"{PREFIX} {settings.process_kind} {settings.postgres_schema or 'public'}"
    return (f"{name}:{pool}" if pool else name)[:63]


def statement_timeout_ms(settings: Any) -> int:
    """0: statements of this process are never cancelled."""
    return int(settings.api_statement_timeout_s * 1000) if settings.process_kind == "api" else 0


def view_pool(settings: Any, *, queries: bool) -> tuple[int, int]:
    """(opened at once, at most) for a projection's view: the query view's, or any other's."""
    if queries:
        return settings.postgres_query_pool_size, settings.postgres_query_pool_size + settings.postgres_query_max_overflow
    return 0, OTHER_VIEW_MAX


def connection_options(settings: Any, pool: str = "") -> dict[str, str]:
    """psycopg.connect's keyword arguments that name a connection and bound its statements."""
    options = {"application_name": label(settings, pool)}
    if timeout := statement_timeout_ms(settings):
        options["options"] = f"-c statement_timeout={timeout}"
    return options


def budget(settings: Any, projections: int) -> dict[str, int]:
    """The most connections one process of ``settings.process_kind`` holds to the store, pool by pool (README,
    "Connection budget"): what /readyz shows beside the pools' own figures."""
    if settings.process_kind == "worker":  # store.opening.one_reader's ledger pool, its view, its LISTEN connection
        return {"ledger": 2, "view": OTHER_VIEW_MAX, "listen": 1, "total": 2 + OTHER_VIEW_MAX + 1}
    ledger = settings.postgres_pool_size + settings.postgres_max_overflow
    queries = view_pool(settings, queries=True)[1]
    others = (projections - 1) * OTHER_VIEW_MAX
    checks = 2 if settings.process_kind == "api" else 0  # /readyz's look at the followers and the outage probe, brief
    return {"ledger": ledger, "queries": queries, "other_views": others, "checks": checks,
            "total": ledger + queries + others + checks}
