"""Publicity (公示) before payment (DOMAIN.md, "Publicity (公示) and objections"): approved claims of a year that
requires publicity are published in a list per period; anyone may object during the window of the year's working
days; an objection holds the claim until the province upholds it or sustains the objection (the claim is then
reversed with that reason); a claim is payable only once its list closed with no objection waiting; the list as of
any past time is reproducible. The 2018-2020 default years require no publicity (their claims pay as approved).

Calendar (Asia/Shanghai, UTC+8): 2026-03-13 is a Friday. Five working days after it (March has no holiday and no
make-up working day: the world records a 2026 calendar with none) are 16, 17, 18, 19 and 20 March, so a list published on Friday 13 March takes objections until 24:00 on Friday 20 March,
i.e. 2026-03-20 16:00 UTC.
"""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from ledger import ids
from ledger.commands.values import (
    ClosePublicityList,
    LodgeObjection,
    PublishClaims,
    PublishWorkingCalendar,
    ReviseWorkingCalendar,
    SustainObjection,
    UpholdClaim,
)
from ledger.publicity import objection_window_ends, working_days_after
from projections.audit_summaries import summarise
from projections.check import check
from projections.read_models import ReadModels
from tests.support.assertions import refused
from tests.support.projection_helpers import lean
from tests.support.scenario import World

YEAR = 2026
PUBLISHED = datetime(2026, 3, 13, 2, tzinfo=UTC)  # Friday 13 March, 10:00 in Guangdong
WINDOW_ENDS = datetime(2026, 3, 20, 16, tzinfo=UTC)  # 24:00 on Friday 20 March in Guangdong
FEE = 2_000_000  # fen; the APP-ERP item pays 50 %: each claim holds 1,000,000 fen
FACE = 10_000_000


@pytest.fixture
def world(ledger):
    world = World(app=ledger, now=datetime(2026, 3, 2, 1, tzinfo=UTC), year=YEAR)
    ledger.open_year(world.by(), year=YEAR, redemption_deadline=date(2027, 2, 8), publicity_required=True,
                     objection_working_days=5)
    world.setup_year(YEAR)
    ledger.handle(PublishWorkingCalendar(year=YEAR, days_off=(), workdays=(),
                                         notice="测试用：只用到 3 月，3 月无节假日和调休"), world.by())
    return world


@pytest.fixture
def provider(world):
    return world.provider()


def approved(world, provider):
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    return world.approved_claim(voucher, provider, eligible_fee_fen=FEE)


def publish(world, *receipts, period="2026-03"):
    world.now = PUBLISHED
    return world.app.handle(PublishClaims(year=YEAR, period=period,
                                          claims=tuple((r.voucher_id, r.claim_id) for r in receipts)), world.by())


def open_batch(world, provider):
    batch_id = uuid4()
    world.app.open_batch(world.by(), batch_id=batch_id, provider_id=provider, period="2026-03")
    return batch_id


def add(world, batch_id, receipt):
    world.app.add_to_batch(world.by(), batch_id=batch_id, voucher_id=receipt.voucher_id, claim_id=receipt.claim_id)


def run(world, value, actor="province:ops"):
    return world.app.handle(value, world.by(actor))


def object_to(world, listed, receipt, who="佛山市某企业员工", why="该项目服务未实际交付"):
    return world.app.handle(LodgeObjection(list_id=listed.list_id, claim_id=receipt.claim_id, objector=who,
                                           reason=why), world.by("enterprise:objector"))


def test_working_days_skip_the_weekend_and_the_window_ends_at_midnight_in_guangdong(world):
    recorded = world.app.working_days_from(PUBLISHED)
    assert working_days_after(date(2026, 3, 13), 5, recorded) == date(2026, 3, 20)  # Fri → the next Fri
    assert working_days_after(date(2026, 3, 11), 5, recorded) == date(2026, 3, 18)  # Wed → the next Wed
    assert working_days_after(date(2026, 3, 14), 1, recorded) == date(2026, 3, 16)  # Sat → Mon
    assert objection_window_ends(PUBLISHED, 5, recorded) == WINDOW_ENDS
    assert objection_window_ends(PUBLISHED, 0, recorded) == PUBLISHED  # no window: nothing to wait for


