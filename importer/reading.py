"""Reading an import file's rows: CSV (UTF-8, with or without the BOM Excel writes, or GB18030 as Chinese Excel
saves CSV) or XLSX (its first sheet), told apart by their bytes, never by the file name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a zip archive
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # a compound file: Excel 97-2003 (.xls), or a password-protected XLSX


@dataclass(frozen=True)
class Table:
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells); blank rows are left out
    format: str  # "csv" or "xlsx"
    # An XLSX file's other sheets by name, each with its first row: only the first sheet is read, so the caller
    # refuses a workbook whose register goes on to another sheet rather than import it cut short.
    other_sheets: dict[str, list[Any]] = field(default_factory=dict)


class UnreadableFile(ValueError):
    code = "UNREADABLE_FILE"


def read_table(data: bytes) -> Table:
    if data.startswith(OLE_MAGIC):  # else read as a CSV and refused as one, which it never was
        raise UnreadableFile("this is an Excel 97-2003 workbook (.xls) or a password-protected one: save it as an "
                             "Excel workbook (.xlsx) without a password and import that")
    if data.startswith(XLSX_MAGIC):
        others: dict[str, list[Any]] = {}
        table = _table(_xlsx_rows(data, others), "xlsx")
        return Table(table.header, table.rows, table.format, others)
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
    if encoding == "gb18030":
        _require_plausible_gb18030(content)
    # Strict: a quote that opens a cell and is never closed would otherwise make every later line part of that
    # cell, and the rows after it would vanish into one value.
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(
                f"the CSV record starting on line {line} is malformed ({error}): a quote (\") that opens a cell must "
                "close it, right before the next comma or the line's end") from None


# GB18030 decodes almost any bytes, so a Big5 file (Traditional Chinese, as Hong Kong and Taiwan systems save CSV)
# is read as nonsense (a review's Big5 company name came out as six rare characters), and a name, once recorded, is
# never changed. Such a misreading gives private-use code points and many characters outside GB2312 (the 6,763
# characters of everyday Simplified Chinese); a real GB18030 register of Guangdong's enterprises has almost none of
# either (its header alone is GB2312). The file is refused with what to do, rather than guessed at: an encoding
# detector would be a dependency that still guesses.
RARE_SHARE = 0.2


def _require_plausible_gb18030(content: str) -> None:
    wide = [c for c in content if ord(c) > 0x7F]
    private = [c for c in wide if 0xE000 <= ord(c) <= 0xF8FF]
    rare = [c for c in wide if not _in_gb2312(c)]
    if private or (wide and len(rare) / len(wide) > RARE_SHARE):
        shown = "".join(dict.fromkeys(c for c in rare if not 0xE000 <= ord(c) <= 0xF8FF))[:8]
        raise UnreadableFile(
            "the file is not UTF-8, and read as GB18030 it holds characters no register would "
            f"({shown or 'private-use code points'}…): it is probably Big5 or another encoding. "
            "Save it as UTF-8 (Excel: 'CSV UTF-8') and import it again")


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _xlsx_rows(data: bytes, others: dict[str, list[Any]]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from None
    try:
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(cells)
        for sheet in workbook.worksheets[1:]:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            others[sheet.title] = list(first)
    finally:
        workbook.close()
