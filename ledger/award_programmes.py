"""Award programmes of a programme year (二, 三; DOMAIN.md "Awards"): what the province configures for each kind.

The policy names the kinds and who selects, never an amount: every figure is configured per year by the province
(``AwardProgramme.Defined``), beside the year's other data. An amount follows one of four rules:

=============  ===========================================================================================
FIXED          the programme's amount (a benchmark project's 奖补, a finance pilot "by the benchmark standard")
RATE           rate × the base the applicant declared (e.g. R&D spend for a key platform's 研发费用事后奖补),
               rounded down to the fen, at most the cap
CASE_BY_CASE   decided by the province at the grant (一事一议: innovation centres), at most the cap if one is set
TITLE          a title without money (a demonstration base may be one): granted with 0 fen, nothing to pay
=============  ===========================================================================================

The province/city split of an award is its city's share like a voucher's (the city's configured share of that year,
its ``CityQuota``) unless the programme sets its own (e.g. 0: the province pays it all). A cap of awards selected
*at any time* (key platforms: at most 20) is kept on one :class:`AwardRoster` per kind, across years.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.errors import AwardAmountError, AwardBaseRequiredError, AwardSelectionCapError, InvalidInputError
from ledger.money import apply_rate, check_fen, to_rate
from ledger.parties import parse_enum
from ledger.recording import By, LedgerAggregate


class AwardKind(StrEnum):
    BENCHMARK_PROJECT = "BENCHMARK_PROJECT"  # 标杆示范项目 (二(一))
    DEMONSTRATION_BASE = "DEMONSTRATION_BASE"  # 示范基地 (二(二))
    FINANCE_PILOT = "FINANCE_PILOT"  # 金融服务试点示范 (二(三))
    KEY_PLATFORM = "KEY_PLATFORM"  # 重点平台企业 (三(一))
    INNOVATION_CENTRE = "INNOVATION_CENTRE"  # 创新中心 (三(四))


class ApplicantKind(StrEnum):
    ENTERPRISE = "ENTERPRISE"
    PROVIDER = "PROVIDER"
    CITY_GOVERNMENT = "CITY_GOVERNMENT"  # 地市政府
    COUNTY_GOVERNMENT = "COUNTY_GOVERNMENT"  # 县区政府


class AmountRule(StrEnum):
    FIXED = "FIXED"
    RATE = "RATE"
    CASE_BY_CASE = "CASE_BY_CASE"
    TITLE = "TITLE"


@dataclass(frozen=True)
class AwardRules:
    """One award programme's configuration, as the lifecycle reads it."""

    year: int
    kind: AwardKind
    name: str
    applicants: frozenset[ApplicantKind]
    amount_rule: AmountRule
    amount_fen: int | None = None  # FIXED
    rate: Decimal | None = None  # RATE
    cap_fen: int | None = None  # RATE, CASE_BY_CASE: at most this per award (None: no cap)
    max_selected: int | None = None  # at most this many selected and holding a place at any time (None: no cap)
    city_share: Decimal | None = None  # None: the city's configured share of the year, like a voucher's

    @classmethod
    def checked(cls, *, year: int, kind: object, name: object, applicants: object, amount_rule: object,
                amount_fen: object = None, rate: object = None, cap_fen: object = None, max_selected: object = None,
                city_share: object = None) -> AwardRules:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError("an award programme has a name")
        if not isinstance(applicants, list | tuple | set | frozenset) or not applicants:
            raise InvalidInputError("an award programme says who may apply (enterprise, provider, city or county "
                                    "government)")
        rule = AmountRule(parse_enum(AmountRule, amount_rule, "amount rule"))
        needs = {AmountRule.FIXED: {"amount_fen"}, AmountRule.RATE: {"rate"}}.get(rule, set())
        given = {k for k, v in (("amount_fen", amount_fen), ("rate", rate)) if v is not None}
        if given != needs:
            raise InvalidInputError(f"an award of rule {rule} is configured with {sorted(needs) or 'no amount or rate'}"
                                    f", got {sorted(given) or 'none'}")
        if rule in (AmountRule.FIXED, AmountRule.TITLE) and cap_fen is not None:
            raise InvalidInputError(f"an award of rule {rule} has no cap: its amount is fixed")
        if max_selected is not None and (isinstance(max_selected, bool) or not isinstance(max_selected, int)
                                         or max_selected < 1):
            raise InvalidInputError(f"the number selected at any time is a whole number ≥ 1, got {max_selected!r}")
        return cls(
            year=year, kind=AwardKind(parse_enum(AwardKind, kind, "award kind")), name=name.strip(),
            applicants=frozenset(ApplicantKind(parse_enum(ApplicantKind, a, "applicant kind")) for a in applicants),
            amount_rule=rule,
            amount_fen=None if amount_fen is None else check_fen(amount_fen, "award amount", allow_zero=False),
            rate=None if rate is None else to_rate(rate, "award rate"),
            cap_fen=None if cap_fen is None else check_fen(cap_fen, "award cap", allow_zero=False),
            max_selected=max_selected,  # type: ignore[arg-type]
            city_share=None if city_share is None else to_rate(city_share, "award city share"),
        )

    def require_base(self, base_fen: object) -> None:
        """A RATE programme's amount is its rate of the base the application declares: an application without one
        could never be granted, so it is refused before it is recommended or takes a place (``AWARD_BASE_REQUIRED``)."""
        if self.amount_rule == AmountRule.RATE and base_fen is None:
            raise AwardBaseRequiredError(f"a {self.year} {self.kind} award is {self.rate} of a base the application "
                                         "declares (base_fen, e.g. the year's R&D spend): it declared none")

    def amount_for(self, *, base_fen: int | None, decided_fen: int | None) -> int:
        """The amount an award of this programme is granted: the rule's, or refused (``AWARD_AMOUNT_INVALID``)."""
        if self.amount_rule in (AmountRule.FIXED, AmountRule.TITLE, AmountRule.RATE) and decided_fen is not None:
            raise AwardAmountError(f"a {self.kind} award of {self.year} follows its rule ({self.amount_rule}); the "
                                   "province does not decide its amount")
        if self.amount_rule == AmountRule.FIXED:
            return self.amount_fen  # type: ignore[return-value]
        if self.amount_rule == AmountRule.TITLE:
            return 0
        if self.amount_rule == AmountRule.RATE:
            if base_fen is None:
                raise AwardAmountError(f"a {self.kind} award is {self.rate} of a base the application declares; "
                                       "it declared none")
            amount = apply_rate(base_fen, self.rate)  # type: ignore[arg-type]
            return amount if self.cap_fen is None else min(amount, self.cap_fen)
        if decided_fen is None:
            raise AwardAmountError(f"a {self.kind} award is decided case by case (一事一议): the grant names it")
        amount = check_fen(decided_fen, "award amount", allow_zero=False)
        if self.cap_fen is not None and amount > self.cap_fen:
            raise AwardAmountError(f"{amount} fen is more than the {self.year} {self.kind} cap of {self.cap_fen} fen")
        return amount

    def as_record(self) -> dict[str, Any]:
        return {"year": self.year, "kind": self.kind.value, "name": self.name,
                "applicants": sorted(a.value for a in self.applicants), "amount_rule": self.amount_rule.value,
                "amount_fen": self.amount_fen, "rate": self.rate, "cap_fen": self.cap_fen,
                "max_selected": self.max_selected, "city_share": self.city_share}

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> AwardRules:
        return cls(year=r["year"], kind=AwardKind(r["kind"]), name=r["name"],
                   applicants=frozenset(ApplicantKind(a) for a in r["applicants"]),
                   amount_rule=AmountRule(r["amount_rule"]), amount_fen=r["amount_fen"],
                   rate=None if r["rate"] is None else Decimal(r["rate"]), cap_fen=r["cap_fen"],
                   max_selected=r["max_selected"],
                   city_share=None if r["city_share"] is None else Decimal(r["city_share"]))