def test_a_claim_is_not_payable_before_it_is_publicised_nor_before_its_list_closes(world, provider):
    receipt = approved(world, provider)
    batch_id = open_batch(world, provider)
    refused("CLAIM_NOT_PUBLICISED", world.app, add, world=world, batch_id=batch_id, receipt=receipt)

    listed = publish(world, receipt)
    assert (listed.claims, listed.window_ends_at) == (1, WINDOW_ENDS)
    assert listed.list_id == ids.publicity_list_id(YEAR, "2026-03")
    world.now = WINDOW_ENDS - timedelta(seconds=1)  # the last second of the window: still in publicity
    refused("PUBLICITY_NOT_CLOSED", world.app, add, world=world, batch_id=batch_id, receipt=receipt)
    refused("PUBLICITY_WINDOW_OPEN", world.app, run, world=world, value=ClosePublicityList(listed.list_id))

    world.now = WINDOW_ENDS
    assert world.app.handle(ClosePublicityList(listed.list_id), world.by()) == (1, 0)
    add(world, batch_id, receipt)
    paid = world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    assert paid.settled_claims == (receipt.claim_id,) and paid.total_fen == FEE // 2


def test_a_payment_cannot_be_dated_inside_the_objection_window_even_once_the_list_is_closed(world, provider):
    """Payable only after the window closed: a payment recorded after the close but dated (its effective time, when the
    money moved) before the window's end would put the money out while objections could still come; refused, and
    nothing changes. Dated at the window's end it is paid."""
    receipt = approved(world, provider)
    listed = publish(world, receipt)
    world.now = WINDOW_ENDS + timedelta(days=2)
    run(world, ClosePublicityList(listed.list_id))
    batch_id = open_batch(world, provider)
    add(world, batch_id, receipt)
    refused("PAID_BEFORE_PUBLICITY", world.app, world.app.pay_batch, by=world.by(), batch_id=batch_id,
            effective_at=WINDOW_ENDS - timedelta(microseconds=1))
    assert world.app.voucher(receipt.voucher_id).claim(receipt.claim_id).status == "APPROVED"
    paid = world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=WINDOW_ENDS)
    assert paid.settled_claims == (receipt.claim_id,)


def test_a_claim_held_by_an_objection_cannot_be_paid_with_a_date_before_the_province_upheld_it(world, provider):
    """An objection holds the claim from settlement until the province upholds it: a payment dated before that ruling
    (recorded after it) would have paid a held claim; refused, and nothing changes. Dated at the ruling it is paid."""
    receipt = approved(world, provider)
    listed = publish(world, receipt)
    world.now = PUBLISHED + timedelta(days=1)
    object_to(world, listed, receipt)
    world.now = WINDOW_ENDS
    run(world, ClosePublicityList(listed.list_id))  # closed with the objection still waiting
    world.now = upheld_at = WINDOW_ENDS + timedelta(days=3)
    world.app.handle(UpholdClaim(list_id=listed.list_id, claim_id=receipt.claim_id, reason="经核查，服务已验收"),
                     world.by())
    world.advance(days=1)
    batch_id = open_batch(world, provider)
    add(world, batch_id, receipt)
    refused("PAID_BEFORE_PUBLICITY", world.app, world.app.pay_batch, by=world.by(), batch_id=batch_id,
            effective_at=upheld_at - timedelta(microseconds=1))
    paid = world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=upheld_at)
    assert paid.settled_claims == (receipt.claim_id,)


def test_a_years_list_publishes_only_that_programme_years_claims(world, provider):
    """The objection window is the year's (configured per year): a claim of 2026 is not published on a 2027 list,
    which would give it 2027's window; refused, and nothing is written."""
    receipt = approved(world, provider)
    world.app.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8), objection_working_days=1)
    refused("INVALID_INPUT", world.app, run, world=world,
            value=PublishClaims(year=2027, period="2026-03", claims=((receipt.voucher_id, receipt.claim_id),)))
    assert world.app.voucher(receipt.voucher_id).claim(receipt.claim_id).publicity_list_id is None


def test_a_claim_is_listed_once_and_only_when_approved(world, provider):
    receipt = approved(world, provider)
    pending = world.claim(world.issue(world.eligible_enterprise()).voucher_id, provider, eligible_fee_fen=FEE)
    publish(world, receipt)
    world.advance(hours=1)
    second = PublishClaims(year=YEAR, period="2026-04", claims=((receipt.voucher_id, receipt.claim_id),))
    refused("INVALID_TRANSITION", world.app, run, world=world, value=second)
    again = PublishClaims(year=YEAR, period="2026-03", claims=((pending.voucher_id, pending.claim_id),))
    refused("ALREADY_EXISTS", world.app, run, world=world, value=again)  # a published list is fixed
    under_review = PublishClaims(year=YEAR, period="2026-04", claims=((pending.voucher_id, pending.claim_id),))
    refused("INVALID_TRANSITION", world.app, run, world=world, value=under_review)


