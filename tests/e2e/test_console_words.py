"""The console's pages in Chinese show no code and no English sentence of the ledger where a word belongs: fee
categories, eligibility reasons and the ledger's own reasons are named (ledger/words.py); codes stay in <code> and
data attributes, for support and scripts. Asserted on the served HTML of the page's parts (no browser)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from api.http.console.i18n import actor_shown
from tests.support.api_helpers import (
    FOSHAN,
    SHENZHEN,
    START,
    module_store_settings,
    ok,
    patched_clock,
    running_api,
)

SQLITE = [pytest.param("sqlite", id="sqlite")]


@pytest.fixture(scope="module", params=SQLITE)
def world(request, tmp_path_factory):
    """A year set up; a Shenzhen enterprise refused; a Foshan enterprise's device-access voucher."""
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year(city_quotas={FOSHAN: (1_000_000_000, "0.33")})
        api.shenzhen = api.register(SHENZHEN)
        assert api.decide(api.shenzhen)["granted"] is False
        clock.advance(days=1)
        api.voucher = ok(api.issue(api.eligible_enterprise(), "DEV-ACCESS"), 201)["voucher_id"]
        clock.advance(days=1)
        yield api


def part(world, path: str, lang: str = "zh", role: str = "province", **params: str):
    return world.client.get(f"/console/parts/{path}", params={"lang": lang, **params}, headers=world.auth(role))


def shown_text(html: str) -> str:
    """What a reader sees: the text between tags (codes in <code> and attributes are for support and scripts)."""
    html = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_voucher_page_names_its_fee_category_in_each_language(world):
    chinese, english = part(world, f"vouchers/{world.voucher}"), part(world, f"vouchers/{world.voucher}", "en")
    assert chinese.status_code == english.status_code == 200
    assert "设备接入费" in chinese.text and "DEVICE_ACCESS" not in shown_text(chinese.text)
    assert "Device access fee" in english.text and "DEVICE_ACCESS" not in shown_text(english.text)


def test_an_enterprise_page_names_why_it_is_not_eligible(world):
    chinese = part(world, f"enterprises/{world.shenzhen.id}")
    assert chinese.status_code == 200
    eligibility = chinese.text[chinese.text.index('id="eligibility"'):chinese.text.index('id="enterprise-years"')]
    assert "注册地在深圳市" in eligibility and "SHENZHEN_EXCLUDED" not in eligibility
    english = part(world, f"enterprises/{world.shenzhen.id}", "en")
    assert "registered in Shenzhen" in english.text


def test_a_story_names_the_ledgers_own_reasons_in_chinese(world):
    """The trail's reason column holds the ledger's codes for an eligibility decision: named on a Chinese page."""
    events = part(world, "events", role="auditor")
    assert events.status_code == 200
    assert "注册地在深圳市" in events.text and "SHENZHEN_EXCLUDED" not in shown_text(events.text)
    assert "SHENZHEN_EXCLUDED" in part(world, "events", "en", role="auditor").text  # English: as stored


@pytest.mark.parametrize(("path", "role", "params", "status", "code", "chinese"), [
    ("providers/91440101MA00000001", "city:442000", {}, 403, "FORBIDDEN", "当前角色无权查看此页面"),
    ("vouchers/00000000-0000-4000-8000-000000000000", "province", {"as_of": "2020-02-15T01:11:01.69+00:00"}, 404,
     "NOT_FOUND", "未找到"),
    ("overview", "province", {"as_of": "not-a-date"}, 422, "INVALID_INPUT", "请求有误"),
    ("cities/449999", "province", {}, 422, "UNKNOWN_CITY", "不是广东省 21 个地级以上市之一"),
    # refused by the route's own schema (a key typed in the "open" box that is no id or USCC, a year not a number)
    ("providers/hello", "province", {}, 422, "INVALID_INPUT", "请求有误"),
    ("cities/440600", "city:440600", {"year": "abc"}, 422, "INVALID_INPUT", "请求有误"),
])
def test_a_refusal_is_said_in_chinese_on_a_chinese_page_and_in_english_on_an_english_one(
        world, path, role, params, status, code, chinese):
    """A review read "当前角色无权查看此页面。 FORBIDDEN / role city:442000 may not read providers' receivables" and
    "NOT_FOUND / no voucher … as of 2020-10-15T01:11:01.69+00:00" on Chinese pages. The code stays, for support."""
    zh, en = part(world, path, "zh", role, **params), part(world, path, "en", role, **params)
    assert zh.status_code == en.status_code == status
    english_detail = en.text[en.text.index('class="detail">') + 15:].split("<")[0]
    assert english_detail and english_detail not in zh.text  # the English page keeps the API's detail
    assert chinese in zh.text and f"<code>{code}</code>" in zh.text
    assert not re.search(r"[A-Za-z]{3,}", shown_text(zh.text[zh.text.index("<section"):]).replace(
        "voucher-ledger", "")), zh.text  # no English sentence is left on the Chinese page
    if code == "NOT_FOUND":
        assert "2020-02-15 09:11:01" in zh.text and "+00:00" not in zh.text  # the time asked for, in Guangdong


TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "http" / "console" / "templates"


