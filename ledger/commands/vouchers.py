"""Commands on vouchers and their claims: issue, claim, approve, reject, reverse, expire, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.catalogue import Catalogue
from ledger.claim_key import ClaimKey
from ledger.claims import ClaimEvidence
from ledger.commands.parties import PartyCommands
from ledger.errors import (
    BatchNotFoundError,
    CatalogueNotPublishedError,
    DuplicateClaimError,
    DuplicateVoucherError,
    NotCurrentYearError,
    NotEligibleError,
    QuotaNotSetError,
    ShenzhenExcludedError,
    VoucherExpiredError,
    VoucherNotFoundError,
)
from ledger.fiscal_time import fiscal_year
from ledger.parties import SHENZHEN
from ledger.quotas import CityQuota, ProviderQuota
from ledger.recording import By
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher


@dataclass(frozen=True)
class IssuedVoucher:
    voucher_id: UUID
    face_value_fen: int
    city_portion_fen: int
    province_portion_fen: int
    expires_at: datetime


@dataclass(frozen=True)
class ClaimReceipt:
    voucher_id: UUID
    claim_id: UUID
    amount_fen: int
    balance_after_fen: int


class VoucherCommands(PartyCommands):
    def voucher(self, voucher_id: UUID) -> Voucher:
        return self._load(voucher_id, Voucher, VoucherNotFoundError, "voucher")

    def catalogue(self, year: int) -> Catalogue:
        catalogue = self._find(ids.catalogue_id(year), Catalogue)
        if catalogue is None:
            raise CatalogueNotPublishedError(f"no catalogue is published for {year}")
        return catalogue

    def city_quota(self, city: str, year: int) -> CityQuota:
        quota = self._find(ids.city_quota_id(city, year), CityQuota)
        if quota is None:
            raise QuotaNotSetError(f"no {year} voucher quota is set for city {city}")
        return quota

    def provider_quota(self, provider_id: UUID, year: int) -> ProviderQuota:
        quota = self._find(ids.provider_quota_id(provider_id, year), ProviderQuota)
        if quota is None:
            raise QuotaNotSetError(f"no {year} redemption quota is set for provider {provider_id}")
        return quota

    def issue_voucher(self, by: By, *, enterprise_id: UUID, year: int, item_id: str) -> IssuedVoucher:
        """Issue a voucher for one item of the current year's catalogue; consumes the city's quota atomically."""

        def run() -> IssuedVoucher:
            enterprise = self.enterprise(enterprise_id)
            if enterprise.city == SHENZHEN:
                raise ShenzhenExcludedError("Shenzhen enterprises never receive provincial vouchers")
            if fiscal_year(by.at) != year:
                raise NotCurrentYearError(
                    f"vouchers are issued from the current year's catalogue; {by.at.isoformat()} is in fiscal "
                    f"year {fiscal_year(by.at)}, not {year}"
                )
            if not enterprise.is_eligible(year):
                raise NotEligibleError(f"enterprise {enterprise.uscc} has no granted eligibility for {year}")
            catalogue = self.catalogue(year)
            item = catalogue.item(item_id)
            if by.at >= catalogue.expires_at:
                raise VoucherExpiredError(f"the {year} redemption window closed at {catalogue.expires_at}")
            voucher_id = ids.voucher_id(enterprise.id, year, item.item_id)
            if self._exists(voucher_id):
                raise DuplicateVoucherError(
                    f"enterprise {enterprise.uscc} already holds a {year} voucher for item {item.item_id}"
                )
            quota = self.city_quota(enterprise.city, year)
            voucher = Voucher.issue(
                by,
                voucher_id=voucher_id,
                enterprise_id=enterprise.id,
                city=enterprise.city,
                year=year,
                catalogue_id=catalogue.id,
                item=item,
                city_share=quota.city_share,
                expires_at=catalogue.expires_at,
            )
            quota.use(by, ref=voucher.id, amount_fen=item.cap_fen)
            self._commit(voucher, quota)
            return IssuedVoucher(
                voucher_id=voucher.id,
                face_value_fen=voucher.face_value_fen,
                city_portion_fen=voucher.city_portion_fen,
                province_portion_fen=voucher.province_portion_fen,
                expires_at=voucher.expires_at,
            )

        return self._run(run)

    def claim(
        self,
        by: By,
        *,
        voucher_id: UUID,
        claim_id: UUID,
        provider_id: UUID,
        evidence: ClaimEvidence,
        fee_category: str,
        eligible_fee_fen: int,
    ) -> ClaimReceipt:
        """Redeem part of a voucher. Holds the subsidy against the voucher and the provider's quota, and records
        each contract + invoice pair, all in one transaction."""

        def run() -> ClaimReceipt:
            voucher = self.voucher(voucher_id)
            provider = self.provider(provider_id)
            checked = evidence.checked(by.at)  # validated and trimmed: the claim keys are derived from it
            for invoice_no in checked.invoice_nos:
                if self._exists(ids.claim_key_id(provider.id, checked.contract_no, invoice_no)):
                    raise DuplicateClaimError(
                        f"contract {checked.contract_no} with invoice {invoice_no} of provider {provider.uscc} "
                        "has already been claimed"
                    )
            provider.require_whitelisted(by.at)
            quota = self.provider_quota(provider.id, voucher.year)
            priced = voucher.price_claim(
                by,
                claim_id=claim_id,
                provider_id=provider.id,
                evidence=checked,
                fee_category=fee_category,
                eligible_fee_fen=eligible_fee_fen,
            )
            quota.require_room(priced.amount_fen)
            voucher.record_claim(by, priced)
            quota.use(by, ref=voucher.id, claim_id=claim_id, amount_fen=priced.amount_fen)
            keys = [
                ClaimKey.register(
                    by,
                    provider_id=provider.id,
                    contract_no=checked.contract_no,
                    invoice_no=invoice_no,
                    voucher_id=voucher.id,
                    claim_id=claim_id,
                )
                for invoice_no in checked.invoice_nos
            ]
            self._commit(voucher, quota, *keys)
            return ClaimReceipt(voucher.id, claim_id, priced.amount_fen, voucher.balance_fen)

        return self._run(run)

    def approve_claim(self, by: By, *, voucher_id: UUID, claim_id: UUID) -> None:
        """Approve after review and public announcement."""

        def run() -> None:
            voucher = self.voucher(voucher_id)
            voucher.approve(by, claim_id=claim_id)
            self._commit(voucher)

        self._run(run)

    def reject_claim(self, by: By, *, voucher_id: UUID, claim_id: UUID, reason: str) -> int:
        """Reject in review; the held amount goes back to the voucher and the provider's quota. Returns it."""

        def run() -> int:
            voucher = self.voucher(voucher_id)
            provider_id = voucher.claim(claim_id).provider_id
            freed = voucher.reject(by, claim_id=claim_id, reason=reason)
            self._commit(voucher, *self._release(by, voucher, provider_id, claim_id, freed, "claim rejected"))
            return freed

        return self._run(run)

    def reverse_claim(self, by: By, *, voucher_id: UUID, claim_id: UUID, reason: str, effective_at: datetime) -> int:
        """Reverse a claim. Before settlement it frees the held amount; after, it raises a recovery (追回) on the
        batch that paid it. Returns the amount recovered (0 before settlement)."""

        def run() -> int:
            voucher = self.voucher(voucher_id)
            claim = voucher.claim(claim_id)
            freed, recovery = voucher.reverse(by, claim_id=claim_id, reason=reason, effective_at=effective_at)
            changed: list[Any] = self._release(by, voucher, claim.provider_id, claim_id, freed, "claim reversed")
            if recovery:
                batch = self._load(claim.batch_id, SettlementBatch, BatchNotFoundError, "settlement batch")
                batch.raise_recovery(
                    by, claim_id=claim_id, amount_fen=recovery, reason=reason, effective_at=effective_at
                )
                changed.append(batch)
            self._commit(voucher, *changed)
            return recovery

        return self._run(run)

    def expire_voucher(self, by: By, *, voucher_id: UUID) -> int:
        """After the deadline, expire the voucher; its unused value returns to the city quota. Returns it."""

        def run() -> int:
            voucher = self.voucher(voucher_id)
            returned = voucher.expire(by)
            self._commit(voucher, *self._return_to_city(by, voucher, returned, "voucher expired"))
            return returned

        return self._run(run)

    def revoke_voucher(self, by: By, *, voucher_id: UUID, reason: str) -> int:
        def run() -> int:
            voucher = self.voucher(voucher_id)
            returned = voucher.revoke(by, reason=reason)
            self._commit(voucher, *self._return_to_city(by, voucher, returned, "voucher revoked"))
            return returned

        return self._run(run)

    # -- shared steps ----------------------------------------------------------------------------------------------
    def _release(
        self, by: By, voucher: Voucher, provider_id: UUID, claim_id: UUID, freed: int, reason: str
    ) -> list[Any]:
        """A claim gave back ``freed`` fen: release it from the provider's quota, and from a voucher that can no
        longer be redeemed, back to the city's quota."""
        if not freed:
            return []
        quota = self.provider_quota(provider_id, voucher.year)
        quota.give_back(by, ref=voucher.id, claim_id=claim_id, amount_fen=freed, reason=reason)
        changed: list[Any] = [quota]
        if voucher.return_freed_value(by, claim_id=claim_id, freed_fen=freed):
            changed += self._return_to_city(by, voucher, freed, reason)
        return changed

    def _return_to_city(self, by: By, voucher: Voucher, amount: int, reason: str) -> list[Any]:
        if not amount:
            return []
        quota = self.city_quota(voucher.city, voucher.year)
        quota.give_back(by, ref=voucher.id, amount_fen=amount, reason=reason)
        return [quota]
