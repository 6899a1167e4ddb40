"""Settlement batch (資金結算): one provider's approved claims, paid once, with province and city portions per city.

A claim enters at most one batch (its voucher records the batch). Payment settles every line still approved in this
batch; a line reversed while waiting is listed as dropped, never paid. A reversal after payment raises a recovery
(追回) receivable on the batch that paid it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ledger.claims import Claim
from ledger.errors import EmptyBatchError, InvalidInputError, InvalidTransitionError
from ledger.fiscal_time import require_aware
from ledger.money import split_funding
from ledger.recording import By, LedgerAggregate


class SettlementBatch(LedgerAggregate):
    class Opened(LedgerAggregate.Created):
        provider_id: UUID
        period: str  # e.g. "2020-03": the month the province settles

        def apply(self, b: SettlementBatch) -> None:
            b.provider_id, b.period, b.lines, b.paid, b.recoveries = self.provider_id, self.period, {}, False, {}

    class ClaimAdded(LedgerAggregate.Event):
        voucher_id: UUID
        claim_id: UUID
        amount_fen: int
        city: str
        year: int
        fee_category: str
        city_portion_fen: int
        province_portion_fen: int

        def apply(self, b: SettlementBatch) -> None:
            b.lines[self.claim_id] = {
                "voucher_id": self.voucher_id,
                "amount_fen": self.amount_fen,
                "city": self.city,
                "city_portion_fen": self.city_portion_fen,
                "province_portion_fen": self.province_portion_fen,
            }

    class ClaimWithdrawn(LedgerAggregate.Event):
        """A line left the unpaid batch: its claim is held after a suspension recorded late."""

        voucher_id: UUID
        claim_id: UUID
        reason: str

        def apply(self, b: SettlementBatch) -> None:
            del b.lines[self.claim_id]

    class Paid(LedgerAggregate.Event):
        settled_claims: list[UUID]
        dropped_claims: list[UUID]
        total_fen: int
        by_city: dict[str, dict[str, int]]  # city -> {"city_fen": .., "province_fen": ..}
        effective_at: datetime

        def apply(self, b: SettlementBatch) -> None:
            b.paid = True
            b.settled_claims, b.dropped_claims = list(self.settled_claims), list(self.dropped_claims)
            b.total_fen, b.by_city = self.total_fen, {city: dict(t) for city, t in self.by_city.items()}

    class RecoveryRaised(LedgerAggregate.Event):
        voucher_id: UUID
        claim_id: UUID
        amount_fen: int
        city: str
        city_portion_fen: int
        province_portion_fen: int
        reason: str
        effective_at: datetime

        def apply(self, b: SettlementBatch) -> None:
            b.recoveries[self.claim_id] = self.amount_fen

    @classmethod
    def open(cls, by: By, *, batch_id: UUID, provider_id: UUID, period: str) -> SettlementBatch:
        if not isinstance(period, str) or not period.strip():
            raise InvalidInputError("a settlement batch names its period (e.g. '2020-03')")
        return cls._start(cls.Opened, batch_id, by, provider_id=provider_id, period=period.strip())

    def add(
        self, by: By, *, voucher_id: UUID, claim: Claim, city: str, year: int, fee_category: str, city_share: Decimal
    ) -> None:
        self.require_can_add(claim.claim_id)
        city_fen, province_fen = split_funding(claim.amount_fen, city_share)
        self._record(
            self.ClaimAdded,
            by,
            voucher_id=voucher_id,
            claim_id=claim.claim_id,
            amount_fen=claim.amount_fen,
            city=city,
            year=year,
            fee_category=fee_category,
            city_portion_fen=city_fen,
            province_portion_fen=province_fen,
        )

    def require_can_add(self, claim_id: UUID) -> None:
        self._require_open("add claims to")
        if claim_id in self.lines:
            raise InvalidTransitionError(f"claim {claim_id} is already in batch {self.id}")

    def withdraw(self, by: By, *, claim_id: UUID, reason: str) -> None:
        self._require_open("withdraw claims from")
        if claim_id not in self.lines:
            raise InvalidTransitionError(f"claim {claim_id} is not in batch {self.id}")
        self._record(self.ClaimWithdrawn, by, voucher_id=self.lines[claim_id]["voucher_id"], claim_id=claim_id,
                     reason=reason)

    def pay(self, by: By, *, payable: set[UUID], effective_at: datetime) -> list[UUID]:
        """Pay the lines in ``payable`` (those still approved in this batch); return them in batch order."""
        self._require_open("pay")
        settled = [claim_id for claim_id in self.lines if claim_id in payable]
        if not settled:
            raise EmptyBatchError(f"batch {self.id} has no approved claim left to pay")
        by_city: dict[str, dict[str, int]] = {}
        for claim_id in settled:
            line = self.lines[claim_id]
            totals = by_city.setdefault(line["city"], {"city_fen": 0, "province_fen": 0})
            totals["city_fen"] += line["city_portion_fen"]
            totals["province_fen"] += line["province_portion_fen"]
        self._record(
            self.Paid,
            by,
            settled_claims=settled,
            dropped_claims=[claim_id for claim_id in self.lines if claim_id not in payable],
            total_fen=sum(self.lines[c]["amount_fen"] for c in settled),
            by_city=by_city,
            effective_at=require_aware(effective_at, "payment time"),
        )
        return settled

    def raise_recovery(self, by: By, *, claim_id: UUID, amount_fen: int, reason: str, effective_at: datetime) -> None:
        if not self.paid or claim_id not in self.settled_claims:
            raise InvalidTransitionError(f"batch {self.id} did not pay claim {claim_id}; nothing to recover")
        line = self.lines[claim_id]
        city_fen, province_fen = line["city_portion_fen"], line["province_portion_fen"]
        if amount_fen != line["amount_fen"]:  # partial recoveries would need their own split rule
            raise InvalidInputError("a recovery covers the whole settled amount of the claim")
        self._record(
            self.RecoveryRaised,
            by,
            voucher_id=line["voucher_id"],
            claim_id=claim_id,
            amount_fen=amount_fen,
            city=line["city"],
            city_portion_fen=city_fen,
            province_portion_fen=province_fen,
            reason=reason,
            effective_at=require_aware(effective_at, "effective time"),
        )

    def _require_open(self, verb: str) -> None:
        if self.paid:
            raise InvalidTransitionError(f"batch {self.id} is already paid; cannot {verb} it")
