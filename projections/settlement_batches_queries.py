"""Settlement batches as of T, known at K: a batch's lines, payment and recoveries, and a provider's batches (the
settlement_batches projection's tables; which rows count is :mod:`projections.bitemporal`'s rule)."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from projections.bitemporal import counted, counted_once
from projections.view import ReadModelView

# A batch line's event → the section of the batch it belongs to.
SECTIONS = {"SettlementBatch.ClaimAdded": "lines", "SettlementBatch.ClaimWithdrawn": "withdrawn",
            "SettlementBatch.Paid": "settled", "SettlementBatch.RecoveryRaised": "recoveries",
            "SettlementBatch.RecoveryCollected": "collections", "SettlementBatch.RecoveryWrittenOff": "write_offs"}
LINE_KEYS = ("claim_id", "voucher_id", "city", "amount_fen", "city_fen", "province_fen", "effective_us", "reference")


def settlement_batch(db: ReadModelView, batch_id: str, as_of_us: int,
                     known_at_us: int | None = None) -> dict[str, Any] | None:
    """A batch as of T (known at K): its lines (claims added), what its payment settled, recoveries raised against
    it, their collections and write-offs, and what is still to recover. A batch is opened when recorded."""
    opened = counted_once("opened_us", as_of_us, known_at_us)
    head = db.fetchone(SQL("SELECT provider_id, period, opened_us FROM vl_batches WHERE batch_id = ? AND {}").format(
        opened.sql), (batch_id, *opened.params))
    if head is None:
        return None
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT event_type, claim_id, voucher_id, city, amount_fen, city_fen, province_fen, effective_us, "
            "reference FROM vl_batch_lines WHERE batch_id = ? AND {} ORDER BY position, seq").format(when.sql),
        (batch_id, *when.params),
    )
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS.values()}
    current: dict[str, dict[str, Any]] = {}  # the batch's lines now: added, less those withdrawn since
    for row in rows:
        line = dict(zip(LINE_KEYS, row[1:], strict=True))
        sections[SECTIONS[row[0]]].append(line)
        if row[0] == "SettlementBatch.ClaimAdded":
            current[line["claim_id"]] = line
        elif row[0] == "SettlementBatch.ClaimWithdrawn":
            current.pop(line["claim_id"], None)
    sections["lines"] = list(current.values())
    paid_us = sections["settled"][0]["effective_us"] if sections["settled"] else None
    return {"batch_id": batch_id, "provider_id": head[0], "period": head[1], "opened_us": head[2],
            "paid": paid_us is not None, "paid_us": paid_us, **sections,
            "total_settled_fen": sum(line["amount_fen"] for line in sections["settled"]),
            **{f"total_{name}_fen": sum(line["amount_fen"] for line in sections[name])
               for name in ("recoveries", "collections", "write_offs")},
            "recoveries_outstanding_fen": sum(line["amount_fen"] for line in sections["recoveries"])
            - sum(line["amount_fen"] for name in ("collections", "write_offs") for line in sections[name])}


def provider_batches(db: ReadModelView, provider_id: str, as_of_us: int,
                     known_at_us: int | None = None) -> list[dict[str, Any]]:
    """A provider's batches opened by T (known at K), each with what its payment settled by then, if it was paid: the
    batch's own figures (``settlement_batch``), read for all of them at once."""
    opened = counted_once("opened_us", as_of_us, known_at_us)
    rows = db.fetchall(SQL("SELECT batch_id, period, opened_us FROM vl_batches WHERE provider_id = ? AND {} "
                           "ORDER BY opened_us, batch_id").format(opened.sql), (provider_id, *opened.params))
    when = counted(as_of_us, known_at_us)
    paid = {r[0]: (r[1], int(r[2])) for r in db.fetchall(
        SQL("SELECT batch_id, MIN(effective_us), SUM(amount_fen) FROM vl_batch_lines WHERE event_type = ? AND {} "
            "AND batch_id IN (SELECT batch_id FROM vl_batches WHERE provider_id = ?) GROUP BY batch_id").format(
            when.sql), ("SettlementBatch.Paid", *when.params, provider_id))}
    return [{"batch_id": r[0], "period": r[1], "opened_us": r[2], "paid": r[0] in paid,
             "paid_us": paid[r[0]][0] if r[0] in paid else None,
             "total_settled_fen": paid[r[0]][1] if r[0] in paid else 0} for r in rows]
