"""An enterprise's journey through the programme: register, be judged eligible, get vouchers, claim, be reviewed.

Each step schedules the next on the agenda, so only the enterprises in progress are held in memory. Mistakes and
abuses happen at low rates (a resubmitted invoice, an uncovered fee, an underpaid contract, a claim after the
deadline, an ineligible enterprise asking for a voucher); the ledger's rules refuse them. An approved claim goes on
to publicity where its year has one (:mod:`simulator.publicity`), and its enterprise may rate or complain about the
provider (:mod:`simulator.feedback`). A registered enterprise may apply for an award (:mod:`simulator.awards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from ledger.claims import ClaimEvidence
from ledger.commands import values as v
from ledger.fees import FeeCategory
from simulator.awards import Awards
from simulator.feedback import Feedback
from simulator.population import EnterpriseSpec
from simulator.programme import PROVINCE, Programme, local
from simulator.publicity import Publicity
from simulator.reference import CATALOGUE_ITEMS, UNCOVERED_CATEGORIES, YEAR_STARTS

COVERED = [c.value for c in (FeeCategory.APPLICATION_SERVICE, FeeCategory.DEVICE_ACCESS,
                             FeeCategory.NETWORK_RENOVATION)]


@dataclass(frozen=True)
class HeldVoucher:
    voucher_id: UUID
    enterprise_id: UUID
    year: int
    fee_category: str
    rate_percent: int
    face_fen: int


class Journeys:
    def __init__(self, programme: Programme, feedback: Feedback, publicity: Publicity, awards: Awards) -> None:
        self.p, self.feedback, self.publicity, self.awards = programme, feedback, publicity, awards
        self.last_evidence: dict[UUID, ClaimEvidence] = {}  # provider -> its latest claim's evidence (for resubmits)

    def schedule_cohort(self, year: int, first_serial: int, count: int) -> None:
        """Enterprises arrive one after another through the year (a Poisson process): each arrival schedules the
        next, so the agenda holds only what is in progress, however large the cohort."""
        if count <= 0:
            return
        start = local(YEAR_STARTS[year] + timedelta(days=7), 8)
        end = local(date(year, 10, 31), 20)
        mean_gap = (end - start).total_seconds() / count
        self.p.agenda.at(start, self.arrive, first_serial, first_serial + count - 1, year, end, mean_gap)

    def arrive(self, when: datetime, serial: int, last: int, year: int, end: datetime, mean_gap: float) -> None:
        if serial < last:
            gap = timedelta(seconds=self.p.rng.expovariate(1 / mean_gap))
            self.p.agenda.at(min(when + gap, end), self.arrive, serial + 1, last, year, end, mean_gap)
        self.register(when, serial, year)

    def later(self, when: datetime, low: int, high: int) -> datetime:
        return self.p.time_of_day((when + timedelta(days=self.p.rng.randint(low, high))).date())

    def register(self, when: datetime, serial: int, year: int) -> None:
        spec = self.p.population.enterprise(serial, year)
        enterprise_id = self.p.command(v.RegisterEnterprise(
            uscc=spec.uscc, name=f"制造企业 {serial}", city=spec.city, carrier=spec.carrier,
            established_on=spec.established_on), self.p.by(PROVINCE, when))
        if enterprise_id is not None:
            self.awards.registered(enterprise_id, spec.city)  # a possible award applicant
            self.p.agenda.at(self.later(when, 2, 10), self.decide, enterprise_id, spec)

    def decide(self, when: datetime, enterprise_id: UUID, spec: EnterpriseSpec) -> None:
        decision = self.p.command(v.DecideEligibility(
            enterprise_id=enterprise_id, year=spec.year, prior_year_revenue_fen=spec.revenue_fen,
            serious_misuse_5y=spec.misuse, effective_at=when), self.p.by(PROVINCE, when))
        rng = self.p.rng
        if decision is not None and (decision.granted or rng.random() < 0.05):  # a few refused ones ask anyway
            items = rng.sample(CATALOGUE_ITEMS, k=rng.choice((1, 1, 2, 2, 3)))
            issue_at = min(self.later(when, 3, 15), local(date(spec.year, 12, 31), 23, 30))
            self.p.agenda.at(issue_at, self.issue, enterprise_id, spec.year, [item[0] for item in items])

    def issue(self, when: datetime, enterprise_id: UUID, year: int, suffixes: list[str]) -> None:
        for suffix in suffixes:
            issued = self.p.command(v.IssueVoucher(enterprise_id=enterprise_id, year=year, item_id=f"{year}-{suffix}"),
                                    self.p.by(PROVINCE, when))
            if issued is None:
                continue
            item = next(i for i in CATALOGUE_ITEMS if i[0] == suffix)
            voucher = HeldVoucher(issued.voucher_id, enterprise_id, year, item[2], int(float(item[3]) * 100),
                                  issued.face_value_fen)
            self.p.vouchers_by_year[year].append(voucher.voucher_id)
            self.p.agenda.at(self.later(when, 20, 150), self.claim, voucher, self.p.rng.randint(1, 4))

    def claim(self, when: datetime, voucher: HeldVoucher, claims_left: int) -> None:
        p, rng = self.p, self.p.rng
        provider_id = p.pick_provider(when, voucher.year)
        # The fee is sized so the subsidy uses a good part of the voucher; the last claims may exceed the balance.
        subsidy_wanted = int(voucher.face_fen * rng.uniform(0.15, 0.6))
        fee = max(100, subsidy_wanted * 100 // voucher.rate_percent)
        category, contract_day, paid = voucher.fee_category, when - timedelta(days=rng.randint(30, 90)), fee
        fault = rng.random()
        evidence = None
        if fault < 0.006 and provider_id in self.last_evidence:
            evidence = self.last_evidence[provider_id]  # the same contract and invoice resubmitted
        elif fault < 0.011:
            category = rng.choice(UNCOVERED_CATEGORIES)
        elif fault < 0.016:
            category = rng.choice([c for c in COVERED if c != voucher.fee_category])
        elif fault < 0.022:
            paid = fee * 85 // 100  # only 85 % of the contract amount paid
        elif fault < 0.030 and voucher.year == 2018:
            contract_day = local(date(2018, 3, 1))  # signed before the policy of 2018-03-20
        if evidence is None:
            n = p.next_serial()
            evidence = ClaimEvidence(
                contract_no=f"HT{voucher.year}-{n:08d}", contract_date=contract_day, contract_amount_fen=fee,
                invoice_nos=(f"44{n:010d}",), payment_proven_fen=paid, payment_proof_ref=f"BANK-{n}",
                acceptance_report_ref=f"ACC-{n}", accepted_at=when - timedelta(days=rng.randint(1, 10)),
                no_other_funding=True,
            )
        claim_id = p.population.uuid("claim", p.next_serial())
        receipt = p.command(v.SubmitClaim(
            voucher_id=voucher.voucher_id, claim_id=claim_id, provider_id=provider_id, evidence=evidence,
            fee_category=category, eligible_fee_fen=evidence.contract_amount_fen),
            p.by(f"enterprise:{voucher.enterprise_id}", when))
        if receipt is not None:
            self.last_evidence[provider_id] = evidence
            p.agenda.at(self.later(when, 7, 20), self.review, voucher, claim_id, provider_id)
        elif p.last_refusal == "PROVIDER_QUOTA_EXHAUSTED":
            p.exhausted.add((provider_id, voucher.year))
        if claims_left > 1:
            next_at = self.later(when, 30, 100)
            # Most enterprises claim within the window; a few come back after the deadline (and are refused).
            if next_at < p.deadlines[voucher.year] or rng.random() < 0.03:
                p.agenda.at(next_at, self.claim, voucher, claims_left - 1)

    def review(self, when: datetime, voucher: HeldVoucher, claim_id: UUID, provider_id: UUID) -> None:
        p, rng, voucher_id = self.p, self.p.rng, voucher.voucher_id
        by = p.by(PROVINCE, when)
        if rng.random() < 0.05:
            p.command(v.RejectClaim(voucher_id=voucher_id, claim_id=claim_id, reason="审核发现凭证材料不全"), by)
            return
        p.command(v.ApproveClaim(voucher_id=voucher_id, claim_id=claim_id), by)
        if not p.last_ok:
            return
        if rng.random() < 0.01:  # a spot check before payment: reversed, the balance freed
            p.agenda.at(self.later(when, 1, 5), p.reverse, voucher_id, claim_id, "支付前抽查不合格")
        else:
            self.publicity.approved(voucher.year, provider_id, voucher_id, claim_id)
        self.feedback.after_approval(when, voucher_id, voucher.enterprise_id, claim_id, provider_id)
