"""A voucher's status as of a time, read from its recorded status and its redemption deadline: the one rule behind
``GET /v1/vouchers/{id}`` and the audit's voucher figures, in a module of its own rather than among the money
figures, so the lists can share it.
"""

from __future__ import annotations

from typing import Any

from ledger.voucher import VoucherStatus

ACTIVE, EXPIRED = VoucherStatus.ACTIVE.value, VoucherStatus.EXPIRED.value


def voucher_status(recorded: str, expires_us: int | None, as_of_us: int) -> dict[str, Any]:
    """A voucher's status as of T: the recorded one, except that an ACTIVE voucher whose redemption deadline has
    passed by T reads EXPIRED (claims on it are refused VOUCHER_EXPIRED from that instant) with ``expiry_recorded``
    false until the year's expiry run records it. The money figures are the recorded ones either way: the unused
    value stays in ``remaining_fen`` and returns to the city's quota (``returned_fen``) only by the recorded run.

    ``expires_us`` (the first instant after the deadline day, Shanghai) is fixed at issuance; the lists projection
    keeps it. None (that projection has not yet read the issuance): the recorded status alone."""
    past = expires_us is not None and as_of_us >= expires_us
    return {"status": EXPIRED if past and recorded == ACTIVE else recorded,
            "expiry_recorded": recorded == EXPIRED, "expires_us": expires_us}

