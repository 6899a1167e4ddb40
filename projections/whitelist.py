"""Whitelist register: each provider's standing now (vl_providers) and every change with both times (history),
and the claims held after a suspension recorded late (vl_claim_holds) with what ended each hold.

History rows follow the Provider aggregate's own events: Admitted (PENDING_ASSESSMENT), assessments, the
announcements Whitelisted (first pass or reinstatement) and Suspended, eliminations; an elimination counts for its
fiscal year only (DOMAIN.md: "permanent for that year"). A status is never read off an announcement: the queries
(:mod:`projections.whitelist_queries`) and the provider's current status here work it out from the assessment rows
by the aggregate's rule (:mod:`ledger.whitelist_status`), so a store whose announcements were made by the earlier
rule answers by the rule now.
"""

from __future__ import annotations

from typing import Any, ClassVar

from psycopg.sql import SQL

from ledger import whitelist_status as rule
from ledger.provider import Provider, WhitelistStatus
from ledger.voucher import Voucher
from projections import read_ahead, whitelist_reasons as reasons
from projections.base import LedgerProjection, event_type
from projections.times import to_us
from projections.view import ReadModelView

HOLD_COLUMNS = ("position", "event_type", "claim_id", "voucher_id", "provider_id", "held_fen", "effective_us",
                "recorded_us")
HISTORY_COLUMNS = ("position", "provider_id", "event_type", "status", "effective_us", "recorded_us", "area", "passed",
                   "eliminated_year", "reason", "actor", "reason_zh")
_ASSESSED = "Provider.AssessmentRecorded"
_ASSESSMENTS = SQL("SELECT position, area, passed, effective_us FROM vl_whitelist_history "
                   "WHERE provider_id = ? AND event_type = ? ORDER BY position")


class WhitelistRegister(LedgerProjection):
    name = "whitelist"
    tables = ("vl_whitelist_history", "vl_providers", "vl_claim_holds")
    handlers: ClassVar[dict[type, str]] = {
        Provider.Admitted: "admitted",
        Provider.AssessmentRecorded: "assessed",
        Provider.Suspended: "suspended",
        Provider.Whitelisted: "whitelisted",
        Provider.Eliminated: "eliminated",
        Voucher.ClaimFlagged: "claim_hold",
        Voucher.ClaimReleased: "claim_hold",
        Voucher.ClaimReversed: "claim_hold",  # ends a hold; one row per reversal (rare) keeps this projection simple
    }

    def setup(self) -> None:
        self.providers = self.lookup(
            "vl_providers", "provider_id", ("uscc", "name", "kind", "admitted_us", "status", "status_since_us"),
            wants=read_ahead.PROVIDERS)

    def reset_buffers(self) -> None:
        self.history: list[tuple] = []
        self.holds: list[tuple] = []

    def admitted(self, e: Provider.Admitted, position: int) -> None:
        us = to_us(e.timestamp)
        status = WhitelistStatus.PENDING_ASSESSMENT.value
        self.providers.put(str(e.originator_id), (e.uscc, e.name, e.kind, us, status, us))
        self._history(e, position, status, us)

    # Each reason in English and in Chinese, from the event's facts (projections/whitelist_reasons.py).
    def assessed(self, e: Provider.AssessmentRecorded, position: int) -> None:
        reason = f"{e.kind} assessment by {e.assessor}" + (f" ({e.report_ref})" if e.report_ref else "")
        pid, effective_us = str(e.originator_id), to_us(e.effective_at)
        results = [*self._known_results(pid), rule.AreaResult(e.area, e.passed, effective_us, position, e.kind)]
        changes = rule.timeline(results)
        found = self._provider(pid)
        since = changes[-1].effective if changes else found[3]
        self.providers.put(pid, (*found[:4], rule.status_at(results).value, since))
        self._history(e, position, None, effective_us, area=e.area, passed=e.passed, reason=reason,
                      reason_zh=reasons.assessed(e.kind, e.assessor, e.report_ref))

    def suspended(self, e: Provider.Suspended, position: int) -> None:
        # Recorded before Suspended v2, the failed assessment is named only in the ledger's English reason.
        zh = reasons.from_english(e.reason) if e.kind is None else reasons.suspended(e.kind, e.area)
        self._announced(e, position, WhitelistStatus.SUSPENDED.value, reason=e.reason, reason_zh=zh)

    def whitelisted(self, e: Provider.Whitelisted, position: int) -> None:
        self._announced(e, position, WhitelistStatus.WHITELISTED.value,
                        reason=reasons.whitelisted_en(e.reinstated),
                        reason_zh=reasons.whitelisted(e.reinstated))

    def eliminated(self, e: Provider.Eliminated, position: int) -> None:
        self._history(e, position, None, to_us(e.effective_at), eliminated_year=e.year, reason=f"rated {e.rating}",
                      reason_zh=reasons.eliminated(e.rating))

    def claim_hold(self, e: Any, position: int) -> None:
        held = e.amount_fen if isinstance(e, Voucher.ClaimFlagged) and e.held else 0
        effective = getattr(e, "effective_at", None) or e.timestamp
        self.holds.append((position, event_type(e), str(e.claim_id), str(e.originator_id),
                           None if isinstance(e, Voucher.ClaimReversed) else str(e.provider_id), held,
                           to_us(effective), to_us(e.timestamp)))

    def _provider(self, pid: str) -> tuple:
        found = self.providers.get(pid)
        if found is None:
            raise LookupError(f"whitelist: provider {pid} is unknown (its Admitted event was not projected)")
        return found

    def _known_results(self, pid: str) -> list[rule.AreaResult]:
        """The provider's assessments projected before this event: committed rows, then this batch's (the kind does
        not matter to a status)."""
        self._settle()  # the batch handed over last may still be committing its rows
        rows = self.view.fetchall(_ASSESSMENTS, (pid, _ASSESSED))
        rows += [(r[0], r[6], r[7], r[4]) for r in self.history if r[1] == pid and r[2] == _ASSESSED]
        return [rule.AreaResult(area, bool(passed), effective_us, position)
                for position, area, passed, effective_us in rows]

    def _announced(self, e: Any, position: int, status: str, *, reason: str, reason_zh: str | None) -> None:
        """A history row only: the provider's current status follows its assessments (``assessed``)."""
        self._provider(str(e.originator_id))
        self._history(e, position, status, to_us(e.effective_at), reason=reason, reason_zh=reason_zh)

    def _history(self, e: Any, position: int, status: str | None, effective_us: int, *, area: str | None = None,
                 passed: bool | None = None, eliminated_year: int | None = None, reason: str | None = None,
                 reason_zh: str | None = None) -> None:
        self.history.append((position, str(e.originator_id), event_type(e), status, effective_us, to_us(e.timestamp),
                             area, passed, eliminated_year, reason, e.actor, reason_zh))

    def write(self, view: ReadModelView, curs: Any) -> None:
        view.insert_rows(curs, "vl_whitelist_history", HISTORY_COLUMNS, self.history)
        view.insert_rows(curs, "vl_claim_holds", HOLD_COLUMNS, self.holds)
