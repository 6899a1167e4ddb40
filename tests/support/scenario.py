"""A small world to write tests in the policy's own words: a year set up, enterprises, providers, vouchers, claims.

Figures are chosen to be checked by hand: an application-service item pays 50 % up to 100,000 RMB, a device-access
item 30 % up to 50,000 RMB, a network-renovation item 40 % up to 30,000 RMB; Foshan co-funds 40 % of its vouchers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from ledger.application import VoucherLedger
from ledger.catalogue import CatalogueItem
from ledger.claims import ClaimEvidence
from ledger.commands.vouchers import ClaimReceipt, IssuedVoucher
from ledger.money import WAN_YUAN, YUAN
from ledger.recording import By
from ledger.uscc import make_uscc

FOSHAN, DONGGUAN, SHENZHEN, SHAOGUAN = "440600", "441900", "440300", "440200"

DEFAULT_ITEMS = (
    ("APP-ERP", "ERP/MES 上云 application service", "APPLICATION_SERVICE", "0.50", 100_000 * YUAN),
    ("DEV-ACCESS", "设备上云 device access", "DEVICE_ACCESS", "0.30", 50_000 * YUAN),
    ("NET-RENO", "企业内网改造 network renovation", "NETWORK_RENOVATION", "0.40", 30_000 * YUAN),
)
DEFAULT_CITY_QUOTAS = {FOSHAN: (500 * WAN_YUAN, "0.40"), DONGGUAN: (300 * WAN_YUAN, "0.35"), SHAOGUAN: (20 * WAN_YUAN, "0.20")}
DEFAULT_CARRIER_RATES = {"CHINA_TELECOM": "0.30", "CHINA_MOBILE": "0.35", "CHINA_UNICOM": "0.32"}
PROVIDER_QUOTA_FEN = 500 * WAN_YUAN  # 5,000,000 RMB: the quota of an ordinary provider
REVENUE_OK_FEN = 1_200 * WAN_YUAN  # 12,000,000 RMB main business revenue last year


@dataclass
class World:
    app: VoucherLedger
    now: datetime
    year: int = 2019
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def with_year(cls, app: VoucherLedger, year: int = 2019) -> World:
        world = cls(app=app, now=datetime(year, 3, 1, 9, 0, tzinfo=UTC), year=year)
        world.setup_year(year)
        return world

    # -- time and actors -------------------------------------------------------------------------------------------
    def by(self, actor: str = "province:ops", *, at: datetime | None = None, correlation_id: str | None = None) -> By:
        return By(actor=actor, at=at or self.now, correlation_id=correlation_id)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def serial(self) -> int:
        return next(self._serial)

    # -- programme set-up ------------------------------------------------------------------------------------------
    def setup_year(
        self,
        year: int,
        *,
        items=DEFAULT_ITEMS,
        city_quotas=None,
        carrier_rates=None,
        redemption_deadline: date | None = None,
    ) -> None:
        by = self.by(at=min(self.now, datetime(year, 1, 2, tzinfo=UTC)) if self.now.year == year else None)
        programme = self.app.programme()
        if programme is None or year not in programme.years:  # a year after the default programme's: opened as data
            self.app.open_year(by, year=year, redemption_deadline=redemption_deadline or date(year + 1, 2, 8))
        self.app.set_carrier_rates(by, year=year, rates=dict(carrier_rates or DEFAULT_CARRIER_RATES))
        self.app.publish_catalogue(
            by,
            year=year,
            items=[CatalogueItem.checked(*item) for item in items],
            redemption_deadline=redemption_deadline or date(year + 1, 2, 8),
        )
        for city, (amount, share) in (city_quotas or DEFAULT_CITY_QUOTAS).items():
            self.app.set_city_quota(by, city=city, year=year, amount_fen=amount, city_share=share)

    def new_uscc(self, city: str = FOSHAN) -> str:
        return make_uscc(f"91{city}MA{self.serial():07d}")

    def enterprise(
        self,
        *,
        city: str = FOSHAN,
        carrier: str = "CHINA_MOBILE",
        established_on: date = date(2010, 6, 1),
        eligible_for: int | None = None,
        revenue_fen: int = REVENUE_OK_FEN,
        misuse: bool = False,
    ) -> UUID:
        """Register an enterprise; with ``eligible_for`` also decide that year's eligibility from its facts."""
        enterprise_id = self.app.register_enterprise(
            self.by(), uscc=self.new_uscc(city), name=f"Factory {self.serial()}", city=city, carrier=carrier,
            established_on=established_on,
        )
        if eligible_for is not None:
            self.app.decide_eligibility(
                self.by(), enterprise_id=enterprise_id, year=eligible_for, prior_year_revenue_fen=revenue_fen,
                serious_misuse_5y=misuse, effective_at=self.now,
            )
        return enterprise_id

    def eligible_enterprise(self, **kwargs) -> UUID:
        return self.enterprise(eligible_for=self.year, **kwargs)

    def provider(
        self, *, kind: str = "PLATFORM", quota_fen: int | None = PROVIDER_QUOTA_FEN, whitelisted: bool = True
    ) -> UUID:
        provider_id = self.app.admit_provider(
            self.by(), uscc=self.new_uscc("440100"), name=f"Cloud Platform {self.serial()}", kind=kind
        )
        if whitelisted:
            self.assess(provider_id, passed=True)
        if quota_fen is not None:
            self.app.set_provider_quota(self.by(), provider_id=provider_id, year=self.year, amount_fen=quota_fen)
        return provider_id

    def assess(self, provider_id: UUID, *, passed: bool, area: str = "NETWORK", kind: str = "ASSESSMENT") -> str:
        return self.app.record_assessment(
            self.by("assessor:cnitsec"), provider_id=provider_id, area=area, kind=kind, passed=passed,
            assessor="国家级信息安全评测机构", report_ref=f"RPT-{self.serial()}", effective_at=self.now,
        )

    # -- vouchers and claims ---------------------------------------------------------------------------------------
    def issue(self, enterprise_id: UUID, item_id: str = "APP-ERP") -> IssuedVoucher:
        return self.app.issue_voucher(self.by(), enterprise_id=enterprise_id, year=self.year, item_id=item_id)

    def evidence(
        self,
        *,
        contract_amount_fen: int,
        paid_fen: int | None = None,
        contract_no: str | None = None,
        invoice_nos: tuple[str, ...] | None = None,
        signed_at: datetime | None = None,
        accepted_at: datetime | None = None,
    ) -> ClaimEvidence:
        n = self.serial()
        signed = signed_at or self.now - timedelta(days=30)
        return ClaimEvidence(
            contract_no=contract_no or f"HT-{n:06d}",
            contract_date=signed,
            contract_amount_fen=contract_amount_fen,
            invoice_nos=invoice_nos or (f"INV-{n:06d}",),
            payment_proven_fen=contract_amount_fen if paid_fen is None else paid_fen,
            payment_proof_ref=f"BANK-{n:06d}",
            acceptance_report_ref=f"ACC-{n:06d}",
            accepted_at=accepted_at or max(signed, self.now - timedelta(days=1)),
            no_other_funding=True,
        )

    def claim(
        self,
        voucher_id: UUID,
        provider_id: UUID,
        *,
        eligible_fee_fen: int,
        fee_category: str = "APPLICATION_SERVICE",
        evidence: ClaimEvidence | None = None,
        claim_id: UUID | None = None,
        actor: str = "enterprise",
    ) -> ClaimReceipt:
        return self.app.claim(
            self.by(actor),
            voucher_id=voucher_id,
            claim_id=claim_id or uuid4(),
            provider_id=provider_id,
            evidence=evidence or self.evidence(contract_amount_fen=eligible_fee_fen),
            fee_category=fee_category,
            eligible_fee_fen=eligible_fee_fen,
        )

    def approved_claim(self, voucher_id: UUID, provider_id: UUID, *, eligible_fee_fen: int) -> ClaimReceipt:
        receipt = self.claim(voucher_id, provider_id, eligible_fee_fen=eligible_fee_fen)
        self.app.approve_claim(self.by(), voucher_id=voucher_id, claim_id=receipt.claim_id)
        return receipt

    def paid_batch(self, provider_id: UUID, receipts: list[ClaimReceipt], period: str = "2019-04"):
        batch_id = uuid4()
        self.app.open_batch(self.by(), batch_id=batch_id, provider_id=provider_id, period=period)
        for receipt in receipts:
            self.app.add_to_batch(self.by(), batch_id=batch_id, voucher_id=receipt.voucher_id, claim_id=receipt.claim_id)
        return self.app.pay_batch(self.by(), batch_id=batch_id, effective_at=self.now)
