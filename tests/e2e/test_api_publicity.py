"""Publicity (公示) over HTTP and on the command line, on both stores: a year opened with publicity pays a claim only
after its list closed without a waiting objection; anyone objects; the province rules and closes; the public list
reads back as of any time, the objector shown to the province and auditors only.

Calendar: 2021-03-01 is a Monday; the 2021 holiday arrangement (recorded over HTTP first) has no holiday and no
make-up day in March. A list published then with a window of 3 working days takes objections until 24:00
(Asia/Shanghai) on Thursday 4 March, i.e. 2021-03-04T16:00Z. Published on Thursday 30 September 2021, the eve of
National Day (1-7 October off, Saturday 9 October worked), 3 working days are 8, 9 and 11 October: the window ends
2021-10-11T16:00Z (Monday-Friday would end it on Tuesday 5 October, inside the holiday). APP-ERP pays 50 %.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ledger.fiscal_time import SHANGHAI
from ledger.ids import working_calendar_id
from simulator.reference import WORKING_CALENDARS
from tests.e2e.test_api_operations import cli
from tests.support.api_helpers import (
    DONGGUAN, FOSHAN, START, YEAR, assert_problem, iso, module_store_settings, ok, patched_clock, running_api,
    store_params,
)

LATER = 2021
MONDAY = datetime(2021, 3, 1, 1, tzinfo=UTC)  # 09:00 in Guangdong
WINDOW_ENDS = datetime(2021, 3, 4, 16, tzinfo=UTC)
LISTS = f"/v1/programme/years/{LATER}/publicity-lists"
CALENDARS = "/v1/programme/working-calendars"


def arrangement(year: int) -> dict:
    days_off, workdays, notice = WORKING_CALENDARS[year]
    return {"days_off": [str(d) for d in days_off], "workdays": [str(d) for d in workdays], "notice": notice}


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        year = ok(api.post("/v1/programme/years", {"year": LATER, "redemption_deadline": "2022-02-08",
                                                   "publicity_required": True, "objection_working_days": 3}), 201)
        assert (year["publicity_required"], year["objection_working_days"]) == (True, 3)
        clock.set(MONDAY - timedelta(days=30))
        ok(api.post(CALENDARS, {"year": LATER, **arrangement(LATER)}), 201)
        clock.set(MONDAY)
        api.setup_year(LATER)
        api.provider = api.whitelisted_provider()
        api.provider_quota(api.provider, year=LATER)
        yield api


def approved_claims(api, count: int) -> tuple[str, list[str]]:
    enterprise = api.register()
    assert api.decide(enterprise, year=LATER)["granted"] is True
    voucher = ok(api.issue(enterprise, year=LATER), 201)["voucher_id"]
    claims = []
    for _ in range(count):
        claim = ok(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=1_000_000)), 201)["claim_id"]
        ok(api.approve(voucher, claim))
        claims.append(claim)
    return voucher, claims


def test_an_objected_claim_is_held_then_reversed_and_the_other_is_paid_after_the_window(api):
    voucher, (clean, objected) = approved_claims(api, 2)
    batch = api.open_batch(api.provider, period="2021-03")
    assert_problem(api.add_to_batch(batch, voucher, clean), 409, "CLAIM_NOT_PUBLICISED")

    published = ok(api.post(LISTS, {"period": "2021-03", "claims": [{"voucher_id": voucher, "claim_id": c}
                                                                    for c in (clean, objected)]}), 201)
    assert (published["claims"], published["window_ends_at"]) == (2, iso(WINDOW_ENDS).replace("+00:00", "Z"))
    api.clock.advance(hours=5)
    objector = f"enterprise:{api.register(DONGGUAN).uscc}"  # anyone may object: here another city's enterprise
    body = {"claim_id": objected, "objector": "东莞市某企业", "reason": "服务未实际交付"}
    assert ok(api.post(f"{LISTS}/2021-03/objections", body, role=objector), 201)["number"] == 1
    during = iso(api.clock.now + timedelta(minutes=1))
    assert_problem(api.post(f"{LISTS}/2021-03/closure"), 409, "PUBLICITY_WINDOW_OPEN")
    assert_problem(api.add_to_batch(batch, voucher, clean), 409, "PUBLICITY_NOT_CLOSED")

    api.clock.set(WINDOW_ENDS)
    assert_problem(api.post(f"{LISTS}/2021-03/objections", {**body, "claim_id": clean}, role=objector), 409,
                   "OBJECTION_WINDOW_CLOSED")
    closed = ok(api.post(f"{LISTS}/2021-03/closure"))
    assert (closed["cleared"], closed["under_objection"]) == (1, 1)
    ok(api.add_to_batch(batch, voucher, clean))
    assert_problem(api.add_to_batch(batch, voucher, objected), 409, "CLAIM_UNDER_OBJECTION")

    ruling = f"{LISTS}/2021-03/claims/{objected}/ruling"
    assert_problem(api.post(ruling, {"ruling": "SUSTAIN", "reason": "x"}, key=None), 400, "IDEMPOTENCY_KEY_REQUIRED")
    sustained = ok(api.post(ruling, {"ruling": "SUSTAIN", "reason": "核查属实，服务未交付"}))
    assert (sustained["claim_status"], sustained["freed_fen"]) == ("REVERSED", 500_000)
    assert ok(api.pay(batch))["total_fen"] == 500_000  # only the clean claim: 50 % of 1,000,000 fen

    then = ok(api.get(f"{LISTS}/2021-03", as_of=during, role=f"city:{DONGGUAN}"))
    standing = {c["claim_id"]: c for c in then["claims"]}
    assert (standing[objected]["standing"], standing[clean]["standing"], then["closed_at"]) == \
        ("UNDER_OBJECTION", "PUBLICISED", None)
    assert standing[objected]["objections"][0]["objector"] is None  # the public sees the objection, not who
    now = {c["claim_id"]: c for c in ok(api.get(f"{LISTS}/2021-03"))["claims"]}  # an auditor
    assert now[objected]["standing"] == "SUSTAINED" and now[objected]["objections"][0]["objector"] == "东莞市某企业"
    trail = ok(api.get(f"/v1/audit/voucher/{voucher}"))["items"]
    assert [t["reason"] for t in trail if t["event_type"] == "Voucher.ClaimReversed"] == ["核查属实，服务未交付"]
    assert any(t["summary_zh"].startswith("第 1 号异议：东莞市某企业") for t in trail)
    assert_problem(api.get(f"{LISTS}/2021-03", as_of=iso(MONDAY - timedelta(hours=1))), 404,
                   "PUBLICITY_LIST_NOT_FOUND")


def test_who_objected_reaches_the_province_and_auditors_only_also_through_the_audit_trail(api):
    """README: the objector's name is shown to the province and auditors only; everyone else sees that, and why, a
    claim was objected to. The trails a scoped role reads (its voucher's, enterprise's, city's, provider's), and the
    console's story of the voucher, tell the objection without the name and without who entered it."""
    enterprise = api.register(FOSHAN)
    assert api.decide(enterprise, year=LATER)["granted"] is True
    voucher = ok(api.issue(enterprise, year=LATER), 201)["voucher_id"]
    claim = ok(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=1_000_000)), 201)["claim_id"]
    ok(api.approve(voucher, claim))
    ok(api.post(LISTS, {"period": "2021-03-privacy", "claims": [{"voucher_id": voucher, "claim_id": claim}]}), 201)
    objector = api.register(DONGGUAN)
    body = {"claim_id": claim, "objector": "李四 13900000000", "reason": "服务未交付"}
    ok(api.post(f"{LISTS}/2021-03-privacy/objections", body, role=f"enterprise:{objector.uscc}"), 201)
    named = f"第 1 号异议：李四 13900000000 对兑付 {claim[:8]}"
    nameless = f"第 1 号异议：对兑付 {claim[:8]} 提出异议（服务未交付），暂缓结算"
    secrets = ("李四", "13900000000", objector.uscc, objector.id)

    def objection(role: str, path: str) -> dict:
        answer = api.get(path, role=role, limit=1000)
        lodged = [t for t in ok(answer)["items"] if t["event_type"] == "PublicityList.ObjectionLodged"
                  and f"claim {claim[:8]}" in t["summary_en"]]  # a city's trail also has the first test's
        assert len(lodged) == 1, (role, path)
        return {"item": lodged[0], "text": answer.text}

    for role in ("province", "auditor"):
        shown = objection(role, f"/v1/audit/voucher/{voucher}")
        assert shown["item"]["summary_zh"].startswith(named) and "李四 13900000000 objects" in shown["item"]["summary_en"]
        assert shown["item"]["actor"] == f"enterprise:{objector.uscc}"
    provider = f"provider:{api.provider.uscc}"
    for role, path in ((f"enterprise:{enterprise.uscc}", f"/v1/audit/voucher/{voucher}"),
                       (f"enterprise:{enterprise.uscc}", f"/v1/audit/enterprise/{enterprise.uscc}"),
                       (f"city:{FOSHAN}", f"/v1/audit/city/{FOSHAN}"),
                       (f"city:{FOSHAN}", f"/v1/audit/voucher/{voucher}"),
                       (provider, f"/v1/audit/provider/{api.provider.uscc}")):
        hidden = objection(role, path)
        assert hidden["item"]["summary_zh"] == nameless, (role, path)
        assert hidden["item"]["summary_en"] == f"objection no. 1 to claim {claim[:8]} (服务未交付); held from settlement"
        assert (hidden["item"]["actor"], hidden["item"]["correlation_id"], hidden["item"]["reason"]) == \
            ("withheld", None, "服务未交付")  # why is public; who, and whose request it was, are not
        assert not [s for s in secrets if s in hidden["text"]], (role, path)
    story = api.client.get(f"/console/parts/vouchers/{voucher}",
                           headers=api.auth(f"enterprise:{enterprise.uscc}"))
    assert story.status_code == 200 and nameless in story.text
    assert not [s for s in secrets if s in story.text]
    own = api.client.get(f"/console/parts/vouchers/{voucher}", headers=api.auth("auditor"))
    assert named in own.text and objector.uscc in own.text


