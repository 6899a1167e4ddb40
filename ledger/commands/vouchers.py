"""Commands on vouchers and their claims: issue, claim, approve, reject, reverse, expire, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.catalogue import Catalogue
from ledger.claim_rules import ClaimFacts, judge_claim
from ledger.claims import ClaimEvidence
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import (
    BatchNotFoundError,
    CatalogueNotPublishedError,
    DuplicateVoucherError,
    NotCurrentYearError,
    NotEligibleError,
    QuotaNotSetError,
    ShenzhenExcludedError,
    VoucherExpiredError,
    VoucherNotFoundError,
    first_refusal,
)
from ledger.fiscal_time import shanghai_date, shanghai_text
from ledger.programme import YearRules
from ledger.parties import SHENZHEN
from ledger.provider import Provider
from ledger.quotas import CityQuota, ProviderQuota
from ledger.recording import By
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher
from ledger.voucher_claims import PricedClaim


@dataclass(frozen=True)
class IssuedVoucher:
    voucher_id: UUID
    face_value_fen: int
    city_portion_fen: int
    province_portion_fen: int
    expires_at: datetime


@dataclass(frozen=True)
class ClaimChange:
    """What a review, reversal or release did to a claim: its status after, and what it gave back or raised."""

    voucher_id: UUID
    claim_id: UUID
    status: str
    freed_fen: int = 0  # given back to the voucher and the provider's quota
    recovery_fen: int = 0  # raised as a recovery (追回) on the batch that paid it


@dataclass(frozen=True)
class ClaimReceipt:
    voucher_id: UUID
    claim_id: UUID
    amount_fen: int
    balance_after_fen: int


class VoucherCommands(LedgerApplicationBase):
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
            rules = self.year_rules(year)
            if not rules.issuance.contains(by.at):
                raise NotCurrentYearError(
                    f"{year} vouchers are issued from {rules.issuance.opens} to {rules.issuance.closes} "
                    f"(Asia/Shanghai); it is {shanghai_date(by.at)}"
                )
            if not enterprise.is_eligible(year):
                raise NotEligibleError(f"enterprise {enterprise.uscc} has no granted eligibility for {year}")
            catalogue = self.catalogue(year)
            item = catalogue.item(item_id)
            if by.at >= catalogue.expires_at:
                raise VoucherExpiredError(f"the {year} redemption window closed at {shanghai_text(catalogue.expires_at)}")
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
            self._save(voucher, quota)
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
        on_behalf_of: UUID | None = None,
    ) -> ClaimReceipt:
        """Redeem part of a voucher. Holds the subsidy against the voucher and the provider's quota, and the
        claim's invoices and its part of the contract, all in one transaction. A claim that breaks any rule is
        refused with the first in DOMAIN.md's order, listing them all (``ledger.claim_rules``); on a store whose
        older claims hold no keys yet, refused until they are derived (``ledger.commands.evidence_guard``). ``on_behalf_of``: the submitting
        enterprise, when one does; another enterprise's voucher is then judged as an unknown one."""
        self._refuse_claims_until_derived()

        def run() -> ClaimReceipt:
            voucher = self._find(voucher_id, Voucher)
            if voucher is not None and on_behalf_of is not None and voucher.enterprise_id != on_behalf_of:
                voucher = None
            provider = self._find(provider_id, Provider)
            quota = (self._find(ids.provider_quota_id(provider_id, voucher.year), ProviderQuota)
                     if voucher is not None and provider is not None else None)
            invoice_keys, contract_key = self._evidence_keys(provider_id, evidence)
            rules = self._claim_rules(voucher, by)
            judgement = judge_claim(ClaimFacts(
                at=by.at, claim_id=claim_id, voucher_id=voucher_id, provider_id=provider_id, evidence=evidence,
                fee_category=fee_category, eligible_fee_fen=eligible_fee_fen, voucher=voucher, provider=provider,
                provider_quota=quota, invoice_keys=invoice_keys, contract_key=contract_key, rules=rules))
            if judgement.refusals:
                raise first_refusal(list(judgement.refusals))
            assert voucher is not None and quota is not None and judgement.evidence is not None
            checked, fee = judgement.evidence, judgement.eligible_fee_fen
            voucher.record_claim(by, PricedClaim(claim_id, provider_id, checked, voucher.fee_category, fee,
                                                 judgement.amount_fen))
            quota.use(by, ref=voucher.id, claim_id=claim_id, amount_fen=judgement.amount_fen)
            keys = self._hold_invoices(by, claim_id=claim_id, voucher_id=voucher.id, provider_id=provider_id,
                                       invoice_nos=checked.invoice_nos, invoice_keys=invoice_keys)
            contract = self._hold_contract_part(
                by, claim_id=claim_id, voucher_id=voucher.id, provider_id=provider_id, contract_no=checked.contract_no,
                contract_amount_fen=checked.contract_amount_fen, eligible_fee_fen=fee, contract_key=contract_key)
            self._save(voucher, quota, *keys, contract)
            return ClaimReceipt(voucher.id, claim_id, judgement.amount_fen, voucher.balance_fen)

        return self._run(run)

    def approve_claim(self, by: By, *, voucher_id: UUID, claim_id: UUID) -> ClaimChange:
        """Approve after review and public announcement."""

        def run() -> ClaimChange:
            voucher = self.voucher(voucher_id)
            voucher.approve(by, claim_id=claim_id)
            self._save(voucher)
            return ClaimChange(voucher_id, claim_id, voucher.claim(claim_id).status.value)

        return self._run(run)

    def reject_claim(self, by: By, *, voucher_id: UUID, claim_id: UUID, reason: str) -> ClaimChange:
        """Reject in review; the held amount goes back to the voucher and the provider's quota (``freed_fen``), and
        the claim's invoices and contract part are released (the enterprise may correct and resubmit them)."""

        def run() -> ClaimChange:
            voucher = self.voucher(voucher_id)
            claim = voucher.claim(claim_id)
            freed = voucher.reject(by, claim_id=claim_id, reason=reason)
            self._save(voucher, *self._release(by, voucher, claim.provider_id, claim_id, freed, "claim rejected"),
                         *self._release_evidence(by, voucher.id, claim, "claim rejected"))
            return ClaimChange(voucher_id, claim_id, voucher.claim(claim_id).status.value, freed_fen=freed)

        return self._run(run)

    def reverse_claim(
        self, by: By, *, voucher_id: UUID, claim_id: UUID, reason: str, effective_at: datetime
    ) -> ClaimChange:
        """Reverse a claim. Before settlement it frees the held amount (``freed_fen``); after, it raises a recovery
        (追回) on the batch that paid it (``recovery_fen``)."""

        def run() -> ClaimChange:
            voucher = self.voucher(voucher_id)
            change, changed = self._reversal(by, voucher, claim_id, reason, effective_at)
            self._save(voucher, *changed)
            return change

        return self._run(run)

    def _reversal(self, by: By, voucher: Voucher, claim_id: UUID, reason: str,
                  effective_at: datetime) -> tuple[ClaimChange, list[Any]]:
        """Reverse a claim on ``voucher`` (not saved): its answer and the other aggregates it changed."""
        claim = voucher.claim(claim_id)
        freed, recovery = voucher.reverse(by, claim_id=claim_id, reason=reason, effective_at=effective_at)
        changed: list[Any] = self._release(by, voucher, claim.provider_id, claim_id, freed, "claim reversed")
        if recovery:
            batch = self._load(claim.batch_id, SettlementBatch, BatchNotFoundError, "settlement batch")
            batch.raise_recovery(by, claim_id=claim_id, amount_fen=recovery, reason=reason, effective_at=effective_at)
            changed.append(batch)
        return ClaimChange(voucher.id, claim_id, voucher.claim(claim_id).status.value, freed_fen=freed,
                           recovery_fen=recovery), changed

    def expire_voucher(self, by: By, *, voucher_id: UUID) -> int:
        """After the deadline, expire the voucher; its unused value returns to the city quota. Returns it."""

        def run() -> int:
            voucher = self.voucher(voucher_id)
            returned = voucher.expire(by)
            self._save(voucher, *self._return_to_city(by, voucher, returned, "voucher expired"))
            return returned

        return self._run(run)

    def revoke_voucher(self, by: By, *, voucher_id: UUID, reason: str) -> int:
        def run() -> int:
            voucher = self.voucher(voucher_id)
            returned = voucher.revoke(by, reason=reason)
            self._save(voucher, *self._return_to_city(by, voucher, returned, "voucher revoked"))
            return returned

        return self._run(run)

    # -- shared steps ----------------------------------------------------------------------------------------------
    def _claim_rules(self, voucher: Voucher | None, by: By) -> YearRules | None:
        """The year a claim is judged by: its voucher's; for an unknown voucher (refused anyway, but every rule it
        breaks is listed), the latest opened year whose issuance had begun when the claim was made."""
        if voucher is not None:
            return self.year_rules(voucher.year)
        years = self.years_until(by.at)
        return self.year_rules(years[-1]) if years else None

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
