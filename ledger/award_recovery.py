"""An award's recovery (追回), on :class:`ledger.awards.Award`: a paid award reclaimed becomes a receivable from its
payee, collected in parts (never more than is due) or written off with a reason, each collection split between the
fund sources like a claim's (``ledger.settlement.split_collection``), and a bank reference recorded once on it
(``DUPLICATE_COLLECTION``, as a claim's). The events are the award's own."""

from __future__ import annotations

from datetime import datetime

from ledger.errors import (
    InvalidInputError,
    InvalidTransitionError,
    RecoveryClosedError,
    RecoveryOverCollectedError,
    WriteOffReasonRequiredError,
)
from ledger.money import check_fen
from ledger.recording import By
from ledger.settlement import (
    not_before_payment,
    not_before_recovery,
    refuse_repeated_collection,
    require_bank_reference,
    split_collection,
)


def text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{what} is required")
    return value.strip()


class AwardRecovery:
    """Mixed into ``Award``: its recovery commands (its status, money and events are the award's)."""

    # It reads the award's id, status, paid_at, receivable and money, and records the award's events.

    def raise_recovery(self, by: By, *, reason: object, effective_at: datetime) -> None:
        if self.status != "PAID":
            raise InvalidTransitionError(f"award {self.id} is {self.status}: only a paid award is recovered")
        effective = not_before_payment(self.paid_at, effective_at, f"award {self.id}")
        self._record(self.RecoveryRaised, by, **self._money(), reason=text(reason, "a recovery's reason"),
                     effective_at=effective)

    def collect_recovery(self, by: By, *, amount_fen: object, bank_reference: object,
                         effective_at: datetime) -> tuple[int, int]:
        # A repeated transfer is named as such even when its first entry closed the receivable.
        refuse_repeated_collection(self._raised_receivable(), bank_reference, f"the recovery of award {self.id}")
        due = self._open_receivable()
        amount = check_fen(amount_fen, "the amount collected", allow_zero=False)
        require_bank_reference(bank_reference)
        effective = not_before_recovery(due, effective_at, "collection")
        outstanding = self.outstanding_fen
        if amount > outstanding:
            raise RecoveryOverCollectedError(f"{amount} fen is more than the {outstanding} fen still due on the "
                                             f"recovery of award {self.id}")
        city_fen, province_fen = split_collection(amount, due)
        self._record(self.RecoveryCollected, by, year=self.year, kind=self.kind, city=self.city, amount_fen=amount,
                     city_portion_fen=city_fen, province_portion_fen=province_fen,
                     bank_reference=bank_reference.strip(), effective_at=effective)
        return city_fen, province_fen

    def write_off_recovery(self, by: By, *, reason: object, effective_at: datetime) -> tuple[int, int]:
        due = self._open_receivable()
        if not isinstance(reason, str) or not reason.strip():
            raise WriteOffReasonRequiredError("a write-off records why the money will not be collected")
        effective = not_before_recovery(due, effective_at, "write-off")
        city_fen, province_fen = due["city_due_fen"], due["province_due_fen"]
        self._record(self.RecoveryWrittenOff, by, year=self.year, kind=self.kind, city=self.city,
                     amount_fen=city_fen + province_fen, city_portion_fen=city_fen,
                     province_portion_fen=province_fen, reason=reason.strip(), effective_at=effective)
        return city_fen, province_fen

    @property
    def outstanding_fen(self) -> int:
        due = self.receivable
        return 0 if due is None else due["city_due_fen"] + due["province_due_fen"]

    def _raised_receivable(self) -> dict:
        if self.receivable is None:
            raise InvalidTransitionError(f"award {self.id} has no recovery raised")
        return self.receivable

    def _open_receivable(self) -> dict:
        self._raised_receivable()
        if self.receivable["written_off"] or self.outstanding_fen == 0:
            how = "written off" if self.receivable["written_off"] else "collected in full"
            raise RecoveryClosedError(f"the recovery of award {self.id} was {how}; nothing is due on it")
        return self.receivable
