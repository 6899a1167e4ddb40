"""The overview's schematic map of Guangdong's 21 cities and the download of any table, in Debian's Chromium: each
city's tile shows the API's spend for it and leads to its page, Shenzhen drawn as outside the programme; a table
downloaded from a page (CSV with a BOM, XLSX) holds the API's figures for the same times, headed in the page's
language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.parties import CITIES, SHENZHEN, VOUCHER_CITIES
from tests.support.api_helpers import module_store_settings, store_params
from tests.support.console_browser import Served, end_of_day, fen, screenshot, serving, signed_in, simulated_store

pytest.importorskip("playwright")

DAY = "2019-12-31"
YEAR = 2019


@pytest.fixture(scope="module", params=store_params())
def served(request, tmp_path_factory) -> Iterator[Served]:
    settings = module_store_settings(request, tmp_path_factory)
    simulated_store(settings, events=3_000, seed=5)
    with serving(settings) as service:
        yield service


def api_spend(served: Served, role: str, city: str) -> dict[str, int]:
    """A city's spend for the year by fund source, added up from the API's lines (settled − recovered)."""
    answer = served.api(role, f"/v1/cities/{city}/spend", as_of=end_of_day(DAY), year=YEAR)
    found = {source: sum(line["amount_fen"] for line in answer["lines"] if line["stage"] == "spend"
                         and line["fund_source"] == source and line["programme_year"] == YEAR)
             for source in ("province", "city")}
    return {**found, "quota_set_fen": answer["quotas"].get(str(YEAR), {}).get("quota_set_fen", 0)}


def test_the_map_shows_every_citys_spend_and_leads_to_its_page(browser, served, watch):
    page = signed_in(browser, served, watch, "auditor", f"/console/overview?as_of={DAY}&year={YEAR}")
    assert "示意图" in page.locator("#city-map").inner_text()  # it says it is schematic
    tiles = page.locator("#city-map g.tile")
    assert sorted(tiles.nth(i).get_attribute("data-city") for i in range(tiles.count())) == sorted(CITIES)
    shenzhen = page.locator(f"#city-map g.tile[data-city='{SHENZHEN}']")
    assert "深圳市" in shenzhen.text_content() and "不在本项目范围内" in shenzhen.text_content()
    assert shenzhen.locator("a, [data-figure]").count() == 0
    shown = {code: fen(page.locator(f"#city-map g.tile[data-city='{code}'] [data-figure=spend_fen]").text_content())
             for code in VOUCHER_CITIES}
    expected = {code: sum(api_spend(served, "auditor", code)[s] for s in ("province", "city")) for code in VOUCHER_CITIES}
    assert shown == expected and any(expected.values())
    for code in VOUCHER_CITIES:
        assert f"{CITIES[code][0]}市" in page.locator(f"#city-map g.tile[data-city='{code}'] text.name").text_content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # still fits 1366 wide
    screenshot(page, f"overview-map-{served.settings.store}")
    most = max(expected, key=expected.get)
    page.click(f"#city-map g.tile[data-city='{most}'] a")
    page.wait_for_selector("body[data-ready=true] #city-stages")
    assert f"/console/cities/{most}?" in page.url and f"as_of={DAY}" in page.url and f"year={YEAR}" in page.url
    watch.assert_clean()


def test_a_city_token_sees_its_own_tile_only(browser, served, watch):
    own = VOUCHER_CITIES[0]
    page = signed_in(browser, served, watch, f"city:{own}", f"/console/overview?as_of={DAY}&year={YEAR}")
    figures = page.locator("#city-map [data-figure]")
    assert figures.count() == 1
    assert page.locator(f"#city-map g.tile[data-city='{own}'] [data-figure]").count() == 1
    assert page.locator("#city-map a").count() == 1
    watch.assert_clean()


def download(page, table: str, fmt: str) -> bytes:
    with page.expect_download() as started:
        page.click(f".exports[data-table='{table}'] button[data-format={fmt}]")
    return Path(started.value.path()).read_bytes()


def test_the_overview_table_downloads_as_the_apis_figures(browser, served, watch):
    page = signed_in(browser, served, watch, "province", f"/console/overview?as_of={DAY}&year={YEAR}")
    raw = download(page, "city-spend", "csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["地市", "额度"] and "市级资金" in header and "额度使用" not in header
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in body}
    names = {f"{CITIES[code][0]}市": code for code in CITIES}  # 广州市, as the exports name a city
    spent = 0
    for name, row in by_name.items():
        if name in ("合计",):
            continue
        code = names[name]
        if code == SHENZHEN:
            assert "不在本项目范围内" in row["额度"]
            continue
        expected = api_spend(served, "province", code)
        assert as_fen(row["省级资金"]) == expected["province"] and as_fen(row["市级资金"]) == expected["city"], name
        assert as_fen(row["额度"]) == expected["quota_set_fen"], name
        spent += expected["province"] + expected["city"]
    assert set(by_name) == {*names, "合计"} and spent > 0
    assert as_fen(by_name["合计"]["支出（已兑付−追回）"]) == spent

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(download(page, "city-spend", "xlsx"))).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == header
    assert len(cells) == len(rows)
    for got, want in zip(cells[1:], body, strict=True):  # the same cells; amounts as numbers, equal to the fen
        assert [as_fen(str(v)) if isinstance(v, int | float) else (v or "") for v in got] == [
            as_fen(w) if w[:1].isdigit() or w[:1] == "-" else w for w in want]
    watch.assert_clean()


def test_an_english_page_downloads_english_headers(browser, served, watch):
    claim = served.api("province", "/v1/claims", status="settled", limit=1)["items"][0]
    page = signed_in(browser, served, watch, "province",
                     f"/console/batches/{claim['batch_id']}?as_of={DAY}&lang=en")
    rows = list(csv.reader(io.StringIO(download(page, "batch-lines", "csv").decode("utf-8-sig"))))
    assert rows[0][:4] == ["Claim", "Voucher", "City", "Amount"]
    batch = served.api("province", f"/v1/settlement-batches/{claim['batch_id']}", as_of=end_of_day(DAY))
    assert [(row[0], as_fen(row[3])) for row in rows[1:]] == [(line["claim_id"], line["amount_fen"])
                                                              for line in batch["lines"]]
    watch.assert_clean()


def as_fen(text: str) -> int:
    return int(Decimal(text) * 100)
