"""Awards of the simulated programme (二, 三; DOMAIN.md "Awards"): each year the province defines its award programmes
and a few dozen applications come in through the year. Most are recommended by their city and most of those selected
(the rest refused with a reason); selected projects are granted their award and paid in a monthly award batch a few
weeks later; a paid award is rarely recovered after a later check. Demonstration bases are a title without money.

Some enterprises' applications name a contract of their project; those contracts are of the awards' own (numbered
``JL<year>-…``), never one claimed on a voucher: one item of work is funded once (``ALREADY_FUNDED``).

Its draws come from a generator of its own, so adding these stories leaves every other draw of a seed as it was.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from uuid import UUID

from ledger.commands import values as v
from ledger.money import WAN_YUAN
from ledger.parties import VOUCHER_CITIES
from simulator.programme import PROVINCE, Programme, local
from simulator.reference import CITY_WEIGHTS, DEADLINES, YEARS

# kind -> (name, applicants, amount rule and figures, applications a year). The policy names no amounts: these are
# what a province would configure (a benchmark project 500,000 RMB; a key platform 30 % of its R&D spend, at most
# 2,000,000 RMB, at most 20 at any time, paid by the province alone; an innovation centre case by case).
PROGRAMMES = {
    "BENCHMARK_PROJECT": ("工业互联网应用标杆示范项目", ("ENTERPRISE",),
                          {"amount_rule": "FIXED", "amount_fen": 50 * WAN_YUAN}, 14),
    "DEMONSTRATION_BASE": ("广东省工业互联网产业示范基地", ("CITY_GOVERNMENT", "COUNTY_GOVERNMENT"),
                           {"amount_rule": "TITLE"}, 3),
    "FINANCE_PILOT": ("工业互联网金融服务试点示范", ("ENTERPRISE",),
                      {"amount_rule": "FIXED", "amount_fen": 30 * WAN_YUAN}, 5),
    "KEY_PLATFORM": ("重点平台企业", ("PROVIDER",),
                     {"amount_rule": "RATE", "rate": "0.30", "cap_fen": 200 * WAN_YUAN, "max_selected": 20,
                      "city_share": "0"}, 5),
    "INNOVATION_CENTRE": ("工业互联网创新中心", ("CITY_GOVERNMENT",),
                          {"amount_rule": "CASE_BY_CASE", "cap_fen": 1_000 * WAN_YUAN}, 2),
}
RECOMMENDED, SELECTED, RECOVERED, CONTRACT_NAMED = 0.85, 0.8, 0.03, 0.5
PROJECTS = ("产线设备上云改造", "工业互联网平台应用", "供应链协同上云", "智能工厂建设", "5G+工业互联网应用")
COUNTIES = {"440600": ("顺德区", "南海区"), "440100": ("黄埔区", "番禺区"), "441300": ("仲恺高新区",),
            "440700": ("蓬江区",), "442000": ("火炬开发区",)}
CITY_REFUSALS = ("申报材料不完整，未予推荐", "项目尚未完成验收，暂不推荐")
PROVINCE_REFUSALS = ("经专家评审，项目示范性不足", "项目投资规模未达申报要求", "经核查，申报单位存在失信记录")
RECOVERED_BECAUSE = ("验收发现项目未按申报内容实施", "审计发现申报材料不实")
HAND_APPLICANTS = 2_000  # enterprises remembered as possible applicants (a sample of those registered)


class Awards:
    def __init__(self, programme: Programme) -> None:
        self.p = programme
        self.rng = random.Random(f"awards-{programme.population.seed}")
        self.enterprises: list[tuple[UUID, str]] = []  # a sample of registered enterprises outside Shenzhen
        self.seen = 0
        self.granted: list[UUID] = []  # awaiting the next award batch
        self.applications = 0  # numbers the awards' ids and their contracts
        self.cities = [c for c in VOUCHER_CITIES]
        self.city_weights = [CITY_WEIGHTS[c] for c in self.cities]

    def registered(self, enterprise_id: UUID, city: str) -> None:
        """An enterprise registered: kept as a possible applicant (a reservoir sample, so memory stays flat)."""
        if city not in self.cities:
            return
        self.seen += 1
        if len(self.enterprises) < HAND_APPLICANTS:
            self.enterprises.append((enterprise_id, city))
        else:
            slot = self.rng.randrange(self.seen)
            if slot < HAND_APPLICANTS:
                self.enterprises[slot] = (enterprise_id, city)

    def setup_year(self, when: datetime, year: int) -> None:
        rng = self.rng
        for kind, (name, applicants, rule, per_year) in PROGRAMMES.items():
            self.p.command(v.DefineAwardProgramme(year=year, kind=kind, name=name, applicants=applicants, **rule),
                           self.p.by(PROVINCE, when))
            opens = max(when.date(), date(year, 5, 1))
            for _ in range(max(0, round(rng.gauss(per_year, per_year ** 0.5)))):
                day = opens + timedelta(days=rng.randint(0, (date(year, 9, 30) - opens).days))
                self.p.agenda.at(self._office(day), self.apply, year, kind)
        if year == YEARS[0]:
            self.p.agenda.at(local(date(year, 7, 15), 10), self.batch_month)

    def apply(self, when: datetime, year: int, kind: str) -> None:
        rng, (_, applicants, _, _) = self.rng, PROGRAMMES[kind]
        who = rng.choice(applicants)
        fields: dict[str, object] = {}
        if who == "ENTERPRISE":
            if not self.enterprises:
                return
            fields["applicant_id"], city = rng.choice(self.enterprises)
            if rng.random() < CONTRACT_NAMED:
                provider = rng.choice(self.p.providers)
                fields["contracts"] = ((provider.uscc, f"JL{year}-{self.applications + 1:05d}"),)
        elif who == "PROVIDER":
            fields["applicant_id"] = rng.choice(self.p.provider_ids)
            fields["city"] = city = rng.choices(self.cities, self.city_weights)[0]
            fields["base_fen"] = rng.randint(200, 1_200) * WAN_YUAN  # the year's R&D spend
        else:
            fields["city"] = city = rng.choices(self.cities, self.city_weights)[0]
            if who == "COUNTY_GOVERNMENT":
                if city not in COUNTIES:
                    who = "CITY_GOVERNMENT"
                else:
                    fields["county"] = rng.choice(COUNTIES[city])
        self.applications += 1
        award_id = self.p.population.uuid("award", self.applications)
        actor = f"{who.lower()}:{fields['applicant_id']}" if "applicant_id" in fields else f"city:{city}"
        self.p.command(v.ApplyForAward(award_id=award_id, year=year, kind=kind, applicant_kind=who,
                                       project=rng.choice(PROJECTS), **fields),  # type: ignore[arg-type]
                       self.p.by(actor, when))
        if self.p.last_ok:
            self.p.agenda.at(self._later(when, 10, 30), self.city_decides, award_id, city, kind)

    def city_decides(self, when: datetime, award_id: UUID, city: str, kind: str) -> None:
        by = self.p.by(f"city:{city}", when)
        if self.rng.random() < RECOMMENDED:
            self.p.command(v.RecommendAward(award_id=award_id, city=city, opinion="同意推荐"), by)
            if self.p.last_ok:
                self.p.agenda.at(self._later(when, 20, 45), self.province_decides, award_id, kind)
        else:
            self.p.command(v.RefuseAward(award_id=award_id, reason=self.rng.choice(CITY_REFUSALS), city=city), by)

    def province_decides(self, when: datetime, award_id: UUID, kind: str) -> None:
        by = self.p.by(PROVINCE, when)
        if self.rng.random() < SELECTED:
            self.p.command(v.SelectAward(award_id=award_id), by)
            if self.p.last_ok:
                self.p.agenda.at(self._later(when, 5, 20), self.grant, award_id, kind)
        else:
            self.p.command(v.RefuseAward(award_id=award_id, reason=self.rng.choice(PROVINCE_REFUSALS)), by)

    def grant(self, when: datetime, award_id: UUID, kind: str) -> None:
        rng, by = self.rng, self.p.by(PROVINCE, when)
        case_by_case = PROGRAMMES[kind][2]["amount_rule"] == "CASE_BY_CASE"  # 一事一议: the province decides
        decided = rng.randint(300, 800) * WAN_YUAN if case_by_case else None
        amount = self.p.command(v.GrantAward(award_id=award_id, amount_fen=decided), by)
        if amount:
            self.granted.append(award_id)
        if self.p.last_ok and rng.random() < 0.1:
            self.p.command(v.RecommendAwardNationally(award_id=award_id, note="推荐申报国家级示范"), by)

    def batch_month(self, when: datetime) -> None:
        """On the 15th of each month the province puts the awards granted since the last batch into one award batch;
        paid three days later, the bank's confirmation recorded the next morning."""
        if self.granted:
            by = self.p.by(PROVINCE, when)
            batch_id = self.p.population.uuid("award-batch", self.p.next_serial())
            self.p.command(v.OpenAwardBatch(batch_id=batch_id, period=f"{when:%Y-%m}"), by)
            for award_id in self.granted:
                self.p.command(v.AddAwardToBatch(batch_id=batch_id, award_id=award_id), by)
            paid_at = when + timedelta(days=3)
            self.p.agenda.at(paid_at + timedelta(hours=self.rng.randint(14, 30)), self.pay, batch_id, paid_at,
                             self.granted)
            self.granted = []
        nxt = (when.replace(day=1) + timedelta(days=32)).replace(day=15)
        if nxt.date() <= DEADLINES[YEARS[-1]] + timedelta(days=90):
            self.p.agenda.at(nxt, self.batch_month)

    def pay(self, when: datetime, batch_id: UUID, paid_at: datetime, awards: list[UUID]) -> None:
        self.p.command(v.PayAwardBatch(batch_id=batch_id, effective_at=paid_at), self.p.by(PROVINCE, when))
        if not self.p.last_ok:
            return
        for award_id in awards:
            if self.rng.random() < RECOVERED:
                self.p.agenda.at(self._later(when, 60, 240), self.recover, award_id)

    def recover(self, when: datetime, award_id: UUID) -> None:
        found = when - timedelta(days=self.rng.randint(0, 7))
        amount = self.p.command(v.RecoverAward(award_id=award_id, reason=self.rng.choice(RECOVERED_BECAUSE),
                                               effective_at=found), self.p.by("province:audit", when))
        if amount:
            self.p.agenda.at(self._later(when, 20, 60), self.settle_recovery, award_id, amount)

    def settle_recovery(self, when: datetime, award_id: UUID, amount: int) -> None:
        """Most recoveries are repaid in full; a few are written off (the project's company wound up)."""
        by = self.p.by(PROVINCE, when)
        if self.rng.random() < 0.8:
            self.p.command(v.CollectAwardRecovery(award_id=award_id, amount_fen=amount,
                                                  bank_reference=f"AWD-{self.p.next_serial()}", effective_at=when), by)
        else:
            self.p.command(v.WriteOffAwardRecovery(award_id=award_id, reason="项目单位已注销，无法追回",
                                                   effective_at=when), by)

    def _office(self, day: date) -> datetime:
        rng = self.rng
        return local(day, rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59))

    def _later(self, when: datetime, low: int, high: int) -> datetime:
        return self._office((when + timedelta(days=self.rng.randint(low, high))).date())
