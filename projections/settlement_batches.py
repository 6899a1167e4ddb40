"""Settlement batches: what a batch contained, paid and had to recover, as of any time.

A line is added when recorded (the batch event carries no other time) and leaves when withdrawn (its claim held after
a suspension recorded late); a payment is effective at its payment time
and gives one row per claim it settled, with the amounts of the line that added it; a recovery is effective at the
reversal's effective time; a collection of it (with its bank reference) and a write-off (with its reason) at their
own effective times, with the amounts and split the event records.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ledger.settlement import SettlementBatch
from projections import read_ahead
from projections.base import LedgerProjection, event_type
from projections.times import to_us
from projections.view import ReadModelView

LINE_COLUMNS = ("position", "seq", "batch_id", "event_type", "claim_id", "voucher_id", "city", "amount_fen", "city_fen",
                "province_fen", "effective_us", "recorded_us", "reference")


class SettlementBatches(LedgerProjection):
    name = "settlement_batches"
    tables = ("vl_batches", "vl_batch_lines", "vl_batch_line_amounts")
    handlers: ClassVar[dict[type, str]] = {
        SettlementBatch.Opened: "opened",
        SettlementBatch.ClaimAdded: "added",
        SettlementBatch.ClaimWithdrawn: "withdrawn",
        SettlementBatch.Paid: "paid",
        SettlementBatch.RecoveryRaised: "recovery",
        SettlementBatch.RecoveryCollected: "recovery_settled",
        SettlementBatch.RecoveryWrittenOff: "recovery_settled",
    }

    def setup(self) -> None:
        self.batches = self.lookup("vl_batches", "batch_id", ("provider_id", "period", "opened_us"), read=False)
        # a claim's line in its batch, for the payment rows (the Paid event lists claim ids only)
        self.amounts = self.lookup("vl_batch_line_amounts", "claim_id", ("voucher_id", "city", "amount_fen", "city_fen",
                                                                         "province_fen"),
                                   wants=read_ahead.BATCH_LINES)

    def reset_buffers(self) -> None:
        self.lines: list[tuple] = []

    def opened(self, e: SettlementBatch.Opened, position: int) -> None:
        self.batches.put(str(e.originator_id), (str(e.provider_id), e.period, to_us(e.timestamp)))

    def added(self, e: SettlementBatch.ClaimAdded, position: int) -> None:
        line = (str(e.voucher_id), e.city, e.amount_fen, e.city_portion_fen, e.province_portion_fen)
        self.amounts.put(str(e.claim_id), line)
        self._line(e, position, 0, str(e.claim_id), line, to_us(e.timestamp))

    def withdrawn(self, e: SettlementBatch.ClaimWithdrawn, position: int) -> None:
        self._line(e, position, 0, str(e.claim_id), self._amounts_of(e.claim_id, e), to_us(e.timestamp))

    def _amounts_of(self, claim_id: Any, e: Any) -> tuple:
        line = self.amounts.get(str(claim_id))
        if line is None:
            raise LookupError(f"settlement_batches: claim {claim_id} was never added to batch {e.originator_id}")
        return line

    def paid(self, e: SettlementBatch.Paid, position: int) -> None:
        effective = to_us(e.effective_at)
        for seq, claim_id in enumerate(e.settled_claims):
            self._line(e, position, seq, str(claim_id), self._amounts_of(claim_id, e), effective)

    def recovery(self, e: SettlementBatch.RecoveryRaised, position: int) -> None:
        line = (str(e.voucher_id), e.city, e.amount_fen, e.city_portion_fen, e.province_portion_fen)
        self._line(e, position, 0, str(e.claim_id), line, to_us(e.effective_at))

    def recovery_settled(self, e: Any, position: int) -> None:
        line = (str(e.voucher_id), e.city, e.amount_fen, e.city_portion_fen, e.province_portion_fen)
        reference = e.bank_reference if isinstance(e, SettlementBatch.RecoveryCollected) else e.reason
        self._line(e, position, 0, str(e.claim_id), line, to_us(e.effective_at), reference)

    def _line(self, e: Any, position: int, seq: int, claim_id: str, line: tuple, effective_us: int,
              reference: str | None = None) -> None:
        self.lines.append((position, seq, str(e.originator_id), event_type(e), claim_id, *line, effective_us,
                           to_us(e.timestamp), reference))

    def write(self, view: ReadModelView, curs: Any) -> None:
        view.insert_rows(curs, "vl_batch_lines", LINE_COLUMNS, self.lines)
