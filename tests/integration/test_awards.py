"""Awards (二, 三; DOMAIN.md "Awards"), in the policy's words, on both stores.

The 2019 programmes here are configured as a province would (the policy names no amounts): a benchmark project
(标杆示范项目) is awarded a fixed 500,000 RMB, applied for by an enterprise, recommended by its city, selected and
paid by the province; Foshan co-funds 40 % of it, as of its vouchers (its 2019 city share). At most 20 key platform
enterprises (重点平台企业) are selected at any time; each is awarded 30 % of its declared R&D spend, at most
2,000,000 RMB. Innovation centres (创新中心) are supported case by case (一事一议), at most 10,000,000 RMB. A
demonstration base (示范基地) is a title given to a city or county government, without money.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from ledger.awards import Award, AwardStatus
from ledger.errors import LedgerError
from ledger.fiscal_time import shanghai_text
from ledger.money import WAN_YUAN
from store.opening import open_ledger
from tests.integration.test_concurrency import codes, run_together
from tests.support.assertions import last_event_id, refused
from tests.support.scenario import DONGGUAN, FOSHAN

BENCHMARK_FEN = 50 * WAN_YUAN  # 500,000 RMB
FOSHAN_SHARE_PERCENT = 40  # tests/support/scenario.py: Foshan co-funds 40 % in 2019


def define_programmes(world) -> None:
    app, by = world.app, world.by()
    app.define_award_programme(by, year=2019, kind="BENCHMARK_PROJECT", name="工业互联网应用标杆示范项目",
                               applicants=("ENTERPRISE",), amount_rule="FIXED", amount_fen=BENCHMARK_FEN)
    app.define_award_programme(by, year=2019, kind="KEY_PLATFORM", name="重点平台企业", applicants=("PROVIDER",),
                               amount_rule="RATE", rate="0.30", cap_fen=200 * WAN_YUAN, max_selected=20,
                               city_share="0")
    app.define_award_programme(by, year=2019, kind="INNOVATION_CENTRE", name="工业互联网创新中心",
                               applicants=("CITY_GOVERNMENT",), amount_rule="CASE_BY_CASE", cap_fen=1_000 * WAN_YUAN)
    app.define_award_programme(by, year=2019, kind="DEMONSTRATION_BASE", name="广东省工业互联网产业示范基地",
                               applicants=("CITY_GOVERNMENT", "COUNTY_GOVERNMENT"), amount_rule="TITLE")


@pytest.fixture
def awards(world):
    define_programmes(world)
    return world


def benchmark_application(world, enterprise_id):
    award_id = uuid4()
    world.app.apply_for_award(world.by("enterprise"), award_id=award_id, year=2019, kind="BENCHMARK_PROJECT",
                              applicant_kind="ENTERPRISE", applicant_id=enterprise_id, project="佛山陶瓷产线上云")
    return award_id


def paid_benchmark_award(world):
    """A Foshan enterprise's benchmark award, recommended, selected, granted and paid in a batch now: (award, batch,
    payment time)."""
    app = world.app
    award_id = benchmark_application(world, world.enterprise(city=FOSHAN))
    app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
    app.select_award(world.by(), award_id=award_id)
    app.grant_award(world.by(), award_id=award_id)
    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-06")
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=award_id)
    app.pay_award_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    return award_id, batch_id, world.now


def key_platform_selected(world, provider_id, *, base_fen=500 * WAN_YUAN):
    award_id = uuid4()
    world.app.apply_for_award(world.by("provider"), award_id=award_id, year=2019, kind="KEY_PLATFORM",
                              applicant_kind="PROVIDER", applicant_id=provider_id, city=FOSHAN, project="平台研发",
                              base_fen=base_fen)
    world.app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
    return award_id


def test_a_foshan_benchmark_project_is_recommended_by_foshan_selected_granted_and_paid(awards):
    world, app = awards, awards.app
    factory = world.enterprise(city=FOSHAN)
    platform = world.provider()
    platform_uscc = app.provider(platform).uscc
    award_id = uuid4()
    app.apply_for_award(world.by("enterprise"), award_id=award_id, year=2019, kind="BENCHMARK_PROJECT",
                        applicant_kind="ENTERPRISE", applicant_id=factory, project="佛山陶瓷产线工业互联网改造",
                        contracts=((platform_uscc, " ht-2019-001"),))
    applied = app.award(award_id)
    assert (applied.city, applied.status) == (FOSHAN, AwardStatus.APPLIED)  # the enterprise's registered city
    # The contracts of the project are recorded as their provider's (one item of work is funded once).
    assert applied.contracts == [{"provider_uscc": platform_uscc, "provider_id": str(platform),
                                  "contract_no": "HT-2019-001"}]

    world.advance(days=10)
    app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN, opinion="推荐")
    world.advance(days=20)
    app.select_award(world.by(), award_id=award_id)
    app.recommend_award_nationally(world.by(), award_id=award_id, note="推荐为国家级标杆示范项目")
    granted = app.grant_award(world.by(), award_id=award_id)
    award = app.award(award_id)
    city_part = BENCHMARK_FEN * FOSHAN_SHARE_PERCENT // 100
    assert granted == BENCHMARK_FEN
    assert (award.city_portion_fen, award.province_portion_fen) == (city_part, BENCHMARK_FEN - city_part)
    assert award.nationally_recommended

    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-06")
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=award_id)
    payment = app.pay_award_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    assert payment.total_fen == BENCHMARK_FEN
    assert payment.by_city == {FOSHAN: {"city_fen": 20 * WAN_YUAN, "province_fen": 30 * WAN_YUAN}}
    assert app.award(award_id).status == AwardStatus.PAID
    kinds = [type(e).__name__ for e in app.events.get(award_id)]
    assert kinds == ["Applied", "Recommended", "Selected", "NationallyRecommended", "Granted", "Batched", "Paid"]

    # Paid once: a second batch cannot take it.
    second = uuid4()
    app.open_award_batch(world.by(), batch_id=second, period="2019-07")
    with pytest.raises(LedgerError) as again:
        app.add_award_to_batch(world.by(), batch_id=second, award_id=award_id)
    assert again.value.code == "INVALID_TRANSITION"


def test_a_city_cannot_recommend_or_decline_another_citys_application(awards):
    world, app = awards, awards.app
    award_id = benchmark_application(world, world.enterprise(city=FOSHAN))
    before = last_event_id(app)
    for attempt in (lambda: app.recommend_award(world.by("city:441900"), award_id=award_id, city=DONGGUAN),
                    lambda: app.refuse_award(world.by("city:441900"), award_id=award_id, reason="不符合",
                                             city=DONGGUAN)):
        with pytest.raises(LedgerError) as refused:
            attempt()
        assert refused.value.code == "AWARD_OTHER_CITY"
    assert last_event_id(app) == before  # nothing written
    # Nor can the province select what its city has not recommended.
    with pytest.raises(LedgerError) as early:
        app.select_award(world.by(), award_id=award_id)
    assert early.value.code == "INVALID_TRANSITION"
    app.refuse_award(world.by("city:440600"), award_id=award_id, reason="项目尚未验收", city=FOSHAN)
    refused = [e for e in app.events.get(award_id) if isinstance(e, Award.Refused)]
    assert [(e.stage, e.reason) for e in refused] == [("CITY", "项目尚未验收")]


def test_the_province_refuses_a_recommended_application_with_its_reason(awards):
    world, app = awards, awards.app
    award_id = benchmark_application(world, world.enterprise(city=FOSHAN))
    app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
    with pytest.raises(LedgerError) as no_reason:
        app.refuse_award(world.by(), award_id=award_id, reason=" ")
    assert no_reason.value.code == "INVALID_INPUT"
    app.refuse_award(world.by(), award_id=award_id, reason="示范效果不足")
    assert app.award(award_id).status == AwardStatus.REFUSED
    with pytest.raises(LedgerError) as after:
        app.grant_award(world.by(), award_id=award_id)
    assert after.value.code == "INVALID_TRANSITION"


def test_a_twenty_first_key_platform_is_refused_while_twenty_are_selected(awards):
    world, app = awards, awards.app
    platforms = [world.provider(quota_fen=None, whitelisted=False) for _ in range(21)]
    applications = [key_platform_selected(world, p) for p in platforms]
    for award_id in applications[:20]:
        app.select_award(world.by(), award_id=award_id)
    before = last_event_id(app)
    with pytest.raises(LedgerError) as full:
        app.select_award(world.by(), award_id=applications[20])
    assert full.value.code == "AWARD_SELECTION_CAP_REACHED"
    assert last_event_id(app) == before
    assert app.award(applications[20]).status == AwardStatus.RECOMMENDED

    # 30 % of 5,000,000 RMB declared R&D spend is 1,500,000 RMB, under the 2,000,000 RMB cap; the province pays all.
    assert app.grant_award(world.by(), award_id=applications[0]) == 150 * WAN_YUAN
    assert app.award(applications[0]).city_portion_fen == 0
    # A recovered key platform gives up its place: the twenty-first can then be selected.
    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-09")
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=applications[0])
    app.pay_award_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    world.advance(days=30)
    assert app.recover_award(world.by(), award_id=applications[0], reason="研发费用虚报",
                             effective_at=world.now) == 150 * WAN_YUAN
    app.select_award(world.by(), award_id=applications[20])
    assert app.award(applications[20]).status == AwardStatus.SELECTED
    # Full again; a platform that is no longer a key platform gives its place up when the province withdraws it.
    late = key_platform_selected(world, world.provider(quota_fen=None, whitelisted=False))
    with pytest.raises(LedgerError) as again:
        app.select_award(world.by(), award_id=late)
    assert again.value.code == "AWARD_SELECTION_CAP_REACHED"
    app.withdraw_award_title(world.by(), award_id=applications[1], reason="不再符合重点平台企业条件")
    assert app.award(applications[1]).title_withdrawn and app.award(applications[1]).status == AwardStatus.SELECTED
    app.select_award(world.by(), award_id=late)
    assert len(app.award_roster("KEY_PLATFORM").seats) == 20


def test_a_rate_award_is_its_rate_of_the_declared_base_rounded_down_and_never_above_its_cap(awards):
    # KEY_PLATFORM: 30 % of the declared R&D spend, at most 2,000,000 RMB (the programme's configured cap)
    world, app = awards, awards.app
    capped, under = (key_platform_selected(world, world.provider(quota_fen=None, whitelisted=False), base_fen=base)
                     for base in (700 * WAN_YUAN, 666_666_663))
    for award_id in (capped, under):
        app.select_award(world.by(), award_id=award_id)
    assert app.grant_award(world.by(), award_id=capped) == 200 * WAN_YUAN  # 30 % of 7,000,000 RMB is 2,100,000
    assert app.grant_award(world.by(), award_id=under) == 199_999_998  # 0.30 × 666,666,663 = 199,999,998.9


def test_concurrent_selections_never_get_past_twenty_key_platforms(awards, store_settings):
    world, app = awards, awards.app
    platforms = [world.provider(quota_fen=None, whitelisted=False) for _ in range(24)]
    applications = [key_platform_selected(world, p) for p in platforms]
    for award_id in applications[:18]:
        app.select_award(world.by(), award_id=award_id)
    contenders = applications[18:]  # six for the last two places
    settings = store_settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 1})
    apps = [open_ledger(settings) for _ in contenders]
    try:
        outcomes = run_together(lambda i: apps[i].select_award(world.by(), award_id=contenders[i]), len(contenders))
    finally:
        for other in apps:
            other.close()
    selected = [a for a in applications if app.award(a).status == AwardStatus.SELECTED]
    assert len(selected) == 20
    assert sorted(codes(outcomes)) == ["AWARD_SELECTION_CAP_REACHED"] * 4
    roster = app.award_roster("KEY_PLATFORM")
    assert sorted(roster.seats) == sorted(selected)


def test_an_innovation_centre_is_granted_case_by_case_within_its_cap(awards):
    world, app = awards, awards.app
    award_id = uuid4()
    app.apply_for_award(world.by("city:440600"), award_id=award_id, year=2019, kind="INNOVATION_CENTRE",
                        applicant_kind="CITY_GOVERNMENT", city=FOSHAN, project="佛山工业互联网创新中心")
    assert app.award(award_id).applicant_name == "佛山市人民政府"
    app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
    app.select_award(world.by(), award_id=award_id)
    for amount in (None, 1_000 * WAN_YUAN + 1):
        with pytest.raises(LedgerError) as refused:
            app.grant_award(world.by(), award_id=award_id, amount_fen=amount)
        assert refused.value.code == "AWARD_AMOUNT_INVALID"
    assert app.grant_award(world.by(), award_id=award_id, amount_fen=800 * WAN_YUAN) == 800 * WAN_YUAN


def test_a_demonstration_base_is_a_title_without_money_and_only_governments_apply(awards):
    world, app = awards, awards.app
    with pytest.raises(LedgerError) as not_allowed:
        app.apply_for_award(world.by("enterprise"), award_id=uuid4(), year=2019, kind="DEMONSTRATION_BASE",
                            applicant_kind="ENTERPRISE", applicant_id=world.enterprise(), project="产业集群")
    assert not_allowed.value.code == "AWARD_APPLICANT_NOT_ALLOWED"
    award_id = uuid4()
    app.apply_for_award(world.by("county"), award_id=award_id, year=2019, kind="DEMONSTRATION_BASE",
                        applicant_kind="COUNTY_GOVERNMENT", city=FOSHAN, county="顺德区", project="顺德家电产业集群")
    app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
    app.select_award(world.by(), award_id=award_id)
    assert app.grant_award(world.by(), award_id=award_id) == 0
    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-06")
    with pytest.raises(LedgerError) as nothing_to_pay:
        app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=award_id)
    assert nothing_to_pay.value.code == "INVALID_TRANSITION"


def test_a_recovered_award_is_collected_in_parts_split_like_its_payment(awards):
    world, app = awards, awards.app
    award_id, batch_id, paid_at = paid_benchmark_award(world)
    world.advance(days=40)
    with pytest.raises(LedgerError) as too_early:  # the payment's time as Guangdong writes it, not UTC
        app.recover_award(world.by(), award_id=award_id, reason="验收材料造假",
                          effective_at=paid_at - timedelta(hours=1))
    assert f"paid ({shanghai_text(paid_at)})" in too_early.value.detail and "+08:00" in too_early.value.detail
    app.recover_award(world.by(), award_id=award_id, reason="验收材料造假", effective_at=world.now)
    first = app.collect_award_recovery(world.by(), award_id=award_id, amount_fen=10 * WAN_YUAN,
                                       bank_reference="BANK-1", effective_at=world.now)
    # 100,000 RMB back: Foshan's 40 % of it, the province the rest.
    assert (first.city_portion_fen, first.province_portion_fen, first.outstanding_fen) == (
        4 * WAN_YUAN, 6 * WAN_YUAN, 40 * WAN_YUAN)
    stored = app.recorder.max_notification_id()
    for again in ("BANK-1", " bank－1 "):  # the same transfer entered again, however it is typed: counted once
        with pytest.raises(LedgerError) as repeated:
            app.collect_award_recovery(world.by(), award_id=award_id, amount_fen=10 * WAN_YUAN,
                                       bank_reference=again, effective_at=world.now)
        assert repeated.value.code == "DUPLICATE_COLLECTION"
    assert app.recorder.max_notification_id() == stored
    with pytest.raises(LedgerError) as too_much:
        app.collect_award_recovery(world.by(), award_id=award_id, amount_fen=40 * WAN_YUAN + 1,
                                   bank_reference="BANK-2", effective_at=world.now)
    assert too_much.value.code == "RECOVERY_OVER_COLLECTED"
    rest = app.write_off_award_recovery(world.by(), award_id=award_id, reason="企业破产", effective_at=world.now)
    assert (rest.city_portion_fen, rest.province_portion_fen) == (16 * WAN_YUAN, 24 * WAN_YUAN)
    with pytest.raises(LedgerError) as closed:
        app.write_off_award_recovery(world.by(), award_id=award_id, reason="again", effective_at=world.now)
    assert closed.value.code == "RECOVERY_CLOSED"


def test_an_award_programme_is_defined_once_a_year_and_an_unknown_one_is_refused(awards):
    world, app = awards, awards.app
    with pytest.raises(LedgerError) as twice:
        app.define_award_programme(world.by(), year=2019, kind="BENCHMARK_PROJECT", name="again",
                                   applicants=("ENTERPRISE",), amount_rule="FIXED", amount_fen=1)
    assert twice.value.code == "ALREADY_EXISTS"
    with pytest.raises(LedgerError) as unknown:
        app.apply_for_award(world.by(), award_id=uuid4(), year=2019, kind="FINANCE_PILOT",
                            applicant_kind="PROVIDER", applicant_id=world.provider(), city=FOSHAN, project="供应链金融")
    assert unknown.value.code == "AWARD_PROGRAMME_NOT_FOUND"
    with pytest.raises(LedgerError) as malformed:
        app.define_award_programme(world.by(), year=2019, kind="FINANCE_PILOT", name="金融服务试点示范",
                                   applicants=("PROVIDER",), amount_rule="FIXED")
    assert malformed.value.code == "INVALID_INPUT"


def test_a_granted_award_funds_its_projects_contracts_once_across_awards_and_vouchers(awards):
    """One item of work is funded once: the grant funds the project's contracts in its own transaction, so a voucher
    claim on one of them is refused after it, and a contract already claimed on a voucher refuses the grant (which
    then changes nothing: the award stays selected)."""
    world, app = awards, awards.app
    platform = world.provider()
    platform_uscc = app.provider(platform).uscc
    factory = world.eligible_enterprise(city=FOSHAN)
    voucher = world.issue(factory, "APP-ERP").voucher_id
    world.advance(days=5)

    def granted_project(contract_no: str):
        award_id = uuid4()
        app.apply_for_award(world.by("enterprise"), award_id=award_id, year=2019, kind="BENCHMARK_PROJECT",
                            applicant_kind="ENTERPRISE", applicant_id=factory, project="佛山陶瓷产线上云",
                            contracts=((platform_uscc, contract_no),))
        app.recommend_award(world.by("city:440600"), award_id=award_id, city=FOSHAN)
        app.select_award(world.by(), award_id=award_id)
        return award_id

    funded = granted_project("HT-AWARD-1")
    assert app.grant_award(world.by(), award_id=funded) == BENCHMARK_FEN
    evidence = world.evidence(contract_amount_fen=1_000_000, contract_no="HT-AWARD-1")
    with pytest.raises(LedgerError) as on_voucher:
        world.claim(voucher, platform, eligible_fee_fen=1_000_000, evidence=evidence)
    assert on_voucher.value.code == "ALREADY_FUNDED"
    assert app.voucher(voucher).balance_fen == app.voucher(voucher).face_value_fen  # nothing held

    claimed = world.evidence(contract_amount_fen=1_000_000, contract_no="HT-CLAIMED-1")
    world.claim(voucher, platform, eligible_fee_fen=1_000_000, evidence=claimed)
    refused_award = granted_project("ht-claimed-1")  # numbers compare trimmed and upper-cased
    versions = len(list(app.events.get(refused_award)))
    with pytest.raises(LedgerError) as on_award:
        app.grant_award(world.by(), award_id=refused_award)
    assert on_award.value.code == "ALREADY_FUNDED"
    assert app.award(refused_award).status == AwardStatus.SELECTED
    assert len(list(app.events.get(refused_award))) == versions  # the grant and the funding stand or fall together


def test_a_withdrawn_title_is_neither_granted_nor_paid(awards):
    """A key platform whose title the province withdrew gave its place under the cap (at most 20 at any time) to
    another: granting or paying it after that would fund 21. Withdrawn before the grant, it is not granted (nor
    recommended for national status); after the grant, not put in a batch; in a batch waiting for payment, left
    unpaid when the batch is paid. Withdrawn after payment, its money stays paid (reclaiming it is a recovery, as
    before)."""
    world, app = awards, awards.app
    platforms = [world.provider(quota_fen=None, whitelisted=False) for _ in range(4)]
    p1, p2, p3, p4 = (key_platform_selected(world, p) for p in platforms)
    for award_id in (p1, p2, p3, p4):
        app.select_award(world.by(), award_id=award_id)

    def refused(attempt) -> None:
        before = last_event_id(app)
        with pytest.raises(LedgerError) as refusal:
            attempt()
        assert refusal.value.code == "AWARD_TITLE_WITHDRAWN"
        assert last_event_id(app) == before  # nothing written

    # Withdrawn once selected: never granted (its place is someone else's now).
    app.withdraw_award_title(world.by(), award_id=p1, reason="不再符合重点平台企业条件")
    assert p1 not in app.award_roster("KEY_PLATFORM").seats
    refused(lambda: app.grant_award(world.by(), award_id=p1))
    refused(lambda: app.recommend_award_nationally(world.by(), award_id=p1, note="推荐国家级"))  # nor put forward
    assert app.award(p1).status == AwardStatus.SELECTED and app.award(p1).amount_fen == 0

    # Withdrawn once granted: never put in a batch.
    for award_id in (p2, p3, p4):
        assert app.grant_award(world.by(), award_id=award_id) == 150 * WAN_YUAN  # 30 % of 5,000,000 RMB
    app.withdraw_award_title(world.by(), award_id=p2, reason="不再符合重点平台企业条件")
    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-09")
    refused(lambda: app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=p2))

    # Withdrawn while its batch waits: the batch pays the others, never it.
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=p3)
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=p4)
    app.withdraw_award_title(world.by(), award_id=p3, reason="不再符合重点平台企业条件")
    payment = app.pay_award_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    assert (payment.awards, payment.total_fen) == ((p4,), 150 * WAN_YUAN)
    assert app.award(p3).status == AwardStatus.GRANTED and app.award(p3).paid_at is None
    assert app.award(p4).status == AwardStatus.PAID
    assert app.award(p3).batch_id == batch_id  # it stays a line of that batch, unpaid
    refused(lambda: app.award(p3).pay(world.by(), batch_id=batch_id, effective_at=world.now))  # nor paid directly

    # Withdrawn after payment: the money stays paid; a recovery reclaims it, the existing way.
    world.advance(days=10)
    app.withdraw_award_title(world.by(), award_id=p4, reason="不再符合重点平台企业条件")
    assert app.award(p4).status == AwardStatus.PAID
    assert app.recover_award(world.by(), award_id=p4, reason="研发费用虚报", effective_at=world.now) == 150 * WAN_YUAN


def test_an_award_batch_whose_only_award_lost_its_title_has_nothing_to_pay(awards):
    world, app = awards, awards.app
    award_id = key_platform_selected(world, world.provider(quota_fen=None, whitelisted=False))
    app.select_award(world.by(), award_id=award_id)
    app.grant_award(world.by(), award_id=award_id)
    batch_id = uuid4()
    app.open_award_batch(world.by(), batch_id=batch_id, period="2019-09")
    app.add_award_to_batch(world.by(), batch_id=batch_id, award_id=award_id)
    app.withdraw_award_title(world.by(), award_id=award_id, reason="不再符合重点平台企业条件")
    before = last_event_id(app)
    with pytest.raises(LedgerError) as empty:
        app.pay_award_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    assert empty.value.code == "EMPTY_BATCH"
    assert last_event_id(app) == before and not app.award_batch(batch_id).paid


def test_a_rate_award_application_without_its_base_is_refused_before_it_can_take_a_place(awards):
    """A key platform is awarded 30 % of the R&D spend it declares: an application declaring none could never be
    granted, so it is refused when made, before its city recommends it or it takes one of the 20 places."""
    world, app = awards, awards.app
    platform = world.provider(quota_fen=None, whitelisted=False)
    award_id, before = uuid4(), last_event_id(app)
    with pytest.raises(LedgerError) as refused:
        app.apply_for_award(world.by("provider"), award_id=award_id, year=2019, kind="KEY_PLATFORM",
                            applicant_kind="PROVIDER", applicant_id=platform, city=FOSHAN, project="平台研发")
    assert refused.value.code == "AWARD_BASE_REQUIRED"
    assert last_event_id(app) == before
    with pytest.raises(LedgerError) as unknown:
        app.award(award_id)
    assert unknown.value.code == "AWARD_NOT_FOUND"


def test_an_award_recovery_cannot_take_effect_before_the_award_was_paid(awards):
    """The same rule as a claim's recovery, with the same code: money is not due back before it went out."""
    world, app = awards, awards.app
    award_id, batch_id, paid_at = paid_benchmark_award(world)
    world.advance(days=5)
    refused("RECOVERY_BEFORE_PAYMENT", app, app.recover_award, by=world.by(), award_id=award_id, reason="验收材料造假",
            effective_at=paid_at - timedelta(microseconds=1))
    assert app.award(award_id).status == AwardStatus.PAID
