"""Commands that pay and recover awards: open an award batch, add granted awards, pay it once; recover a paid award
(a receivable on the award) and record collections or a write-off of it — as the province does for claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.award_batches import AwardBatch
from ledger.award_programmes import AwardRoster
from ledger.commands.awards import AwardState
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import AlreadyExistsError, BatchNotFoundError
from ledger.recording import By


@dataclass(frozen=True)
class AwardBatchPayment:
    batch_id: UUID
    total_fen: int
    awards: tuple[UUID, ...]
    by_city: dict[str, dict[str, int]]


@dataclass(frozen=True)
class AwardRecoveryChange:
    """A collection or write-off of an award's recovery: its amount, split, and what is still due after it."""

    award_id: UUID
    amount_fen: int
    city_portion_fen: int
    province_portion_fen: int
    outstanding_fen: int


class AwardPaymentCommands(LedgerApplicationBase):
    def award_batch(self, batch_id: UUID) -> AwardBatch:
        return self._load(batch_id, AwardBatch, BatchNotFoundError, "award batch")

    def open_award_batch(self, by: By, *, batch_id: UUID, period: str) -> UUID:
        def run() -> UUID:
            if self._exists(batch_id):
                raise AlreadyExistsError(f"batch {batch_id} already exists")
            batch = AwardBatch.open(by, batch_id=batch_id, period=period)
            self._save(batch)
            return batch.id

        return self._run(run)

    def add_award_to_batch(self, by: By, *, batch_id: UUID, award_id: UUID) -> AwardState:
        """Put a granted, unpaid award with money into the batch (an award enters one batch)."""

        def run() -> AwardState:
            batch, award = self.award_batch(batch_id), self.award(award_id)  # type: ignore[attr-defined]
            award.require_payable()
            batch.add(by, award, payee=f"{award.applicant_kind}:{award.applicant_name}")
            award.add_to_batch(by, batch_id=batch.id)
            self._save(batch, award)
            return AwardState.of(award)

        return self._run(run)

    def pay_award_batch(self, by: By, *, batch_id: UUID, effective_at: datetime) -> AwardBatchPayment:
        """Pay the batch once: every award in it is paid, in the same transaction, except one whose title was withdrawn
        while it waited (never paid; ``AWARD_TITLE_WITHDRAWN`` had it been added after)."""

        def run() -> AwardBatchPayment:
            batch = self.award_batch(batch_id)
            lines = [self.award(award_id) for award_id in batch.lines]  # type: ignore[attr-defined]
            paid = batch.pay(by, payable={award.id for award in lines if award.is_payable},
                             effective_at=effective_at)
            awards = [award for award in lines if award.id in paid]
            for award in awards:
                award.pay(by, batch_id=batch.id, effective_at=effective_at)
            self._save(batch, *awards)
            return AwardBatchPayment(batch.id, batch.total_fen, tuple(paid), batch.by_city)

        return self._run(run)

    def withdraw_award_title(self, by: By, *, award_id: UUID, reason: str) -> AwardState:
        """End a selected award's title (e.g. a key platform no longer one), with the reason: the place it held
        under its programme's cap at any time is freed. Its money is untouched."""

        def run() -> AwardState:
            award = self.award(award_id)  # type: ignore[attr-defined]
            award.withdraw_title(by, reason=reason)
            self._save(award, *self._release_place(by, award, reason))
            return AwardState.of(award)

        return self._run(run)

    def _release_place(self, by: By, award: object, reason: str) -> list[object]:
        roster = self._find(ids.award_roster_id(award.kind), AwardRoster)  # type: ignore[attr-defined]
        if roster is None or award.id not in roster.seats:  # type: ignore[attr-defined]
            return []
        roster.release(by, award_id=award.id, reason=reason)  # type: ignore[attr-defined]
        return [roster]

    def recover_award(self, by: By, *, award_id: UUID, reason: str, effective_at: datetime) -> int:
        """Reclaim a paid award (追回), with the reason: the whole amount becomes a receivable from its payee, and
        a place it held under a cap at any time is freed. Returns the amount due."""

        def run() -> int:
            award = self.award(award_id)  # type: ignore[attr-defined]
            award.raise_recovery(by, reason=reason, effective_at=effective_at)
            self._save(award, *self._release_place(by, award, reason))
            return award.outstanding_fen

        return self._run(run)

    def collect_award_recovery(self, by: By, *, award_id: UUID, amount_fen: int, bank_reference: str,
                               effective_at: datetime) -> AwardRecoveryChange:
        """Money of an award's recovery came back (partial collections allowed, never more than is due)."""

        def run() -> AwardRecoveryChange:
            award = self.award(award_id)  # type: ignore[attr-defined]
            city_fen, province_fen = award.collect_recovery(by, amount_fen=amount_fen, bank_reference=bank_reference,
                                                            effective_at=effective_at)
            self._save(award)
            return AwardRecoveryChange(award.id, city_fen + province_fen, city_fen, province_fen,
                                  award.outstanding_fen)

        return self._run(run)

    def write_off_award_recovery(self, by: By, *, award_id: UUID, reason: str, effective_at: datetime) -> AwardRecoveryChange:
        def run() -> AwardRecoveryChange:
            award = self.award(award_id)  # type: ignore[attr-defined]
            city_fen, province_fen = award.write_off_recovery(by, reason=reason, effective_at=effective_at)
            self._save(award)
            return AwardRecoveryChange(award.id, city_fen + province_fen, city_fen, province_fen, 0)

        return self._run(run)
