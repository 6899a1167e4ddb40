"""Commands about the parties: enterprises and their eligibility, providers and the whitelist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from ledger import ids
from ledger.commands.base import LedgerApplicationBase
from ledger.discounts import CarrierDiscountRates, NetworkDiscountGrant
from ledger.enterprise import Enterprise
from ledger.errors import (
    AlreadyExistsError,
    CarrierRateNotSetError,
    EnterpriseNotFoundError,
    ProviderNotFoundError,
)
from ledger.programme import check_year
from ledger.provider import Provider
from ledger.quotas import ProviderQuota
from ledger.recording import By
from ledger.uscc import validate_uscc


@dataclass(frozen=True)
class EligibilityDecision:
    enterprise_id: UUID
    year: int
    granted: bool
    reasons: tuple[str, ...]
    network_discount_id: UUID | None


class PartyCommands(LedgerApplicationBase):
    # -- enterprises ----------------------------------------------------------------------------------------------
    def register_enterprise(
        self, by: By, *, uscc: str, name: str, city: str, carrier: str, established_on: date
    ) -> UUID:
        def run() -> UUID:
            enterprise = Enterprise.register(
                by, uscc=uscc, name=name, city=city, carrier=carrier, established_on=established_on
            )
            if self._exists(enterprise.id):
                raise AlreadyExistsError(f"enterprise {enterprise.uscc} is already registered")
            self._save(enterprise)
            return enterprise.id

        return self._run(run)

    def _network_discount(self, by: By, enterprise: Enterprise, year: int) -> NetworkDiscountGrant:
        """The carrier's network discount that a grant of eligibility brings, at the year's configured rate."""
        schedule = self._find(ids.carrier_rates_id(year), CarrierDiscountRates)
        if schedule is None:
            raise CarrierRateNotSetError(f"no carrier network discount rates are configured for {year}")
        return NetworkDiscountGrant.grant(by, enterprise_id=enterprise.id, year=year, carrier=enterprise.carrier,
                                          rate=schedule.rate_for(enterprise.carrier))

    def enterprise(self, enterprise_id: UUID) -> Enterprise:
        return self._load(enterprise_id, Enterprise, EnterpriseNotFoundError, "enterprise")

    def enterprise_by_uscc(self, uscc: str) -> Enterprise:
        return self.enterprise(ids.enterprise_id(validate_uscc(uscc)))

    def decide_eligibility(
        self,
        by: By,
        *,
        enterprise_id: UUID,
        year: int,
        prior_year_revenue_fen: int,
        serious_misuse_5y: bool,
        effective_at: datetime,
    ) -> EligibilityDecision:
        """Decide a year's eligibility; a grant records the carrier's network discount in the same transaction."""
        rules = self.year_rules(year)

        def run() -> EligibilityDecision:
            enterprise = self.enterprise(enterprise_id)
            facts = enterprise.check_eligibility(
                rules=rules,
                prior_year_revenue_fen=prior_year_revenue_fen,
                serious_misuse_5y=serious_misuse_5y,
                effective_at=effective_at,
            )
            grant = self._network_discount(by, enterprise, year) if facts.granted else None
            enterprise.record_eligibility(by, facts)
            self._save(enterprise, grant)
            return EligibilityDecision(
                enterprise_id=enterprise.id,
                year=year,
                granted=facts.granted,
                reasons=tuple(r.value for r in facts.reasons),
                network_discount_id=grant.id if grant else None,
            )

        return self._run(run)

    # -- providers -------------------------------------------------------------------------------------------------
    def admit_provider(self, by: By, *, uscc: str, name: str, kind: str) -> UUID:
        def run() -> UUID:
            provider = Provider.admit(by, uscc=uscc, name=name, kind=kind)
            if self._exists(provider.id):
                raise AlreadyExistsError(f"provider {provider.uscc} is already in the resource pool")
            self._save(provider)
            return provider.id

        return self._run(run)

    def provider(self, provider_id: UUID) -> Provider:
        return self._load(provider_id, Provider, ProviderNotFoundError, "provider")

    def set_provider_quota(self, by: By, *, provider_id: UUID, year: int, amount_fen: int) -> UUID:
        """Set a provider's redemption quota for a year, or revise it (never below what claims hold)."""
        self.year_rules(year)

        def run() -> UUID:
            self.provider(provider_id)
            quota = self._find(ids.provider_quota_id(provider_id, year), ProviderQuota)
            if quota is None:
                quota = ProviderQuota.set(by, provider_id=provider_id, year=year, amount_fen=amount_fen)
            else:
                quota.revise(by, amount_fen=amount_fen)
            self._save(quota)
            return quota.id

        return self._run(run)

    def eliminate_provider(self, by: By, *, provider_id: UUID, year: int, rating: str, effective_at: datetime) -> str:
        """Eliminate from the pool for ``year`` (permanent for that year); returns the provider's whitelist status."""
        check_year(year)  # out of the pool for a year that may not be open yet (the evaluation is for next year)

        def run() -> str:
            provider = self.provider(provider_id)
            provider.eliminate(by, year=year, rating=rating, effective_at=effective_at)
            self._save(provider)
            return provider.status

        return self._run(run)
