"""Commands that correct or revise what the province decided earlier: an eligibility decision, a city's or a
provider's quota. Each is a new event beside the old one, never an edit, so the audit trail and every as-of answer
show both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.catalogue import Catalogue
from ledger.commands.base import LedgerApplicationBase
from ledger.programme import check_year
from ledger.enterprise import Enterprise
from ledger.parties import check_city
from ledger.errors import EnterpriseNotFoundError, ProviderNotFoundError, QuotaNotSetError
from ledger.provider import Provider
from ledger.quotas import CityQuota, ProviderQuota
from ledger.recording import By
from ledger.voucher import Voucher, VoucherStatus


@dataclass(frozen=True)
class EligibilityCorrection:
    enterprise_id: UUID
    year: int
    granted: bool
    reasons: tuple[str, ...]
    previously_granted: bool
    network_discount_id: UUID | None  # recorded by this correction (a grant where there was none), else None
    # The enterprise's vouchers of the year that are still redeemable: a correction leaves them as they are; a
    # correction to "refused" is followed, where the province so decides, by revoking them one by one.
    active_voucher_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class QuotaRevision:
    quota_id: UUID
    year: int
    previous_fen: int
    amount_fen: int
    used_fen: int


class CorrectionCommands(LedgerApplicationBase):
    def correct_eligibility(
        self,
        by: By,
        *,
        enterprise_id: UUID,
        year: int,
        prior_year_revenue_fen: int,
        serious_misuse_5y: bool,
        effective_at: datetime,
        reason: str,
    ) -> EligibilityCorrection:
        """Supersede a year's eligibility decision with a new one from corrected facts, judged by the same rules and
        recorded with ``reason`` (``Enterprise.EligibilityCorrected``); a year never decided is refused
        (ELIGIBILITY_NOT_DECIDED): decide it instead.

        Issued vouchers are not touched. A correction from granted to refused stops further issuance for the year,
        but a voucher already issued stays redeemable until the province revokes it (``RevokeVoucher``, with its own
        reason): whether money already claimed on it was proper is a decision about that voucher, not a side effect
        of correcting the enterprise's record. The answer lists those vouchers. The network discount already granted
        stays on record (the carrier gave it; no programme money moves). A correction to granted records the
        carrier's network discount if the enterprise has none for the year, as a first grant would.
        """
        rules = self.year_rules(year)  # a year the programme has: its revenue line and windows judge the facts

        def run() -> EligibilityCorrection:
            enterprise = self._load(enterprise_id, Enterprise, EnterpriseNotFoundError, "enterprise")
            facts = enterprise.check_correction(
                rules=rules,
                prior_year_revenue_fen=prior_year_revenue_fen,
                serious_misuse_5y=serious_misuse_5y,
                effective_at=effective_at,
            )
            previously = enterprise.is_eligible(year)
            grant = None
            if facts.granted and not self._exists(ids.network_discount_id(enterprise.id, year)):
                grant = self._network_discount(by, enterprise, year)  # ledger/commands/parties.py
            enterprise.record_correction(by, facts, reason=reason)
            self._save(enterprise, grant)
            return EligibilityCorrection(
                enterprise_id=enterprise.id,
                year=year,
                granted=facts.granted,
                reasons=tuple(r.value for r in facts.reasons),
                previously_granted=previously,
                network_discount_id=grant.id if grant else None,
                active_voucher_ids=self._active_vouchers(enterprise.id, year),
            )

        return self._run(run)

    def revise_city_quota(self, by: By, *, city: str, year: int, amount_fen: int) -> QuotaRevision:
        """Revise the amount of a city's quota for a year that is already set (QUOTA_NOT_SET otherwise); never below
        what its vouchers already use (QUOTA_BELOW_USAGE). The city's share stays what it was set to."""
        check_year(year)
        check_city(city)
        return self._run(lambda: self._revise(by, self._find(ids.city_quota_id(city, year), CityQuota), amount_fen,
                                              f"no {year} voucher quota is set for city {city}: set it first"))

    def revise_provider_quota(self, by: By, *, provider_id: UUID, year: int, amount_fen: int) -> QuotaRevision:
        """Revise a provider's redemption quota for a year that is already set (QUOTA_NOT_SET otherwise); never below
        what its claims already hold (QUOTA_BELOW_USAGE)."""
        check_year(year)

        def run() -> QuotaRevision:
            self._load(provider_id, Provider, ProviderNotFoundError, "provider")
            quota = self._find(ids.provider_quota_id(provider_id, year), ProviderQuota)
            return self._revise(by, quota, amount_fen,
                                f"no {year} redemption quota is set for provider {provider_id}: set it first")

        return self._run(run)

    # -- shared steps ----------------------------------------------------------------------------------------------
    def _revise(self, by: By, quota: CityQuota | ProviderQuota | None, amount_fen: int, missing: str) -> QuotaRevision:
        if quota is None:
            raise QuotaNotSetError(missing)
        previous = quota.amount_fen
        quota.revise(by, amount_fen=amount_fen)
        self._save(quota)
        return QuotaRevision(quota_id=quota.id, year=quota.year, previous_fen=previous, amount_fen=quota.amount_fen,
                             used_fen=quota.used_fen)

    def _active_vouchers(self, enterprise_id: UUID, year: int) -> tuple[UUID, ...]:
        """The enterprise's still-redeemable vouchers of a year: one id per catalogue item (ids derive from it)."""
        catalogue = self._find(ids.catalogue_id(year), Catalogue)
        if catalogue is None:
            return ()
        found = []
        for item_id in catalogue.items:
            voucher = self._find(ids.voucher_id(enterprise_id, year, item_id), Voucher)
            if voucher is not None and voucher.status is VoucherStatus.ACTIVE:
                found.append(voucher.id)
        return tuple(found)
