"""Commands of publicity (公示): the province publishes a period's approved claims and closes the list after its
objection window; anyone lodges an objection; the province upholds the claim or sustains the objection (the claim
is then reversed with that reason, by the ordinary reversal). The rule settlement asks is :meth:`publicity_refusal`.
See ``ledger/publicity.py`` for the window and what "payable" means."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.claims import Claim
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import AlreadyExistsError, InvalidInputError, LedgerError, PublicityListNotFoundError
from ledger.programme import ProgrammeYear
from ledger.publicity import PublicityList, unlisted_refusal
from ledger.recording import By
from ledger.voucher import Voucher


@dataclass(frozen=True)
class PublishedList:
    list_id: UUID
    year: int
    period: str
    claims: int
    window_ends_at: datetime
    # The working calendars that counted the window ({"year", "version"} each; PublicityList.Opened.calendars). The
    # default keeps answers recorded under idempotency keys before it decodable.
    calendars: tuple[dict[str, int], ...] | None = None


@dataclass(frozen=True)
class Ruling:
    list_id: UUID
    claim_id: UUID
    sustained: bool
    claim_status: str  # REVERSED after a sustained objection
    freed_fen: int = 0
    recovery_fen: int = 0


class PublicityCommands(LedgerApplicationBase):
    def publicity_list(self, list_id: UUID) -> PublicityList:
        return self._load(list_id, PublicityList, PublicityListNotFoundError, "publicity list")

    def publish_claims(self, by: By, *, year: int, period: str,
                       claims: Iterable[tuple[UUID, UUID]]) -> PublishedList:
        """Publish the approved claims named by (voucher id, claim id), all of programme ``year``, as the list of
        ``period``; each claim records the list on its voucher, in the same transaction."""
        pairs = tuple(claims)

        def run() -> PublishedList:
            rules = self.year_rules(year)
            list_id = ids.publicity_list_id(rules.year, period.strip() if isinstance(period, str) else period)
            if self._exists(list_id):
                raise AlreadyExistsError(f"the {year} publicity list of {period} is already published")
            vouchers: dict[UUID, Voucher] = {}
            entries: list[dict[str, Any]] = []
            for voucher_id, claim_id in pairs:
                voucher = vouchers.get(voucher_id) or vouchers.setdefault(voucher_id, self.voucher(voucher_id))
                if voucher.year != rules.year:
                    raise InvalidInputError(f"claim {claim_id} is of programme year {voucher.year}, not {rules.year}")
                claim = voucher.claim(claim_id)
                entries.append({"claim_id": str(claim_id), "voucher_id": str(voucher_id),
                                "provider_id": str(claim.provider_id), "enterprise_id": str(voucher.enterprise_id),
                                "city": voucher.city, "amount_fen": claim.amount_fen})
            listed = PublicityList.publish(by, year=rules.year, period=period,
                                           objection_working_days=rules.objection_working_days, entries=entries,
                                           is_working_day=self.working_days_from(by.at))
            for voucher_id, claim_id in pairs:
                vouchers[voucher_id].publicise(by, claim_id=claim_id, list_id=listed.id,
                                               window_ends_at=listed.window_ends_at)
            self._save(listed, *vouchers.values())
            return PublishedList(listed.id, listed.year, listed.period, len(entries), listed.window_ends_at,
                                 None if listed.calendars is None else tuple(listed.calendars))

        return self._run(run)

    def lodge_objection(self, by: By, *, list_id: UUID, claim_id: UUID, objector: str, reason: str) -> int:
        """Anyone's objection to a listed claim during its window; returns its number on the list."""

        def run() -> int:
            listed = self.publicity_list(list_id)
            number = listed.lodge_objection(by, claim_id=claim_id, objector=objector, reason=reason)
            self._save(listed)
            return number

        return self._run(run)

    def uphold_claim(self, by: By, *, list_id: UUID, claim_id: UUID, reason: str) -> Ruling:
        """The objections on the claim are unfounded: it goes on to settlement (once its list is closed)."""

        def run() -> Ruling:
            listed = self.publicity_list(list_id)
            listed.rule(by, claim_id=claim_id, sustained=False, reason=reason)
            self._save(listed)
            return Ruling(list_id, claim_id, False, "APPROVED")

        return self._run(run)

    def sustain_objection(self, by: By, *, list_id: UUID, claim_id: UUID, reason: str) -> Ruling:
        """An objection is founded: the claim is reversed with the ruling's reason, in the same transaction."""

        def run() -> Ruling:
            listed = self.publicity_list(list_id)
            listed.rule(by, claim_id=claim_id, sustained=True, reason=reason)
            voucher = self.voucher(UUID(listed.entries[claim_id]["voucher_id"]))
            change, changed = self._reversal(by, voucher, claim_id, reason, by.at)
            self._save(listed, voucher, *changed)
            return Ruling(list_id, claim_id, True, change.status, change.freed_fen, change.recovery_fen)

        return self._run(run)

    def close_publicity_list(self, by: By, *, list_id: UUID) -> tuple[int, int]:
        """Close the list after its window: (claims cleared for payment, claims still waiting for a ruling)."""

        def run() -> tuple[int, int]:
            listed = self.publicity_list(list_id)
            listed.close(by)
            self._save(listed)
            return listed.closed_counts

        return self._run(run)

    # -- the settlement rule -----------------------------------------------------------------------------------------
    def publicity_refusal(self, voucher: Voucher, claim: Claim,
                          required: dict[int, bool] | None = None) -> LedgerError | None:
        """Why publicity does not (yet) let this claim be paid, or None. ``required``: what this command already
        read of each year's rule (a batch's lines share a few years)."""
        if claim.publicity_list_id is not None:
            return self.publicity_list(claim.publicity_list_id).refusal(claim.claim_id)
        known = {} if required is None else required
        if voucher.year not in known:
            year = self._find(ids.programme_year_id(voucher.year), ProgrammeYear)
            known[voucher.year] = year is not None and year.rules.publicity_required
        return unlisted_refusal(claim.claim_id, voucher.year, known[voucher.year])
