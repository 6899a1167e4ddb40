"""Aggregates built in memory with the domain's own methods, for the unit tier: no store, no application, no clock.

Figures are chosen to be checked by hand (DOMAIN.md): an application-service voucher pays 50 % of the eligible fee up
to its face value; the city co-funds a configured share of every amount, rounded down to the fen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid5

from ledger.catalogue import CatalogueItem
from ledger.claim_rules import ClaimFacts, ClaimJudgement, judge_claim
from ledger.claims import ClaimEvidence
from ledger.default_programme import year_rules
from ledger.evidence_keys import ContractKey, InvoiceKey
from ledger.fiscal_time import end_of_day
from ledger.ids import evidence_number
from ledger.provider import Provider
from ledger.quotas import ProviderQuota
from ledger.recording import By
from ledger.uscc import make_uscc
from ledger.voucher import Voucher
from ledger.voucher_claims import PricedClaim

NOW = datetime(2020, 11, 2, 2, 0, tzinfo=UTC)  # 2020-11-02 10:00 in Guangdong, inside the 2020 redemption window
DEADLINE = date(2021, 2, 8)  # the 2020 round's last redemption day (DOMAIN.md, Programme years)
FOSHAN = "440600"
_NAMESPACE = UUID("0b7c1d2e-0000-4000-8000-000000000013")


def uid(name: str) -> UUID:
    """A stable id per name: a test reads ``uid('claim-1')``, not a random value."""
    return uuid5(_NAMESPACE, name)


def by(at: datetime = NOW, actor: str = "province:ops") -> By:
    return By(actor=actor, at=at)


def later(**delta: float) -> datetime:
    return NOW + timedelta(**delta)


def voucher(*, cap_fen: int = 100_000_00, rate: str = "0.50", category: str = "APPLICATION_SERVICE",
            city_share: str = "0.40", name: str = "voucher-1", issued_at: datetime = NOW - timedelta(days=30),
            deadline: date = DEADLINE) -> Voucher:
    item = CatalogueItem.checked("APP-ERP", "ERP 上云", category, rate, cap_fen)
    return Voucher.issue(by(issued_at), voucher_id=uid(name), enterprise_id=uid("enterprise-1"), city=FOSHAN,
                         year=2020, catalogue_id=uid("catalogue-2020"), item=item, city_share=Decimal(city_share),
                         expires_at=end_of_day(deadline))


def provider(*, serial: int = 1, whitelisted: bool = True, at: datetime = NOW - timedelta(days=60)) -> Provider:
    p = Provider.admit(by(at), uscc=make_uscc(f"91440600MA{serial:07d}"), name=f"服务商{serial}", kind="SERVICE")
    if whitelisted:
        assess(p, "NETWORK", passed=True, at=at)
    return p


def assess(p: Provider, area: str, *, passed: bool, at: datetime, recorded: datetime | None = None) -> None:
    p.record_assessment(by(recorded or at), area=area, kind="ASSESSMENT", passed=passed, assessor="省网络安全评估中心",
                        report_ref="R-1", effective_at=at)


def provider_quota(p: Provider, amount_fen: int = 5_000_000_00) -> ProviderQuota:
    return ProviderQuota.set(by(NOW - timedelta(days=90)), provider_id=p.id, year=2020, amount_fen=amount_fen)


def evidence(*, contract_no: str = "HT-2020-001", contract_fen: int = 20_000_00, paid_fen: int | None = None,
             invoices: tuple[str, ...] = ("FP-0001",), signed: datetime = datetime(2020, 6, 1, 2, 0, tzinfo=UTC),
             accepted: datetime = datetime(2020, 10, 1, 2, 0, tzinfo=UTC)) -> ClaimEvidence:
    return ClaimEvidence(contract_no=contract_no, contract_date=signed, contract_amount_fen=contract_fen,
                         invoice_nos=invoices, payment_proven_fen=contract_fen if paid_fen is None else paid_fen,
                         payment_proof_ref="PAY-1", acceptance_report_ref="ACC-1", accepted_at=accepted,
                         no_other_funding=True)


class Desk:
    """One voucher, one provider and its quota, and the evidence keys claims have taken: what a claim is judged on."""

    def __init__(self, v: Voucher | None = None, p: Provider | None = None, quota_fen: int = 5_000_000_00):
        self.voucher = v or voucher()
        self.provider = p or provider()
        self.quota = provider_quota(self.provider, quota_fen)
        self.invoice_keys: dict[str, InvoiceKey] = {}
        self.contract_keys: dict[tuple[UUID, str], ContractKey] = {}

    def facts(self, claim: str = "claim-1", *, ev: ClaimEvidence | None = None, fee: object = 10_000_00,
              category: object = "APPLICATION_SERVICE", at: datetime = NOW, **changes: object) -> ClaimFacts:
        ev = ev or evidence()
        numbers = {evidence_number(no) for no in ev.invoice_nos if isinstance(no, str) and no.strip()}
        facts = ClaimFacts(
            at=at, claim_id=uid(claim), voucher_id=self.voucher.id, provider_id=self.provider.id, evidence=ev,
            fee_category=category, eligible_fee_fen=fee, voucher=self.voucher, provider=self.provider,
            provider_quota=self.quota, invoice_keys={n: k for n, k in self.invoice_keys.items() if n in numbers},
            contract_key=self.contract_keys.get((self.provider.id, evidence_number(ev.contract_no))),
            rules=year_rules(self.voucher.year))  # the default programme's figures for the voucher's year
        return replace(facts, **changes) if changes else facts

    def judge(self, claim: str = "claim-1", **kwargs: object) -> ClaimJudgement:
        return judge_claim(self.facts(claim, **kwargs))

    def claim(self, claim: str = "claim-1", *, at: datetime = NOW, **kwargs: object) -> int:
        """Judge and, when nothing is refused, record the claim as the application does: voucher, quota, keys."""
        judgement = self.judge(claim, at=at, **kwargs)
        assert not judgement.refusals, [r.code for r in judgement.refusals]
        ev, fee, amount = judgement.evidence, judgement.eligible_fee_fen, judgement.amount_fen
        assert ev is not None
        claim_id, b = uid(claim), by(at)
        self.voucher.record_claim(b, PricedClaim(claim_id, self.provider.id, ev, self.voucher.fee_category, fee,
                                                 amount))
        self.quota.use(b, ref=self.voucher.id, claim_id=claim_id, amount_fen=amount)
        for no in ev.invoice_nos:
            key = self.invoice_keys.get(evidence_number(no))
            if key is None:
                self.invoice_keys[evidence_number(no)] = InvoiceKey.register(
                    b, invoice_no=no, claim_id=claim_id, voucher_id=self.voucher.id, provider_id=self.provider.id)
            else:
                key.take(b, claim_id=claim_id, voucher_id=self.voucher.id, provider_id=self.provider.id)
        contract = (self.provider.id, evidence_number(ev.contract_no))
        if contract in self.contract_keys:
            self.contract_keys[contract].add_part(b, claim_id=claim_id, voucher_id=self.voucher.id,
                                                  contract_amount_fen=ev.contract_amount_fen, eligible_fee_fen=fee)
        else:
            self.contract_keys[contract] = ContractKey.register(
                b, provider_id=self.provider.id, contract_no=ev.contract_no, contract_amount_fen=ev.contract_amount_fen,
                claim_id=claim_id, voucher_id=self.voucher.id, eligible_fee_fen=fee)
        return amount

    def reject(self, claim: str = "claim-1", *, at: datetime = NOW) -> int:
        """Reject in review as the application does: the amount back to the quota, the evidence released."""
        claim_id, b = uid(claim), by(at)
        held = self.voucher.claim(claim_id)
        freed = self.voucher.reject(b, claim_id=claim_id, reason="材料不全")
        self.quota.give_back(b, ref=self.voucher.id, claim_id=claim_id, amount_fen=freed, reason="claim rejected")
        for no in held.invoice_nos:
            self.invoice_keys[evidence_number(no)].release(b, claim_id=claim_id, reason="claim rejected")
        self.contract_keys[(self.provider.id, evidence_number(held.contract_no))].release_part(
            b, claim_id=claim_id, voucher_id=self.voucher.id, reason="claim rejected")
        return freed


class StoreOf:
    """What an import reads of a store before deciding its rows (``importer/recorded.py``): whether it is a training
    store, and the recorded times of its last events (oldest first)."""

    def __init__(self, *, training: bool, recorded: tuple[datetime, ...] = ()) -> None:
        self.training, self.recorded, self.pages = training, recorded, 0
        self.recorder, self.mapper = self, self

    def training_mark(self) -> object | None:
        return object() if self.training else None

    def max_notification_id(self) -> int | None:
        return len(self.recorded) or None

    def select_notifications(self, start: int, limit: int) -> list[datetime]:
        self.pages += 1
        return list(self.recorded[start - 1:start - 1 + limit])

    def to_domain_event(self, recorded: datetime) -> Any:
        return SimpleNamespace(timestamp=recorded)
