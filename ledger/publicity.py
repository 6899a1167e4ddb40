"""Publicity (公示) before payment: a programme year's approved claims published in a list per period, the objection
window, objections and the province's rulings (DOMAIN.md, "Publicity (公示) and objections").

One :class:`PublicityList` per programme year and period (e.g. "2021-03") is the public record: what was published,
when its objection window ends, every objection (who and why) and every ruling. Each listed claim also records on its
voucher which list it is on (``Voucher.ClaimPublicised``), so a claim is listed once and settlement knows which list
to ask. A list is fixed when it is published: a claim approved later goes on the next period's list.

**Working days** are those of the State Council's holiday arrangement of each calendar year, as the province records
it (``ledger/working_calendar.py``): a holiday week is not counted, a make-up weekend day (调休) is. The window is the
``objection_working_days`` full working days *after* the day of publication (Asia/Shanghai), and ends at 24:00 of
the last of them; with 0 days it ends at publication. A window that would count into a year with no recorded
calendar is refused (``WORKING_CALENDAR_NOT_RECORDED``), not guessed. A list records the instant its window ends, so
a calendar revised later leaves a published list's window as it was, and the calendars it was counted on (each
year's version), so that a dispute about the window can be settled on the arrangement that counted it.

**Payable** (:meth:`PublicityList.refusal`): a claim of a year with ``publicity_required`` is settled only once its
list is closed (the province closes it after the window) and no objection on it is waiting for a ruling. An upheld
claim goes on; a sustained objection reverses the claim (the ordinary reversal, with the ruling's reason). A claim
of a year without ``publicity_required`` (the 2018-2020 default years) is payable as approved, as before publicity
existed; if the province lists one anyway, the list's rule applies to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.errors import (
    ClaimNotPublicisedError,
    ClaimUnderObjectionError,
    InvalidInputError,
    InvalidTransitionError,
    LedgerError,
    ObjectionWindowClosedError,
    PaidBeforePublicityError,
    PublicityNotClosedError,
    PublicityWindowOpenError,
)
from ledger.fiscal_time import end_of_day, shanghai_date, shanghai_text
from ledger.recording import By, LedgerAggregate
from ledger.working_calendar import WorkingDayRule


IsWorkingDay = Callable[[date], bool]  # e.g. ledger.working_calendar.working_day_rule(calendars)


def working_days_after(day: date, count: int, is_working_day: IsWorkingDay) -> date:
    """The ``count``-th working day after ``day``; ``day`` itself for 0."""
    found = day
    while count > 0:
        found += timedelta(days=1)
        if is_working_day(found):
            count -= 1
    return found


def objection_window_ends(published_at: datetime, working_days: int, is_working_day: IsWorkingDay) -> datetime:
    """The first instant (UTC) no objection can be lodged against a list published at ``published_at``."""
    if working_days == 0:
        return published_at
    return end_of_day(working_days_after(shanghai_date(published_at), working_days, is_working_day))


class EntryStatus:
    """A listed claim as the public sees it."""

    PUBLICISED = "PUBLICISED"  # listed, no objection (cleared once the list is closed)
    UNDER_OBJECTION = "UNDER_OBJECTION"  # an objection waits for the province's ruling: held from settlement
    UPHELD = "UPHELD"  # the province upheld the claim against its objections: it goes on
    SUSTAINED = "SUSTAINED"  # the province sustained an objection: the claim is reversed


class PublicityList(LedgerAggregate):
    class Opened(LedgerAggregate.Created):
        class_version = 2  # v2 added the calendars the window was counted on; v1 lists did not record them

        year: int
        period: str
        objection_working_days: int
        window_ends_at: datetime
        # claim_id, voucher_id, provider_id, enterprise_id (as text), city, amount_fen
        entries: list[dict[str, Any]]
        # The working calendars the window was counted on: [{"year": 2021, "version": 2}] (WorkingDayRule.counted;
        # [] for a window of 0 days). None: published before lists recorded them.
        calendars: list[dict[str, int]] | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["calendars"] = None  # lists published before it did not say which calendar counted their window

        def apply(self, p: PublicityList) -> None:
            p.year, p.period, p.working_days, p.window_ends_at = (
                self.year, self.period, self.objection_working_days, self.window_ends_at)
            p.calendars = self.calendars
            p.published_at, p.closed_at = self.timestamp, None
            p.entries = {UUID(e["claim_id"]): {**e, "status": EntryStatus.PUBLICISED, "pending": []}
                         for e in self.entries}
            p.objections = []  # (number, claim id, objector, reason, lodged at, ruling)

    class ObjectionLodged(LedgerAggregate.Event):
        number: int  # 1, 2, ... within the list
        voucher_id: UUID
        claim_id: UUID
        objector: str  # who objects, as they name themselves (the recorded actor is who entered it)
        reason: str

        def apply(self, p: PublicityList) -> None:
            entry = p.entries[self.claim_id]
            entry["status"] = EntryStatus.UNDER_OBJECTION
            entry["pending"].append(self.number)
            p.objections.append({"number": self.number, "claim_id": self.claim_id, "objector": self.objector,
                                 "reason": self.reason, "lodged_at": self.timestamp, "ruling": None})

    class ClaimUpheld(LedgerAggregate.Event):
        """The province ruled the objections on a claim unfounded: the claim goes on to settlement."""

        voucher_id: UUID
        claim_id: UUID
        objections: list[int]
        reason: str

        def apply(self, p: PublicityList) -> None:
            p._rule(self.claim_id, EntryStatus.UPHELD)
            p.entries[self.claim_id]["upheld_at"] = self.timestamp  # held until then: paid no earlier

    class ObjectionSustained(LedgerAggregate.Event):
        """The province found an objection founded: the claim is reversed with this reason (same transaction)."""

        voucher_id: UUID
        claim_id: UUID
        objections: list[int]
        reason: str

        def apply(self, p: PublicityList) -> None:
            p._rule(self.claim_id, EntryStatus.SUSTAINED)

    class Closed(LedgerAggregate.Event):
        cleared: int  # listed claims payable from now on
        under_objection: int  # still waiting for a ruling

        def apply(self, p: PublicityList) -> None:
            p.closed_at, p.closed_counts = self.timestamp, (self.cleared, self.under_objection)

    # -- creation ------------------------------------------------------------------------------------------------
    @classmethod
    def publish(cls, by: By, *, year: int, period: str, objection_working_days: int,
                entries: list[dict[str, Any]], is_working_day: IsWorkingDay) -> PublicityList:
        if not isinstance(period, str) or not period.strip():
            raise InvalidInputError("a publicity list names its period (e.g. '2021-03')")
        if not entries:
            raise InvalidInputError("a publicity list publishes at least one approved claim")
        claim_ids = [e["claim_id"] for e in entries]
        if len(set(claim_ids)) != len(claim_ids):
            raise InvalidInputError("a claim is listed once")
        window_ends_at = objection_window_ends(by.at, objection_working_days, is_working_day)
        # What counted the window, when the rule can say (the recorded calendars can; a bare function cannot).
        calendars = is_working_day.counted() if isinstance(is_working_day, WorkingDayRule) else None
        return cls._start(cls.Opened, ids.publicity_list_id(year, period.strip()), by, year=year,
                          period=period.strip(), objection_working_days=objection_working_days,
                          window_ends_at=window_ends_at, entries=entries, calendars=calendars)

    # -- commands ------------------------------------------------------------------------------------------------
    def lodge_objection(self, by: By, *, claim_id: UUID, objector: str, reason: str) -> int:
        entry = self._entry(claim_id)
        if self.closed_at is not None or by.at >= self.window_ends_at:
            raise ObjectionWindowClosedError(
                f"the objection window of the {self.period} list closed at {shanghai_text(self.window_ends_at)}")
        if entry["status"] == EntryStatus.SUSTAINED:
            raise InvalidTransitionError(f"claim {claim_id} was already reversed on an objection")
        number = len(self.objections) + 1
        self._record(self.ObjectionLodged, by, number=number, voucher_id=UUID(entry["voucher_id"]),
                     claim_id=claim_id, objector=_text(objector, "an objection records who lodged it"),
                     reason=_text(reason, "an objection records why"))
        return number

    def rule(self, by: By, *, claim_id: UUID, sustained: bool, reason: str) -> None:
        entry = self._entry(claim_id)
        if not entry["pending"]:
            raise InvalidTransitionError(f"no objection on claim {claim_id} waits for a ruling")
        event = self.ObjectionSustained if sustained else self.ClaimUpheld
        self._record(event, by, voucher_id=UUID(entry["voucher_id"]), claim_id=claim_id,
                     objections=list(entry["pending"]), reason=_text(reason, "a ruling records its reason"))

    def close(self, by: By) -> None:
        if self.closed_at is not None:
            raise InvalidTransitionError(f"the {self.year} publicity list {self.period} is already closed")
        if by.at < self.window_ends_at:
            raise PublicityWindowOpenError(
                f"the objection window of the {self.period} list runs until {shanghai_text(self.window_ends_at)}")
        waiting = sum(1 for e in self.entries.values() if e["pending"])
        cleared = sum(1 for e in self.entries.values() if e["status"] in (EntryStatus.PUBLICISED, EntryStatus.UPHELD))
        self._record(self.Closed, by, cleared=cleared, under_objection=waiting)

    # -- the settlement rule -------------------------------------------------------------------------------------
    def refusal(self, claim_id: UUID) -> LedgerError | None:
        """Why this list does not (yet) let the claim be paid, or None when it is publicised and cleared."""
        entry = self.entries.get(claim_id)
        if entry is None:
            return ClaimNotPublicisedError(f"claim {claim_id} is not on the {self.period} publicity list")
        if entry["pending"]:
            return ClaimUnderObjectionError(f"claim {claim_id} is held: an objection waits for the province's ruling")
        if self.closed_at is None:
            return PublicityNotClosedError(f"claim {claim_id} is in publicity until the {self.period} list is closed "
                                           f"(its window ends {shanghai_text(self.window_ends_at)})")
        return None

    def payment_refusal(self, claim_id: UUID, paid_at: datetime) -> LedgerError | None:
        """Why a payment of a cleared claim may not be dated ``paid_at``: an objection held it until the province upheld
        it (the ruling's recorded time, as an approval's is). The window's end is the voucher's check (it knows it)."""
        upheld_at = self.entries[claim_id].get("upheld_at") if claim_id in self.entries else None
        if upheld_at is not None and paid_at < upheld_at:
            return PaidBeforePublicityError(
                f"claim {claim_id} was held by an objection until the province upheld it {shanghai_text(upheld_at)}: "
                f"its payment cannot be dated earlier ({shanghai_text(paid_at)})")
        return None

    def _entry(self, claim_id: UUID) -> dict[str, Any]:
        entry = self.entries.get(claim_id)
        if entry is None:
            raise ClaimNotPublicisedError(f"claim {claim_id} is not on the {self.period} publicity list")
        return entry

    def _rule(self, claim_id: UUID, status: str) -> None:
        entry = self.entries[claim_id]
        for objection in self.objections:
            if objection["number"] in entry["pending"]:
                objection["ruling"] = status
        entry["pending"], entry["status"] = [], status


def unlisted_refusal(claim_id: UUID, year: int, publicity_required: bool) -> LedgerError | None:
    """The settlement rule for a claim on no list: refused only where its year requires publicity."""
    if publicity_required:
        return ClaimNotPublicisedError(
            f"claim {claim_id} has not been publicised: programme year {year} pays a claim only after its publicity")
    return None


def _text(value: object, message: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(message)
    return value.strip()