def test_the_province_records_reads_and_revises_a_working_calendar_and_a_window_counts_on_it(api):
    calendar = ok(api.get(f"{CALENDARS}/{LATER}", role="enterprise:91440606MA4UJ0001L"))
    assert calendar == {"year": LATER, **arrangement(LATER), "revisions": 0}
    assert_problem(api.get(f"{CALENDARS}/2019"), 404, "WORKING_CALENDAR_NOT_FOUND")
    assert_problem(api.post(CALENDARS, {"year": LATER, **arrangement(LATER)}), 409, "ALREADY_EXISTS")
    assert_problem(api.post(CALENDARS, {"year": 2019, **arrangement(LATER)}), 422, "INVALID_WORKING_CALENDAR")
    revised = {**arrangement(LATER), "reason": "复核无误，重新登记"}
    assert_problem(api.post(f"{CALENDARS}/{LATER}/revision", revised, key=None), 400, "IDEMPOTENCY_KEY_REQUIRED")
    ok(api.post(f"{CALENDARS}/{LATER}/revision", revised))
    assert ok(api.get(f"{CALENDARS}/{LATER}"))["revisions"] == 1

    api.clock.set(datetime(2021, 9, 29, 2, tzinfo=UTC))  # later than every other test's time
    voucher, (claim,) = approved_claims(api, 1)
    api.clock.set(datetime(2021, 9, 30, 2, tzinfo=UTC))  # the eve of National Day, 10:00 in Guangdong
    published = ok(api.post(LISTS, {"period": "2021-09", "claims": [{"voucher_id": voucher, "claim_id": claim}]}), 201)
    assert published["window_ends_at"] == "2021-10-11T16:00:00Z"
    # Counted on the 2021 arrangement as revised once (version 2), which the list keeps whatever comes later.
    assert published["calendars"] == [{"year": LATER, "version": 2}]
    shown = ok(api.get(f"{LISTS}/2021-09", role="enterprise:91440606MA4UJ0001L"))
    assert (shown["window_ends_at"], shown["calendars"]) == ("2021-10-11T16:00:00Z", [{"year": LATER, "version": 2}])


