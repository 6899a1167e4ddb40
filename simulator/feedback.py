"""Enterprises' word on their providers (三(三)): most rate the service an approved claim paid for (1-5, once), a few
complain. Most providers serve well; a few serve poorly, and their enterprises rate them lower and complain more,
so the resource pool's evaluation has something to tell apart.

Its draws come from a generator of its own, so adding these stories leaves every other draw of a seed as it was.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import UUID

from ledger.commands import values as v
from simulator.programme import Programme

RATED_SHARE = 0.8  # of approved claims
POOR_SHARE = 0.1  # of providers
COMPLAINT_SHARE = {False: 0.008, True: 0.05}  # of approved claims, by whether the provider serves poorly
COMMENTS = {
    1: ("系统长期无法正常使用", "服务商失联"), 2: ("交付延期，响应慢", "功能与合同约定不符"),
    3: ("基本满足需求", "上线较慢"), 4: ("上线及时，售后响应较快", "运行稳定"), 5: ("服务专业，效果明显", "上云后效率显著提升"),
}
COMPLAINTS = ("验收后系统多次宕机，服务商未及时响应", "合同约定的功能未交付", "服务商要求额外收费")


class Feedback:
    def __init__(self, programme: Programme) -> None:
        self.p = programme
        self.rng = random.Random(f"feedback-{programme.population.seed}")
        self.poor: dict[UUID, bool] = {}
        self.complaints = 0  # numbers its complaints' ids (the programme's serial numbers the other stories' ids)

    def after_approval(self, when: datetime, voucher_id: UUID, enterprise_id: UUID, claim_id: UUID,
                       provider_id: UUID) -> None:
        """An approved claim's service was delivered: most enterprises rate it some weeks on, a few complain."""
        rng, poor = self.rng, self._poor(provider_id)
        if rng.random() < RATED_SHARE:
            self.p.agenda.at(self._later(when, 5, 30), self.rate, voucher_id, enterprise_id, claim_id, poor)
        if rng.random() < COMPLAINT_SHARE[poor]:
            self.p.agenda.at(self._later(when, 10, 60), self.complain, voucher_id, enterprise_id, claim_id)

    def rate(self, when: datetime, voucher_id: UUID, enterprise_id: UUID, claim_id: UUID, poor: bool) -> None:
        rng = self.rng
        score = min(5, max(1, round(rng.gauss(2.6 if poor else 4.2, 0.8))))
        comment = rng.choice(COMMENTS[score]) if rng.random() < 0.3 else ""
        self.p.command(v.RateService(voucher_id=voucher_id, claim_id=claim_id, score=score, comment=comment,
                                     on_behalf_of=enterprise_id), self.p.by(f"enterprise:{enterprise_id}", when))

    def complain(self, when: datetime, voucher_id: UUID, enterprise_id: UUID, claim_id: UUID) -> None:
        self.complaints += 1
        complaint_id = self.p.population.uuid("complaint", self.complaints)
        self.p.command(v.FileComplaint(voucher_id=voucher_id, claim_id=claim_id, complaint_id=complaint_id,
                                       reason=self.rng.choice(COMPLAINTS), on_behalf_of=enterprise_id),
                       self.p.by(f"enterprise:{enterprise_id}", when))

    def _poor(self, provider_id: UUID) -> bool:
        if provider_id not in self.poor:
            self.poor[provider_id] = self.rng.random() < POOR_SHARE
        return self.poor[provider_id]

    def _later(self, when: datetime, low: int, high: int) -> datetime:
        """Office hours, ``low`` to ``high`` days on."""
        rng = self.rng
        day = when + timedelta(days=rng.randint(low, high))
        return day.replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59), second=rng.randint(0, 59))
