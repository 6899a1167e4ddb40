"""The auditors' read side of the audit_trail projection: an entity's trail as of T known at K (which rows count is
:mod:`projections.bitemporal`'s rule) and the global event feed from a cursor."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Identifier

from projections.audit_facts import with_lines
from projections.payment_summaries import city_share_of_payment
from projections.bitemporal import counted, recorded_by
from projections.view import ReadModelView, rendered

AUDIT_COLUMNS = ("position", "recorded_us", "effective_us", "event_type", "actor", "correlation_id", "reason",
                 "summary_zh", "summary_en")
FEED_COLUMNS = ("position", "originator_id", "originator_version", "event_type", "recorded_us", "effective_us", "actor",
                "correlation_id", "reason", "summary_zh", "summary_en")
# The stored columns: each answer's last two, its lines, are rendered from the row's facts.
_TRAIL_SELECT = rendered(SQL(", ").join(Identifier("a", c) for c in (*AUDIT_COLUMNS[:-2], "facts")))
_FEED_SELECT = rendered(SQL(", ").join(map(Identifier, (*FEED_COLUMNS[:-2], "facts"))))


def audit_trail(db: ReadModelView, entity_kind: str, entity_id: str, as_of_us: int, known_at_us: int | None = None,
                *, after_position: int = 0, limit: int = 1_000, named: bool = True) -> list[dict[str, Any]]:
    """The events that touched an entity, in effect by T (an event with no effective time of its own takes effect
    when recorded) and recorded by K, in global order (cursor: ``after_position``). ``named=False``: as a reader
    who may not know the private persons events name reads it (``projections.audit_facts.with_lines``)."""
    when = counted(as_of_us, known_at_us, table="a", effective_or_recorded=True)
    rows = db.fetchall(
        SQL("SELECT {} FROM vl_audit_entries e JOIN vl_audit_events a ON a.position = e.position "
            "WHERE e.entity_kind = ? AND e.entity_id = ? AND e.position > ? AND {} "
            "ORDER BY e.position LIMIT ?").format(
            _TRAIL_SELECT, when.sql),
        (entity_kind, entity_id, after_position, *when.params, limit),
    )
    items = [with_lines(AUDIT_COLUMNS, r, named=named) for r in rows]
    return _city_shares(db, entity_id, items) if entity_kind == "city" else items


def _city_shares(db: ReadModelView, city: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A city's trail tells a batch payment by that city's own settled lines: a batch pays several cities, and its
    total and claim count are other cities' business (the province, auditors and the provider see them)."""
    for item in items:
        if item["event_type"] == "SettlementBatch.Paid":
            share = db.fetchone("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0), COALESCE(SUM(city_fen), 0), "
                                "COALESCE(SUM(province_fen), 0) FROM vl_batch_lines WHERE position = ? AND city = ?",
                                (item["position"], city))
            item["summary_zh"], item["summary_en"] = city_share_of_payment(*(int(v) for v in share),
                                                                           item["effective_us"])
    return items


def event_feed(db: ReadModelView, *, as_of_us: int, after_position: int = 0, limit: int = 100,
               event_types: tuple[str, ...] = (), recorded_from_us: int | None = None) -> list[dict[str, Any]]:
    """The global sequence for auditors, in order, from a cursor; only events recorded by ``as_of`` (the feed is
    the record itself, so it goes by the recorded time alone)."""
    known = recorded_by(as_of_us)
    where, params = [SQL("position > ?"), known.sql], [after_position, *known.params]
    if event_types:
        where.append(SQL("event_type IN ({})").format(SQL(", ").join(SQL("?") for _ in event_types)))
        params.extend(event_types)
    if recorded_from_us is not None:
        where.append(SQL("recorded_us >= ?"))
        params.append(recorded_from_us)
    rows = db.fetchall(SQL("SELECT {} FROM vl_audit_events WHERE {} ORDER BY position LIMIT ?").format(
        _FEED_SELECT, SQL(" AND ").join(where)), (*params, limit))
    return [with_lines(FEED_COLUMNS, r) for r in rows]
