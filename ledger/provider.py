"""Provider: the supply resource pool (三(三)) and the security whitelist (一(四)).

A provider is on the whitelist when it has passed at least one security assessment and the latest result in every
assessed area is a pass. A failed assessment or spot check suspends it (no new claims, approved claims held from
settlement); a passed re-assessment of every failing area reinstates it. "Latest" is by effective time, whatever the
order the results were recorded in (:mod:`ledger.whitelist_status`, the one rule, shared with the read model). A low
annual rating eliminates it from the pool for that fiscal year, for good.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from ledger import ids
from ledger import whitelist_status as rule
from ledger.errors import (
    AlreadyExistsError,
    InvalidInputError,
    ProviderEliminatedError,
    ProviderNotWhitelistedError,
    ProviderSuspendedError,
)
from ledger.fiscal_time import fiscal_year, require_aware
from ledger.parties import ProviderKind, parse_enum
from ledger.recording import By, LedgerAggregate
from ledger.uscc import validate_uscc
from ledger.whitelist_status import AreaResult, WhitelistStatus

__all__ = ["AssessmentArea", "AssessmentKind", "Provider", "WhitelistStatus"]


class AssessmentArea(StrEnum):
    NETWORK = "NETWORK"
    DATA = "DATA"
    APPLICATION = "APPLICATION"
    DEVICE = "DEVICE"
    CONTROL = "CONTROL"


class AssessmentKind(StrEnum):
    ASSESSMENT = "ASSESSMENT"  # 评估
    SPOT_CHECK = "SPOT_CHECK"  # 抽查


class Provider(LedgerAggregate):
    class Admitted(LedgerAggregate.Created):
        uscc: str
        name: str
        kind: str

        def apply(self, p: Provider) -> None:
            p.uscc, p.name, p.kind = self.uscc, self.name, self.kind
            p.results, p.eliminated_years = [], []  # results: every assessment, in recording order
            p.spot_checks = {}  # fiscal year of the check's effect -> [passed, failed], for the annual evaluation

    class AssessmentRecorded(LedgerAggregate.Event):
        area: str
        kind: str
        passed: bool
        assessor: str
        report_ref: str
        effective_at: datetime

        def apply(self, p: Provider) -> None:
            p.results.append(AreaResult(self.area, self.passed, self.effective_at, len(p.results), self.kind))
            if self.kind == AssessmentKind.SPOT_CHECK:
                tally = p.spot_checks.setdefault(fiscal_year(self.effective_at), [0, 0])
                tally[0 if self.passed else 1] += 1

    # Suspended and Whitelisted announce what an assessment changed (audit trail, reasons); the status itself is
    # worked out from the assessments, so a store holding announcements of the earlier rule reads by the rule now.
    class Suspended(LedgerAggregate.Event):
        class_version = 2  # v2 names the failed assessment that suspended it (kind, area); v1 only said so in reason

        reason: str
        failing_areas: list[str]
        effective_at: datetime
        kind: str | None  # the failed assessment's kind (ASSESSMENT, SPOT_CHECK); None: recorded before v2
        area: str | None  # and its area (NETWORK, DATA, ...)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["kind"] = state["area"] = None  # v1 named them only in its English reason

        def apply(self, p: Provider) -> None:
            pass

    class Whitelisted(LedgerAggregate.Event):
        """Entered the whitelist (first pass) or was reinstated (``reinstated``)."""

        reinstated: bool
        effective_at: datetime

        def apply(self, p: Provider) -> None:
            pass

    class Eliminated(LedgerAggregate.Event):
        year: int
        rating: str
        effective_at: datetime

        def apply(self, p: Provider) -> None:
            p.eliminated_years.append(self.year)

    @classmethod
    def admit(cls, by: By, *, uscc: str, name: str, kind: str) -> Provider:
        uscc = validate_uscc(uscc)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError("a provider needs a name")
        return cls._start(
            cls.Admitted,
            ids.provider_id(uscc),
            by,
            uscc=uscc,
            name=name.strip(),
            kind=parse_enum(ProviderKind, kind, "provider kind").value,
        )

    def record_assessment(
        self, by: By, *, area: str, kind: str, passed: bool, assessor: str, report_ref: str, effective_at: datetime
    ) -> None:
        """Record the result, then announce every status change it makes, from its effective time on."""
        if not isinstance(passed, bool):
            raise InvalidInputError("passed must be true or false")
        if not isinstance(assessor, str) or not assessor.strip():
            raise InvalidInputError("an assessment records its assessor")
        effective_at = require_aware(effective_at, "effective time")
        area_value = parse_enum(AssessmentArea, area, "assessment area").value
        kind_value = parse_enum(AssessmentKind, kind, "assessment kind").value
        before = list(self.results)
        self._record(
            self.AssessmentRecorded,
            by,
            area=area_value,
            kind=kind_value,
            passed=passed,
            assessor=assessor.strip(),
            report_ref=str(report_ref or ""),
            effective_at=effective_at,
        )
        # A result recorded late may change the status at times after its own (a failure moves a suspension back,
        # or suspends until a pass already recorded; a pass before a failure changes nothing from that failure on).
        for change, was in rule.changes_to_announce(before, self.results):
            if change.status == WhitelistStatus.SUSPENDED:
                cause = change.cause
                self._record(
                    self.Suspended,
                    by,
                    reason=rule.suspension_reason(cause.kind, cause.area),
                    failing_areas=list(change.failing_areas),
                    effective_at=change.effective,
                    kind=cause.kind,
                    area=cause.area,
                )
            elif change.status == WhitelistStatus.WHITELISTED:
                self._record(
                    self.Whitelisted,
                    by,
                    reinstated=WhitelistStatus.SUSPENDED in (change.previous, was),
                    effective_at=change.effective,
                )

    @property
    def status(self) -> str:
        """The status now: from the last result's effective time on (no result takes effect after it is recorded)."""
        return rule.status_at(self.results).value

    @property
    def suspended_from(self) -> datetime | None:
        """The effective time the current suspension began (None when not suspended)."""
        changes = rule.timeline(self.results)
        if not changes or changes[-1].status != WhitelistStatus.SUSPENDED:
            return None
        return changes[-1].effective

    def status_at(self, at: datetime) -> str:
        return rule.status_at(self.results, at).value

    def eliminate(self, by: By, *, year: int, rating: str, effective_at: datetime) -> None:
        if year in self.eliminated_years:
            raise AlreadyExistsError(f"provider {self.uscc} is already eliminated for {year}")
        self._record(
            self.Eliminated, by, year=year, rating=str(rating), effective_at=require_aware(effective_at, "effective time")
        )

    def spot_checks_in(self, year: int) -> tuple[int, int]:
        """(passed, failed) spot checks with effect in fiscal ``year``."""
        passed, failed = self.spot_checks.get(year, (0, 0))
        return passed, failed

    def is_eliminated(self, year: int) -> bool:
        return year in self.eliminated_years

    def require_whitelisted(self, at: datetime, programme_year: int | None = None) -> None:
        """May this provider take a new claim, or be paid, at ``at``, on a voucher of ``programme_year``?

        Out of the pool for the fiscal year of ``at``, and for the voucher's programme year too: a successor year may
        issue (and be claimed on) before its 1 January, and an elimination for it must hold there as well."""
        for year in (fiscal_year(at),) if programme_year is None else (fiscal_year(at), programme_year):
            if year in self.eliminated_years:
                raise ProviderEliminatedError(f"provider {self.uscc} was eliminated from the resource pool for {year}")
        status = self.status_at(at)
        if status == WhitelistStatus.SUSPENDED:
            raise ProviderSuspendedError(f"provider {self.uscc} is suspended from the security whitelist")
        if status != WhitelistStatus.WHITELISTED:
            raise ProviderNotWhitelistedError(
                f"provider {self.uscc} has not yet passed a security assessment, so it is not on the whitelist"
            )

    def require_payable(self) -> None:
        """Suspension holds settlement of approved claims; elimination does not (the work was done while pooled)."""
        if self.status == WhitelistStatus.SUSPENDED:
            raise ProviderSuspendedError(
                f"provider {self.uscc} is suspended from the whitelist: its approved claims are held from settlement"
            )
        if self.status != WhitelistStatus.WHITELISTED:
            raise ProviderNotWhitelistedError(f"provider {self.uscc} is not on the security whitelist")
