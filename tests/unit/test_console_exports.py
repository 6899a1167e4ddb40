"""A console table as a file: headers are the page's words, amounts exact yuan (Decimal, never float), the bars and
"nothing here" rows left out, a wide cell keeps the columns in line, and the CSV carries a BOM for Excel."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from api.http.console.exports import as_csv, as_xlsx, read_table
from api.http.problems import ApiError

PAGE = """
<table class="figures" id="other"><tbody><tr><td>not this one</td></tr></tbody></table>
<table class="figures" id="city-spend">
<thead><tr><th>地市</th><th>支出</th><th class="bar-col noexport">额度使用</th></tr></thead>
<tbody>
<tr data-city="440100"><th scope="row"><a href="/console/cities/440100">广州</a></th>
  <td data-figure="spend_fen"><a class="explain" href="#">1,234,567.89</a></td><td class="noexport"><div class="bar"></div></td></tr>
<tr><th>深圳</th><td colspan="1">不在本项目范围内</td><td class="noexport"></td></tr>
<tr><td colspan="2">无</td></tr>
</tbody>
<tfoot><tr><th>合计</th><td data-figure="spend_fen">-0.05</td><td class="noexport"></td></tr></tfoot>
</table>
<table class="figures" id="pairs"><tbody><tr><th colspan="2">宽</th><td data-figure="x">1.00</td></tr></tbody></table>
"""


def test_the_table_is_cut_from_the_page():
    table = read_table(PAGE, "city-spend")
    assert table.header == ["地市", "支出"]
    rows = list(csv.reader(io.StringIO(as_csv(table, table.header).decode("utf-8-sig"))))
    assert rows == [["地市", "支出"], ["广州", "1234567.89"], ["深圳", "不在本项目范围内"], ["合计", "-0.05"]]
    assert as_csv(table, table.header).startswith("\ufeff".encode())


def test_the_xlsx_holds_exact_amounts():
    table = read_table(PAGE, "city-spend")
    sheet = load_workbook(io.BytesIO(as_xlsx(table, table.header, "city-spend"))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["地市", "支出"] and values[1][0] == "广州"
    assert Decimal(str(values[1][1])) == Decimal("1234567.89") and Decimal(str(values[3][1])) == Decimal("-0.05")
    assert sheet.cell(2, 2).number_format == "#,##0.00"


def test_a_wide_cell_keeps_the_columns_and_an_unknown_table_is_refused():
    assert [[c.text for c in row] for row in read_table(PAGE, "pairs").rows] == [["宽", "", "1.00"]]
    with pytest.raises(ApiError):
        read_table(PAGE, "nowhere")


def test_the_same_table_downloaded_twice_is_the_same_file(monkeypatch):
    """openpyxl dates the file by the wall clock; a download is dated by the page's as-of time instead."""
    import zipfile
    from datetime import UTC, datetime

    from tests.support.wall_clock import a_day_later

    table = read_table(PAGE, "city-spend")
    as_of = datetime(2020, 3, 5, 15, 59, 59, tzinfo=UTC)
    first = as_xlsx(table, table.header, "city-spend", as_of)
    a_day_later(monkeypatch)
    assert as_xlsx(table, table.header, "city-spend", as_of) == first
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        assert "2020-03-05T15:59:59Z" in book.read("docProps/core.xml").decode()


def test_a_sheet_is_named_by_the_heading_over_its_table():
    """A Chinese page's download opens on a sheet named as the page heads the table (not its English id)."""
    from api.http.console.exports import export

    page = ("<h1>佛山市 · 2019</h1><table id='city-quota'><tbody><tr><td>x</td></tr></tbody></table>"
            "<h2>按费用类别</h2><p>说明</p><table id='city-stages'><thead><tr><th>a</th></tr></thead>"
            "<tbody><tr><td>1</td></tr></tbody></table><h2>之后的标题</h2>")
    names = {t: load_workbook(io.BytesIO(export(page, t, "xlsx", ["项目", "金额"]))).sheetnames
             for t in ("city-quota", "city-stages")}
    assert names == {"city-quota": ["佛山市 · 2019"], "city-stages": ["按费用类别"]}
    assert load_workbook(io.BytesIO(export(PAGE, "city-spend", "xlsx", []))).sheetnames == ["city-spend"]  # no heading
    long = "<h2>" + "期间 2020/01: [暂停]*?" + "长" * 40 + "</h2><table id='t'><tbody><tr><td>1</td></tr></tbody></table>"
    (name,) = load_workbook(io.BytesIO(export(long, "t", "xlsx", ["a", "b"]))).sheetnames
    assert len(name) <= 31 and not set("[]:*?/\\") & set(name) and name.startswith("期间 2020-01- -暂停")


HOSTILE = """
<table class="figures" id="enterprises">
<thead><tr><th>企业</th><th>原因</th><th>金额</th></tr></thead>
<tbody>
<tr><td>=cmd|' /C calc'!A0</td><td>+SUM(1,2)</td><td data-figure="amount_fen">-12.05</td></tr>
<tr><td>@SUM(A1)</td><td>-2+3</td><td data-figure="amount_fen">0.05</td></tr>
<tr><td>-</td><td>2020-03-05</td><td data-figure="amount_fen">1.00</td></tr>
</tbody>
</table>
"""


def test_a_cell_that_starts_like_a_formula_is_text_in_both_files():
    """Found by the hostile review: a name or reason registered as ``=cmd|' /C calc'!A0`` was exported as written, and
    Excel runs it as a formula when an official opens the file (CSV injection; openpyxl even wrote it into the XLSX
    as a formula). In the CSV such text starts with an apostrophe, which Excel reads as "text" (amounts stay numbers);
    in the XLSX it is a text cell holding exactly what was registered."""
    table = read_table(HOSTILE, "enterprises")
    rows = list(csv.reader(io.StringIO(as_csv(table, table.header).decode("utf-8-sig"))))
    assert rows[1:] == [["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "-12.05"], ["'@SUM(A1)", "'-2+3", "0.05"],
                        ["-", "2020-03-05", "1.00"]]
    sheet = load_workbook(io.BytesIO(as_xlsx(table, table.header, "enterprises"))).active
    first = [sheet.cell(2, column) for column in (1, 2, 3)]
    assert [c.data_type for c in first] == ["s", "s", "n"]
    assert [c.value for c in first[:2]] == ["=cmd|' /C calc'!A0", "+SUM(1,2)"]