def test_an_objection_during_publicity_holds_the_claim_and_a_sustained_one_reverses_it(world, provider):
    objected, clean = approved(world, provider), approved(world, provider)
    listed = publish(world, objected, clean)
    world.now = PUBLISHED + timedelta(days=3)
    assert object_to(world, listed, objected) == 1

    world.now = WINDOW_ENDS  # the window is over: no more objections; the list closes with one claim held
    refused("OBJECTION_WINDOW_CLOSED", world.app, object_to, world=world, listed=listed, receipt=clean)
    assert world.app.handle(ClosePublicityList(listed.list_id), world.by()) == (1, 1)
    batch_id = open_batch(world, provider)
    refused("CLAIM_UNDER_OBJECTION", world.app, add, world=world, batch_id=batch_id, receipt=objected)
    add(world, batch_id, clean)

    world.advance(days=2)
    ruling = world.app.handle(SustainObjection(list_id=listed.list_id, claim_id=objected.claim_id,
                                               reason="核查属实：服务未交付"), world.by())
    assert (ruling.sustained, ruling.claim_status, ruling.freed_fen) == (True, "REVERSED", FEE // 2)
    voucher = world.app.voucher(objected.voucher_id)
    assert voucher.claim(objected.claim_id).status == "REVERSED"
    assert voucher.balance_fen == FACE  # the reversal before settlement gave the 1,000,000 fen back
    reasons = [e.reason for e in world.app.events.get(objected.voucher_id) if type(e).__name__ == "ClaimReversed"]
    assert reasons == ["核查属实：服务未交付"]
    refused("INVALID_TRANSITION", world.app, add, world=world, batch_id=batch_id, receipt=objected)
    paid = world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=world.now)
    assert paid.settled_claims == (clean.claim_id,)


def test_an_upheld_claim_is_paid_after_the_window(world, provider):
    receipt = approved(world, provider)
    listed = publish(world, receipt)
    world.now = PUBLISHED + timedelta(days=1)
    object_to(world, listed, receipt)
    world.advance(days=1)
    world.app.handle(UpholdClaim(list_id=listed.list_id, claim_id=receipt.claim_id, reason="经核查，服务已验收"),
                     world.by())
    batch_id = open_batch(world, provider)
    refused("PUBLICITY_NOT_CLOSED", world.app, add, world=world, batch_id=batch_id, receipt=receipt)  # still in window

    world.now = WINDOW_ENDS + timedelta(hours=1)
    assert world.app.handle(ClosePublicityList(listed.list_id), world.by()) == (1, 0)
    add(world, batch_id, receipt)
    assert world.app.pay_batch(world.by(), batch_id=batch_id, effective_at=world.now).total_fen == FEE // 2


def test_a_default_year_claim_is_paid_as_approved_without_publicity(ledger):
    world = World.with_year(ledger, 2019)
    assert ledger.year_rules(2019).publicity_required is False
    provider = world.provider()
    receipt = world.approved_claim(world.issue(world.eligible_enterprise()).voucher_id, provider,
                                   eligible_fee_fen=FEE)
    assert world.paid_batch(provider, [receipt]).total_fen == FEE // 2


def test_a_successor_year_keeps_the_latest_earlier_years_publicity_rule(world):
    later = world.app.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8))
    assert later.publicity_required is True and later.objection_working_days == 5


