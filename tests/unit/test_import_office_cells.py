"""Cells as a Chinese office's Excel or WPS saves them (importer/columns.py): a date as 2020/3/5 (the zh-CN short
date a CSV export writes) or 2020年3月5日, full-width digits, an amount with thousands separators. Each reads as the
value it unambiguously is; anything that is not exactly one value is still refused, never guessed at or rounded."""

from __future__ import annotations

from datetime import date

import pytest

from importer.columns import day, integer
from ledger.errors import InvalidAmountError, InvalidInputError


@pytest.mark.parametrize("cell", ["2020-03-05", "2020/3/5", "2020/03/05", "2020年3月5日", "2020年03月05日",
                                  "２０２０年３月５日", "２０２０／３／５", " 2020/3/5 ", "2020-3-5"])
def test_a_date_written_as_a_chinese_office_writes_it_reads_as_that_day(cell):
    assert day(cell) == date(2020, 3, 5)


@pytest.mark.parametrize("cell", ["2020/2/30", "3/5/2020", "5/3/2020", "2020/3", "2020年3月", "2020/3-5", "20/3/5"])
def test_a_date_that_is_not_exactly_one_day_is_refused(cell):
    with pytest.raises(InvalidInputError):
        day(cell)


@pytest.mark.parametrize("cell, fen", [("5,000,000", 5_000_000), ("５，０００，０００", 5_000_000), ("１２３", 123),
                                       ("1,000", 1000), (" 12,345 ", 12_345)])
def test_an_amount_with_thousands_separators_or_full_width_digits_reads_whole(cell, fen):
    assert integer(cell) == fen


@pytest.mark.parametrize("cell", ["5,000,000.00", "5,00,000", "1,0000", ",100", "100,", "12.5", "1.000"])
def test_an_amount_that_is_not_exactly_whole_fen_is_refused_never_rounded(cell):
    with pytest.raises(InvalidAmountError):
        integer(cell)


def test_a_code_typed_in_full_width_forms_reads_as_its_ascii_code():
    """A USCC, a city code or an enumerated value typed with a Chinese input method in full-width mode; a name keeps
    its full-width brackets as written (佛山（南海）公司 is the registered form)."""
    from importer.columns import city, code, text, uscc
    from ledger.uscc import make_uscc

    ascii_uscc = make_uscc("91440600MA0000001")
    assert uscc("".join(chr(ord(c) + 0xFEE0) for c in ascii_uscc)) == ascii_uscc
    assert city("４４０６００ ") == "440600"
    assert code("ＰＬＡＴＦＯＲＭ") == "PLATFORM"
    assert text("佛山（南海）公司") == "佛山（南海）公司"


def test_a_long_number_excel_kept_only_15_digits_of_is_refused_not_recorded_wrong():
    """A 20-digit invoice number (数电发票) typed into a General cell is stored by Excel as a number with 15
    significant digits (12345678901234567890 becomes 12345678901234500000): read as text it was an invoice number
    nobody issued, and two invoices sharing 15 digits met as duplicates."""
    from importer.columns import numbers, text

    for cell in (12345678901234500000.0, 1234567890123450.0):
        with pytest.raises(InvalidInputError, match="15"):
            text(cell)
        with pytest.raises(InvalidInputError):
            numbers(cell)
    assert text(123456789012345.0) == "123456789012345"  # 15 digits: exactly as typed
    assert text(20190001.0) == "20190001"


def test_a_long_number_excel_saved_to_csv_in_scientific_notation_is_refused():
    """Excel's CSV export writes a General cell as shown: a 20-digit invoice number as 1.23457E+19."""
    from importer.columns import numbers, text

    for cell in ("1.23457E+19", "1.23457e+19", "1E+15", " 9.87654E+17 "):
        with pytest.raises(InvalidInputError, match="text"):
            text(cell)
    with pytest.raises(InvalidInputError):
        numbers("FP-1;1.23457E+19")
    assert text("HT-2019-E+1") == "HT-2019-E+1" and text("1.5") == "1.5"


@pytest.mark.parametrize("cell, value", [("50%", "0.50"), ("30.5%", "0.305"), ("３０％", "0.30"), (" 35 % ", "0.35"),
                                         ("0.30", "0.30")])
def test_a_rate_as_excel_saves_a_percentage_cell_to_csv_reads_exactly(cell, value):
    """A percentage cell (50%) is saved to CSV as its text; read exactly, never through a float."""
    from decimal import Decimal

    from importer.columns import rate

    assert rate(cell) == Decimal(value)


@pytest.mark.parametrize("cell", ["50%%", "%50", "fifty%", "5O%"])
def test_a_rate_that_is_not_one_percentage_is_refused(cell):
    from importer.columns import rate

    with pytest.raises(InvalidInputError):
        rate(cell)


@pytest.mark.parametrize("cell", ["0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00-23:59", "1999-12-31T23:59:59+00:00",
                                  "2101-01-01T00:00:00+08:00"])
def test_a_time_outside_the_services_years_is_refused(cell):
    """Found by the hostile review: the API takes times in the years 2000 to 2100 only, an import cell took any. A
    decision effective at 0001-01-01T00:00:00+08:00 failed the import with a 500 (its UTC time does not exist), one at
    -23:59 was recorded."""
    from importer.columns import moment

    with pytest.raises(InvalidInputError, match="between the years"):
        moment(cell)


@pytest.mark.parametrize("cell", ["0001-01-01", "1899-12-31", "2101-01-01"])
def test_a_date_outside_the_services_years_is_refused(cell):
    with pytest.raises(InvalidInputError, match="between the years"):
        day(cell)