def test_the_province_and_auditors_read_a_working_calendars_trail_by_its_year_or_id(api):
    """Who recorded a year's holiday arrangement and each revision, and why: the calendar's audit trail, as every
    other aggregate's is read (GET /v1/audit/{kind}/{id}); it belongs to no city or party, so scoped roles get 403."""
    revised = {**arrangement(LATER), "reason": "核对国办通知后重新登记（审计线索）"}
    ok(api.post(f"{CALENDARS}/{LATER}/revision", revised))
    for role in ("province", "auditor"):
        by_year = ok(api.get(f"/v1/audit/working_calendar/{LATER}", role=role))["items"]
        kinds = [t["event_type"] for t in by_year]
        assert kinds[0] == "WorkingCalendar.Published" and kinds.count("WorkingCalendar.Revised") >= 1, kinds
        assert by_year[-1]["reason"] == "核对国办通知后重新登记（审计线索）"
        calendar_id = working_calendar_id(LATER)  # as an event feed names it
        assert ok(api.get(f"/v1/audit/working_calendar/{calendar_id}", role=role))["items"] == by_year
    for role in (f"city:{FOSHAN}", "enterprise:91440606MA4UJ0001L", f"provider:{api.provider.uscc}"):
        assert_problem(api.get(f"/v1/audit/working_calendar/{LATER}", role=role), 403, "FORBIDDEN")
    assert_problem(api.get("/v1/audit/working_calendar/2019"), 404, "WORKING_CALENDAR_NOT_FOUND")  # none recorded
    assert_problem(api.get("/v1/audit/working_calendar/1999"), 404, "WORKING_CALENDAR_NOT_FOUND")
    before = iso(MONDAY - timedelta(days=31))  # before the calendar was recorded: it had no trail yet
    assert_problem(api.get(f"/v1/audit/working_calendar/{LATER}", as_of=before), 404, "WORKING_CALENDAR_NOT_FOUND")


