"""One award (二, 三): applied → recommended by its city → selected by the province (or refused, with the reason) →
granted (amount, province and city portions) → paid in an award batch → possibly recovered (追回).

The application names its city (an enterprise's is where it is registered) and the contracts of the project it funds
(provider USCC + contract number), so that one item of work is funded once across awards and vouchers. Every money
event carries its city, year, kind and both portions, so the journal and per-city spend read it without a lookup.
A recovery is a receivable on the award, collected (in parts, never more than due) or written off like a claim's
(``ledger/settlement.py``: the same split of each collection).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from ledger.award_programmes import ApplicantKind, AwardRules
from ledger.award_recovery import AwardRecovery, text
from ledger.errors import (
    AwardOtherCityError,
    AwardTitleWithdrawnError,
    InvalidTransitionError,
    PaidBeforeApprovalError,
)
from ledger.fiscal_time import require_aware, shanghai_text
from ledger.money import check_fen, split_funding
from ledger.recording import By, LedgerAggregate
from ledger.reference_numbers import compared


class AwardStatus(StrEnum):
    APPLIED = "APPLIED"
    RECOMMENDED = "RECOMMENDED"  # by its city
    SELECTED = "SELECTED"  # by the province
    REFUSED = "REFUSED"  # by its city or the province, with the reason
    GRANTED = "GRANTED"  # amount and split decided; payable (a title without money is granted with 0 and done)
    PAID = "PAID"
    RECOVERED = "RECOVERED"  # paid, then reclaimed: a receivable until collected or written off


class Award(AwardRecovery, LedgerAggregate):
    class Applied(LedgerAggregate.Created):
        year: int
        kind: str
        applicant_kind: str
        applicant_id: UUID | None  # the enterprise or provider applying; None for a government
        applicant_name: str
        city: str
        county: str  # a county government's county; "" otherwise
        project: str
        contracts: list[dict[str, str]]  # {"provider_uscc", "provider_id", "contract_no"}: what the award funds
        base_fen: int | None  # the base a RATE award is computed from (e.g. R&D spend), when declared

        def apply(self, a: Award) -> None:
            a.year, a.kind, a.city, a.applicant_kind = self.year, self.kind, self.city, self.applicant_kind
            a.applicant_id, a.base_fen, a.status = self.applicant_id, self.base_fen, AwardStatus.APPLIED.value
            a.amount_fen = a.city_portion_fen = a.province_portion_fen = 0
            a.batch_id, a.nationally_recommended, a.receivable = None, False, None
            a.holds_place, a.paid_at, a.title_withdrawn = False, None, False
            a.applicant_name, a.county, a.project, a.contracts = (
                self.applicant_name, self.county, self.project, self.contracts)

    class Recommended(LedgerAggregate.Event):
        city: str
        opinion: str

        def apply(self, a: Award) -> None:
            a.status = AwardStatus.RECOMMENDED.value

    class Refused(LedgerAggregate.Event):
        stage: str  # "CITY" (not recommended) | "PROVINCE" (not selected)
        reason: str

        def apply(self, a: Award) -> None:
            a.status = AwardStatus.REFUSED.value

    class Selected(LedgerAggregate.Event):
        holds_place: bool  # counted on its kind's roster (a cap at any time)

        def apply(self, a: Award) -> None:
            a.status, a.holds_place = AwardStatus.SELECTED.value, self.holds_place

    class NationallyRecommended(LedgerAggregate.Event):
        """The province recommended it for national status (国家级): a recorded fact, no money."""

        note: str

        def apply(self, a: Award) -> None:
            a.nationally_recommended = True

    class TitleWithdrawn(LedgerAggregate.Event):
        """The province ended the title (a key platform no longer one): it no longer holds a place under its
        programme's cap. Money paid stays paid; a recovery is its own decision."""

        reason: str

        def apply(self, a: Award) -> None:
            a.holds_place, a.title_withdrawn = False, True

    class Granted(LedgerAggregate.Event):
        year: int
        kind: str
        city: str
        amount_fen: int
        city_share: Decimal
        city_portion_fen: int
        province_portion_fen: int

        def apply(self, a: Award) -> None:
            a.status, a.granted_at = AwardStatus.GRANTED.value, self.timestamp
            a.amount_fen, a.city_portion_fen, a.province_portion_fen = (
                self.amount_fen, self.city_portion_fen, self.province_portion_fen)

    class Batched(LedgerAggregate.Event):
        batch_id: UUID

        def apply(self, a: Award) -> None:
            a.batch_id = self.batch_id

    class Paid(LedgerAggregate.Event):
        batch_id: UUID
        year: int
        kind: str
        city: str
        amount_fen: int
        city_portion_fen: int
        province_portion_fen: int
        effective_at: datetime

        def apply(self, a: Award) -> None:
            a.status, a.paid_at = AwardStatus.PAID.value, self.effective_at

    class RecoveryRaised(LedgerAggregate.Event):
        year: int
        kind: str
        city: str
        amount_fen: int
        city_portion_fen: int
        province_portion_fen: int
        reason: str
        effective_at: datetime

        def apply(self, a: Award) -> None:
            a.status = AwardStatus.RECOVERED.value
            a.receivable = {"amount_fen": self.amount_fen, "city_portion_fen": self.city_portion_fen,
                            "city_due_fen": self.city_portion_fen, "province_due_fen": self.province_portion_fen,
                            "effective_at": self.effective_at, "paid_at": a.paid_at, "written_off": False,
                            "bank_references": []}  # of its collections, as compared

    class RecoveryCollected(LedgerAggregate.Event):
        year: int
        kind: str
        city: str
        amount_fen: int
        city_portion_fen: int
        province_portion_fen: int
        bank_reference: str
        effective_at: datetime

        def apply(self, a: Award) -> None:
            a.receivable["city_due_fen"] -= self.city_portion_fen
            a.receivable["province_due_fen"] -= self.province_portion_fen
            a.receivable["bank_references"].append(compared(self.bank_reference))

    class RecoveryWrittenOff(LedgerAggregate.Event):
        year: int
        kind: str
        city: str
        amount_fen: int
        city_portion_fen: int
        province_portion_fen: int
        reason: str
        effective_at: datetime

        def apply(self, a: Award) -> None:
            a.receivable["city_due_fen"] = a.receivable["province_due_fen"] = 0
            a.receivable["written_off"] = True

    # -- the lifecycle ------------------------------------------------------------------------------------------------
    @classmethod
    def apply_for(cls, by: By, *, award_id: UUID, rules: AwardRules, applicant_kind: ApplicantKind,
                  applicant_id: UUID | None, applicant_name: str, city: str, county: str, project: object,
                  contracts: list[dict[str, str]], base_fen: object) -> Award:
        rules.require_base(base_fen)
        return cls._start(
            cls.Applied, award_id, by, year=rules.year, kind=rules.kind.value, applicant_kind=applicant_kind.value,
            applicant_id=applicant_id, applicant_name=text(applicant_name, "the applicant's name"), city=city,
            county=county, project=text(project, "the project's name"), contracts=contracts,
            base_fen=None if base_fen is None else check_fen(base_fen, "the declared base"))

    def _require(self, *statuses: AwardStatus, to: str) -> None:
        if self.status not in statuses:
            raise InvalidTransitionError(f"award {self.id} is {self.status}: it cannot be {to}")

    def _require_city(self, city: str, verb: str) -> None:
        if city != self.city:
            raise AwardOtherCityError(f"award {self.id} is an application of city {self.city}: city {city} cannot "
                                      f"{verb} it")

    def recommend(self, by: By, *, city: str, opinion: str) -> None:
        self._require_city(city, "recommend")
        self._require(AwardStatus.APPLIED, to="recommended")
        self._record(self.Recommended, by, city=city, opinion=(opinion or "").strip())

    def refuse(self, by: By, *, reason: object, city: str | None) -> None:
        """Refused by its city (``city``: not recommended) or, with ``city`` None, by the province."""
        if city is not None:
            self._require_city(city, "decline")
            self._require(AwardStatus.APPLIED, to="declined by its city")
        else:
            self._require(AwardStatus.APPLIED, AwardStatus.RECOMMENDED, to="refused")
        self._record(self.Refused, by, stage="CITY" if city is not None else "PROVINCE",
                     reason=text(reason, "a refusal's reason"))

    def select(self, by: By, *, rules: AwardRules, holds_place: bool) -> None:
        self._require(AwardStatus.RECOMMENDED, to="selected (its city recommends it first)")
        rules.require_base(self.base_fen)  # an application stored before the base was required never takes a place
        self._record(self.Selected, by, holds_place=holds_place)

    def recommend_nationally(self, by: By, *, note: str) -> None:
        self._require(AwardStatus.SELECTED, AwardStatus.GRANTED, AwardStatus.PAID, to="recommended for national "
                      "status (it is selected first)")
        self._require_title("recommended for national status")  # the province no longer stands behind it
        if self.nationally_recommended:
            raise InvalidTransitionError(f"award {self.id} is recommended for national status already")
        self._record(self.NationallyRecommended, by, note=(note or "").strip())

    def withdraw_title(self, by: By, *, reason: object) -> None:
        self._require(AwardStatus.SELECTED, AwardStatus.GRANTED, AwardStatus.PAID, AwardStatus.RECOVERED,
                      to="withdrawn (only a selected award holds a title)")
        if self.title_withdrawn:
            raise InvalidTransitionError(f"the title of award {self.id} is withdrawn already")
        self._record(self.TitleWithdrawn, by, reason=text(reason, "a withdrawal's reason"))

    def _require_title(self, to: str) -> None:
        # A withdrawn title gave its place under the cap up (``TitleWithdrawn``): granting or paying it after that
        # would fund an award the cap no longer counts, beside the one selected into its place.
        if self.title_withdrawn:
            raise AwardTitleWithdrawnError(f"the title of award {self.id} was withdrawn: it cannot be {to}")

    def require_grantable(self) -> None:
        self._require(AwardStatus.SELECTED, to="granted (the province selects it first)")
        self._require_title("granted")

    def grant(self, by: By, *, amount_fen: int, city_share: Decimal) -> None:
        self.require_grantable()
        city_fen, province_fen = split_funding(amount_fen, city_share)
        self._record(self.Granted, by, year=self.year, kind=self.kind, city=self.city, amount_fen=amount_fen,
                     city_share=city_share, city_portion_fen=city_fen, province_portion_fen=province_fen)

    def require_payable(self) -> None:
        self._require(AwardStatus.GRANTED, to="paid (only a granted award is)")
        self._require_title("paid")
        if self.amount_fen == 0:
            raise InvalidTransitionError(f"award {self.id} is a title without money: there is nothing to pay")
        if self.batch_id is not None:
            raise InvalidTransitionError(f"award {self.id} is in batch {self.batch_id} already")

    def add_to_batch(self, by: By, *, batch_id: UUID) -> None:
        self.require_payable()
        self._record(self.Batched, by, batch_id=batch_id)

    @property
    def is_payable(self) -> bool:
        """Whether its batch's payment pays it: granted and its title not withdrawn since it entered the batch."""
        return self.status == AwardStatus.GRANTED and not self.title_withdrawn

    def pay(self, by: By, *, batch_id: UUID, effective_at: datetime) -> None:
        self._require(AwardStatus.GRANTED, to="paid")
        self._require_title("paid")
        effective = require_aware(effective_at, "payment time")
        if effective < self.granted_at:  # money moves in order: per-city spend never holds a payment before its grant
            raise PaidBeforeApprovalError(f"award {self.id} was granted {shanghai_text(self.granted_at)}: it cannot be "
                                          "paid before that")
        self._record(self.Paid, by, batch_id=batch_id, **self._money(), effective_at=effective)

    def _money(self) -> dict[str, Any]:
        return {"year": self.year, "kind": self.kind, "city": self.city, "amount_fen": self.amount_fen,
                "city_portion_fen": self.city_portion_fen, "province_portion_fen": self.province_portion_fen}
