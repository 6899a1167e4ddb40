"""Setting up the ledger for the command benchmarks, through the application API only (never timed).

A 2021 programme year, opened as data after the default 2018-2020 years (carrier rates, catalogue, generous city quotas), whitelisted providers with large quotas,
eligible enterprises, and vouchers. Shapes follow ``tests/support/scenario.py``; the figures are chosen so that no quota or
voucher balance runs out during a run (a refusal would be counted, but would measure the wrong thing).
"""

from __future__ import annotations


import itertools
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from ledger.application import VoucherLedger
from ledger.catalogue import CatalogueItem
from ledger.commands import values as v
from ledger.claims import ClaimEvidence
from ledger.money import WAN_YUAN, YUAN
from ledger.parties import VOUCHER_CITIES
from ledger.recording import By
from ledger.uscc import make_uscc

# A year the benchmarks open themselves, so that they choose its redemption deadline: the HTTP benchmarks need one on
# the real clock, and a catalogue cannot name a deadline of its own (the year's is its vouchers').
YEAR = 2021
SET_UP_AT = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)  # inside fiscal year 2021, before the redemption deadline
CLAIMED_AT = SET_UP_AT + timedelta(hours=1)
ITEMS = (  # (item id, name, fee category, subsidy rate, cap) - as in tests/support/scenario.py
    ("APP-ERP", "ERP/MES 上云 application service", "APPLICATION_SERVICE", "0.50", 100_000 * YUAN),
    ("DEV-ACCESS", "设备上云 device access", "DEVICE_ACCESS", "0.30", 50_000 * YUAN),
    ("NET-RENO", "企业内网改造 network renovation", "NETWORK_RENOVATION", "0.40", 30_000 * YUAN),
)
CATEGORY = {item[0]: item[2] for item in ITEMS}
CARRIER_RATES = {"CHINA_TELECOM": "0.30", "CHINA_MOBILE": "0.35", "CHINA_UNICOM": "0.32"}
CLAIMS_CITY = "440600"  # Foshan: every voucher that is claimed on is issued here during set-up
ISSUE_CITIES = tuple(c for c in VOUCHER_CITIES if c != CLAIMS_CITY)  # one per issuing worker: no shared quota
BIG_QUOTA_FEN = 10**13  # never the limit
CLAIM_FEE_FEN = 1_000 * YUAN  # a 1,000 RMB eligible fee: at most 300-500 RMB held per claim


@dataclass(frozen=True)
class VoucherRef:
    voucher_id: UUID
    fee_category: str


