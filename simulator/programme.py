"""The province's side of the simulated programme: yearly set-up, the provider pool, monthly settlement, audits and
expiry. Enterprises' journeys are in :mod:`simulator.journeys`; both act only through the ledger's commands."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from ledger.application import VoucherLedger
from ledger.catalogue import CatalogueItem
from ledger.commands import values as v
from ledger.commands.values import Command
from ledger.errors import LedgerError
from ledger.fiscal_time import SHANGHAI
from ledger.parties import VOUCHER_CITIES
from ledger.recording import By
from writer.unit_of_work import UnitOfWork
from simulator.agenda import Agenda
from simulator.population import Population, ProviderSpec
from simulator.reference import (
    CARRIER_RATES, CATALOGUE_ITEMS, CITY_SHARES, CITY_WEIGHTS, DEADLINES, MEAN_FACE_FEN, NATIONAL_QUOTA_FEN,
    OTHER_QUOTA_FEN, YEARS,
)

PROVINCE = "province:gd-miit"


def local(day: date, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SHANGHAI)


class Programme:
    """Shared state and the province's recurring work. ``command`` runs one ledger command and counts refusals."""

    def __init__(self, app: VoucherLedger, uow: UnitOfWork, agenda: Agenda, population: Population,
                 enterprises_per_year: int, providers: list[ProviderSpec], on_flush: Callable[[int], None],
                 flush_events: int) -> None:
        self.app, self.uow, self.agenda, self.population = app, uow, agenda, population
        self.rng = population.rng
        # Routine spot checks draw from a generator of their own, so that adding them left the other draws as they were.
        self.checks_rng = random.Random(f"spot-checks-{population.seed}")
        self.enterprises_per_year = enterprises_per_year
        self.providers = providers
        self.provider_ids: list[UUID] = []
        # Cumulative once: rng.choices(weights=...) would re-add them all on every claim (same draws either way).
        self.provider_cum_weights = list(itertools.accumulate(p.popularity for p in providers))
        self.on_flush, self.flush_events = on_flush, flush_events
        self.commands = 0
        self.last_ok = False  # did the last command succeed (commands without a result return None)
        self.last_refusal = ""
        self.refusals: Counter[str] = Counter()
        self.serial = 0
        self.approved: dict[UUID, list[tuple[UUID, UUID]]] = {}  # provider -> approved claims awaiting a batch
        self.vouchers_by_year: dict[int, list[UUID]] = {year: [] for year in YEARS}
        self.eliminated: set[tuple[UUID, int]] = set()  # (provider, fiscal year) out of the pool
        self.exhausted: set[tuple[UUID, int]] = set()  # (provider, programme year) whose quota ran out
        self.deadlines = {year: local(day) + timedelta(hours=15) for year, day in DEADLINES.items()}  # 24:00 local

    # -- running commands -------------------------------------------------------------------------------------------
    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def by(self, actor: str, when: datetime) -> By:
        return By(actor=actor, at=when, correlation_id=f"sim-{self.population.seed}-{self.serial}")

    def command(self, command: Command, by: By) -> Any:
        """Decide a command value through the unit of work; a refusal is counted (the rules decide, not the
        simulator) and answered with None."""
        self.commands += 1
        try:
            result = self.uow.run(lambda: self.app.handle(command, by))
            self.last_ok = True
            return result
        except LedgerError as refusal:
            self.refusals[refusal.code] += 1
            self.last_ok, self.last_refusal = False, refusal.code
            return None
        finally:
            if self.uow.pending_event_count >= self.flush_events:
                self.on_flush(self.uow.flush(background=True))

    def time_of_day(self, day: date) -> datetime:
        """Office hours mostly, and some late-night work so that events fall near midnight (and new year): on
        31 December the year-end rush runs late, and it spills past midnight into 1 January."""
        if (day.month, day.day) == (1, 1):
            return local(day, 0, self.rng.randint(0, 59), self.rng.randint(0, 59))
        if (day.month, day.day) == (12, 31) or self.rng.random() < 0.06:
            return local(day, 23, self.rng.randint(0, 59), self.rng.randint(0, 59))
        return local(day, self.rng.randint(8, 20), self.rng.randint(0, 59), self.rng.randint(0, 59))

    def pick_provider(self, when: datetime, programme_year: int) -> UUID:
        """Enterprises mostly pick popular providers still in the pool and with quota left for the voucher's year
        (word gets round; a few pick an eliminated or exhausted one anyway, and are refused)."""
        year = when.astimezone(SHANGHAI).year
        for _ in range(4):
            provider_id = self.rng.choices(self.provider_ids, cum_weights=self.provider_cum_weights)[0]
            unavailable = (provider_id, year) in self.eliminated or (provider_id, programme_year) in self.exhausted
            if not unavailable or self.rng.random() < 0.1:
                return provider_id
        return provider_id

    # -- the provider pool ------------------------------------------------------------------------------------------
    def admit_providers(self, when: datetime) -> None:
        for spec in self.providers:
            provider_id = self.command(v.AdmitProvider(uscc=spec.uscc, name=spec.name, kind=spec.kind),
                                       self.by(PROVINCE, when))
            self.provider_ids.append(provider_id)
            for area in ("NETWORK", "DATA"):  # assessed a few days after admission; a few fail at first
                self.agenda.at(when + timedelta(days=3), self.first_assessment, provider_id, area,
                               self.rng.random() > 0.02)

    def first_assessment(self, when: datetime, provider_id: UUID, area: str, passed: bool) -> None:
        self.assess(when, provider_id, area, passed=passed)

    def assess(self, when: datetime, provider_id: UUID, area: str, *, passed: bool, kind: str = "ASSESSMENT",
               effective_at: datetime | None = None) -> None:
        status = self.command(v.RecordAssessment(
            provider_id=provider_id, area=area, kind=kind, passed=passed, assessor="国家级信息安全评测机构",
            report_ref=f"SEC-{self.next_serial()}", effective_at=effective_at or when), self.by("assessor:cnitsec", when))
        if status == "SUSPENDED" and not passed:  # a re-assessment follows one to two months later
            later = self.time_of_day((when + timedelta(days=self.rng.randint(30, 60))).date())
            self.agenda.at(later, self.reassess, provider_id, area)

    def reassess(self, when: datetime, provider_id: UUID, area: str) -> None:
        self.assess(when, provider_id, area, passed=True)

    def spot_check(self, when: datetime, provider_id: UUID) -> None:
        """A failed spot check's report reaches the ledger days after the check: the suspension is recorded late, and
        the claims made or approved in between are flagged and held."""
        checked = when - timedelta(days=self.rng.randint(3, 12))
        self.assess(when, provider_id, "APPLICATION", passed=False, kind="SPOT_CHECK", effective_at=checked)

    def passed_spot_check(self, when: datetime, provider_id: UUID) -> None:
        self.assess(when, provider_id, "APPLICATION", passed=True, kind="SPOT_CHECK")

    def evaluate(self, when: datetime, year: int) -> None:
        """Annual evaluation: the lowest-rated providers are out of the pool for the next year."""
        for provider_id in self.provider_ids:
            if self.rng.random() < 0.02:
                self.command(v.EliminateProvider(provider_id=provider_id, year=year + 1, rating="C", effective_at=when),
                             self.by(PROVINCE, when))
                if self.last_ok:
                    self.eliminated.add((provider_id, year + 1))

    # -- a programme year -------------------------------------------------------------------------------------------
    def setup_year(self, when: datetime, year: int) -> None:
        by = self.by(PROVINCE, when)
        self.command(v.SetCarrierRates(year=year, rates=tuple(CARRIER_RATES[year].items())), by)
        self.command(v.PublishCatalogue(
            year=year, redemption_deadline=DEADLINES[year],
            items=tuple(CatalogueItem.checked(f"{year}-{suffix}", *rest) for suffix, *rest in CATALOGUE_ITEMS)), by)
        # ~72 % are eligible (revenue, age, record) and take 1.8 vouchers on average.
        demand = self.enterprises_per_year * 0.72 * 1.8 * MEAN_FACE_FEN
        weight_total = sum(w for city, w in CITY_WEIGHTS.items() if city in VOUCHER_CITIES)
        for city in VOUCHER_CITIES:
            # Quotas roughly match demand; some cities run out before the year ends (first come, first served).
            amount = int(demand * CITY_WEIGHTS[city] / weight_total * self.rng.uniform(0.95, 1.3)) // 1_000_000 * 1_000_000
            self.command(v.SetCityQuota(city=city, year=year, amount_fen=amount, city_share=self.rng.choice(CITY_SHARES)),
                         by)
        for spec, provider_id in zip(self.providers, self.provider_ids, strict=True):
            quota = NATIONAL_QUOTA_FEN if spec.kind in ("NATIONAL_PLATFORM", "CARRIER") else OTHER_QUOTA_FEN
            self.command(v.SetProviderQuota(provider_id=provider_id, year=year, amount_fen=quota), by)
        first = when.date()
        for provider_id in self.provider_ids:
            if self.rng.random() < 0.03:
                day = first + timedelta(days=self.rng.randint(30, 300))
                self.agenda.at(self.time_of_day(day), self.spot_check, provider_id)
        for provider_id in self.provider_ids:  # routine spot checks, most of which find nothing wrong
            if self.checks_rng.random() < 0.2:
                day = first + timedelta(days=self.checks_rng.randint(20, 330))
                self.agenda.at(local(day, self.checks_rng.randint(9, 17)), self.passed_spot_check, provider_id)
        self.agenda.at(local(date(year, 12, 20), 10), self.evaluate, year)
        self.agenda.at(local(date(year, 12, 31), 23, 30), self.settle_year_end)
        self.agenda.at(local(DEADLINES[year] + timedelta(days=1), 2), self.expire_year, year)

    def expire_year(self, when: datetime, year: int) -> None:
        for voucher_id in self.vouchers_by_year.pop(year):
            self.command(v.ExpireVoucher(voucher_id=voucher_id), self.by(PROVINCE, when))

    # -- settlement ------------------------------------------------------------------------------------------------
    def settle_week(self, when: datetime) -> None:
        """Every Friday the province batches each provider's approved claims and pays on Monday. (DOMAIN.md: "in
        batches, e.g. monthly"; weekly keeps approval-to-payment short, and the approved vouchers still cached.)"""
        self._settle(when, pay_at=when + timedelta(days=3))
        next_week = when + timedelta(days=7)
        if next_week.date() <= DEADLINES[YEARS[-1]] + timedelta(days=90):
            self.agenda.at(next_week, self.settle_week)

    def settle_year_end(self, when: datetime) -> None:
        """At 23:30 on 31 December the province pays what it can before the fiscal year closes, at 23:59:30."""
        self._settle(when, pay_at=when + timedelta(minutes=29, seconds=30))

    def _settle(self, when: datetime, pay_at: datetime) -> None:
        for provider_id, claims in list(self.approved.items()):
            if not claims or self.app.provider(provider_id).status != "WHITELISTED":
                continue  # held while suspended (the rule would refuse it anyway)
            batch_id = self.population.uuid("batch", self.next_serial())
            self.command(v.OpenBatch(batch_id=batch_id, provider_id=provider_id, period=f"{when:%Y-%m}"),
                         self.by(PROVINCE, when))
            for voucher_id, claim_id in claims:
                self.command(v.AddToBatch(batch_id=batch_id, voucher_id=voucher_id, claim_id=claim_id),
                             self.by(PROVINCE, when))
                if self.last_refusal == "CLAIM_HELD" and not self.last_ok:  # flagged by a late suspension
                    self.agenda.at(self.time_of_day((when + timedelta(days=self.rng.randint(5, 20))).date()),
                                   self.review_held, provider_id, voucher_id, claim_id)
            self.approved[provider_id] = []
            # The bank confirms the payment the next working morning; the ledger records it then, effective when paid.
            self.agenda.at(pay_at + timedelta(hours=self.rng.randint(14, 30)), self.pay, batch_id, pay_at)

    def review_held(self, when: datetime, provider_id: UUID, voucher_id: UUID, claim_id: UUID) -> None:
        """The province reviews a held claim: most are released and settled later, some are reversed."""
        by = self.by(PROVINCE, when)
        if self.rng.random() < 0.8:
            self.command(v.ReleaseClaim(voucher_id=voucher_id, claim_id=claim_id,
                                        reason="现场核查：服务已实际交付"), by)
            if self.last_ok:
                self.queue_for_settlement(provider_id, voucher_id, claim_id)
        else:
            self.reverse(when, voucher_id, claim_id, "申请时服务商处于暂停白名单资格期间")

    def pay(self, when: datetime, batch_id: UUID, paid_at: datetime) -> None:
        payment = self.command(v.PayBatch(batch_id=batch_id, effective_at=paid_at), self.by(PROVINCE, when))
        if payment is None:
            return
        for claim_id in payment.settled_claims:
            if self.rng.random() < 0.005:  # a later audit finds the evidence forged: reversal and recovery
                voucher_id = self.app.batch(batch_id).lines[claim_id]["voucher_id"]
                later = self.time_of_day((when + timedelta(days=self.rng.randint(20, 120))).date())
                self.agenda.at(later, self.reverse, voucher_id, claim_id, "审计发现凭证造假")

    def reverse(self, when: datetime, voucher_id: UUID, claim_id: UUID, reason: str) -> None:
        """Effective from the audit's finding, a few days before the decision is recorded."""
        found = when - timedelta(days=self.rng.randint(0, 7))
        self.command(v.ReverseClaim(voucher_id=voucher_id, claim_id=claim_id, reason=reason, effective_at=found),
                     self.by("province:audit", when))

    def queue_for_settlement(self, provider_id: UUID, voucher_id: UUID, claim_id: UUID) -> None:
        self.approved.setdefault(provider_id, []).append((voucher_id, claim_id))

