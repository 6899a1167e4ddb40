"""Commands that set up a programme year: catalogue, city quotas, carrier and cloud discount rates."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger import ids
from ledger.catalogue import Catalogue, CatalogueItem
from ledger.commands.base import LedgerApplicationBase
from ledger.discounts import CarrierDiscountRates, CloudDiscountAgreement
from ledger.errors import AlreadyExistsError, CityShareFixedError, ProviderNotFoundError
from ledger.money import to_rate
from ledger.provider import Provider
from ledger.quotas import CityQuota
from ledger.recording import By


class ProgrammeCommands(LedgerApplicationBase):
    def publish_catalogue(
        self, by: By, *, year: int, items: list[CatalogueItem], redemption_deadline: date | None = None
    ) -> UUID:
        """Publish the year's catalogue. It is never edited: a second publication for the year is refused. Its
        vouchers are redeemable until the year's deadline: ``redemption_deadline`` may be left out, and if given must
        be the year's (``CATALOGUE_DEADLINE_MISMATCH``)."""
        rules = self.year_rules(year)

        def run() -> UUID:
            if self._exists(ids.catalogue_id(year)):
                raise AlreadyExistsError(f"the {year} catalogue is already published; catalogues are never edited")
            catalogue = Catalogue.publish(by, year=year, items=items,
                                          redemption_deadline=redemption_deadline or rules.redemption_deadline,
                                          covered=rules.covered_fee_categories,
                                          issuance_closes=rules.issuance.closes,
                                          year_deadline=rules.redemption_deadline)
            self._save(catalogue)
            return catalogue.id

        return self._run(run)

    def set_city_quota(self, by: By, *, city: str, year: int, amount_fen: int, city_share: object) -> UUID:
        """Set a city's quota for a year, or revise its amount (never below what is already issued)."""
        self.year_rules(year)

        def run() -> UUID:
            quota = self._find(ids.city_quota_id(city, year), CityQuota)
            if quota is None:
                quota = CityQuota.set(by, city=city, year=year, amount_fen=amount_fen, city_share=city_share)
            else:
                if to_rate(city_share, "city share") != quota.city_share:
                    raise CityShareFixedError(
                        f"the {year} city share of {city} is {quota.city_share}; issued vouchers are split by it, "
                        "so it cannot change within the year"
                    )
                quota.revise(by, amount_fen=amount_fen)
            self._save(quota)
            return quota.id

        return self._run(run)

    def set_carrier_rates(self, by: By, *, year: int, rates: dict[str, object]) -> UUID:
        """Configure (or revise) the carriers' network discount rates for a year; each must be ≥ 30 %."""
        self.year_rules(year)

        def run() -> UUID:
            schedule = self._find(ids.carrier_rates_id(year), CarrierDiscountRates)
            if schedule is None:
                schedule = CarrierDiscountRates.set(by, year=year, rates=rates)
            else:
                schedule.revise(by, rates=rates)
            self._save(schedule)
            return schedule.id

        return self._run(run)

    def record_cloud_agreement(self, by: By, *, provider_id: UUID, year: int, rate: object) -> UUID:
        """A public-cloud provider's discount agreement for a year (applies to all enterprises automatically)."""
        self.year_rules(year)
        self._load(provider_id, Provider, ProviderNotFoundError, "provider")

        def run() -> UUID:
            if self._exists(ids.cloud_agreement_id(provider_id, year)):
                raise AlreadyExistsError(f"provider {provider_id} already has a {year} cloud discount agreement")
            agreement = CloudDiscountAgreement.agree(by, provider_id=provider_id, year=year, rate=rate)
            self._save(agreement)
            return agreement.id

        return self._run(run)
