"""An import's error report names the cell a refusal is about, so the person fixing the register goes straight to it.
A review found a settlement row paid before its claim's approval (PAID_BEFORE_APPROVAL) and a row dated in the future
(EFFECTIVE_IN_FUTURE) of any kind but enterprises reported with an empty column."""

from __future__ import annotations

import pytest

from importer.kinds import KINDS
from importer.report import blamed


def _columns(kind: str) -> list[str]:
    return [c.key for c in KINDS[kind].columns]


@pytest.mark.parametrize("kind, code, column", [
    ("settlements", "PAID_BEFORE_APPROVAL", "paid_at"),
    ("settlements", "EFFECTIVE_IN_FUTURE", "paid_at"),
    ("assessments", "EFFECTIVE_IN_FUTURE", "effective_at"),
    ("eligibility", "EFFECTIVE_IN_FUTURE", "effective_at"),
    ("approvals", "EFFECTIVE_IN_FUTURE", "effective_at"),
    ("recovery-collections", "EFFECTIVE_IN_FUTURE", "effective_at"),
    ("enterprises", "EFFECTIVE_IN_FUTURE", "established_on"),
])
def test_a_dated_refusal_names_its_date_column(kind, code, column):
    assert blamed(code, _columns(kind), "the effective time is later than the time the ledger records it") == column


def test_a_template_or_report_written_again_later_is_the_same_file(monkeypatch):
    """openpyxl dates a workbook by the wall clock: a template or an error report written a day later differed in
    bytes from the same one written now. They carry no time of their own, so they are undated (audit/xlsx_bytes)."""
    from importer.report import RowError, as_xlsx
    from importer.templates import template_xlsx
    from tests.support.wall_clock import a_day_later

    errors = [RowError(3, "uscc", "INVALID_USCC", "not a USCC")]
    first = (template_xlsx(KINDS["claims"]), as_xlsx(errors))
    a_day_later(monkeypatch)
    assert (template_xlsx(KINDS["claims"]), as_xlsx(errors)) == first


def test_a_header_that_starts_like_a_formula_is_reported_as_text():
    """Found by the hostile review: an unknown header cell is named in the report's 列 / column as written, and a
    file headed ``=cmd|' /C calc'!A0`` got an error report whose XLSX held it as a formula, run when the official
    opened the report to see what was wrong (CSV injection). In both reports it is text."""
    import csv
    import io

    from openpyxl import load_workbook

    from importer.report import RowError, as_csv, as_xlsx

    header = "=cmd|' /C calc'!A0"
    errors = [RowError(1, header, "UNKNOWN_COLUMN", "not a column of this kind")]
    assert list(csv.reader(io.StringIO(as_csv(errors).decode("utf-8-sig"))))[1][1] == "'" + header
    cell = load_workbook(io.BytesIO(as_xlsx(errors))).worksheets[0].cell(2, 2)
    assert (cell.data_type, cell.value) == ("s", header)
