"""A voucher's status as of a time, read from its recorded status and its redemption deadline: the one rule behind
``GET /v1/vouchers/{id}``, the vouchers list and its ``status`` filter, and the audit's voucher figures.

The rule for one voucher (:func:`voucher_status`) and the same rule as a SQL condition over the lists projection's
rows (:func:`status_condition`) live side by side here: a list that filtered by one rule and answered by another
would find a voucher under ``?status=ACTIVE`` and print it EXPIRED.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composable

from ledger.voucher import VoucherStatus

ACTIVE, EXPIRED = VoucherStatus.ACTIVE.value, VoucherStatus.EXPIRED.value


def voucher_status(recorded: str, expires_us: int | None, as_of_us: int) -> dict[str, Any]:
    """A voucher's status as of T: the recorded one, except that an ACTIVE voucher whose redemption deadline has
    passed by T reads EXPIRED (claims on it are refused VOUCHER_EXPIRED from that instant) with ``expiry_recorded``
    false until the year's expiry run records it. The money figures are the recorded ones either way: the unused
    value stays in ``remaining_fen`` and returns to the city's quota (``returned_fen``) only by the recorded run.

    ``expires_us`` (the first instant after the deadline day, Shanghai) is fixed at issuance; the projection that
    answers keeps it (lists for the lists, money_flows for a voucher's money answer, migration 0024), so an answer
    never depends on another projection's progress. None (a money_flows row projected before 0024 that lists did not
    hold then): the recorded status alone."""
    past = expires_us is not None and as_of_us >= expires_us
    return {"status": EXPIRED if past and recorded == ACTIVE else recorded,
            "expiry_recorded": recorded == EXPIRED, "expires_us": expires_us}


def status_condition(status: str, as_of_us: int) -> tuple[Composable, list[Any]]:
    """Rows of ``vl_list_vouchers`` (columns ``status``, ``expires_us``) that :func:`voucher_status` answers
    ``status`` for as of T, with its parameters: EXPIRED is recorded EXPIRED or recorded ACTIVE and past its
    deadline; ACTIVE is recorded ACTIVE and not past it; any other status is the recorded one."""
    if status == EXPIRED:
        return SQL("(status = ? OR (status = ? AND expires_us <= ?))"), [EXPIRED, ACTIVE, as_of_us]
    if status == ACTIVE:
        return SQL("(status = ? AND (expires_us IS NULL OR expires_us > ?))"), [ACTIVE, as_of_us]
    return SQL("status = ?"), [status]
