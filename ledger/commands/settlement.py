"""Commands of fund settlement (資金結算): open a provider's batch, fill it with approved claims, pay it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.commands.vouchers import VoucherCommands
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


class SettlementCommands(VoucherCommands):
    def batch(self, batch_id: UUID) -> SettlementBatch:
        return self._load(batch_id, SettlementBatch, BatchNotFoundError, "settlement batch")

    def open_batch(self, by: By, *, batch_id: UUID, provider_id: UUID, period: str) -> UUID:
        def run() -> UUID:
            self.provider(provider_id)
            if self._exists(batch_id):
                raise AlreadyExistsError(f"settlement batch {batch_id} already exists")
            batch = SettlementBatch.open(by, batch_id=batch_id, provider_id=provider_id, period=period)
            self._commit(batch)
            return batch.id

        return self._run(run)

    def add_to_batch(self, by: By, *, batch_id: UUID, voucher_id: UUID, claim_id: UUID) -> None:
        """Put an approved, unsettled claim of the batch's provider into the batch (held while it is suspended)."""

        def run() -> None:
            batch = self.batch(batch_id)
            self.provider(batch.provider_id).require_payable()
            voucher = self.voucher(voucher_id)
            batch.require_can_add(claim_id)
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
            self._commit(batch, voucher)

        self._run(run)

    def pay_batch(self, by: By, *, batch_id: UUID, effective_at: datetime) -> BatchPayment:
        """Pay the batch once: every claim still approved in it is settled, in the same transaction."""

        def run() -> BatchPayment:
            batch = self.batch(batch_id)
            self.provider(batch.provider_id).require_payable()
            loaded = {line["voucher_id"]: self.voucher(line["voucher_id"]) for line in batch.lines.values()}
            payable = {
                claim_id
                for claim_id, line in batch.lines.items()
                if loaded[line["voucher_id"]].is_payable_in(claim_id, batch.id)
            }
            settled = batch.pay(by, payable=payable, effective_at=effective_at)
            for claim_id in settled:
                loaded[batch.lines[claim_id]["voucher_id"]].settle(
                    by, claim_id=claim_id, batch_id=batch.id, effective_at=effective_at
                )
            self._commit(batch, *loaded.values())
            return BatchPayment(
                batch_id=batch.id,
                total_fen=batch.total_fen,
                settled_claims=tuple(batch.settled_claims),
                dropped_claims=tuple(batch.dropped_claims),
                by_city=batch.by_city,
            )

        return self._run(run)

