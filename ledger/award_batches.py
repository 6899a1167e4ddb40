"""An award batch: granted awards paid together, once, with province and city portions per city (资金结算).

Awards are their own batch kind, not lines of a provider's claim batch: an award's payee is its applicant (an
enterprise, a provider, a city or county government), and a provider's batch pays one provider. A batch names its
period like a claim batch; each award enters at most one batch (the award records it) and is paid with it, unless its
title was withdrawn while it waited (``Paid.awards`` lists those paid; a line not among them was never paid).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ledger.awards import Award
from ledger.errors import EmptyBatchError, InvalidInputError, InvalidTransitionError
from ledger.fiscal_time import require_aware
from ledger.money import paid_by_city
from ledger.recording import By, LedgerAggregate


class AwardBatch(LedgerAggregate):
    class Opened(LedgerAggregate.Created):
        period: str

        def apply(self, b: AwardBatch) -> None:
            b.period, b.lines, b.paid = self.period, {}, False

    class AwardAdded(LedgerAggregate.Event):
        award_id: UUID
        year: int
        kind: str
        city: str
        payee: str  # the applicant's kind and name, as the award records them
        amount_fen: int
        city_portion_fen: int
        province_portion_fen: int

        def apply(self, b: AwardBatch) -> None:
            b.lines[self.award_id] = {"city": self.city, "amount_fen": self.amount_fen,
                                      "city_portion_fen": self.city_portion_fen,
                                      "province_portion_fen": self.province_portion_fen}

    class Paid(LedgerAggregate.Event):
        awards: list[UUID]
        total_fen: int
        by_city: dict[str, dict[str, int]]  # city -> {"city_fen": .., "province_fen": ..}
        effective_at: datetime

        def apply(self, b: AwardBatch) -> None:
            b.paid, b.total_fen, b.by_city = True, self.total_fen, {c: dict(t) for c, t in self.by_city.items()}

    @classmethod
    def open(cls, by: By, *, batch_id: UUID, period: object) -> AwardBatch:
        if not isinstance(period, str) or not period.strip():
            raise InvalidInputError("an award batch names its period (e.g. '2020-03')")
        return cls._start(cls.Opened, batch_id, by, period=period.strip())

    def add(self, by: By, award: Award, payee: str) -> None:
        self._require_open("add awards to")
        if award.id in self.lines:
            raise InvalidTransitionError(f"award {award.id} is already in batch {self.id}")
        self._record(self.AwardAdded, by, award_id=award.id, year=award.year, kind=award.kind, city=award.city,
                     payee=payee, amount_fen=award.amount_fen, city_portion_fen=award.city_portion_fen,
                     province_portion_fen=award.province_portion_fen)

    def pay(self, by: By, *, payable: set[UUID], effective_at: datetime) -> list[UUID]:
        """Pay the lines in ``payable`` (those still payable: an award whose title was withdrawn after it entered the
        batch is not, and its line is left unpaid, as a claim batch drops a claim reversed while waiting); return the
        awards paid, in batch order."""
        self._require_open("pay")
        awards = [award_id for award_id in self.lines if award_id in payable]
        if not awards:
            raise EmptyBatchError(f"award batch {self.id} holds no award left to pay")
        total_fen, by_city = paid_by_city(self.lines[award_id] for award_id in awards)
        self._record(self.Paid, by, awards=awards, total_fen=total_fen, by_city=by_city,
                     effective_at=require_aware(effective_at, "payment time"))
        return awards

    def _require_open(self, verb: str) -> None:
        if self.paid:
            raise InvalidTransitionError(f"award batch {self.id} is already paid; cannot {verb} it")
