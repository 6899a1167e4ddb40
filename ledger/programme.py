"""The programme as data (DOMAIN.md, "Programme years"): a policy and its years, recorded by the province.

Every figure DOMAIN.md calls "configured" and every window of a year belongs to a :class:`ProgrammeYear`; rules are
given a year's :class:`YearRules` and read no constant of their own. The :class:`Programme` names the policy and
lists the years opened, so that one place decides which years exist. The 2018-2020 figures are data too
(``ledger/default_programme.py``), recorded on a store that has no programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger import ids
from ledger.errors import CategoryNotCoveredError, InvalidInputError, InvalidRateError, YearAlreadyOpenError
from ledger.evaluation_rules import EvaluationRules
from ledger.fees import NEVER_COVERED, FeeCategory, parse_category
from ledger.fiscal_time import end_of_day, shanghai_date, start_of_day
from ledger.money import check_fen, to_rate
from ledger.parties import ProviderKind, parse_enum
from ledger.policy import Policy
from ledger.recording import By, LedgerAggregate

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100  # a sanity bound only: which years exist is the programme's to say


class Phase(StrEnum):
    UPCOMING = "UPCOMING"  # before its issuance window
    ISSUING = "ISSUING"  # vouchers are issued (and redeemed)
    REDEEMING = "REDEEMING"  # issuance closed, vouchers still redeemable
    CLOSED = "CLOSED"  # after the redemption deadline


@dataclass(frozen=True)
class Window:
    """Whole days in Asia/Shanghai, both ends included."""

    opens: date
    closes: date

    def __post_init__(self) -> None:
        for day in (self.opens, self.closes):
            if not isinstance(day, date) or isinstance(day, datetime):
                raise InvalidInputError(f"a window is given in dates, got {day!r}")
        if self.closes < self.opens:
            raise InvalidInputError(f"a window cannot close ({self.closes}) before it opens ({self.opens})")

    def contains(self, moment: datetime) -> bool:
        return self.opens <= shanghai_date(moment) <= self.closes

    @property
    def starts_at(self) -> datetime:
        return start_of_day(self.opens)


@dataclass(frozen=True)
class YearRules:
    """One programme year's windows and configured figures, as the rules read them."""

    year: int
    issuance: Window  # vouchers of the year are issued inside it
    redemption_deadline: date  # vouchers of the year are redeemable until the end of this day
    contracts_from: date  # a claim's contract signed before it is not covered
    revenue_threshold_fen: int  # prior-year main business revenue at least this
    min_payment_ratio: Decimal  # payment proven at least this share of the contract amount
    covered_fee_categories: frozenset[FeeCategory]
    established_years: int  # an enterprise established at least this many years
    misuse_lookback_years: int  # no serious misuse of fiscal funds declared for these last years
    evaluation: EvaluationRules  # the resource pool's annual evaluation: formula, lines, next year's quotas
    provider_caps_fen: Mapping[str, int] = field(default_factory=dict)  # default provider quota by kind
    objection_working_days: int = 5  # publicity: the objection window before payment
    applications: Window | None = None  # the published application window, where there is one
    # Whether a claim of the year is paid only after a publicity list (公示) cleared it (ledger/publicity.py). The
    # 2018-2020 default years do not: their claims were recorded before publicity was, and stay payable as approved.
    publicity_required: bool = False
    policy: Policy | None = None  # a successor policy the year runs under (ledger/policy.py); None: the programme's

    @classmethod
    def checked(cls, *, year: object, issuance: Window, redemption_deadline: object, contracts_from: object,
                revenue_threshold_fen: object, min_payment_ratio: object, covered_fee_categories: object,
                established_years: object, misuse_lookback_years: object, evaluation: object,
                provider_caps_fen: object = None, objection_working_days: object = 5,
                applications: Window | None = None, publicity_required: object = False,
                policy: Policy | None = None) -> YearRules:
        year = check_year(year)
        for name, day in (("redemption_deadline", redemption_deadline), ("contracts_from", contracts_from)):
            if not isinstance(day, date) or isinstance(day, datetime):
                raise InvalidInputError(f"{name} must be a date, got {day!r}")
        # The windows of a year in their order: issuance (and applications for it) → redemption. Each window is
        # already in order itself (Window); what follows ties them to each other.
        if redemption_deadline < issuance.closes:  # type: ignore[operator]
            raise InvalidInputError(f"the {year} redemption deadline cannot fall before its issuance window closes")
        if applications is not None and applications.closes > issuance.closes:
            # Vouchers go to applicants: an application after issuance has closed could never get one, and one after
            # the redemption deadline (a black-box review opened such a year) could not even be redeemed.
            raise InvalidInputError(
                f"the {year} application window cannot close ({applications.closes}) after its issuance window "
                f"({issuance.closes}) and redemption deadline ({redemption_deadline}): applications are for vouchers "
                "the year still issues")
        if contracts_from > redemption_deadline:  # type: ignore[operator]
            raise InvalidInputError(
                f"the {year} claims cannot be covered only from contracts dated {contracts_from}, after its "
                f"redemption deadline ({redemption_deadline}): no claim of the year could ever be covered")
        ratio = to_rate(min_payment_ratio, "minimum payment ratio")
        if ratio == 0:
            # DOMAIN.md ("Redemption"): payment proven must be at least 90 % of the contract. A year may configure
            # another share (it is data), but not none: 0 would switch the payment proof off, and every later year
            # opened without a ratio would carry the 0 on.
            raise InvalidRateError(
                f"the {year} minimum payment ratio must be above 0 (at most 1): a claim proves payment of a share of "
                "its contract (DOMAIN.md: 90 %); 0 would accept a claim with nothing paid")
        categories = covered_fee_categories if isinstance(covered_fee_categories, list | tuple | set | frozenset) else None
        if not categories:
            raise InvalidInputError("a programme year covers at least one fee category")
        covered = frozenset(parse_category(c) for c in categories)
        if never := sorted(c.value for c in covered & NEVER_COVERED):
            # A year that listed one would still refuse its claims (ledger/fees.py), but would say it covers what the
            # policy excludes, and every successor year opened without categories would carry it on.
            raise CategoryNotCoveredError(
                f"a programme year cannot cover {', '.join(never)}: automation/intelligent equipment and non-cloud "
                "software are never covered by service vouchers (一(二))")
        caps = provider_caps_fen or {}
        if not isinstance(caps, Mapping):
            raise InvalidInputError("provider caps are given per provider kind")
        if not isinstance(publicity_required, bool):
            raise InvalidInputError(f"publicity_required is true or false, got {publicity_required!r}")
        if not isinstance(evaluation, EvaluationRules):
            raise InvalidInputError("a year's evaluation rules are given as EvaluationRules")
        return cls(
            year=year, issuance=issuance, redemption_deadline=redemption_deadline,  # type: ignore[arg-type]
            contracts_from=contracts_from,  # type: ignore[arg-type]
            revenue_threshold_fen=check_fen(revenue_threshold_fen, "revenue threshold"), min_payment_ratio=ratio,
            covered_fee_categories=covered,
            established_years=_count(established_years, "years established"),
            misuse_lookback_years=_count(misuse_lookback_years, "misuse look-back years"),
            provider_caps_fen={parse_enum(ProviderKind, kind, "provider kind").value: check_fen(cap, f"{kind} cap")
                               for kind, cap in caps.items()},
            objection_working_days=_count(objection_working_days, "objection working days", least=1),
            applications=applications, publicity_required=publicity_required, policy=policy,
            evaluation=evaluation.factors_checked())  # when a year is opened; one recorded before reads back as it was

    # -- what the rules ask --------------------------------------------------------------------------------------
    @property
    def redemption_ends(self) -> datetime:
        """The first instant (UTC) the year's vouchers can no longer be redeemed."""
        return end_of_day(self.redemption_deadline)

    def phase(self, at: datetime) -> Phase:
        day = shanghai_date(at)
        if day < self.issuance.opens:
            return Phase.UPCOMING
        if day <= self.issuance.closes:
            return Phase.ISSUING
        return Phase.REDEEMING if at < self.redemption_ends else Phase.CLOSED

    def is_open(self, at: datetime) -> bool:
        return self.phase(at) in (Phase.ISSUING, Phase.REDEEMING)

    def payment_sufficient(self, paid_fen: int, contract_fen: int) -> bool:
        numerator, denominator = self.min_payment_ratio.as_integer_ratio()
        return paid_fen * denominator >= contract_fen * numerator

    @property
    def payment_percent(self) -> str:
        """The minimum payment as people write it: 0.90 → "90"."""
        return f"{self.min_payment_ratio * 100:.2f}".rstrip("0").rstrip(".")

    def covers(self, category: FeeCategory) -> bool:
        return category in self.covered_fee_categories

    # -- as stored -----------------------------------------------------------------------------------------------
    def as_record(self) -> dict[str, Any]:
        return {
            "year": self.year, "issuance_opens": self.issuance.opens, "issuance_closes": self.issuance.closes,
            "redemption_deadline": self.redemption_deadline, "contracts_from": self.contracts_from,
            "revenue_threshold_fen": self.revenue_threshold_fen, "min_payment_ratio": self.min_payment_ratio,
            "covered_fee_categories": sorted(c.value for c in self.covered_fee_categories),
            "established_years": self.established_years, "misuse_lookback_years": self.misuse_lookback_years,
            "provider_caps_fen": dict(sorted(self.provider_caps_fen.items())),
            "objection_working_days": self.objection_working_days,
            "applications_open": self.applications.opens if self.applications else None,
            "applications_close": self.applications.closes if self.applications else None,
            "publicity_required": self.publicity_required,
            "evaluation": self.evaluation.as_record(),
            "policy": self.policy.as_record() if self.policy else None,
        }

    @classmethod
    def from_record(cls, r: Mapping[str, Any]) -> YearRules:
        applications = (Window(r["applications_open"], r["applications_close"])
                        if r.get("applications_open") is not None else None)
        return cls(
            year=r["year"], issuance=Window(r["issuance_opens"], r["issuance_closes"]),
            redemption_deadline=r["redemption_deadline"], contracts_from=r["contracts_from"],
            revenue_threshold_fen=r["revenue_threshold_fen"], min_payment_ratio=Decimal(r["min_payment_ratio"]),
            covered_fee_categories=frozenset(FeeCategory(c) for c in r["covered_fee_categories"]),
            established_years=r["established_years"], misuse_lookback_years=r["misuse_lookback_years"],
            provider_caps_fen=dict(r["provider_caps_fen"]), objection_working_days=r["objection_working_days"],
            applications=applications, publicity_required=r.get("publicity_required", False),
            evaluation=EvaluationRules.from_record(r["evaluation"]), policy=Policy.from_record(r.get("policy")),
        )


