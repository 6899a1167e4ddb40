"""The row-level error report of an import: one line per problem (row, column, code, message), as CSV and XLSX.

A refusal by the ledger names its rule by code; the column is the one the code is about in this kind of file (the
first of the candidates below that the kind has), so a person can go straight to the cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.tables import csv_bytes, sheet_cell
from audit.xlsx_bytes import workbook_bytes
from importer.columns import MISSING_VALUE
from importer.reading import UnreadableFile
from importer.recorded import (RECORDED_AT_IN_FUTURE, RECORDED_AT_NOT_ALLOWED, RECORDED_AT_OUT_OF_ORDER,
                               RECORDED_BY_NOT_ALLOWED)
from ledger.words import named

HEADER = ("row", "column", "code", "problem", "message")
HEADER_ZH = ("行号", "列", "错误代码", "问题", "说明")
# Both reports are headed in Chinese and English, as the import templates are ("统一社会信用代码 / uscc"): the person
# fixing the file reads the Chinese, a script finds the key after the slash. A row's problem is its code said in
# Chinese (ledger/refusal_words.py); its message is the refusal's own sentence, with the values it is about.
HEADINGS = tuple(f"{zh} / {en}" for zh, en in zip(HEADER_ZH, HEADER, strict=True))

# The import's own codes, beside the ledger's: a header that is not the template's, and the checks of importer/.
UNKNOWN_COLUMN, DUPLICATE_COLUMN, MISSING_COLUMN = "UNKNOWN_COLUMN", "DUPLICATE_COLUMN", "MISSING_COLUMN"
CELL_WITHOUT_COLUMN = "CELL_WITHOUT_COLUMN"  # a filled cell under no header: its row is refused, never read short
ROWS_ON_ANOTHER_SHEET = "ROWS_ON_ANOTHER_SHEET"  # a workbook's register goes on past its first sheet, the one read
IMPORT_CODES = (UNKNOWN_COLUMN, DUPLICATE_COLUMN, MISSING_COLUMN, CELL_WITHOUT_COLUMN, ROWS_ON_ANOTHER_SHEET,
                MISSING_VALUE,
                UnreadableFile.code,
                RECORDED_AT_NOT_ALLOWED, RECORDED_BY_NOT_ALLOWED, RECORDED_AT_IN_FUTURE, RECORDED_AT_OUT_OF_ORDER)

# code -> the columns it is about, most specific first.
BLAME: dict[str, tuple[str, ...]] = {
    "INVALID_USCC": ("uscc", "provider_uscc"), "UNKNOWN_CITY": ("city",), "INVALID_RATE": ("rate", "city_share"),
    "ENTERPRISE_NOT_FOUND": ("uscc",), "PROVIDER_NOT_FOUND": ("provider_uscc", "uscc"),
    "VOUCHER_NOT_FOUND": ("item_id",), "CATALOGUE_ITEM_NOT_FOUND": ("item_id",), "CLAIM_NOT_FOUND": ("claim_no",),
    "BATCH_NOT_FOUND": ("batch_no",), "ALREADY_EXISTS": ("uscc", "year", "batch_no"),
    "NOT_ELIGIBLE": ("uscc",), "SHENZHEN_EXCLUDED": ("city", "uscc"), "NOT_CURRENT_YEAR": ("recorded_at", "year"),
    "CATEGORY_NOT_COVERED": ("fee_category",), "CATEGORY_MISMATCH": ("fee_category",),
    "CARRIER_RATE_NOT_SET": ("year",), "CATALOGUE_NOT_PUBLISHED": ("year",), "QUOTA_NOT_SET": ("year",),
    "CITY_QUOTA_EXHAUSTED": ("item_id", "amount_fen"), "PROVIDER_QUOTA_EXHAUSTED": ("provider_uscc",),
    "QUOTA_BELOW_USAGE": ("amount_fen",), "CITY_SHARE_FIXED": ("city_share",), "DISCOUNT_RATE_TOO_LOW": ("rate",),
    "VOUCHER_EXPIRED": ("recorded_at", "accepted_at"), "VOUCHER_NOT_YET_EXPIRED": ("recorded_at",),
    "VOUCHER_REVOKED": ("item_id",), "VOUCHER_EXHAUSTED": ("eligible_fee_fen",), "ZERO_SUBSIDY": ("eligible_fee_fen",),
    "CONTRACT_BEFORE_POLICY": ("contract_date",), "PAYMENT_INSUFFICIENT": ("payment_proven_fen",),
    "ELIGIBLE_FEE_EXCEEDS_CONTRACT": ("eligible_fee_fen",), "DUPLICATE_CLAIM": ("invoice_nos", "claim_no"),
    "CONTRACT_OVERCLAIMED": ("contract_no",), "CONTRACT_AMOUNT_MISMATCH": ("contract_amount_fen",),
    "DUPLICATE_VOUCHER": ("item_id",), "ELIGIBILITY_ALREADY_DECIDED": ("year",),
    "PROVIDER_NOT_WHITELISTED": ("provider_uscc",), "PROVIDER_SUSPENDED": ("provider_uscc", "uscc"),
    "PROVIDER_ELIMINATED": ("provider_uscc", "uscc"), "PROVIDER_MISMATCH": ("provider_uscc",),
    "INVALID_TRANSITION": ("decision", "claim_no", "item_id"), "CLAIM_HELD": ("claim_no",),
    "EMPTY_BATCH": ("batch_no",), "NAIVE_DATETIME": (), "INVALID_AMOUNT": (),
    "DUPLICATE_COLLECTION": ("bank_reference",),
    "EFFECTIVE_IN_FUTURE": ("established_on", "paid_at", "effective_at"), "PAID_BEFORE_APPROVAL": ("paid_at",),
    "PAID_BEFORE_PUBLICITY": ("paid_at",),
    "CATALOGUE_DEADLINE_MISMATCH": ("redemption_deadline",),
}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: str
    problem_zh: str = field(init=False)  # the code said in Chinese; the code itself where it has no name

    def __post_init__(self) -> None:
        object.__setattr__(self, "problem_zh", problem_zh(self.code))


def problem_zh(code: str) -> str:
    """A refusal's code as the report's 问题 column says it (ledger/refusal_words.py); else the code itself."""
    return named(code, "zh")


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    format: str = ""
    rows: int = 0  # data rows in the file
    already_imported: int = 0  # rows an earlier import of this file covered: skipped
    refused_before: list[int] = field(default_factory=list)  # of those, rows an earlier partial import refused
    decided: int = 0  # rows decided by this run
    written: int = 0  # rows written by this run
    dry_run: bool = False
    partial: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        """Rows of data refused: row 1 is the header, and a problem there (or with the file) refuses no row."""
        return len({e.row for e in self.errors if e.row > 1})

    def summary(self) -> dict[str, Any]:
        return {"kind": self.kind, "file_name": self.file_name, "sha256": self.sha256, "format": self.format,
                "rows": self.rows, "already_imported": self.already_imported, "refused_before": self.refused_before,
                "decided": self.decided,
                "written": self.written, "refused_rows": self.refused_rows, "dry_run": self.dry_run,
                "partial": self.partial}


def refusal_sentence(result: ImportResult) -> str:
    """What a refused import says, on the command line and in the HTTP answer's detail."""
    if any(e.row == 1 for e in result.errors):
        return "the file was refused before any row was decided (its header or format); nothing was written"
    return f"{result.refused_rows} row(s) refused" + ("" if result.partial else "; nothing was written")