def test_a_downloaded_table_writes_every_amount_as_exact_yuan(world):
    """A downloaded table's amounts are exact yuan (a number in XLSX), never the page's "1,234.56" text: the exporter
    reads a cell as an amount by its ``data-figure``, so every table cell showing yuan carries one."""
    voucher = ok(world.get(f"/v1/vouchers/{world.voucher}"))
    fen, enterprise = voucher["face_value_fen"], voucher["enterprise_id"]
    exact = f"{fen // 100}.{fen % 100:02d}"
    assert fen >= 100_000  # shown with a thousands separator on the page
    for path, table in ((f"cities/{FOSHAN}", "city-vouchers"), (f"enterprises/{enterprise}", "enterprise-vouchers")):
        got = part(world, path, export="csv", table=table)
        assert got.status_code == 200, got.text
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        assert [row for row in rows[1:] if world.voucher in row[0]][0][-2] == exact, rows
    unmarked = [(page.name, cell) for page in TEMPLATES.glob("*.html")
                for cell in re.findall(r"<td(?![^>]*data-figure)[^>]*>[^<]*(?:<a[^>]*>)?[^<{]*\{\{ *yuan\(",
                                       page.read_text())]
    assert not unmarked, unmarked


def test_a_provider_is_named_by_its_registered_name_uscc_and_kind(world):
    """A provider's answer and page name it as its enterprise's do (name, USCC; and its kind, in words): an id alone
    tells an official nothing. The name is the one admitted (no event changes it)."""
    provider = world.whitelisted_provider()
    answer = ok(world.get(f"/v1/providers/{provider.uscc}", role=f"provider:{provider.uscc}"))
    assert (answer["uscc"], answer["kind"]) == (provider.uscc, "PLATFORM") and answer["name"].startswith("Cloud")
    chinese, english = part(world, f"providers/{provider.id}"), part(world, f"providers/{provider.id}", "en")
    assert chinese.status_code == english.status_code == 200
    for page, kind in ((chinese, "平台商"), (english, "platform")):
        shown = shown_text(page.text)
        assert answer["name"] in shown and provider.uscc in shown and kind in shown, shown[:400]
        assert "PLATFORM" not in shown


def test_a_voucher_names_its_holder_as_the_enterprise_is_registered(world):
    """A voucher's answer and page name the enterprise holding it (name, USCC), the enterprise's own answer's: an id
    alone tells an official nothing."""
    enterprise = world.eligible_enterprise()
    voucher = ok(world.issue(enterprise), 201)["voucher_id"]
    registered = ok(world.get(f"/v1/enterprises/{enterprise.id}"))
    answer = ok(world.get(f"/v1/vouchers/{voucher}"))
    assert (answer["enterprise_uscc"], answer["enterprise_name"]) == (registered["uscc"], registered["name"])
    assert registered["uscc"] == enterprise.uscc
    shown = shown_text(part(world, f"vouchers/{voucher}").text)
    assert registered["name"] in shown and enterprise.uscc in shown, shown[:400]


def test_who_did_it_is_said_in_words_with_the_actor_kept_as_a_code(world):
    """A story's "who" names the actor's kind in the page's language (the province, a city by name, an enterprise,
    ...; an objector withheld as such), the stored actor beside it in <code> for support: never a bare English
    ``province:...`` or ``withheld`` on a Chinese page."""
    chinese = part(world, f"vouchers/{world.voucher}")
    who = re.findall(r'<div class="who">(.*?)</div>', chinese.text, flags=re.S)
    assert who and all(not re.search(r"[A-Za-z]", shown_text(w)) for w in who), who
    assert "省级主管部门" in shown_text(who[0]) and "<code>province" in who[0]
    english = part(world, f"vouchers/{world.voucher}", "en")
    assert "Province" in shown_text(re.findall(r'<div class="who">(.*?)</div>', english.text, flags=re.S)[0])
    assert (actor_shown("withheld", "zh"), actor_shown("withheld", "en")) == ("不公开", "withheld")
    assert actor_shown(f"city:{FOSHAN}", "zh") == "佛山市" and actor_shown("enterprise:x", "zh") == "企业"


def test_an_english_whitelist_history_names_the_assessment_kind_in_words(world):
    """The stored English reason starts with the kind's code ("ASSESSMENT assessment by ..."): an English page says
    the kind in words, as the Chinese page does."""
    provider = world.whitelisted_provider()
    english = shown_text(part(world, f"providers/{provider.id}", "en").text)
    assert "assessment by 国家级信息安全评测机构" in english and "ASSESSMENT" not in english, english


def test_a_page_for_a_key_that_is_no_id_is_a_shell_whose_part_says_so(world):
    """The "open" box leads to /console/providers/{what was typed}: a key that is no id or USCC is a page like any
    other, whose part says, in the page's words, what is wrong (it was the API's JSON problem, in English)."""
    for path in ("providers/hello", "vouchers/not-a-uuid", "batches/x", "enterprises/abc", "cities/4406"):
        shell = world.client.get(f"/console/{path}?lang=zh")
        assert shell.status_code == 200 and shell.headers["content-type"].startswith("text/html"), shell.text
        assert f'data-part="/console/parts/{path}?lang=zh"' in shell.text
    for wrong in ("providers/a.b", "providers/" + "x" * 65):
        assert world.client.get(f"/console/{wrong}").status_code in (404, 422)  # still only a safe part address