class AwardProgramme(LedgerAggregate):
    """An award programme of a programme year, defined once by the province (a new year is a new programme)."""

    class Defined(LedgerAggregate.Created):
        year: int
        kind: str
        name: str
        applicants: list[str]
        amount_rule: str
        amount_fen: int | None
        rate: Decimal | None
        cap_fen: int | None
        max_selected: int | None
        city_share: Decimal | None

        def apply(self, p: AwardProgramme) -> None:
            p.rules = AwardRules.from_record(self.__dict__)

    @classmethod
    def define(cls, by: By, rules: AwardRules) -> AwardProgramme:
        return cls._start(cls.Defined, ids.award_programme_id(rules.year, rules.kind.value), by, **rules.as_record())


class AwardRoster(LedgerAggregate):
    """The awards of one kind holding a selected place now, whatever their year (a cap "at any time")."""

    class Started(LedgerAggregate.Created):
        kind: str

        def apply(self, r: AwardRoster) -> None:
            r.kind, r.seats = self.kind, []

    class PlaceTaken(LedgerAggregate.Event):
        award_id: UUID
        year: int

        def apply(self, r: AwardRoster) -> None:
            r.seats = [*r.seats, self.award_id]

    class PlaceReleased(LedgerAggregate.Event):
        award_id: UUID
        reason: str

        def apply(self, r: AwardRoster) -> None:
            r.seats = [s for s in r.seats if s != self.award_id]

    @classmethod
    def start(cls, by: By, kind: AwardKind) -> AwardRoster:
        return cls._start(cls.Started, ids.award_roster_id(kind.value), by, kind=kind.value)

    def require_place(self, limit: int) -> None:
        if len(self.seats) >= limit:
            raise AwardSelectionCapError(
                f"{len(self.seats)} {self.kind} awards are selected already: at most {limit} at any time")

    def take(self, by: By, *, award_id: UUID, year: int, limit: int) -> None:
        self.require_place(limit)
        self._record(self.PlaceTaken, by, award_id=award_id, year=year)

    def release(self, by: By, *, award_id: UUID, reason: str) -> None:
        if award_id in self.seats:
            self._record(self.PlaceReleased, by, award_id=award_id, reason=reason)