def blamed(code: str, columns: Iterable[str], detail: str = "") -> str:
    """The column a code is about; for a code that may be about any value (INVALID_INPUT), the column the message
    names ("carrier must be one of ...": carrier), the longest name first."""
    present = list(columns)
    found = next((c for c in BLAME.get(code, ()) if c in present), "")
    if found or not detail:
        return found
    text = detail.lower()
    return next((c for c in sorted(present, key=len, reverse=True) if c.replace("_", " ") in text), "")


def errors_of(row: int, error: object, columns: Iterable[str], column: str | None = None) -> list[RowError]:
    """Every problem a refusal lists (a claim is judged on every rule at once): the first is the refusal itself."""
    code, detail = getattr(error, "code", "INTERNAL_ERROR"), getattr(error, "detail", str(error))
    columns = list(columns)
    found = [RowError(row, column or blamed(code, columns, detail), code, detail)]
    for other_code, message in getattr(error, "violations", ())[1:]:
        found.append(RowError(row, blamed(other_code, columns, message), other_code, message))
    return found


def _cells(e: RowError) -> tuple[int, str, str, str, str]:
    return e.row, e.column, e.code, e.problem_zh, e.message


def as_csv(errors: list[RowError]) -> bytes:
    return csv_bytes([HEADINGS, *(_cells(e) for e in errors)], starts_file=True)


def as_xlsx(errors: list[RowError]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入错误")
    sheet.append(list(HEADINGS))
    for e in errors:
        sheet.append([sheet_cell(sheet, value) for value in _cells(e)])  # a header cell is named as written
    return workbook_bytes(workbook, None)  # the same rows, the same bytes: no clock in the file


def report_paths(stem: Path) -> tuple[Path, Path]:
    """Where the reports of ``stem`` go: ``<stem>.errors.csv`` and ``<stem>.errors.xlsx``."""
    return stem.with_name(stem.name + ".errors.csv"), stem.with_name(stem.name + ".errors.xlsx")


def write_reports(errors: list[RowError], stem: Path) -> tuple[Path, Path]:
    """Both reports (``report_paths``); returns their paths."""
    csv_path, xlsx_path = report_paths(stem)
    csv_path.write_bytes(as_csv(errors))
    xlsx_path.write_bytes(as_xlsx(errors))
    return csv_path, xlsx_path
