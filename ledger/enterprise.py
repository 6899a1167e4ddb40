"""Enterprise: registration, the yearly eligibility decision (一(二)) and its corrections.

A decision is made once per year; a wrong one is never edited. It is superseded by a correction: a new decision for
the same year from corrected declared facts, judged by the same rules, with the reason for the correction. The
latest recorded decision of a year is the one in effect from its effective time on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ledger import ids
from ledger.errors import (
    EffectiveInFutureError,
    EligibilityAlreadyDecidedError,
    EligibilityNotDecidedError,
    InvalidInputError,
)
from ledger.fiscal_time import add_years, require_aware, shanghai_date
from ledger.money import check_fen
from ledger.parties import SHENZHEN, Carrier, check_city, parse_enum
from ledger.programme import YearRules
from ledger.recording import By, LedgerAggregate
from ledger.uscc import validate_uscc



class RefusalReason(StrEnum):
    SHENZHEN_EXCLUDED = "SHENZHEN_EXCLUDED"
    ESTABLISHED_LESS_THAN_ONE_YEAR = "ESTABLISHED_LESS_THAN_ONE_YEAR"
    REVENUE_BELOW_THRESHOLD = "REVENUE_BELOW_THRESHOLD"
    SERIOUS_FUNDS_MISUSE = "SERIOUS_FUNDS_MISUSE"


def eligibility_refusals(
    *, rules: YearRules, city: str, established_on: date, decided_on: date, prior_year_revenue_fen: int,
    serious_misuse_5y: bool,
) -> list[RefusalReason]:
    """Every reason the declared facts fail 一(二) under the year's figures; empty means eligible.

    "Established ≥ N years" is judged on the decision's effective date (Asia/Shanghai); the misuse flag is declared
    for the year's look-back (``rules.misuse_lookback_years``).
    """
    reasons = []
    if city == SHENZHEN:
        reasons.append(RefusalReason.SHENZHEN_EXCLUDED)
    if add_years(established_on, rules.established_years) > decided_on:
        reasons.append(RefusalReason.ESTABLISHED_LESS_THAN_ONE_YEAR)
    if prior_year_revenue_fen < rules.revenue_threshold_fen:
        reasons.append(RefusalReason.REVENUE_BELOW_THRESHOLD)
    if serious_misuse_5y:
        reasons.append(RefusalReason.SERIOUS_FUNDS_MISUSE)
    return reasons


@dataclass(frozen=True)
class EligibilityFacts:
    year: int
    reasons: tuple[RefusalReason, ...]
    prior_year_revenue_fen: int
    serious_misuse_5y: bool
    effective_at: datetime

    @property
    def granted(self) -> bool:
        return not self.reasons


class Enterprise(LedgerAggregate):
    class Registered(LedgerAggregate.Created):
        uscc: str
        name: str
        city: str
        carrier: str
        established_on: date

        def apply(self, e: Enterprise) -> None:
            e.uscc, e.name, e.city, e.carrier = self.uscc, self.name, self.city, self.carrier
            e.established_on = self.established_on
            e.eligibility, e.refusals = {}, {}

    class EligibilityDecided(LedgerAggregate.Event):
        year: int
        granted: bool
        reasons: list[str]
        prior_year_revenue_fen: int
        serious_misuse_5y: bool
        effective_at: datetime

        def apply(self, e: Enterprise) -> None:
            e.eligibility[self.year] = self.granted
            e.refusals[self.year] = list(self.reasons)

    class EligibilityCorrected(LedgerAggregate.Event):
        """A new decision for ``year`` that supersedes the one in effect (``previously_granted``), with ``reason``."""

        year: int
        granted: bool
        reasons: list[str]
        prior_year_revenue_fen: int
        serious_misuse_5y: bool
        effective_at: datetime
        previously_granted: bool
        reason: str

        def apply(self, e: Enterprise) -> None:
            e.eligibility[self.year] = self.granted
            e.refusals[self.year] = list(self.reasons)

    # State (set by the events' apply methods; class-level annotations would become __init__ parameters):
    # uscc, name, city, carrier, established_on, eligibility {year: granted}, refusals {year: [reason codes]}

    @classmethod
    def register(
        cls, by: By, *, uscc: str, name: str, city: str, carrier: str, established_on: date
    ) -> Enterprise:
        uscc = validate_uscc(uscc)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError("an enterprise needs a name")
        if not isinstance(established_on, date) or isinstance(established_on, datetime):
            raise InvalidInputError(f"established_on must be a date, got {established_on!r}")
        if established_on > (registered_on := shanghai_date(by.at)):
            # The establishment date is a fact that has happened, like every effective time the ledger records
            # (ledger/recording.py): a company "established 2030" registered today is a typing error. Judged on the
            # Asia/Shanghai date the registration is recorded, so a company founded today registers today.
            raise EffectiveInFutureError(
                f"established_on {established_on} is later than the day the enterprise is registered "
                f"({registered_on}, Asia/Shanghai): an enterprise is registered once it has been established")
        return cls._start(
            cls.Registered,
            ids.enterprise_id(uscc),
            by,
            uscc=uscc,
            name=name.strip(),
            city=check_city(city),
            carrier=parse_enum(Carrier, carrier, "carrier").value,
            established_on=established_on,
        )

    def check_eligibility(
        self, *, rules: YearRules, prior_year_revenue_fen: int, serious_misuse_5y: bool, effective_at: datetime
    ) -> EligibilityFacts:
        """Judge the declared facts against the year's rules (no state changes): refuses a second decision for the
        year and bad input."""
        year = rules.year
        if year in self.eligibility:
            raise EligibilityAlreadyDecidedError(
                f"eligibility of {self.uscc} for {year} was already decided "
                f"({'granted' if self.eligibility[year] else 'refused'}); send a correction, with its reason, to "
                "supersede it"
            )
        return self._judge(rules, prior_year_revenue_fen, serious_misuse_5y, effective_at)

    def check_correction(
        self, *, rules: YearRules, prior_year_revenue_fen: int, serious_misuse_5y: bool, effective_at: datetime
    ) -> EligibilityFacts:
        """Judge corrected facts against the year's rules, for a year already decided (no state changes); refuses a
        year never decided."""
        year = rules.year
        if year not in self.eligibility:
            raise EligibilityNotDecidedError(
                f"eligibility of {self.uscc} for {year} was never decided: decide it, there is nothing to correct"
            )
        return self._judge(rules, prior_year_revenue_fen, serious_misuse_5y, effective_at)

    def _judge(
        self, rules: YearRules, prior_year_revenue_fen: int, serious_misuse_5y: bool, effective_at: datetime
    ) -> EligibilityFacts:
        check_fen(prior_year_revenue_fen, "prior-year main business revenue")
        if not isinstance(serious_misuse_5y, bool):
            raise InvalidInputError("serious_misuse_5y must be true or false")
        effective_at = require_aware(effective_at, "effective time")
        reasons = eligibility_refusals(
            rules=rules,
            city=self.city,
            established_on=self.established_on,
            decided_on=shanghai_date(effective_at),
            prior_year_revenue_fen=prior_year_revenue_fen,
            serious_misuse_5y=serious_misuse_5y,
        )
        return EligibilityFacts(rules.year, tuple(reasons), prior_year_revenue_fen, serious_misuse_5y, effective_at)

    def record_eligibility(self, by: By, facts: EligibilityFacts) -> None:
        """Record a decision made by :meth:`check_eligibility`; refusals are recorded too, with every reason."""
        self._record(
            self.EligibilityDecided,
            by,
            year=facts.year,
            granted=facts.granted,
            reasons=[r.value for r in facts.reasons],
            prior_year_revenue_fen=facts.prior_year_revenue_fen,
            serious_misuse_5y=facts.serious_misuse_5y,
            effective_at=facts.effective_at,
        )

    def record_correction(self, by: By, facts: EligibilityFacts, *, reason: str) -> None:
        """Record a correction judged by :meth:`check_correction`; it supersedes the decision in effect."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError("a correction of an eligibility decision records its reason")
        self._record(
            self.EligibilityCorrected,
            by,
            year=facts.year,
            granted=facts.granted,
            reasons=[r.value for r in facts.reasons],
            prior_year_revenue_fen=facts.prior_year_revenue_fen,
            serious_misuse_5y=facts.serious_misuse_5y,
            effective_at=facts.effective_at,
            previously_granted=self.eligibility[facts.year],
            reason=reason.strip(),
        )

    def is_eligible(self, year: int) -> bool:
        return self.eligibility.get(year, False)
