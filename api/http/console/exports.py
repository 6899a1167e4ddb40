"""Any table a console page shows, as a file: CSV (UTF-8 with a BOM, so Excel opens the Chinese as Chinese) or
XLSX. The file is cut from the very fragment the page shows (rendered for the same as_of, known_at and language),
so its headers are the page's words and its figures the page's figures: a cell the page marks ``data-figure`` is an
amount, written as exact yuan (a number in XLSX, formatted ``#,##0.00``); what the page hides from print or export
(``noexport``, e.g. the bars) is left out, and so is a row that only says there is nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.http.console import i18n
from api.http.console.moments import SHANGHAI
from api.http.console.rendering import html
from api.http.problems import ApiError
from audit.tables import YUAN_FORMAT, csv_bytes, sheet_cell
from audit.xlsx_bytes import workbook_bytes

TABLE_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Cell:
    text: str = ""
    figure: str | None = None  # the data-figure name: an amount in yuan as the page writes it
    span: int = 1


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    title: str = ""  # the page's heading over the table, in the page's language: the workbook's sheet name


class _TableReader(HTMLParser):
    """The cells of the table with id ``wanted``, by section (thead is the header; tbody and tfoot are rows)."""

    def __init__(self, wanted: str) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted, self.depth, self.section = wanted, 0, "tbody"
        self.table: Table | None = None
        self.row: list[Cell] | None = None
        self.cell: Cell | None = None
        self.skipping = 0  # inside a noexport cell
        self.heading: str | None = None  # the text of the h1/h2 being read
        self.last_heading = ""  # the latest heading before the table

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("h1", "h2") and self.table is None:
            self.heading = ""
            return
        if tag == "table":
            if self.depth or a.get("id") == self.wanted:
                self.depth += 1
                self.table = self.table or Table(title=self.last_heading)
            return
        if not self.depth:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            if "noexport" in (a.get("class") or "") or self.skipping:
                self.skipping += 1
                return
            self.cell = Cell(figure=a.get("data-figure"), span=int(a.get("colspan") or 1))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2") and self.heading is not None:
            self.last_heading, self.heading = " ".join(self.heading.split()), None
            return
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag in ("th", "td"):
            if self.skipping:
                self.skipping -= 1
            elif self.cell is not None and self.row is not None:
                self.cell.text = " ".join(self.cell.text.split())
                self.row += [self.cell, *(Cell() for _ in range(self.cell.span - 1))]  # a wide cell keeps columns
                self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if self.section == "thead":
                self.table.header = [c.text for c in self.row]
            elif not (self.row and self.row[0].span == len(self.row) > 1):  # "none": nothing to export
                self.table.rows.append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading += data
        if self.depth and self.cell is not None and not self.skipping:
            self.cell.text += data


def read_table(html: str, table_id: str) -> Table:
    reader = _TableReader(table_id)
    reader.feed(html)
    if reader.table is None:
        raise ApiError(404, "NOT_FOUND", f"this page has no table {table_id}")
    return reader.table


def value(cell: Cell) -> str | Decimal:
    """An amount as exact yuan ("1,234.56" -> Decimal('1234.56')); any other cell as its text."""
    if cell.figure is None or not cell.text:
        return cell.text
    return Decimal(cell.text.replace(",", ""))


def as_csv(table: Table, header: list[str]) -> bytes:
    return csv_bytes([header, *([str(value(c)) for c in row] for row in table.rows)], starts_file=True)


def as_xlsx(table: Table, header: list[str], name: str, moment: datetime | None = None) -> bytes:
    """``moment``: the page's as-of time, the file's date (not the clock's: the same table, the same bytes)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name[:31])
    sheet.append([sheet_cell(sheet, h) for h in header])
    for row in table.rows:
        cells = []
        for c in row:
            cell = sheet_cell(sheet, value(c))
            if isinstance(cell.value, Decimal):
                cell.number_format = YUAN_FORMAT
            cells.append(cell)
        sheet.append(cells)
    return workbook_bytes(workbook, moment)


def export(html: str, table_id: str, fmt: str, pair_header: list[str], moment: datetime | None = None) -> bytes:
    """The table as a file; a table without a header row (a figure per row) is headed ``pair_header``."""
    table = read_table(html, table_id)
    header = table.header or pair_header
    return as_csv(table, header) if fmt == "csv" else as_xlsx(table, header, sheet_name(table.title, table_id), moment)


def sheet_name(title: str, table_id: str) -> str:
    """The page's heading over the table, as XLSX takes a sheet name: at most 31 characters, no bracket, colon,
    asterisk, question mark or slash (a heading may write a period as 2020/01); a table under no heading keeps its
    id."""
    name = re.sub(r"[\[\]:*?/\\]", "-", title).strip("' ")[:31].strip()
    return name or table_id


def asked(params: Mapping[str, str]) -> tuple[str, str] | None:
    """(format, table id) when the query asks for a file (``export=csv&table=city-spend``), else None."""
    fmt, table = params.get("export"), params.get("table") or ""
    if fmt is None:
        return None
    if fmt not in FORMATS or not TABLE_ID.fullmatch(table):
        raise ApiError(422, "INVALID_INPUT", "export: csv or xlsx, with table: the id of one of the page's tables")
    return fmt, table


def response(request: Request, template: str, found: dict[str, Any], fmt: str, table_id: str) -> Response:
    w = i18n.words(i18n.language(request.query_params.get("lang")))
    moment = found.get("as_of")
    body = export(html(request, template, **found), table_id, fmt, [w["figure"], w["amount"]],
                  moment if isinstance(moment, datetime) else None)
    day = moment.astimezone(SHANGHAI).strftime("%Y%m%d") if isinstance(moment, datetime) else "now"
    # A page of one programme year names it: two years' tables downloaded the same day are two files.
    year = found.get("year")
    of_year = f"-{year}" if isinstance(year, int) else ""
    name = f"{template.removesuffix('.html').replace('_', '-')}-{table_id}{of_year}-{day}.{fmt}"
    return Response(body, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})
