"""Commands of the awards (二, 三; DOMAIN.md "Awards"): the province defines a year's award programmes; an applicant
applies; its city recommends (or declines); the province selects (or refuses), grants and records a recommendation
for national status. Paying and recovering awards: ``ledger/commands/award_payments.py``.

Who may do what is the caller's to check (the API's roles): here ``city`` is the city acting, and a city acts only on
its own city's applications (``AWARD_OTHER_CITY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.award_programmes import ApplicantKind, AwardProgramme, AwardRoster, AwardRules
from ledger.awards import Award
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import (
    AlreadyExistsError,
    AwardApplicantNotAllowedError,
    AwardNotFoundError,
    AwardProgrammeNotFoundError,
    InvalidInputError,
    QuotaNotSetError,
)
from ledger.parties import CITIES, check_city, parse_enum
from ledger.quotas import CityQuota
from ledger.recording import By
from ledger.uscc import validate_uscc


@dataclass(frozen=True)
class AwardState:
    """An award as it stands after a step of its lifecycle: what a caller is answered with, so that no answer has to
    read the award again."""

    award_id: UUID
    year: int
    kind: str
    status: str
    applicant_kind: str
    applicant_id: UUID | None
    applicant_name: str
    city: str
    county: str
    project: str
    contracts: tuple[dict[str, str], ...]
    base_fen: int | None
    nationally_recommended: bool
    title_withdrawn: bool
    amount_fen: int
    city_portion_fen: int
    province_portion_fen: int
    batch_id: UUID | None
    paid_at: datetime | None
    recovery_outstanding_fen: int

    @classmethod
    def of(cls, award: Award) -> AwardState:
        return cls(award_id=award.id, year=award.year, kind=award.kind, status=award.status,
                   applicant_kind=award.applicant_kind, applicant_id=award.applicant_id,
                   applicant_name=award.applicant_name, city=award.city, county=award.county, project=award.project,
                   contracts=tuple(dict(contract) for contract in award.contracts), base_fen=award.base_fen,
                   nationally_recommended=award.nationally_recommended, title_withdrawn=award.title_withdrawn,
                   amount_fen=award.amount_fen, city_portion_fen=award.city_portion_fen,
                   province_portion_fen=award.province_portion_fen, batch_id=award.batch_id, paid_at=award.paid_at,
                   recovery_outstanding_fen=award.outstanding_fen)


class AwardCommands(LedgerApplicationBase):
    def award(self, award_id: UUID) -> Award:
        return self._load(award_id, Award, AwardNotFoundError, "award")

    def award_rules(self, year: int, kind: str) -> AwardRules:
        programme = self._find(ids.award_programme_id(year, str(kind)), AwardProgramme)
        if programme is None:
            raise AwardProgrammeNotFoundError(f"no {kind} award programme is defined for {year}")
        return programme.rules

    def award_roster(self, kind: str) -> AwardRoster | None:
        """The awards of ``kind`` holding a selected place now (kept only for a programme with such a cap)."""
        return self._find(ids.award_roster_id(str(kind)), AwardRoster)

    def define_award_programme(self, by: By, *, year: int, kind: str, name: str, applicants: tuple[str, ...],
                               amount_rule: str, amount_fen: int | None = None, rate: object = None,
                               cap_fen: int | None = None, max_selected: int | None = None,
                               city_share: object = None) -> UUID:
        """Define a year's award programme of one kind (its rules are data of the year; never edited)."""
        self.year_rules(year)
        rules = AwardRules.checked(year=year, kind=kind, name=name, applicants=applicants, amount_rule=amount_rule,
                                   amount_fen=amount_fen, rate=rate, cap_fen=cap_fen, max_selected=max_selected,
                                   city_share=city_share)

        def run() -> UUID:
            if self._exists(ids.award_programme_id(year, rules.kind.value)):
                raise AlreadyExistsError(f"the {year} {rules.kind} award programme is defined; it is never edited")
            programme = AwardProgramme.define(by, rules)
            self._save(programme)
            return programme.id

        return self._run(run)

    def apply_for_award(self, by: By, *, award_id: UUID, year: int, kind: str, applicant_kind: str,
                        project: str, applicant_id: UUID | None = None, applicant_name: str | None = None,
                        city: str | None = None, county: str | None = None,
                        contracts: tuple[tuple[str, str], ...] = (), base_fen: int | None = None) -> UUID:
        """Apply for an award of ``kind`` in ``year``. An enterprise or provider applies as itself (``applicant_id``;
        an enterprise's city is where it is registered); a government names its city (and county). ``contracts``:
        (provider USCC, contract no.) of the project the award would fund."""
        rules = self.award_rules(year, kind)
        who = ApplicantKind(parse_enum(ApplicantKind, applicant_kind, "applicant kind"))
        if who not in rules.applicants:
            raise AwardApplicantNotAllowedError(
                f"the {year} {rules.kind} programme takes applications from "
                f"{', '.join(sorted(a.value for a in rules.applicants))}, not {who}")
        named = [_contract(uscc, number) for uscc, number in contracts]

        def run() -> UUID:
            if self._exists(award_id):
                raise AlreadyExistsError(f"award {award_id} exists already")
            applicant_city, name, the_county = self._applicant(who, applicant_id, applicant_name, city, county)
            award = Award.apply_for(by, award_id=award_id, rules=rules, applicant_kind=who, applicant_id=applicant_id,
                                    applicant_name=name, city=applicant_city, county=the_county, project=project,
                                    contracts=named, base_fen=base_fen)
            self._save(award)
            return award.id

        return self._run(run)

    def recommend_award(self, by: By, *, award_id: UUID, city: str, opinion: str = "") -> AwardState:
        """Its city recommends the application to the province."""
        return self._on_award(award_id, lambda award: award.recommend(by, city=check_city(city), opinion=opinion))

    def refuse_award(self, by: By, *, award_id: UUID, reason: str, city: str | None = None) -> AwardState:
        """Refuse the application, with the reason: by its city (``city``: not recommended) or by the province."""
        return self._on_award(award_id, lambda award: award.refuse(
            by, reason=reason, city=None if city is None else check_city(city)))

    def select_award(self, by: By, *, award_id: UUID) -> AwardState:
        """The province selects a recommended application; a programme with a cap "at any time" counts it on its
        kind's roster in the same transaction (``AWARD_SELECTION_CAP_REACHED`` when full)."""

        def run() -> AwardState:
            award = self.award(award_id)
            rules = self.award_rules(award.year, award.kind)
            changed: list[object] = [award]
            if rules.max_selected is not None:
                roster = (self._find(ids.award_roster_id(rules.kind.value), AwardRoster)
                          or AwardRoster.start(by, rules.kind))
                roster.require_place(rules.max_selected)
                award.select(by, rules=rules, holds_place=True)
                roster.take(by, award_id=award.id, year=award.year, limit=rules.max_selected)
                changed.append(roster)
            else:
                award.select(by, rules=rules, holds_place=False)
            self._save(*changed)
            return AwardState.of(award)

        return self._run(run)

    def recommend_award_nationally(self, by: By, *, award_id: UUID, note: str = "") -> AwardState:
        """Record that the province recommended a selected award for national status."""
        return self._on_award(award_id, lambda award: award.recommend_nationally(by, note=note))

    def grant_award(self, by: By, *, award_id: UUID, amount_fen: int | None = None) -> int:
        """Grant a selected award its amount by its programme's rule (``amount_fen`` only where the province decides
        it, case by case), split between province and city; returns the amount (0: a title without money)."""

        def run() -> int:
            award = self.award(award_id)
            award.require_grantable()  # its state first: a withdrawn title is refused as such, whatever its amount
            rules = self.award_rules(award.year, award.kind)
            amount = rules.amount_for(base_fen=award.base_fen, decided_fen=amount_fen)
            share = rules.city_share
            if share is None:
                quota = self._find(ids.city_quota_id(award.city, award.year), CityQuota)
                if quota is None:
                    raise QuotaNotSetError(f"city {award.city} has no {award.year} share configured to split the "
                                           "award by; the programme sets none of its own")
                share = quota.city_share
            award.grant(by, amount_fen=amount, city_share=share)
            # One item of work is funded once: the contracts of a granted project are funded by the award, in the
            # grant's transaction (ALREADY_FUNDED if a voucher claim or another fund holds one). Each key records the
            # award's whole amount: the award funds the project, not a share of it per contract. A title without
            # money funds nothing.
            keys = [self._contract_funded_by_award(by, award_id=award.id, provider_id=UUID(contract["provider_id"]),
                                                   contract_no=contract["contract_no"], amount_fen=amount,
                                                   effective_at=by.at)
                    for contract in award.contracts] if amount > 0 else []
            self._save(award, *keys)
            return amount

        return self._run(run)

    # -- helpers -------------------------------------------------------------------------------------------------------
    def _on_award(self, award_id: UUID, change) -> AwardState:
        def run() -> AwardState:
            award = self.award(award_id)
            change(award)
            self._save(award)
            return AwardState.of(award)

        return self._run(run)

    def _applicant(self, who: ApplicantKind, applicant_id: UUID | None, name: str | None, city: str | None,
                   county: str | None) -> tuple[str, str, str]:
        """(city, name, county) of the applicant, from its own record where it has one."""
        if who in (ApplicantKind.ENTERPRISE, ApplicantKind.PROVIDER):
            if applicant_id is None:
                raise InvalidInputError(f"an application of a {who} names it (applicant_id)")
            if who == ApplicantKind.ENTERPRISE:
                enterprise = self.enterprise(applicant_id)
                if city is not None and city != enterprise.city:
                    raise InvalidInputError(f"the enterprise is registered in {enterprise.city}, not {city}: it "
                                            "applies in its own city")
                return enterprise.city, enterprise.name, ""
            provider = self.provider(applicant_id)
            if city is None:
                raise InvalidInputError("a provider's application names the city of its project")
            return check_city(city), provider.name, ""
        if applicant_id is not None:
            raise InvalidInputError("a government applies by its city (and county), not an id")
        if city is None:
            raise InvalidInputError("a government's application names its city")
        check_city(city)
        if who == ApplicantKind.COUNTY_GOVERNMENT:
            if not isinstance(county, str) or not county.strip():
                raise InvalidInputError("a county government's application names its county")
            return city, (name or f"{county.strip()}人民政府"), county.strip()
        return city, (name or f"{CITIES[city][0]}市人民政府"), ""


def _contract(uscc: object, number: object) -> dict[str, str]:
    provider_uscc = validate_uscc(uscc)
    if not isinstance(number, str) or not ids.evidence_number(number):
        raise InvalidInputError("a contract of the project is named by its provider's USCC and its number")
    return {"provider_uscc": provider_uscc, "provider_id": str(ids.provider_id(provider_uscc)),
            "contract_no": ids.evidence_number(number)}
