"""A figure as a table, and its two renderings: a CSV file and an XLSX sheet, each with a totals row.

Money is integer fen everywhere here. A column whose key ends in ``_fen`` is money: the CSV gives it twice, as yuan
text with two decimals (``-12.05``) and as fen; the XLSX gives yuan as an exact ``Decimal`` number formatted
``#,##0.00`` and the fen beside it in a hidden column. Totals are added up in integer fen, never from yuan.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ledger.money import yuan_text

YUAN_FORMAT = "#,##0.00"
TOTAL_LABEL = "TOTAL"


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


def _yuan_header(column: str) -> str:
    return f"{column[: -len('_fen')]}_yuan"


# -- CSV -----------------------------------------------------------------------------------------------------------
def csv_header(figure: Figure) -> list[str]:
    out: list[str] = []
    for column in figure.columns:
        out += [_yuan_header(column), column] if is_money(column) else [column]
    return out


def _csv_row(figure: Figure, row: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for column, value in zip(figure.columns, row, strict=True):
        out += [csv_yuan(value), value] if is_money(column) else ["" if value is None else value]
    return out


def figure_csv(figure: Figure) -> bytes:
    """The figure as CSV (UTF-8, RFC 4180 line ends): header, rows, then a totals row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header(figure))
    for row in figure.rows:
        writer.writerow(_csv_row(figure, row))
    writer.writerow(_csv_row(figure, _totals_row(figure)))
    return buffer.getvalue().encode("utf-8")


def _totals_row(figure: Figure) -> tuple:
    totals = figure.totals()
    label = f"{TOTAL_LABEL} ({len(figure.rows)} rows)"
    return tuple(totals[c] if is_money(c) else (label if i == 0 else None) for i, c in enumerate(figure.columns))


# -- XLSX ----------------------------------------------------------------------------------------------------------
def add_sheet(workbook: Any, figure: Figure) -> None:
    """Append the figure as a sheet of a write-only workbook: frozen header, hidden fen, literal totals row."""
    sheet = workbook.create_sheet(figure.name[:31])
    sheet.freeze_panes = "A2"
    letter = 0
    for column in figure.columns:
        letter += 1
        if is_money(column):
            sheet.column_dimensions[get_column_letter(letter)].width = 16
            letter += 1
            sheet.column_dimensions[get_column_letter(letter)].hidden = True
    sheet.append(_cells(sheet, csv_header(figure), bold=True))
    for row in figure.rows:
        sheet.append(_sheet_row(sheet, figure, row))
    sheet.append(_sheet_row(sheet, figure, _totals_row(figure), bold=True))


def _cells(sheet: Any, values: Sequence[Any], *, bold: bool = False) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _sheet_row(sheet: Any, figure: Figure, row: Sequence[Any], *, bold: bool = False) -> list[Any]:
    cells = []
    for column, value in zip(figure.columns, row, strict=True):
        if is_money(column):
            money = WriteOnlyCell(sheet, value=yuan(value))
            money.number_format = YUAN_FORMAT
            cells += [money, WriteOnlyCell(sheet, value=int(value))]
        else:
            cells.append(WriteOnlyCell(sheet, value=value))
        if bold:
            for cell in cells:
                cell.font = Font(bold=True)
    return cells
