"""Commands of fund settlement (资金结算): open a provider's batch, fill it with approved claims, pay it once; then
collect or write off the recoveries (追回) raised on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.commands.base import LedgerApplicationBase
from ledger.errors import AlreadyExistsError, BatchNotFoundError
from ledger.recording import By
from ledger.settlement import SettlementBatch


@dataclass(frozen=True)
class BatchPayment:
    batch_id: UUID
    total_fen: int
    settled_claims: tuple[UUID, ...]
    dropped_claims: tuple[UUID, ...]
    by_city: dict[str, dict[str, int]]


@dataclass(frozen=True)
class RecoveryChange:
    """A collection or write-off of a recovery: its amount, split, and what is still due after it."""

    batch_id: UUID
    claim_id: UUID
    amount_fen: int
    city_portion_fen: int
    province_portion_fen: int
    outstanding_fen: int


class SettlementCommands(LedgerApplicationBase):
    def batch(self, batch_id: UUID) -> SettlementBatch:
        return self._load(batch_id, SettlementBatch, BatchNotFoundError, "settlement batch")

    def open_batch(self, by: By, *, batch_id: UUID, provider_id: UUID, period: str) -> UUID:
        def run() -> UUID:
            self.provider(provider_id)
            if self._exists(batch_id):
                raise AlreadyExistsError(f"settlement batch {batch_id} already exists")
            batch = SettlementBatch.open(by, batch_id=batch_id, provider_id=provider_id, period=period)
            self._save(batch)
            return batch.id

        return self._run(run)

    def add_to_batch(self, by: By, *, batch_id: UUID, voucher_id: UUID, claim_id: UUID) -> None:
        """Put an approved, unsettled claim of the batch's provider into the batch (held while it is suspended; not
        before its publicity cleared it where its year requires publicity: ``ledger/publicity.py``)."""

        def run() -> None:
            batch = self.batch(batch_id)
            self.provider(batch.provider_id).require_payable()
            voucher = self.voucher(voucher_id)
            batch.require_can_add(claim_id)
            refusal = self.publicity_refusal(voucher, voucher.claim(claim_id))
            if refusal is not None:
                raise refusal
            claim = voucher.add_to_batch(by, claim_id=claim_id, batch_id=batch.id, provider_id=batch.provider_id)
            batch.add(
                by,
                voucher_id=voucher.id,
                claim=claim,
                city=voucher.city,
                year=voucher.year,
                fee_category=voucher.fee_category,
                city_share=voucher.city_share,
            )
            self._save(batch, voucher)

        self._run(run)

    def pay_batch(self, by: By, *, batch_id: UUID, effective_at: datetime) -> BatchPayment:
        """Pay the batch once: every claim still approved in it is settled, in the same transaction."""

        def run() -> BatchPayment:
            batch = self.batch(batch_id)
            self.provider(batch.provider_id).require_payable()
            loaded = {line["voucher_id"]: self.voucher(line["voucher_id"]) for line in batch.lines.values()}
            # A line whose claim publicity does not clear (an objection waiting for a ruling) is dropped, like one
            # reversed meanwhile.
            required: dict[int, bool] = {}
            payable = {
                claim_id
                for claim_id, line in batch.lines.items()
                if (voucher := loaded[line["voucher_id"]]).is_payable_in(claim_id, batch.id)
                and self.publicity_refusal(voucher, voucher.claim(claim_id), required) is None
            }
            settled = batch.pay(by, payable=payable, effective_at=effective_at)
            for claim_id in settled:
                voucher = loaded[batch.lines[claim_id]["voucher_id"]]
                voucher.settle(by, claim_id=claim_id, batch_id=batch.id, effective_at=effective_at)
                # settle checked the time; an objection's ruling, which the voucher does not see, is its list's
                list_id = voucher.claim(claim_id).publicity_list_id
                refusal = None if list_id is None else self.publicity_list(list_id).payment_refusal(
                    claim_id, effective_at)
                if refusal is not None:
                    raise refusal
            self._save(batch, *loaded.values())
            return BatchPayment(
                batch_id=batch.id,
                total_fen=batch.total_fen,
                settled_claims=tuple(batch.settled_claims),
                dropped_claims=tuple(batch.dropped_claims),
                by_city=batch.by_city,
            )

        return self._run(run)


    def collect_recovery(self, by: By, *, batch_id: UUID, claim_id: UUID, amount_fen: int, bank_reference: str,
                         effective_at: datetime) -> RecoveryChange:
        """Record money collected on a recovery (partial collections allowed, never more than is due). It returns
        to the budgets of the fund sources, never to the voucher or the provider's quota: nothing else changes."""

        def run() -> RecoveryChange:
            batch = self.batch(batch_id)
            city_fen, province_fen = batch.collect_recovery(
                by, claim_id=claim_id, amount_fen=amount_fen, bank_reference=bank_reference, effective_at=effective_at
            )
            self._save(batch)
            return RecoveryChange(batch.id, claim_id, city_fen + province_fen, city_fen, province_fen,
                                  batch.outstanding_fen(claim_id))

        return self._run(run)

    def write_off_recovery(self, by: By, *, batch_id: UUID, claim_id: UUID, reason: str,
                           effective_at: datetime) -> RecoveryChange:
        """Write off what is still due on a recovery, with the reason; the receivable is closed."""

        def run() -> RecoveryChange:
            batch = self.batch(batch_id)
            city_fen, province_fen = batch.write_off_recovery(by, claim_id=claim_id, reason=reason,
                                                              effective_at=effective_at)
            self._save(batch)
            return RecoveryChange(batch.id, claim_id, city_fen + province_fen, city_fen, province_fen, 0)

        return self._run(run)