def test_the_command_line_publishes_objects_rules_and_shows(api, tmp_path):
    """The command line records on the real clock (years after 2021): its window has not ended, so it cannot close.
    It counts on the working calendar of the real year, which the command line records first (a test calendar: the
    window's length is not what this test checks)."""
    voucher, (claim,) = approved_claims(api, 1)
    this_year = datetime.now(SHANGHAI).year
    for year in (this_year, this_year + 1):
        code, out = cli(api, "programme", "calendar", str(year), "--notice", "测试用日历", tmp_path=tmp_path)
        assert code == 0, out
    code, out = cli(api, "programme", "calendar", str(this_year), "--off", f"{this_year}-10-01..{this_year}-10-07",
                    "--work", f"{this_year}-10-05", "--notice", "测试用日历", "--reason", "更正", tmp_path=tmp_path)
    assert code == 1 and "INVALID_WORKING_CALENDAR" in out  # 5 October both off and worked
    code, out = cli(api, "programme", "show-calendar", str(this_year), tmp_path=tmp_path)
    assert code == 0 and json.loads(out)["notice"] == "测试用日历", out
    code, out = cli(api, "publicity", "publish", str(LATER), "cli-1", "--claim", f"{voucher}:{claim}",
                    tmp_path=tmp_path)
    assert code == 0 and json.loads(out)["claims"] == 1, out
    assert json.loads(out)["calendars"][0] == {"year": this_year, "version": 1}, out  # what counted its window
    code, out = cli(api, "publicity", "object", str(LATER), "cli-1", claim, "--objector", "匿名", "--reason", "虚高",
                    "--actor", "city:440600", tmp_path=tmp_path)
    assert code == 0 and json.loads(out) == {"objection": 1}, out
    code, out = cli(api, "publicity", "close", str(LATER), "cli-1", tmp_path=tmp_path)
    assert code == 1 and "PUBLICITY_WINDOW_OPEN" in out
    code, out = cli(api, "publicity", "rule", str(LATER), "cli-1", claim, "--uphold", "--reason", "经核查无误",
                    tmp_path=tmp_path)
    assert code == 0 and json.loads(out)["sustained"] is False, out
    code, out = cli(api, "publicity", "show", str(LATER), "cli-1", tmp_path=tmp_path)  # now, on the real clock
    shown = json.loads(out)
    assert code == 0 and shown["claims"][0]["standing"] == "UPHELD", out
    assert shown["claims"][0]["objections"][0]["objector"] == "匿名"
    assert shown["calendars"][0] == {"year": this_year, "version": 1}, out
    assert YEAR < LATER
