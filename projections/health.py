"""How far behind each projection is, and which projections a ``follow`` worker is following now.

Lag is counted two ways: in events (the ledger's last position minus the projection's tracked one) and in seconds
(since the first event it has not applied was recorded, on the service clock; 0 when it is caught up). A worker
says it follows by the ``application_name`` of the connection it listens on (:func:`follower_name`), which
PostgreSQL shows every role in ``pg_stat_activity``: nothing to clean up when a worker dies, its session ends with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ledger.application import VoucherLedger
from ledger.stored_names import APPLICATION_NAME
from projections.base import LedgerProjection
from store.opening import pg_connect
from store.settings import Settings

FOLLOWER_PREFIX = "voucher-ledger follow "


@dataclass(frozen=True)
class Lag:
    projection: str
    position: int
    events: int
    seconds: float


def lags(app: VoucherLedger, projections: Sequence[LedgerProjection], now: datetime) -> tuple[int, list[Lag]]:
    """The ledger's last position and each projection's lag behind it."""
    head = app.recorder.max_notification_id() or 0
    found = []
    for projection in projections:
        position = projection.view.position(APPLICATION_NAME)
        behind = max(0, head - position)
        seconds = 0.0
        if behind:
            [first] = app.recorder.select_notifications(position, 1, inclusive_of_start=False) or [None]
            if first is not None:
                recorded = app.mapper.to_domain_event(first).timestamp
                seconds = max(0.0, (now - recorded).total_seconds())
        found.append(Lag(projection.name, position, behind, seconds))
    return head, found


def follower_name(settings: Settings, projection: str) -> str:
    """The connection's ``application_name`` of a worker following ``projection`` on ``settings``' store (the schema
    is part of it: several ledgers may share one database)."""
    return f"{FOLLOWER_PREFIX}{settings.postgres_schema or 'public'}.{projection}"[:63]


def followed(settings: Settings) -> set[str]:
    """The projections of ``settings``' store that a ``follow`` worker is connected for now (PostgreSQL only)."""
    prefix = follower_name(settings, "")
    with pg_connect(settings, bounded=True) as conn:
        rows = conn.execute("SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name LIKE %s", (prefix.replace("_", r"\_") + "%",)).fetchall()
    return {name[len(prefix):] for (name,) in rows}


POOL_MEASURES = ("pool_min", "pool_max", "pool_size", "pool_available", "requests_waiting")


def pool_use(app: VoucherLedger, projections: Sequence[LedgerProjection]) -> dict[str, dict[str, int]]:
    """Each PostgreSQL connection pool of this process (the ledger's, each projection view's): its bounds, the
    connections open, those idle, and requests waiting for one (psycopg_pool's figures). SQLite has no pools."""
    found = {}
    for name, holder in (("ledger", app.recorder), *((p.name, p.view) for p in projections)):
        pool = getattr(getattr(holder, "datastore", None), "pool", None)
        if pool is not None and hasattr(pool, "get_stats"):
            stats = pool.get_stats()
            found[name] = {measure: int(stats.get(measure, 0)) for measure in POOL_MEASURES}
    return found