def check_year(year: object) -> int:
    """An integer year inside the sanity bound; whether the programme has it is :class:`Programme`'s to say."""
    if isinstance(year, bool) or not isinstance(year, int) or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidInputError(f"a year must be an integer from {EARLIEST_YEAR} to {LATEST_YEAR}, got {year!r}")
    return year


def _count(value: object, what: str, *, least: int = 0) -> int:
    """A whole number of at least ``least``: objection days at least 1, as a publicity window of none would let a claim
    be paid the day it is listed, before anyone could object."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidInputError(f"{what} must be a whole number ≥ {least}, got {value!r}")
    return value


class Programme(LedgerAggregate):
    """The policy a store runs, and the years the province has opened under it."""

    class Defined(LedgerAggregate.Created):
        name: str
        document_number: str
        policy_date: date  # the policy's own date: contracts before it are not covered

        def apply(self, p: Programme) -> None:
            p.name, p.document_number, p.policy_date, p.years = (
                self.name, self.document_number, self.policy_date, [])

    class YearOpened(LedgerAggregate.Event):
        year: int

        def apply(self, p: Programme) -> None:
            p.years = sorted({*p.years, self.year})

    @classmethod
    def define(cls, by: By, *, name: str, document_number: str, policy_date: date) -> Programme:
        policy = Policy.checked(name=name, document_number=document_number, policy_date=policy_date)
        return cls._start(cls.Defined, ids.programme_id(), by, **vars(policy))

    def open_year(self, by: By, rules: YearRules) -> ProgrammeYear:
        """Open a year: its own aggregate (read by id by every command naming it) and a line in this index."""
        if rules.year in self.years:
            raise YearAlreadyOpenError(f"programme year {rules.year} is already open; its figures are recorded")
        policy_date = rules.policy.policy_date if rules.policy else self.policy_date  # the year's policy's
        if rules.contracts_from < policy_date:
            raise InvalidInputError(f"contracts of {rules.year} cannot be covered from before the policy's date "
                                    f"({policy_date})")
        year = ProgrammeYear.open(by, rules)
        self._record(self.YearOpened, by, year=rules.year)
        return year


class ProgrammeYear(LedgerAggregate):
    class Opened(LedgerAggregate.Created):
        class_version = 3  # v2 added publicity_required and the evaluation rules; v3 the year's own policy

        year: int
        issuance_opens: date
        issuance_closes: date
        redemption_deadline: date
        contracts_from: date
        revenue_threshold_fen: int
        min_payment_ratio: Decimal
        covered_fee_categories: list[str]
        established_years: int
        misuse_lookback_years: int
        provider_caps_fen: dict[str, int]
        objection_working_days: int
        applications_open: date | None
        applications_close: date | None
        publicity_required: bool
        evaluation: dict[str, Any]
        policy: dict[str, str] | None

        upcast_v2_v3 = staticmethod(lambda state: state.update(policy=None))  # before v3: the store's programme's

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["publicity_required"] = False  # years recorded before it had no publicity rule
            # Years recorded before the evaluation was configured read the 2018-2020 policy's figures
            # (ledger/default_programme.py EVALUATION), written out here because stored years must read them for ever.
            state["evaluation"] = {
                "formula": "pool-evaluation-2018-v1", "points_per_star": 20, "unrated_score": 70,
                "complaint_penalty": 5, "failed_spot_check_penalty": 20, "promotion_line": 90, "elimination_line": 60,
                "quota_bands": [[90, "1.2"], [75, "1.0"], [60, "0.8"]],
            }

        def apply(self, y: ProgrammeYear) -> None:
            y.rules = YearRules.from_record(self.__dict__)
            y.year = self.year

    @classmethod
    def open(cls, by: By, rules: YearRules) -> ProgrammeYear:
        return cls._start(cls.Opened, ids.programme_year_id(rules.year), by, **rules.as_record())
