"""The yearly service catalogue and subsidy standards (一(二)): published once per year, never edited."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ledger import ids
from ledger.errors import (
    CatalogueDeadlineMismatchError,
    CatalogueItemNotFoundError,
    InvalidInputError,
    InvalidRateError,
)
from ledger.fees import FeeCategory, require_covered
from ledger.fiscal_time import end_of_day
from ledger.money import check_fen, to_rate
from ledger.recording import By, LedgerAggregate


@dataclass(frozen=True)
class CatalogueItem:
    item_id: str
    name: str
    fee_category: FeeCategory
    rate: Decimal  # subsidy rate, e.g. 0.50
    cap_fen: int  # cap per enterprise per item: the face value of a voucher for it

    @classmethod
    def checked(cls, item_id: str, name: str, fee_category: object, rate: object, cap_fen: object) -> CatalogueItem:
        if not isinstance(item_id, str) or not item_id.strip():
            raise InvalidInputError("a catalogue item needs an id")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"catalogue item {item_id} needs a name")
        exact_rate = to_rate(rate, f"subsidy rate of {item_id}")
        if exact_rate == 0:
            raise InvalidRateError(f"subsidy rate of {item_id} must be above 0")
        return cls(
            item_id=item_id.strip(),
            name=name.strip(),
            fee_category=require_covered(fee_category),
            rate=exact_rate,
            cap_fen=check_fen(cap_fen, f"cap of {item_id}", allow_zero=False),
        )

    def as_record(self) -> dict[str, object]:
        return {
            "item_id": self.item_id,
            "name": self.name,
            "fee_category": self.fee_category.value,
            "rate": self.rate,
            "cap_fen": self.cap_fen,
        }


class Catalogue(LedgerAggregate):
    class Published(LedgerAggregate.Created):
        year: int
        items: list[dict]
        # Vouchers of this year are redeemable until the end of this day (Shanghai): the year's deadline. Catalogues
        # stored before that was required may hold another date; they load as stored, and bind their vouchers to it.
        redemption_deadline: date

        def apply(self, cat: Catalogue) -> None:
            cat.year = self.year
            cat.redemption_deadline = self.redemption_deadline
            cat.items = {
                record["item_id"]: CatalogueItem(
                    item_id=record["item_id"],
                    name=record["name"],
                    fee_category=FeeCategory(record["fee_category"]),
                    rate=Decimal(record["rate"]),
                    cap_fen=record["cap_fen"],
                )
                for record in self.items
            }

    @classmethod
    def publish(
        cls, by: By, *, year: int, items: list[CatalogueItem], redemption_deadline: date,
        covered: Collection[FeeCategory] | None = None, issuance_closes: date, year_deadline: date,
    ) -> Catalogue:
        """``covered``, ``issuance_closes`` and ``year_deadline``: the year's rules (``YearRules``) the catalogue is
        held to. ``redemption_deadline`` must be the year's: the catalogue keeps it so that its vouchers read it."""
        if not items:
            raise InvalidInputError("a catalogue needs at least one item")
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, CatalogueItem):
                raise InvalidInputError("catalogue items must be CatalogueItem.checked(...)")
            require_covered(item.fee_category, covered)  # re-checked against the categories the year covers
            if item.item_id in seen:
                raise InvalidInputError(f"catalogue item id {item.item_id} appears twice")
            seen.add(item.item_id)
        if not isinstance(redemption_deadline, date) or isinstance(redemption_deadline, datetime):
            raise InvalidInputError("redemption_deadline must be a date")
        if redemption_deadline.year < year:
            raise InvalidInputError(f"the {year} redemption deadline cannot fall before {year}")
        if redemption_deadline < issuance_closes:
            # as for the year itself (YearRules.checked): vouchers issued later would expire as they are issued, and
            # the catalogue is never edited, so the year could never issue again
            raise InvalidInputError(f"the {year} catalogue's redemption deadline {redemption_deadline} cannot fall "
                                    f"before the year's issuance window closes ({issuance_closes})")
        if redemption_deadline != year_deadline:
            # A voucher is valid until its YEAR's redemption deadline (DOMAIN.md "Vouchers"); a catalogue of its own
            # would have its vouchers expire on one date while the programme shows another (found by a black-box
            # review: a 2034 catalogue "until 2040-12-31" in a year redeemable until 2035-02-08). Refused, not
            # silently replaced by the year's: whoever sent the other date believes something the ledger does not.
            # A year's deadline is recorded once, when it opens (ProgrammeYear has no revision): were a revision ever
            # added, it would have to carry the year's catalogue and its issued vouchers' expiry with it.
            raise CatalogueDeadlineMismatchError(
                f"the {year} catalogue's redemption deadline {redemption_deadline} is not the year's "
                f"({year_deadline}): vouchers are redeemable until their programme year's deadline; leave it out, or "
                "give the year's")
        return cls._start(
            cls.Published,
            ids.catalogue_id(year),
            by,
            year=year,
            items=[item.as_record() for item in items],
            redemption_deadline=redemption_deadline,
        )

    def item(self, item_id: str) -> CatalogueItem:
        try:
            return self.items[item_id]
        except KeyError:
            raise CatalogueItemNotFoundError(f"the {self.year} catalogue has no item {item_id!r}") from None

    @property
    def expires_at(self) -> datetime:
        return end_of_day(self.redemption_deadline)
