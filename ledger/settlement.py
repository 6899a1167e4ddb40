"""Settlement batch (资金结算): one provider's approved claims, paid once, with province and city portions per city.

A claim enters at most one batch (its voucher records the batch). Payment settles every line still approved in this
batch; a line reversed while waiting is listed as dropped, never paid. A reversal after payment raises a recovery
(追回) receivable on the batch that paid it; the province then records collections of it (partial ones allowed, never
more than is due) or writes what is left off, with a reason. Either closes it once nothing is due.

A bank reference is recorded once per receivable (``DUPLICATE_COLLECTION``): the same transfer entered again, by a
retried command or the same register row imported in another file, would count its money twice. References are
compared as contract and invoice numbers are (``ledger.reference_numbers``). Another receivable may name the same
reference: one bank transfer can repay several recoveries, each collection recording its own part.

Each collection is split between the fund sources like the payment: the city part is the amount × (the recovery's
city portion / its amount) rounded down to the fen, kept within what each fund source still has due, and the province
takes the rest. The collection that clears the receivable therefore takes exactly the remainders, so a recovery
collected in full returns exactly the province and city portions it was raised with (:func:`split_collection`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ledger.claims import Claim
from ledger.errors import (
    BankReferenceRequiredError,
    CollectionBeforeRecoveryError,
    DuplicateCollectionError,
    EmptyBatchError,
    InvalidInputError,
    InvalidTransitionError,
    RecoveryBeforePaymentError,
    RecoveryClosedError,
    RecoveryNotFoundError,
    RecoveryOverCollectedError,
    WriteOffReasonRequiredError,
)
from ledger.fiscal_time import require_aware, shanghai_text
from ledger.money import check_fen, paid_by_city, split_funding
from ledger.recording import By, LedgerAggregate
from ledger.reference_numbers import compared


class SettlementBatch(LedgerAggregate):
    class Opened(LedgerAggregate.Created):
        provider_id: UUID
        period: str  # e.g. "2020-03": the month the province settles

        def apply(self, b: SettlementBatch) -> None:
            b.provider_id, b.period, b.lines, b.paid, b.paid_at = self.provider_id, self.period, {}, False, None
            b.receivables = {}  # claim id -> what is still due on its recovery (see RecoveryRaised)

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
            b.paid, b.paid_at = True, self.effective_at
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
            b.receivables[self.claim_id] = {
                "voucher_id": self.voucher_id,
                "city": self.city,
                "amount_fen": self.amount_fen,
                "city_portion_fen": self.city_portion_fen,
                "city_due_fen": self.city_portion_fen,
                "province_due_fen": self.province_portion_fen,
                "effective_at": self.effective_at,
                "paid_at": b.paid_at,  # the payment it reclaims: nothing of it comes back before that
                "written_off": False,
                "bank_references": [],  # of its collections, as compared (a list: state stays JSON-like)
            }

    class RecoveryCollected(LedgerAggregate.Event):
        """Money of a recovery came back from the provider (bank reference), to the budgets of its fund sources."""

        voucher_id: UUID
        claim_id: UUID
        amount_fen: int
        city: str
        city_portion_fen: int
        province_portion_fen: int
        bank_reference: str
        effective_at: datetime  # when the money arrived

        def apply(self, b: SettlementBatch) -> None:
            due = b.receivables[self.claim_id]
            due["city_due_fen"] -= self.city_portion_fen
            due["province_due_fen"] -= self.province_portion_fen
            due["bank_references"].append(compared(self.bank_reference))

    class RecoveryWrittenOff(LedgerAggregate.Event):
        """What was still due on a recovery will not be collected (reason recorded); the receivable is closed."""

        voucher_id: UUID
        claim_id: UUID
        amount_fen: int
        city: str
        city_portion_fen: int
        province_portion_fen: int
        reason: str
        effective_at: datetime

        def apply(self, b: SettlementBatch) -> None:
            due = b.receivables[self.claim_id]
            due["city_due_fen"] = due["province_due_fen"] = 0
            due["written_off"] = True

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
        total_fen, by_city = paid_by_city(self.lines[claim_id] for claim_id in settled)
        self._record(
            self.Paid,
            by,
            settled_claims=settled,
            dropped_claims=[claim_id for claim_id in self.lines if claim_id not in payable],
            total_fen=total_fen,
            by_city=by_city,
            effective_at=require_aware(effective_at, "payment time"),
        )
        return settled

    def raise_recovery(self, by: By, *, claim_id: UUID, amount_fen: int, reason: str, effective_at: datetime) -> None:
        if not self.paid or claim_id not in self.settled_claims:
            raise InvalidTransitionError(f"batch {self.id} did not pay claim {claim_id}; nothing to recover")
        line = self.lines[claim_id]
        city_fen, province_fen = line["city_portion_fen"], line["province_portion_fen"]
        if amount_fen != line["amount_fen"]:  # a recovery reclaims the whole payment; collections may come in parts
            raise InvalidInputError("a recovery covers the whole settled amount of the claim")
        effective = not_before_payment(self.paid_at, effective_at, f"claim {claim_id}")
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
            effective_at=effective,
        )

    def outstanding_fen(self, claim_id: UUID) -> int:
        return _still_due(self._receivable(claim_id))

    def collect_recovery(self, by: By, *, claim_id: UUID, amount_fen: int, bank_reference: str,
                         effective_at: datetime) -> tuple[int, int]:
        """Record a collection of ``amount_fen`` (at most what is due); return its (city, province) parts."""
        # A repeated transfer is named as such even when its first entry closed the receivable.
        refuse_repeated_collection(self._receivable(claim_id), bank_reference, f"the recovery of claim {claim_id}")
        due = self._open_receivable(claim_id)
        amount = check_fen(amount_fen, "the amount collected", allow_zero=False)
        require_bank_reference(bank_reference)
        effective = not_before_recovery(due, effective_at, "collection")
        outstanding = _still_due(due)
        if amount > outstanding:
            raise RecoveryOverCollectedError(
                f"{amount} fen is more than the {outstanding} fen still due on the recovery of claim {claim_id}")
        city_fen, province_fen = split_collection(amount, due)
        self._record(self.RecoveryCollected, by, voucher_id=due["voucher_id"], claim_id=claim_id, amount_fen=amount,
                     city=due["city"], city_portion_fen=city_fen, province_portion_fen=province_fen,
                     bank_reference=bank_reference.strip(), effective_at=effective)
        return city_fen, province_fen

    def write_off_recovery(self, by: By, *, claim_id: UUID, reason: str, effective_at: datetime) -> tuple[int, int]:
        """Write off everything still due on the recovery; return the (city, province) parts written off."""
        due = self._open_receivable(claim_id)
        if not isinstance(reason, str) or not reason.strip():
            raise WriteOffReasonRequiredError("a write-off records why the money will not be collected")
        effective = not_before_recovery(due, effective_at, "write-off")
        city_fen, province_fen = due["city_due_fen"], due["province_due_fen"]
        self._record(self.RecoveryWrittenOff, by, voucher_id=due["voucher_id"], claim_id=claim_id,
                     amount_fen=city_fen + province_fen, city=due["city"], city_portion_fen=city_fen,
                     province_portion_fen=province_fen, reason=reason.strip(), effective_at=effective)
        return city_fen, province_fen

    def _receivable(self, claim_id: UUID) -> dict:
        due = self.receivables.get(claim_id)
        if due is None:
            raise RecoveryNotFoundError(f"batch {self.id} has no recovery for claim {claim_id}")
        return due

    def _open_receivable(self, claim_id: UUID) -> dict:
        due = self._receivable(claim_id)
        if due["written_off"] or _still_due(due) == 0:
            how = "written off" if due["written_off"] else "collected in full"
            raise RecoveryClosedError(f"the recovery of claim {claim_id} was {how}; nothing is due on it")
        return due

    def _require_open(self, verb: str) -> None:
        if self.paid:
            raise InvalidTransitionError(f"batch {self.id} is already paid; cannot {verb} it")


def _still_due(due: dict) -> int:
    return due["city_due_fen"] + due["province_due_fen"]


def split_collection(amount_fen: int, due: dict) -> tuple[int, int]:
    """(city part, province part) of a collection of ``amount_fen`` from a recovery with ``due`` still owed.

    The city part follows the recovery's own split, rounded down to the fen, and is kept within what each fund source
    still has due: at least ``amount − province due`` (the province never gets back more than it paid), at most the
    city's due. For the collection that clears the receivable both bounds are the city's due: the remainders."""
    proportional = amount_fen * due["city_portion_fen"] // due["amount_fen"]  # integers: exact floor
    city = min(max(proportional, amount_fen - due["province_due_fen"]), due["city_due_fen"])
    return city, amount_fen - city


def require_bank_reference(bank_reference: object) -> None:
    if not isinstance(bank_reference, str) or not compared(bank_reference):
        raise BankReferenceRequiredError("a collection records the bank reference of the money received")


def refuse_repeated_collection(due: dict, bank_reference: object, whose: str) -> None:
    """Refuse a collection whose bank reference the receivable ``due`` (of ``whose``) already recorded: the same
    transfer, entered again, would count its money twice. Another receivable may record it too (one transfer can
    repay several recoveries)."""
    reference = compared(bank_reference) if isinstance(bank_reference, str) else ""
    if reference and reference in due["bank_references"]:
        raise DuplicateCollectionError(
            f"bank reference {bank_reference.strip()} is already recorded as a collection of {whose}: a bank "
            f"transfer is counted once (a second transfer has a reference of its own)")


def not_before_payment(paid_at: datetime | None, effective_at: datetime, whose: str) -> datetime:
    """The effective time of a recovery of ``whose`` payment (a claim's or an award's), paid at ``paid_at``: never
    before that payment — money cannot be due back before it went out (``RECOVERY_BEFORE_PAYMENT``)."""
    effective = require_aware(effective_at, "effective time")
    if paid_at is not None and effective < paid_at:
        raise RecoveryBeforePaymentError(f"a recovery cannot take effect before {whose} was paid "
                                         f"({shanghai_text(paid_at)})")
    return effective


def not_before_recovery(due: dict, effective_at: datetime, what: str) -> datetime:
    """The effective time of a collection or write-off of the receivable ``due``: never before the recovery itself
    (a claim's or an award's), nor before the payment it reclaims (a recovery stored before that rule may be dated
    earlier than its payment; money still does not come back before it went out)."""
    effective = require_aware(effective_at, f"the {what}'s effective time")
    if effective < due["effective_at"]:
        raise CollectionBeforeRecoveryError(
            f"a {what} cannot take effect before the recovery it settles ({shanghai_text(due['effective_at'])})")
    paid_at = due.get("paid_at")
    if paid_at is not None and effective < paid_at:
        raise RecoveryBeforePaymentError(
            f"a {what} cannot take effect before the payment its recovery reclaims ({shanghai_text(paid_at)})")
    return effective
