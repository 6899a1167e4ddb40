"""Work queues and lookups: every enterprise, voucher, claim and settlement batch once, in its state as known now.

The figures as of a time live in money_flows, whitelist and settlement_batches; what those cannot answer cheaply is
"which claims wait for review", "which vouchers has this enterprise", "which batches of this provider are unpaid".
Each row here is the thing's current state (status, flags, batch), keyed by its id, with the global position of the
event that created it: lists are walked in that order (``projections.lists_queries``).

A claim is CLAIMED (waiting for review), APPROVED (not yet paid), SETTLED, REJECTED or REVERSED; beside its status,
``flagged`` (a suspension of its provider recorded late covers it) and ``held`` (flagged before payment: kept out of
settlement until the province releases or reverses it). A batch is OPEN until its payment, then PAID.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ledger.claims import ClaimStatus
from ledger.enterprise import Enterprise
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher, VoucherStatus
from projections import read_ahead
from projections.base import LedgerProjection
from projections.times import to_us

ENTERPRISE_COLUMNS = ("position", "uscc", "name", "city", "registered_us")
VOUCHER_COLUMNS = ("position", "enterprise_id", "city", "programme_year", "item_id", "fee_category", "face_value_fen",
                   "status", "issued_us", "expires_us")
CLAIM_COLUMNS = ("position", "voucher_id", "enterprise_id", "city", "programme_year", "provider_id", "fee_category",
                 "amount_fen", "status", "flagged", "held", "batch_id", "claimed_us", "changed_us")
BATCH_COLUMNS = ("position", "provider_id", "period", "status", "lines", "amount_fen", "paid_fen", "opened_us",
                 "paid_us")
OPEN, PAID = "OPEN", "PAID"


class Lists(LedgerProjection):
    name = "lists"
    tables = ("vl_list_enterprises", "vl_list_vouchers", "vl_list_claims", "vl_list_batches")
    handlers: ClassVar[dict[type, str]] = {
        Enterprise.Registered: "registered",
        Voucher.Issued: "issued",
        Voucher.Expired: "voucher_closed",
        Voucher.Revoked: "voucher_closed",
        Voucher.Claimed: "claimed",
        Voucher.ClaimApproved: "claim_moved",
        Voucher.ClaimRejected: "claim_moved",
        Voucher.ClaimSettled: "claim_moved",
        Voucher.ClaimReversed: "claim_moved",
        Voucher.ClaimBatched: "claim_batched",
        Voucher.ClaimFlagged: "claim_flagged",
        Voucher.ClaimReleased: "claim_released",
        SettlementBatch.Opened: "batch_opened",
        SettlementBatch.ClaimAdded: "batch_line",
        SettlementBatch.ClaimWithdrawn: "batch_line",
        SettlementBatch.Paid: "batch_paid",
    }
    STATUS_AFTER: ClassVar[dict[type, str]] = {
        Voucher.ClaimApproved: ClaimStatus.APPROVED.value, Voucher.ClaimRejected: ClaimStatus.REJECTED.value,
        Voucher.ClaimSettled: ClaimStatus.SETTLED.value, Voucher.ClaimReversed: ClaimStatus.REVERSED.value,
    }

    def setup(self) -> None:
        self.enterprises = self.lookup("vl_list_enterprises", "enterprise_id", ENTERPRISE_COLUMNS, read=False)
        self.vouchers = self.lookup("vl_list_vouchers", "voucher_id", VOUCHER_COLUMNS, wants=read_ahead.LIST_VOUCHERS)
        self.claims = self.lookup("vl_list_claims", "claim_id", CLAIM_COLUMNS, wants=read_ahead.LIST_CLAIMS)
        self.batches = self.lookup("vl_list_batches", "batch_id", BATCH_COLUMNS, wants=read_ahead.LIST_BATCHES)

    # -- enterprises and vouchers ----------------------------------------------------------------------------------
    def registered(self, e: Enterprise.Registered, position: int) -> None:
        self.enterprises.put(str(e.originator_id), (position, e.uscc, e.name, e.city, to_us(e.timestamp)))

    def issued(self, e: Voucher.Issued, position: int) -> None:
        self.vouchers.put(str(e.originator_id), (
            position, str(e.enterprise_id), e.city, e.year, e.item_id, e.fee_category, e.face_value_fen,
            VoucherStatus.ACTIVE.value, to_us(e.timestamp), to_us(e.expires_at)))

    def voucher_closed(self, e: Any, position: int) -> None:
        status = VoucherStatus.EXPIRED if isinstance(e, Voucher.Expired) else VoucherStatus.REVOKED
        self._change(self.vouchers, "voucher", e.originator_id, VOUCHER_COLUMNS, status=status.value)

    # -- claims ----------------------------------------------------------------------------------------------------
    def claimed(self, e: Voucher.Claimed, position: int) -> None:
        voucher = self._found(self.vouchers, "voucher", e.originator_id)
        us = to_us(e.timestamp)
        self.claims.put(str(e.claim_id), (
            position, str(e.originator_id), voucher[1], voucher[2], voucher[3], str(e.provider_id), e.fee_category,
            e.amount_fen, ClaimStatus.CLAIMED.value, False, False, None, us, us))

    def claim_moved(self, e: Any, position: int) -> None:
        changes: dict[str, Any] = {"status": self.STATUS_AFTER[type(e)]}
        if isinstance(e, Voucher.ClaimReversed):
            changes["held"] = False  # a reversal ends a hold
        self._claim(e, **changes)

    def claim_batched(self, e: Voucher.ClaimBatched, position: int) -> None:
        self._claim(e, batch_id=str(e.batch_id))

    def claim_flagged(self, e: Voucher.ClaimFlagged, position: int) -> None:
        changes: dict[str, Any] = {"flagged": True, "held": bool(e.held)}
        if e.batch_id is not None:
            changes["batch_id"] = None  # taken out of its unpaid batch
        self._claim(e, **changes)

    def claim_released(self, e: Voucher.ClaimReleased, position: int) -> None:
        self._claim(e, held=False)

    def _claim(self, e: Any, **changes: Any) -> None:
        self._change(self.claims, "claim", e.claim_id, CLAIM_COLUMNS, changed_us=to_us(e.timestamp), **changes)

    # -- settlement batches ----------------------------------------------------------------------------------------
    def batch_opened(self, e: SettlementBatch.Opened, position: int) -> None:
        self.batches.put(str(e.originator_id), (position, str(e.provider_id), e.period, OPEN, 0, 0, 0,
                                                to_us(e.timestamp), None))

    def batch_line(self, e: Any, position: int) -> None:
        sign = 1 if isinstance(e, SettlementBatch.ClaimAdded) else -1
        amount = self._found(self.claims, "claim", e.claim_id)[CLAIM_COLUMNS.index("amount_fen")]
        batch = self._found(self.batches, "batch", e.originator_id)
        self._change(self.batches, "batch", e.originator_id, BATCH_COLUMNS, lines=batch[4] + sign,
                     amount_fen=batch[5] + sign * amount)

    def batch_paid(self, e: SettlementBatch.Paid, position: int) -> None:
        self._change(self.batches, "batch", e.originator_id, BATCH_COLUMNS, status=PAID, paid_fen=e.total_fen,
                     paid_us=to_us(e.effective_at))

    # -- rows ------------------------------------------------------------------------------------------------------
    @staticmethod
    def _found(lookup: Any, what: str, key: Any) -> tuple:
        found = lookup.get(str(key))
        if found is None:  # the ledger never writes such an event; a gap here means a lost event
            raise LookupError(f"lists: {what} {key} is unknown (the event that created it was not projected)")
        return found

    def _change(self, lookup: Any, what: str, key: Any, columns: tuple[str, ...], **changes: Any) -> None:
        row = list(self._found(lookup, what, key))
        for name, value in changes.items():
            row[columns.index(name)] = value
        lookup.put(str(key), tuple(row))