class BenchWorld:
    def __init__(self, app: VoucherLedger) -> None:
        self.app = app
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self.tag = uuid4().hex[:6].upper()  # keeps contract numbers unique across worlds

    def serial(self) -> int:
        with self._lock:
            return next(self._serial)

    def by(self, actor: str = "province:ops", at: datetime = SET_UP_AT) -> By:
        return By(actor=actor, at=at)

    def set_up_year(self, cities: int, redemption_deadline: date = date(YEAR + 1, 2, 8)) -> None:
        """Carrier rates, the catalogue, and quotas for the claims city and ``cities`` issuing cities.

        ``redemption_deadline``: the year's (it is opened here); a later date keeps the vouchers redeemable on the
        real clock (the HTTP service records commands at ``datetime.now``; ``bench/benchmarks/http_claims.py``)."""
        self.app.handle(v.OpenProgrammeYear(year=YEAR, redemption_deadline=redemption_deadline), self.by())
        self.app.handle(v.SetCarrierRates(year=YEAR, rates=tuple(dict(CARRIER_RATES).items())), self.by())
        self.app.handle(v.PublishCatalogue(year=YEAR, items=tuple(CatalogueItem.checked(*item) for item in ITEMS),
                                           redemption_deadline=redemption_deadline), self.by())
        for city in (CLAIMS_CITY, *ISSUE_CITIES[:cities]):
            self.app.handle(v.SetCityQuota(city=city, year=YEAR, amount_fen=BIG_QUOTA_FEN, city_share="0.40"),
                            self.by())

    def provider(self) -> UUID:
        """A whitelisted provider with a quota that never runs out (3 commands)."""
        provider_id = self.app.handle(v.AdmitProvider(
            uscc=make_uscc(f"91440100MA{self.serial():07d}"), name=f"Cloud {self.serial()}", kind="PLATFORM"),
            self.by())
        self.app.handle(v.RecordAssessment(
            provider_id=provider_id, area="NETWORK", kind="ASSESSMENT", passed=True, assessor="国家级信息安全评测机构",
            report_ref=f"RPT-{self.serial()}", effective_at=SET_UP_AT), self.by("assessor:cnitsec"))
        self.app.handle(v.SetProviderQuota(provider_id=provider_id, year=YEAR, amount_fen=BIG_QUOTA_FEN), self.by())
        return provider_id

    def eligible_enterprise(self, city: str) -> UUID:
        """A registered enterprise with the year's eligibility granted (2 commands)."""
        enterprise_id = self.app.handle(v.RegisterEnterprise(
            uscc=make_uscc(f"91{city}MA{self.serial():07d}"), name=f"Factory {self.serial()}", city=city,
            carrier="CHINA_MOBILE", established_on=date(2010, 6, 1)), self.by())
        self.app.handle(v.DecideEligibility(
            enterprise_id=enterprise_id, year=YEAR, prior_year_revenue_fen=1_200 * WAN_YUAN, serious_misuse_5y=False,
            effective_at=SET_UP_AT), self.by())
        return enterprise_id

    def issuance_tasks(self, n: int, city: str, advance) -> list[tuple[UUID, str]]:
        """``n`` (enterprise, item) pairs ready to issue in ``city``: one eligible enterprise per 3 items."""
        tasks: list[tuple[UUID, str]] = []
        while len(tasks) < n:
            enterprise_id = self.eligible_enterprise(city)
            advance(2)
            tasks += [(enterprise_id, item[0]) for item in ITEMS][: n - len(tasks)]
        return tasks

    def issue(self, enterprise_id: UUID, item_id: str, at: datetime = SET_UP_AT) -> UUID:
        issued = self.app.handle(v.IssueVoucher(enterprise_id=enterprise_id, year=YEAR, item_id=item_id), self.by(at=at))
        return issued.voucher_id

    def vouchers(self, n: int, advance) -> list[VoucherRef]:
        """``n`` issued vouchers in the claims city (items mixed: each enterprise gets all three)."""
        refs = []
        for enterprise_id, item_id in self.issuance_tasks(n, CLAIMS_CITY, advance):
            refs.append(VoucherRef(self.issue(enterprise_id, item_id), CATEGORY[item_id]))
            advance()
        return refs

    def claim(self, voucher: VoucherRef, provider_id: UUID) -> None:
        """One claim of a 1,000 RMB fee with fresh contract and invoice numbers (the timed command)."""
        self.app.handle(*self.claim_command(voucher, provider_id))

    def claim_command(self, voucher: VoucherRef, provider_id: UUID) -> tuple[v.SubmitClaim, By]:
        """The same claim as a value and its ``By``, prepared by the caller and decided later (e.g. by a group-commit
        writer)."""
        n = self.serial()
        evidence = ClaimEvidence(
            contract_no=f"HT-{self.tag}-{n:07d}",
            contract_date=CLAIMED_AT - timedelta(days=30),
            contract_amount_fen=CLAIM_FEE_FEN,
            invoice_nos=(f"INV-{self.tag}-{n:07d}",),
            payment_proven_fen=CLAIM_FEE_FEN,
            payment_proof_ref=f"BANK-{n:07d}",
            acceptance_report_ref=f"ACC-{n:07d}",
            accepted_at=CLAIMED_AT - timedelta(days=1),
            no_other_funding=True,
        )
        return v.SubmitClaim(voucher_id=voucher.voucher_id, claim_id=uuid4(), provider_id=provider_id,
                             evidence=evidence, fee_category=voucher.fee_category,
                             eligible_fee_fen=CLAIM_FEE_FEN), self.by("enterprise", at=CLAIMED_AT)
