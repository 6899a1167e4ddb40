"""Commands on the programme itself: its policy, the years the province opens, and the training mark of a store.

Every command that names a year reads it here (:meth:`ProgrammeYearCommands.year_rules`): a year nobody opened is
refused with ``YEAR_NOT_IN_PROGRAMME``, whatever the command, so that one place decides which years exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from ledger import default_programme, ids
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import CategoryNotCoveredError, InvalidInputError, InvalidRateError, YearNotInProgrammeError
from ledger.evaluation_rules import EvaluationRules
from ledger.fees import NEVER_COVERED
from ledger.policy import Policy
from ledger.programme import Programme, ProgrammeYear, Window, YearRules, check_year
from ledger.recording import By
from ledger.training import TrainingMark

OPEN_A_YEAR = "the province opens a year with `voucher-ledger programme open-year` or POST /v1/programme/years"


class ProgrammeYearCommands(LedgerApplicationBase):
    # -- reading ---------------------------------------------------------------------------------------------------
    def programme(self) -> Programme | None:
        return self._find(ids.programme_id(), Programme)

    def year_rules(self, year: object) -> YearRules:
        """The rules of an opened programme year; any other year is refused (``YEAR_NOT_IN_PROGRAMME``)."""
        checked = check_year(year)
        opened = self._find(ids.programme_year_id(checked), ProgrammeYear)
        if opened is None:
            raise YearNotInProgrammeError(f"{checked} is not a year of the programme: {OPEN_A_YEAR}")
        return opened.rules

    def programme_years(self) -> list[YearRules]:
        programme = self.programme()
        return [self.year_rules(year) for year in (programme.years if programme else ())]

    def years_until(self, moment: datetime) -> list[int]:
        """The opened years whose issuance began by ``moment``: the years anything can have happened in by then."""
        return [rules.year for rules in self.programme_years() if rules.issuance.starts_at <= moment]

    # -- the programme and its years ---------------------------------------------------------------------------------
    def define_programme(self, by: By, *, name: str, document_number: str, policy_date: date,
                         years: Iterable[YearRules] = ()) -> bool:
        """Record the policy a store runs, with its first years, in one transaction, unless the store runs one
        already (two processes opening a new store at once both try: one records it). True if recorded now."""
        years = tuple(years)

        def run() -> bool:
            if self.programme() is not None:
                return False
            programme = Programme.define(by, name=name, document_number=document_number, policy_date=policy_date)
            opened = [programme.open_year(by, rules) for rules in years]
            self._save(programme, *opened)
            return True

        return self._run(run)

    def record_default_programme(self, by: By) -> bool:
        """On a store with no programme, record the default one; True if it was recorded now."""
        return self.define_programme(by, name=default_programme.NAME, document_number=default_programme.DOCUMENT_NUMBER,
                                     policy_date=default_programme.POLICY_DATE, years=default_programme.YEARS)

    def open_year(self, by: By, *, year: int, redemption_deadline: date, issuance_opens: date | None = None,
                  issuance_closes: date | None = None, contracts_from: date | None = None,
                  revenue_threshold_fen: int | None = None, min_payment_ratio: object = None,
                  covered_fee_categories: Iterable[str] | None = None, established_years: int | None = None,
                  misuse_lookback_years: int | None = None, provider_caps_fen: Mapping[str, int] | None = None,
                  objection_working_days: int | None = None, applications_open: date | None = None,
                  applications_close: date | None = None, publicity_required: bool | None = None,
                  evaluation: EvaluationRules | None = None, policy: Policy | None = None) -> YearRules:
        """Open a programme year. What is not given is the figure of the latest year opened before it (its policy
        too: a successor policy goes on until another is given; contracts are covered from the year's policy's date);
        the issuance window is the year's fiscal year unless given."""
        check_year(year)
        if (applications_open is None) != (applications_close is None):
            raise InvalidInputError("an application window needs both its first and its last day")

        def run() -> YearRules:
            programme = self.programme()
            if programme is None:
                raise YearNotInProgrammeError(f"this store runs no programme yet: {OPEN_A_YEAR}")
            earlier = [y for y in programme.years if y < year]
            before = self.year_rules(max(earlier or programme.years)) if programme.years else None

            def given(value: object, name: str) -> object:
                if value is not None:
                    return value
                if before is None:
                    raise InvalidInputError(f"the programme's first year needs its {name}")
                return getattr(before, name)

            if before is not None and covered_fee_categories is None:
                # A year recorded before YearRules.checked refused such categories: never carried on to another.
                if carried := sorted(c.value for c in before.covered_fee_categories & NEVER_COVERED):
                    raise CategoryNotCoveredError(
                        f"{before.year} lists {', '.join(carried)}, which service vouchers never cover (一(二)): give "
                        "this year's covered_fee_categories")
            # Likewise a figure YearRules.checked now refuses, in a year recorded before: said where it came from.
            if before is not None and min_payment_ratio is None and before.min_payment_ratio == 0:
                raise InvalidRateError(
                    f"{before.year} has a minimum payment ratio of 0, which switches the payment proof off: give this "
                    "year's min_payment_ratio (DOMAIN.md: 0.90)")
            if before is not None and objection_working_days is None and before.objection_working_days < 1:
                raise InvalidInputError(
                    f"{before.year} has an objection window of {before.objection_working_days} working days: give "
                    "this year's objection_working_days (at least 1)")
            runs_under = policy if policy is not None else before.policy if before is not None else None
            rules = YearRules.checked(
                year=year,
                issuance=Window(issuance_opens or date(year, 1, 1), issuance_closes or date(year, 12, 31)),
                redemption_deadline=redemption_deadline,
                contracts_from=contracts_from or (runs_under or programme).policy_date,
                revenue_threshold_fen=given(revenue_threshold_fen, "revenue_threshold_fen"),
                min_payment_ratio=given(min_payment_ratio, "min_payment_ratio"),
                covered_fee_categories=list(given(covered_fee_categories, "covered_fee_categories")),  # type: ignore[call-overload]
                established_years=given(established_years, "established_years"),
                misuse_lookback_years=given(misuse_lookback_years, "misuse_lookback_years"),
                evaluation=given(evaluation, "evaluation"),
                provider_caps_fen=given(provider_caps_fen, "provider_caps_fen"),
                objection_working_days=given(objection_working_days, "objection_working_days"),
                applications=Window(applications_open, applications_close) if applications_open else None,
                publicity_required=given(publicity_required, "publicity_required"), policy=runs_under,
            )
            opened = programme.open_year(by, rules)
            self._save(programme, opened)
            return rules

        return self._run(run)

    # -- the training mark -------------------------------------------------------------------------------------------
    def training_mark(self) -> TrainingMark | None:
        return self._find(ids.training_mark_id(), TrainingMark)

    def mark_training(self, by: By, *, clock_started_at: datetime, real_started_at: datetime | None = None) -> bool:
        """Mark the store as written on a training clock (once, for ever); True if it was marked now."""

        def run() -> bool:
            if self.training_mark() is not None:
                return False
            self._save(TrainingMark.mark(by, clock_started_at=clock_started_at, real_started_at=real_started_at))
            return True

        return self._run(run)
