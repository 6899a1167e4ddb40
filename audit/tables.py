"""A figure as a table, and its two renderings: a CSV file and an XLSX sheet, each with a totals row.

Money is integer fen everywhere here. A column whose key ends in ``_fen`` is money: the CSV gives it twice, as yuan
text with two decimals (``-12.05``) and as fen; the XLSX gives yuan as an exact ``Decimal`` number formatted
``#,##0.00`` and the fen beside it in a hidden column. Totals are added up in integer fen, never from yuan.

Both are rendered in a language (``audit/export_words.py``: the headers, the sheet's name, the totals row's label, the
city's name and each code's name, in a ``<key>_name`` column beside the code; every other value is written the same
in both). A CSV file starts with a UTF-8 byte-order mark:
without it Excel on a Chinese Windows reads the file in the system's code page (GBK) and shows the Chinese garbled.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from audit import export_words as words
from ledger.money import yuan_text

YUAN_FORMAT = "#,##0.00"
BOM = "\ufeff".encode()


@dataclass(frozen=True)
class Figure:
    """One figure: ``name`` (its file and sheet), column keys (``*_fen`` are money) and rows of plain values."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]

    @property
    def money(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if is_money(c))

    def totals(self) -> dict[str, int]:
        """Each money column added up in fen (exact integers)."""
        return {self.columns[i]: sum(int(row[i]) for row in self.rows) for i in self.money}


def is_money(column: str) -> bool:
    return column.endswith("_fen")


def yuan(fen: int) -> Decimal:
    """Fen as exact yuan with two decimals: 123456 -> Decimal('1234.56'); no float is ever involved."""
    return Decimal(int(fen)).scaleb(-2)


def csv_yuan(fen: int) -> str:
    return yuan_text(fen, thousands=False)


def header_keys(columns: Iterable[str]) -> list[str]:
    """A file's column keys: an amount twice, as ``*_yuan`` then ``*_fen``; any other column once."""
    out: list[str] = []
    for column in words.named_columns(tuple(columns)):
        out += [f"{column[: -len('_fen')]}_yuan", column] if is_money(column) else [column]
    return out


# -- text a spreadsheet would run ----------------------------------------------------------------------------------
# Excel (and WPS, LibreOffice) reads a CSV cell that starts with one of these as a formula: a name, reason or actor
# registered as =cmd|' /C calc'!A0 or =HYPERLINK(...) would run, or send the sheet away, when an official opens the
# file (CSV injection). Such text is written with a leading apostrophe, which the spreadsheet reads as "text"
# (OWASP's advice); a number written as text (-12.05, an amount) and a lone "-" stay as they are.
FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?")


def inert(value: Any) -> Any:
    if type(value) is str and value[:1] in FORMULA_STARTS and len(value) > 1 and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def sheet_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    """An XLSX cell; text that starts with "=" stays text, exactly as registered (openpyxl makes a formula of it)."""
    cell = WriteOnlyCell(sheet, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


# -- CSV -----------------------------------------------------------------------------------------------------------
def csv_bytes(rows: Iterable[Sequence[Any]], *, starts_file: bool = False) -> bytes:
    """Rows as CSV (UTF-8, RFC 4180 line ends), each text cell inert; the first bytes of a file carry the BOM."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([inert(value) for value in row] for row in rows)
    return (BOM if starts_file else b"") + buffer.getvalue().encode("utf-8")


def csv_header(figure: Figure, lang: str) -> list[str]:
    return [words.header(figure.name, key, lang) for key in header_keys(figure.columns)]


def _rendered(figure: Figure, row: Sequence[Any], lang: str | None) -> list[Any]:
    """A figure's row in ``lang`` with its code columns' names beside them (``lang`` None: a totals row, unnamed)."""
    return words.with_names(figure.columns, words.localized(figure.columns, row, lang) if lang else row, lang)


def _csv_row(figure: Figure, row: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for column, value in zip(words.named_columns(figure.columns), row, strict=True):
        out += [csv_yuan(value), value] if is_money(column) else ["" if value is None else value]
    return out


def figure_csv(figure: Figure, lang: str) -> bytes:
    """The figure as a CSV file: header, rows, then a totals row."""
    rows = [csv_header(figure, lang), *(_csv_row(figure, _rendered(figure, row, lang)) for row in figure.rows),
            _csv_row(figure, _rendered(figure, _totals_row(figure, lang), None))]
    return csv_bytes(rows, starts_file=True)


def _totals_row(figure: Figure, lang: str) -> tuple:
    totals = figure.totals()
    label = words.total_label(len(figure.rows), lang)
    return tuple(totals[c] if is_money(c) else (label if i == 0 else None) for i, c in enumerate(figure.columns))


# -- XLSX ----------------------------------------------------------------------------------------------------------
def add_sheet(workbook: Any, figure: Figure, lang: str) -> None:
    """Append the figure as a sheet of a write-only workbook: frozen header, hidden fen, literal totals row."""
    sheet = workbook.create_sheet(words.sheet_name(figure.name, lang)[:31])
    sheet.freeze_panes = "A2"
    letter = 0
    for column in words.named_columns(figure.columns):
        letter += 1
        if is_money(column):
            sheet.column_dimensions[get_column_letter(letter)].width = 16
            letter += 1
            sheet.column_dimensions[get_column_letter(letter)].hidden = True
    sheet.append(_cells(sheet, csv_header(figure, lang), bold=True))
    for row in figure.rows:
        sheet.append(_sheet_row(sheet, figure, _rendered(figure, row, lang)))
    sheet.append(_sheet_row(sheet, figure, _rendered(figure, _totals_row(figure, lang), None), bold=True))

def _cells(sheet: Any, values: Sequence[Any], *, bold: bool = False) -> list[Any]:
    cells = []
    for value in values:
        cell = sheet_cell(sheet, value)
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _sheet_row(sheet: Any, figure: Figure, row: Sequence[Any], *, bold: bool = False) -> list[Any]:
    cells = []
    for column, value in zip(words.named_columns(figure.columns), row, strict=True):
        if is_money(column):
            money = WriteOnlyCell(sheet, value=yuan(value))
            money.number_format = YUAN_FORMAT
            cells += [money, WriteOnlyCell(sheet, value=int(value))]
        else:
            cells.append(sheet_cell(sheet, value))
        if bold:
            for cell in cells:
                cell.font = Font(bold=True)
    return cells
