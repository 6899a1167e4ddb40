"""Publicity (公示) of the simulated programme: the 2020 round published its approved redemptions before paying them
(DOMAIN.md, "Publicity"). Every Tuesday the province publishes the claims of such a year approved in the week before
as that week's list; the list is closed the morning after its objection window and its uncontested claims go on to
settlement. Some lists draw an objection (one or two a month); the province rules on it a few days after the window:
most are upheld, the claim paid later; the rest sustained, the claim reversed with the ruling's reason.

The windows count working days on the State Council's holiday arrangements, which the province records as each
notice appears (2020's, its Spring Festival extension, 2021's: ``simulator/reference.py``).

A year whose rules do not require publicity still pays a claim the list failed to take (it is queued for settlement
as it would be without publicity). Its draws come from a generator of its own, so that it changes the other stories
of a seed no more than delaying 2020's payments by the publicity does.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import UUID

from ledger.commands import values as v
from simulator.programme import PROVINCE, Programme, local
from simulator.reference import (
    CALENDAR_RECORDED,
    DEADLINES,
    PUBLICISED_YEARS,
    WORKING_CALENDARS,
    YEARS,
    first_2020_arrangement,
)

OBJECTED_LISTS = 0.3  # weekly lists: one or two objections a month
SUSTAINED = 0.4
OBJECTORS = ("同行企业", "匿名举报人", "项目所在地群众")
OBJECTIONS = ("该项目服务未实际交付", "合同金额与实际不符", "该企业已获其他财政资金支持")
UPHELD_BECAUSE = "经核查，服务已交付，异议不成立"
SUSTAINED_BECAUSE = "经核查，异议成立：服务未按合同交付"

Listed = tuple[UUID, UUID, UUID]  # provider, voucher, claim


class Publicity:
    def __init__(self, programme: Programme) -> None:
        self.p = programme
        self.rng = random.Random(f"publicity-{programme.population.seed}")
        self.waiting: dict[int, list[Listed]] = {}  # programme year -> approved claims for the next list

    def schedule_calendars(self) -> None:
        for day, year, revised_because in CALENDAR_RECORDED:
            # At a fixed hour: drawing one would shift the other stories of a seed.
            self.p.agenda.at(local(day, 10), self.record_calendar, year, revised_because)

    def record_calendar(self, when: datetime, year: int, revised_because: str | None) -> None:
        if revised_because is None:
            days_off, workdays, notice = first_2020_arrangement() if year == 2020 else WORKING_CALENDARS[year]
            command: v.Command = v.PublishWorkingCalendar(year=year, days_off=days_off, workdays=workdays, notice=notice)
        else:
            days_off, workdays, notice = WORKING_CALENDARS[year]
            command = v.ReviseWorkingCalendar(year=year, days_off=days_off, workdays=workdays, notice=notice,
                                              reason=revised_because)
        self.p.command(command, self.p.by(PROVINCE, when))

    def approved(self, year: int, provider_id: UUID, voucher_id: UUID, claim_id: UUID) -> None:
        """An approved claim: on the next list if its year is publicised, else straight on to settlement."""
        if year in PUBLICISED_YEARS:
            self.waiting.setdefault(year, []).append((provider_id, voucher_id, claim_id))
        else:
            self.p.queue_for_settlement(provider_id, voucher_id, claim_id)

    def publish_week(self, when: datetime) -> None:
        for year, claims in list(self.waiting.items()):
            if claims:
                self.waiting[year] = []
                self._publish(when, year, claims)
        next_week = when + timedelta(days=7)
        if next_week.date() <= DEADLINES[YEARS[-1]] + timedelta(days=90):
            self.p.agenda.at(next_week, self.publish_week)

    def _publish(self, when: datetime, year: int, claims: list[Listed]) -> None:
        p, rng = self.p, self.rng
        listed = p.command(v.PublishClaims(year=year, period=f"{when:%G-W%V}",
                                           claims=tuple((voucher, claim) for _, voucher, claim in claims)),
                           p.by(PROVINCE, when))
        if listed is None:  # the year pays without publicity: the claims go on as they would have
            for entry in claims:
                p.queue_for_settlement(*entry)
            return
        objected: Listed | None = None
        if rng.random() < OBJECTED_LISTS:
            objected = rng.choice(claims)
            lodge_at = min(when + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6)),
                           listed.window_ends_at - timedelta(hours=1))
            p.agenda.at(lodge_at, self.object, listed.list_id, objected)
        close_at = listed.window_ends_at + timedelta(hours=rng.randint(9, 14))  # the next office morning or so
        p.agenda.at(close_at, self.close, listed.list_id, claims, objected)

    def object(self, when: datetime, list_id: UUID, entry: Listed) -> None:
        rng = self.rng
        self.p.command(v.LodgeObjection(list_id=list_id, claim_id=entry[2], objector=rng.choice(OBJECTORS),
                                        reason=rng.choice(OBJECTIONS)), self.p.by("public:objection", when))

    def close(self, when: datetime, list_id: UUID, claims: list[Listed], objected: Listed | None) -> None:
        self.p.command(v.ClosePublicityList(list_id=list_id), self.p.by(PROVINCE, when))
        for entry in claims:
            if entry != objected:
                self.p.queue_for_settlement(*entry)
        if objected is not None:
            self.p.agenda.at(when + timedelta(days=self.rng.randint(2, 12)), self.rule, list_id, objected)

    def rule(self, when: datetime, list_id: UUID, entry: Listed) -> None:
        p, (provider_id, voucher_id, claim_id) = self.p, entry
        by = p.by(PROVINCE, when)
        if self.rng.random() < SUSTAINED:
            p.command(v.SustainObjection(list_id=list_id, claim_id=claim_id, reason=SUSTAINED_BECAUSE), by)
            if p.last_ok:
                return  # reversed
        else:
            p.command(v.UpholdClaim(list_id=list_id, claim_id=claim_id, reason=UPHELD_BECAUSE), by)
        # Upheld, or nothing to rule on (the objection came too late to be lodged): paid as any cleared claim.
        p.queue_for_settlement(provider_id, voucher_id, claim_id)