def test_the_public_list_as_of_a_past_date(world, provider, store_settings):
    objected, clean = approved(world, provider), approved(world, provider)
    before_publication = PUBLISHED - timedelta(minutes=1)
    listed = publish(world, objected, clean)
    world.now = PUBLISHED + timedelta(days=2)
    object_to(world, listed, objected, who="匿名群众", why="合同金额虚高")
    during_objection = world.now + timedelta(minutes=1)
    world.now = WINDOW_ENDS + timedelta(days=1)
    world.app.handle(ClosePublicityList(listed.list_id), world.by())
    world.advance(days=1)
    world.app.handle(SustainObjection(list_id=listed.list_id, claim_id=objected.claim_id, reason="合同金额虚高属实"),
                     world.by())

    read = ReadModels(store_settings, world.app, in_process=True)
    try:
        assert read.publicity_list(listed.list_id, before_publication) is None
        then = read.publicity_list(listed.list_id, during_objection)
        assert (then["period"], then["published_at"], then["window_ends_at"], then["closed_at"]) == \
            ("2026-03", PUBLISHED, WINDOW_ENDS, None)
        standing = {c["claim_id"]: c for c in then["claims"]}
        assert [c["amount_fen"] for c in then["claims"]] == [FEE // 2, FEE // 2]
        assert standing[str(objected.claim_id)]["standing"] == "UNDER_OBJECTION"
        assert standing[str(objected.claim_id)]["objections"][0]["objector"] == "匿名群众"
        assert standing[str(clean.claim_id)]["standing"] == "PUBLICISED"

        now = {c["claim_id"]: c for c in read.publicity_list(listed.list_id, world.now)["claims"]}
        assert now[str(objected.claim_id)]["standing"] == "SUSTAINED"
        assert now[str(objected.claim_id)]["ruling_reason"] == "合同金额虚高属实"
        # As of the day of the objection but known now: the same list (acts count from when they were recorded).
        assert read.publicity_list(listed.list_id, during_objection, known_at=world.now) == then
        trail = read.audit_trail("voucher", str(objected.voucher_id), world.now)
        summaries = [row["summary_zh"] for row in trail]
        assert any("列入公示名单" in s for s in summaries) and any("异议成立" in s for s in summaries)
    finally:
        read.close()
    # A rebuild from the events writes exactly the rows the live projection wrote, the public list included.
    assert check(world.app, lean(store_settings), ["audit_trail"]) == []


def test_a_year_recorded_before_publicity_existed_reads_as_without_publicity(ledger):
    """ProgrammeYear.Opened v1 (every store written before publicity) decodes, through upcast_v1_v2, as a year
    whose claims are paid as approved."""
    from dataclasses import replace

    opened = next(iter(ledger.events.get(ids.programme_year_id(2019))))
    stored = ledger.mapper.to_stored_event(opened)
    state = ledger.mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 3 and state.pop("publicity_required") is False
    assert state.pop("policy") is None  # v3's, added after v2: gone from a v1 event too
    old = replace(stored, state=ledger.mapper.transcoder.encode(state))  # as a v1 event was stored
    decoded = ledger.mapper.to_domain_event(old)
    assert decoded.publicity_required is False and decoded.objection_working_days == 5


def test_a_list_records_which_calendar_version_counted_its_window_and_keeps_it_after_a_revision(world, provider,
                                                                                                store_settings):
    """A dispute about a window is settled on the arrangement that counted it: the list records each year's calendar
    at the version it read (1: as first recorded), shown in the public list, its publication's answer and its audit
    line. A revision later moves the window of a list published after it, never of one published before."""
    first = publish(world, approved(world, provider))
    assert first.calendars == ({"year": YEAR, "version": 1},) and first.window_ends_at == WINDOW_ENDS
    world.now = PUBLISHED + timedelta(minutes=30)
    run(world, ReviseWorkingCalendar(year=YEAR, days_off=(date(2026, 3, 17),), workdays=(),
                                     notice="测试用：3 月 17 日放假", reason="补登 3 月 17 日放假"))
    second = world.app.handle(PublishClaims(year=YEAR, period="2026-03-b", claims=(
        (lambda r: (r.voucher_id, r.claim_id))(approved(world, provider)),)), world.by())
    assert second.calendars == ({"year": YEAR, "version": 2},)
    assert second.window_ends_at == WINDOW_ENDS + timedelta(days=3)  # 17 March off: Monday 23 March ends it
    assert world.app.publicity_list(first.list_id).calendars == [{"year": YEAR, "version": 1}]  # as it was counted

    read = ReadModels(store_settings, world.app, in_process=True)
    try:
        assert read.publicity_list(first.list_id, world.now)["calendars"] == [{"year": YEAR, "version": 1}]
        assert read.publicity_list(second.list_id, world.now)["calendars"] == [{"year": YEAR, "version": 2}]
        [opened] = [row for row in read.audit_trail("publicity_list", str(first.list_id), world.now)
                    if row["event_type"] == "PublicityList.Opened"]
        assert opened["summary_zh"].endswith("（按 2026 年工作日历第 1 版计算）"), opened["summary_zh"]
        assert opened["summary_en"].endswith(" (counted on the 2026 working calendar v1)"), opened["summary_en"]
    finally:
        read.close()
    assert check(world.app, lean(store_settings), ["audit_trail"]) == []


def test_a_list_published_before_lists_recorded_their_calendars_reads_as_not_recorded(world, provider):
    """PublicityList.Opened v1 (every list published before the calendars were recorded) decodes, through
    upcast_v1_v2, with calendars None, and its audit line reads as it always did."""
    from dataclasses import replace

    listed = publish(world, approved(world, provider))
    opened = next(iter(world.app.events.get(listed.list_id)))
    stored = world.app.mapper.to_stored_event(opened)
    state = world.app.mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2 and state.pop("calendars") == [{"year": YEAR, "version": 1}]
    old = replace(stored, state=world.app.mapper.transcoder.encode(state))  # as a v1 event was stored
    decoded = world.app.mapper.to_domain_event(old)
    assert decoded.calendars is None and decoded.window_ends_at == WINDOW_ENDS
    zh, en = summarise("PublicityList.Opened", decoded)
    assert zh.endswith("异议期 5 个工作日，至 2026-03-21 00:00") and "工作日历" not in zh, zh
    assert en.endswith("objections for 5 working days, until 2026-03-21 00:00"), en
