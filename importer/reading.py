"""Reading an import file's rows: CSV (UTF-8, with or without the BOM Excel writes, or GB18030 as Chinese Excel
saves CSV) or XLSX (its first sheet), told apart by their bytes, never by the file name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a zip archive


@dataclass(frozen=True)
class Table:
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells); blank rows are left out
    format: str  # "csv" or "xlsx"


class UnreadableFile(ValueError):
    code = "UNREADABLE_FILE"


def read_table(data: bytes) -> Table:
    if data.startswith(XLSX_MAGIC):
        return _table(_xlsx_rows(data), "xlsx")
    return _table(_csv_rows(data), "csv")


def _table(rows: Iterator[list[Any]], fmt: str) -> Table:
    header: list[Any] | None = None
    body: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(rows, start=1):
        if header is None:
            if _blank(cells):
                raise UnreadableFile("the first row must be the header (the template's first row)")
            header = list(cells)
        elif not _blank(cells):
            body.append((number, cells))
    if header is None:
        raise UnreadableFile("the file is empty: it has no header row")
    return Table(header, body, fmt)


def _blank(cells: list[Any]) -> bool:
    for cell in cells:  # a loop, not all(): a row's first cell decides almost every time, and a generator costs more
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("a CSV file must be UTF-8 or GB18030 text")
    yield from csv.reader(io.StringIO(content, newline=""))


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from None
    try:
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(cells)
    finally:
        workbook.close()
