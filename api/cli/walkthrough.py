"""`voucher-ledger walkthrough`: a realistic, narrated walk through one programme year (2020) on the embedded store.

It shows every kind of event the ledger records — the province's set-up, eligibility with its automatic network
discount, issuance against city quotas, claims accepted and refused, a spot check that suspends a platform and holds
its settlement, a paid batch, a reversal after payment (a recovery), and year-end expiry returning unused value to the
city's quota.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import typer
from rich.console import Console
from rich.table import Table

from ledger.application import VoucherLedger
from ledger.catalogue import CatalogueItem
from ledger.claims import ClaimEvidence
from ledger.commands import values as v
from ledger.commands.values import Command
from ledger.errors import LedgerError
from ledger.fiscal_time import SHANGHAI
from ledger.money import WAN_YUAN, yuan_text
from ledger.recording import By
from ledger.uscc import make_uscc
from store.clock import FixedClock
from store.opening import open_ledger
from store.settings import Settings

console = Console()

DEFAULT_WALKTHROUGH_DB = Path("var/walkthrough.sqlite3")
WALK_NS = UUID("0f6d3f0c-4e7c-5b8a-a1f3-202002080000")  # ids of this walk-through are reproducible
STARTS_AT = datetime(2020, 1, 6, 1, 0, tzinfo=UTC)  # 09:00 in Guangdong
# The walk-through's 2020 never happened: its store is opened on a training clock standing before its first
# command, so it is marked training (a production service never opens it) and its set-up (the mark, the default
# programme) is recorded before its history, not on today's date after it (a "known at" in 2020 would lack it).
OPENED_AT = STARTS_AT - timedelta(hours=1)


def yuan(fen: int) -> str:
    return yuan_text(fen, symbol="¥")


class Walkthrough:
    def __init__(self, app: VoucherLedger, console: Console) -> None:
        self.app, self.console = app, console
        self.now = STARTS_AT

    def by(self, actor: str, **delta: float) -> By:
        self.now += timedelta(**delta)
        return By(actor=actor, at=self.now, correlation_id=f"walkthrough-{self.now:%Y%m%d%H%M}")

    def step(self, text: str) -> None:
        self.console.print(f"[bold cyan]{self.now.astimezone(SHANGHAI):%Y-%m-%d}[/] {text}")

    def do(self, command: Command, by: By) -> Any:
        return self.app.handle(command, by)

    def refused(self, what: str, command: Command | Callable[[], object], by: By | None = None) -> None:
        try:
            self.do(command, by) if isinstance(command, Command) else command()
        except LedgerError as error:
            self.console.print(f"   [yellow]refused[/] {what}: [bold]{error.code}[/] — {error.detail}")
            for code, message in error.violations[1:]:  # every other rule it breaks, in the refusal order
                self.console.print(f"      [yellow]and[/] [bold]{code}[/] — {message}")
        else:  # pragma: no cover - the walk-through is wrong if this happens
            raise AssertionError(f"expected a refusal: {what}")

    def run(self) -> None:
        do, province = self.do, "province:gd-miit"
        self.step("The province publishes the 2020 catalogue, city quotas and carriers' network discounts.")
        by = self.by(province)
        do(v.PublishCatalogue(
            year=2020,
            items=(
                CatalogueItem.checked("2020-APP-01", "工业APP上云 (ERP/MES)", "APPLICATION_SERVICE", "0.50", 20 * WAN_YUAN),
                CatalogueItem.checked("2020-DEV-01", "设备上云 device access", "DEVICE_ACCESS", "0.30", 10 * WAN_YUAN),
                CatalogueItem.checked("2020-NET-01", "网络改造 network renovation", "NETWORK_RENOVATION", "0.40", 5 * WAN_YUAN),
            ),
            redemption_deadline=date(2021, 2, 8),
        ), by)
        self.refused(
            "an item for automation equipment",
            lambda: CatalogueItem.checked("X", "机械臂", "AUTOMATION_EQUIPMENT", "0.50", 10 * WAN_YUAN),
        )
        for city, quota, share in (("440600", 30, "0.40"), ("441900", 25, "0.35"), ("441400", 20, "0.10")):
            do(v.SetCityQuota(city=city, year=2020, amount_fen=quota * WAN_YUAN, city_share=share), by)
        do(v.SetCarrierRates(year=2020, rates=(("CHINA_TELECOM", "0.30"), ("CHINA_MOBILE", "0.35"),
                                               ("CHINA_UNICOM", "0.30"))), by)

        self.step("Two platforms join the resource pool and pass their security assessments.")
        platforms = {}
        for n, name in enumerate(("粤云工业互联网平台", "珠三角制造云服务")):
            pid = do(v.AdmitProvider(uscc=make_uscc(f"91440101MA{n + 1:07d}"), name=name, kind="PLATFORM"),
                     self.by(province, hours=1))
            do(v.RecordAssessment(provider_id=pid, area="NETWORK", kind="ASSESSMENT", passed=True,
                                  assessor="国家级信息安全评测机构", report_ref=f"SEC-2020-{n + 1:03d}",
                                  effective_at=self.now), self.by("assessor:cnitsec"))
            do(v.SetProviderQuota(provider_id=pid, year=2020, amount_fen=500 * WAN_YUAN), self.by(province))
            platforms[name] = pid
        cloud, mfg = platforms.values()

        self.step("Enterprises declare their facts; eligibility is decided (with the network discount granted).")
        factories = {}
        for n, (name, city, revenue_wan, carrier) in enumerate((
            ("佛山陶瓷制造有限公司", "440600", 3_200, "CHINA_MOBILE"),
            ("东莞电子科技有限公司", "441900", 1_000, "CHINA_TELECOM"),
            ("梅州小五金厂", "441400", 999, "CHINA_UNICOM"),
            ("深圳精密仪器有限公司", "440300", 8_000, "CHINA_MOBILE"),
        )):
            eid = do(v.RegisterEnterprise(uscc=make_uscc(f"91{city}MA{n + 1:07d}"), name=name, city=city,
                                          carrier=carrier, established_on=date(2012, 5, 1)),
                     self.by(province, minutes=20))
            decision = do(v.DecideEligibility(enterprise_id=eid, year=2020, prior_year_revenue_fen=revenue_wan * WAN_YUAN,
                                              serious_misuse_5y=False, effective_at=self.now), self.by(province))
            verdict = "[green]granted[/] (+ network discount)" if decision.granted else f"[red]refused[/] {', '.join(decision.reasons)}"
            self.console.print(f"   {name}: 2019 revenue {revenue_wan:,}万元 → {verdict}")
            factories[name] = eid
        foshan, dongguan, meizhou, shenzhen = factories.values()

        self.step("Vouchers are issued against each city's quota.")
        v_foshan = do(v.IssueVoucher(enterprise_id=foshan, year=2020, item_id="2020-APP-01"), self.by(province, days=3))
        v_dongguan = do(v.IssueVoucher(enterprise_id=dongguan, year=2020, item_id="2020-APP-01"), self.by(province))
        v_dongguan_net = do(v.IssueVoucher(enterprise_id=dongguan, year=2020, item_id="2020-NET-01"),
                            self.by(province))
        self.console.print(
            f"   Foshan voucher {yuan(v_foshan.face_value_fen)}: city {yuan(v_foshan.city_portion_fen)} + "
            f"province {yuan(v_foshan.province_portion_fen)}"
        )
        self.refused("a second APP voucher for the Foshan factory",
                     v.IssueVoucher(enterprise_id=foshan, year=2020, item_id="2020-APP-01"), self.by(province))
        self.refused("a voucher for the Meizhou workshop (revenue below 10,000,000 RMB)",
                     v.IssueVoucher(enterprise_id=meizhou, year=2020, item_id="2020-APP-01"), self.by(province))
        self.refused("a voucher for the Shenzhen company",
                     v.IssueVoucher(enterprise_id=shenzhen, year=2020, item_id="2020-APP-01"), self.by(province))

        self.step("Services are delivered and accepted; enterprises claim.")
        claims = []
        for voucher, provider, fee, tag in ((v_foshan, cloud, 180_000_33, "FS"), (v_dongguan, mfg, 90_000_00, "DG")):
            by = self.by("enterprise", days=40)
            evidence = ClaimEvidence(
                contract_no=f"HT-2020-{tag}", contract_date=self.now - timedelta(days=60), contract_amount_fen=fee,
                invoice_nos=(f"4400201130-{tag}",), payment_proven_fen=fee, payment_proof_ref=f"BANK-{tag}",
                acceptance_report_ref=f"ACC-{tag}", accepted_at=self.now - timedelta(days=5),
                no_other_funding=True,
            )
            receipt = do(v.SubmitClaim(voucher_id=voucher.voucher_id, claim_id=uuid5(WALK_NS, f"claim-{tag}"),
                                       provider_id=provider, evidence=evidence, fee_category="APPLICATION_SERVICE",
                                       eligible_fee_fen=fee), by)
            self.console.print(f"   claim {tag}: 50 % of {yuan(fee)} → {yuan(receipt.amount_fen)}, balance {yuan(receipt.balance_after_fen)}")
            claims.append(receipt)
            self.refused(f"the same contract and invoice again ({tag})",
                         v.SubmitClaim(voucher_id=voucher.voucher_id, claim_id=uuid5(WALK_NS, f"dup-{tag}"),
                                       provider_id=provider, evidence=evidence, fee_category="APPLICATION_SERVICE",
                                       eligible_fee_fen=fee), self.by("enterprise"))
        for receipt in claims:
            do(v.ApproveClaim(voucher_id=receipt.voucher_id, claim_id=receipt.claim_id), self.by(province, days=7))

        self.step("A spot check fails: the second platform is suspended and its approved claim is held.")
        do(v.RecordAssessment(provider_id=mfg, area="DATA", kind="SPOT_CHECK", passed=False,
                              assessor="国家级信息安全评测机构", report_ref="SPOT-2020-017",
                              effective_at=self.now + timedelta(days=1)), self.by("assessor:cnitsec", days=2))
        batch_cloud, batch_mfg = uuid5(WALK_NS, "batch-2020-04-cloud"), uuid5(WALK_NS, "batch-2020-04-mfg")
        do(v.OpenBatch(batch_id=batch_cloud, provider_id=cloud, period="2020-04"), self.by(province, days=10))
        do(v.AddToBatch(batch_id=batch_cloud, voucher_id=claims[0].voucher_id, claim_id=claims[0].claim_id),
           self.by(province))
        do(v.OpenBatch(batch_id=batch_mfg, provider_id=mfg, period="2020-04"), self.by(province))
        self.refused("settling the suspended platform's claim",
                     v.AddToBatch(batch_id=batch_mfg, voucher_id=claims[1].voucher_id, claim_id=claims[1].claim_id),
                     self.by(province))
        payment = do(v.PayBatch(batch_id=batch_cloud, effective_at=self.now + timedelta(days=1)),
                     self.by(province, days=1))
        for city, portions in payment.by_city.items():
            self.console.print(f"   batch 2020-04 paid {yuan(payment.total_fen)}: city {city} {yuan(portions['city_fen'])}, "
                               f"province {yuan(portions['province_fen'])}")

        self.step("A re-assessment passes: the platform is reinstated and paid in May.")
        do(v.RecordAssessment(provider_id=mfg, area="DATA", kind="ASSESSMENT", passed=True,
                              assessor="国家级信息安全评测机构", report_ref="SEC-2020-031",
                              effective_at=self.now + timedelta(days=20)), self.by("assessor:cnitsec", days=20))
        do(v.AddToBatch(batch_id=batch_mfg, voucher_id=claims[1].voucher_id, claim_id=claims[1].claim_id),
           self.by(province))
        do(v.PayBatch(batch_id=batch_mfg, effective_at=self.now + timedelta(days=1)), self.by(province, days=1))

        self.step("An audit finds the Foshan invoice forged: the settled claim is reversed and recovered (追回).")
        recovered = do(v.ReverseClaim(voucher_id=claims[0].voucher_id, claim_id=claims[0].claim_id,
                                      reason="forged invoice", effective_at=self.now + timedelta(days=60)),
                       self.by("province:audit", days=60)).recovery_fen
        self.console.print(f"   recovery receivable against the platform: {yuan(recovered)}")
        # The platform repays in two instalments; the money goes back to the province's and the city's budgets.
        for reference, amount in (("BOC-2020-0815", recovered // 2), ("BOC-2020-0915", recovered - recovered // 2)):
            part = do(v.CollectRecovery(batch_id=batch_cloud, claim_id=claims[0].claim_id, amount_fen=amount,
                                        bank_reference=reference, effective_at=self.now + timedelta(days=30)),
                      self.by("province:finance", days=30))
            self.console.print(f"   collected {yuan(part.amount_fen)} (city {yuan(part.city_portion_fen)}, province "
                               f"{yuan(part.province_portion_fen)}), still due {yuan(part.outstanding_fen)}")

        self.now = datetime(2021, 2, 9, 1, 0, tzinfo=UTC)
        self.step("The 2020 window closed on 2021-02-08: unused value returns to the cities' quotas.")
        for voucher in (v_foshan, v_dongguan, v_dongguan_net):  # every 2020 voucher issued above
            returned = do(v.ExpireVoucher(voucher_id=voucher.voucher_id), self.by(province))
            self.console.print(f"   voucher {str(voucher.voucher_id)[:8]} expired, {yuan(returned)} back to quota")
        self.summary()

    def summary(self) -> None:
        table = Table(title="2020 city quotas after the walk-through")
        for column in ("city", "quota", "used", "remaining"):
            table.add_column(column, justify="right")
        for city in ("440600", "441900", "441400"):
            quota = self.app.city_quota(city, 2020)
            table.add_row(city, yuan(quota.amount_fen), yuan(quota.used_fen), yuan(quota.remaining_fen))
        self.console.print(table)
        events = self.app.recorder.max_notification_id() or 0
        self.console.print(f"[bold]{events}[/] immutable events recorded.")


def register(app: typer.Typer) -> None:
    @app.command()
    def walkthrough(
        db: Path = typer.Option(DEFAULT_WALKTHROUGH_DB, help="SQLite file to write the walk-through into"),
        replace: bool = typer.Option(False, help="replace DB if it exists (always done for the default file)"),
    ) -> None:
        """Run a realistic, narrated 2020 programme on the embedded SQLite store."""
        if db.exists():
            if db != DEFAULT_WALKTHROUGH_DB and not replace:
                console.print(f"[red]{db} exists[/]: pass --replace to overwrite it, or choose another --db")
                raise typer.Exit(2)
            db.unlink()
        settings = Settings(store="sqlite", sqlite_path=db)
        console.print(f"Recording into {settings.describe_store()}\n")
        ledger = open_ledger(settings, clock=FixedClock(OPENED_AT))
        try:
            Walkthrough(ledger, console).run()
        finally:
            ledger.close()
