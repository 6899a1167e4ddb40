"""The vouchers a year-end expiry run has to expire: a programme year's vouchers that no expiry or revocation has
closed yet, as money_flows knows them (vl_money_vouchers, one row per voucher; its status rows in
vl_money_movements). The run sends each to the ledger, which decides again: a voucher closed since the read model
last caught up is refused there, and the run counts it as skipped."""

from __future__ import annotations

from psycopg.sql import SQL

from projections.view import ReadModelView

_STILL_OPEN = SQL(
    "SELECT v.voucher_id, v.city FROM vl_money_vouchers v WHERE v.programme_year = ? AND NOT EXISTS ("
    "SELECT 1 FROM vl_money_movements m WHERE m.voucher_id = v.voucher_id "
    "AND m.voucher_status IN ('EXPIRED', 'REVOKED')) ORDER BY v.voucher_id")


def open_vouchers(db: ReadModelView, year: int) -> list[tuple[str, str]]:
    """(voucher id, city) of every voucher of ``year`` not yet expired or revoked, in id order."""
    return [(str(r[0]), str(r[1])) for r in db.fetchall(_STILL_OPEN, (year,))]
