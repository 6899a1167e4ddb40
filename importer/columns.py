"""The columns of an import file: each one's key, its Chinese and English header, and how its text becomes a value.

A cell is turned into the type the command takes (integer fen, date, time with offset, yes/no, list) and nothing
more: the ledger's own rules judge the values, so a refusal carries the ledger's code. What is checked here is what
the ledger cannot see once a value is derived (a USCC becomes an enterprise id, so it is checked first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.control_characters import has_control_character
from ledger.errors import InvalidAmountError, InvalidInputError, NaiveDatetimeError
from ledger.parties import Carrier
from ledger.programme import EARLIEST_YEAR, LATEST_YEAR
from ledger.uscc import validate_uscc
from ledger.words import named

MISSING_VALUE = "MISSING_VALUE"  # a required cell is empty: the import's own code (the ledger never sees the row)

LIST_SEPARATORS = (";", "；", ",", "，", "、")


class MissingValue(Exception):
    """A required cell is empty. Not a ``LedgerError``: the ledger never raises it (its codes are its own)."""

    code = MISSING_VALUE

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.violations: tuple[tuple[str, str], ...] = ()


# Excel keeps 15 significant digits of a number: a longer one typed into a General cell (a 20-digit invoice number)
# is stored with zeros for the rest, and no reading can tell what was typed.
EXCEL_DIGITS = 15


def text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a number typed into a spreadsheet cell (e.g. a contract number)
        if len(str(abs(cell))) > EXCEL_DIGITS:
            raise InvalidInputError(
                f"{cell} is a number of more than {EXCEL_DIGITS} digits: the spreadsheet kept only its first "
                f"{EXCEL_DIGITS}; format the cell as text (文本) and type it again")
    return _as_typed(str(cell).strip())


# ...and saved as CSV, such a cell is written as Excel shows it: 1.23457E+19, the number itself lost.
EXCEL_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+[0-9]+")


def _as_typed(value: str) -> str:
    if EXCEL_SCIENTIFIC.fullmatch(value):
        raise InvalidInputError(
            f"{value!r} is a long number as the spreadsheet showed it, its digits lost: format the column as text "
            "(文本), type the numbers again and save the file again")
    return value


def integer(cell: Any) -> int:
    if isinstance(cell, bool):
        raise InvalidAmountError(f"expected an integer, got {cell!r}")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise InvalidAmountError(f"expected an integer (money is integer fen), got {cell!r}")
    value = unicodedata.normalize("NFKC", str(cell)).strip().replace("_", "")  # ５，０００ is 5,000
    if GROUPED.fullmatch(value):
        value = value.replace(",", "")
    try:
        return int(value)
    except ValueError:
        raise InvalidAmountError(f"expected an integer (money is integer fen), got {value!r}") from None


# Thousands separators as Excel's #,##0 format writes them into a CSV file: only exact groups of three, so a cell
# that is not one whole number (5,00,000; 5,000,000.00, yuan in a fen column) is still refused.
GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
# A day as a Chinese office writes it: the zh-CN short date Excel and WPS save in a CSV file (2020/3/5) and the
# long one (2020年3月5日); year first, so never ambiguous (3/5/2020 is refused, not guessed at).
OFFICE_DAY = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})|([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?")


@lru_cache(maxsize=65_536)  # pure, and a register repeats its dates, times and USCCs row after row
def day(cell: Any) -> date:
    if isinstance(cell, date):  # a spreadsheet's date or date-time cell
        return _within_years(cell.date() if isinstance(cell, datetime) else cell, EARLIEST_DAY_YEAR)
    value = unicodedata.normalize("NFKC", str(cell)).strip()  # full-width digits and ／ as ASCII
    try:
        found = OFFICE_DAY.fullmatch(value)
        if found:
            y, _, m, d, *long = found.groups()
            return _within_years(date(*(int(part) for part in ((y, m, d) if y else long))), EARLIEST_DAY_YEAR)
        return _within_years(date.fromisoformat(value), EARLIEST_DAY_YEAR)
    except ValueError:
        raise InvalidInputError(f"expected a date such as 2019-03-05, got {cell!r}") from None


@lru_cache(maxsize=65_536)  # pure, and a register repeats its dates, times and USCCs row after row
def moment(cell: Any) -> datetime:
    """A time with its UTC offset; a spreadsheet's naive date-time is refused, as everywhere in the ledger (its
    fiscal year would be a guess)."""
    if isinstance(cell, datetime):
        parsed = cell
    else:
        try:
            parsed = datetime.fromisoformat(str(cell).strip())
        except ValueError:
            raise InvalidInputError(f"expected a time such as 2019-03-05T09:00:00+08:00, got {cell!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise NaiveDatetimeError(f"{cell!r} needs a UTC offset, e.g. 2019-03-05T09:00:00+08:00")
    return _within_years(parsed, EARLIEST_YEAR)


# The years the API's schema takes (api/http/models/fields.py: Moment, Day), which a cell reaches no schema to check:
# a time in the year 1 has no UTC time at +08:00 (the import failed with a 500) or was recorded as a decision's effect.
EARLIEST_DAY_YEAR = 1900  # a date (an enterprise established_on) may be older than any programme


def _within_years(value: date, earliest: int) -> Any:
    if not earliest <= value.year <= LATEST_YEAR:
        raise InvalidInputError(f"{value.isoformat()} is not between the years {earliest} and {LATEST_YEAR}")
    return value


YES = {"是", "yes", "y", "true", "1", "通过", "passed", "pass"}
NO = {"否", "no", "n", "false", "0", "不通过", "failed", "fail"}


def yes_no(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise InvalidInputError(f"expected 是/否 (yes/no), got {cell!r}")


DAYS_OFF = {"放假", "休", "休息", "off", "day_off"}
WORKDAYS = {"调休上班", "上班", "班", "work", "workday"}  # not 调休 alone: it names the swap, either day of it


def day_kind(cell: Any) -> str:
    """A day of a holiday arrangement (工作日历): ``OFF`` (放假, a weekday off or a day joined to a holiday) or ``WORK``
    (调休上班, a weekend day worked in exchange)."""
    value = text(cell).lower()
    if value in DAYS_OFF:
        return "OFF"
    if value in WORKDAYS:
        return "WORK"
    raise InvalidInputError(f"expected 放假 (a day off) or 调休上班 (a weekend day worked), got {cell!r}")


# A percentage as Excel saves a percentage cell to CSV (its text, 50%): read exactly, 50% is 0.50.
PERCENT = re.compile(r"([0-9]+(\.[0-9]+)?)\s*%")


def rate(cell: Any) -> Decimal:
    """Exactly as written: 0.30 stays 0.30 (a spreadsheet float is read through its shortest text, 0.3)."""
    try:
        if isinstance(cell, float):
            return Decimal(repr(cell))
        value = ascii_text(cell)
        percent = PERCENT.fullmatch(value)
        return Decimal(percent[1]).scaleb(-2) if percent else Decimal(value)
    except InvalidOperation:
        raise InvalidInputError(f"expected a rate such as 0.30, got {cell!r}") from None


def numbers(cell: Any) -> tuple[str, ...]:
    value = text(cell)
    for separator in LIST_SEPARATORS[1:]:
        value = value.replace(separator, LIST_SEPARATORS[0])
    return tuple(_as_typed(part.strip()) for part in value.split(LIST_SEPARATORS[0]) if part.strip())


def ascii_text(cell: Any) -> str:
    """A code's text with full-width forms (４４０６００, ＭＡ) as their ASCII ones: a code is ASCII, and a Chinese
    input method left in full-width mode types these. Never for names: a registered name keeps its （）."""
    return unicodedata.normalize("NFKC", text(cell)).strip()


def city(cell: Any) -> str:
    """A city's GB/T 2260 code; the ledger refuses one that is not Guangdong's."""
    return ascii_text(cell)


def code(cell: Any) -> str:
    """An enumerated value (carrier, kind, category): compared upper-cased; the ledger says which are allowed."""
    return ascii_text(cell).upper()


# A carrier by its code or by its Chinese name (中国移动), as ledger/words.py names it: a province's file writes names.
CARRIERS = {**{c.value: c.value for c in Carrier}, **{named(c.value): c.value for c in Carrier}}


def carrier(cell: Any) -> str:
    """A carrier's code from its code (``CHINA_MOBILE``) or its Chinese name (中国移动); anything else is left for the
    ledger to refuse, naming the codes it allows."""
    value = text(cell)
    return CARRIERS.get(value) or CARRIERS.get(value.upper()) or value.upper()


@lru_cache(maxsize=65_536)  # pure, and a register repeats its dates, times and USCCs row after row
def uscc(cell: Any) -> str:
    return validate_uscc(ascii_text(cell).upper())


# The longest text one cell may hold: the API's (api/http/models/fields.py, Text), which a cell reaches no schema to
# check; a list cell (invoice numbers) holds up to LIST_ITEMS of them. A 100,000-character name was recorded.
TEXT_LONGEST = 500
LIST_ITEMS = 50


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    parse: Callable[[Any], Any] = text
    required: bool = True
    example: str = ""
    longest: int = TEXT_LONGEST

    @property
    def header(self) -> str:
        return f"{self.zh} / {self.key}"

    def value(self, cell: Any) -> Any:
        """The cell's value, None for an empty optional cell; raises a ``LedgerError`` with the cell's code."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            if self.required:
                raise MissingValue(f"{self.key} ({self.zh}) is required")
            return None
        if isinstance(cell, str) and has_control_character(cell):  # e.g. a NUL byte a careless tool left in a name
            raise InvalidInputError(f"{self.key} ({self.zh}) holds a control character, which cannot be recorded: "
                                    f"{cell!r}")
        if isinstance(cell, str) and len(cell) > self.longest:
            raise InvalidInputError(f"{self.key} ({self.zh}) is {len(cell)} characters long: at most {self.longest}")
        return self.parse(cell)


# Every kind may carry when and by whom a row was recorded (the columns importer/registers.py writes). Only a training
# store takes them; elsewhere a row is recorded at the service clock's now by the caller (importer/recorded.py).
RECORDED_AT = Column("recorded_at", "记录时间", moment, required=False, example="2019-03-05T09:00:00+08:00")
RECORDED_BY = Column("recorded_by", "记录人", text, required=False, example="province:gd-miit")
PROVENANCE_COLUMNS = (RECORDED_AT, RECORDED_BY)


def match_header(cell: Any, columns: tuple[Column, ...]) -> Column | None:
    """The column a header cell names: its key, its Chinese name, or both as the template writes them
    (``中文名 / key``); full-width and ASCII brackets are the same."""
    if cell is None:
        return None
    normal = str(cell).replace("（", "(").replace("）", ")").strip().lower()
    names = {normal, *(part.strip() for part in normal.split("/"))}
    for column in columns:
        if column.key in names or column.zh.replace("（", "(").replace("）", ")").lower() in names:
            return column
    return None


# Columns several kinds share.
USCC = Column("uscc", "统一社会信用代码", uscc, example="91440101MA59ABCD1D")
YEAR = Column("year", "年度", integer, example="2019")
ITEM = Column("item_id", "服务目录项", text, example="2019-APP-01")
VOUCHER_KEY = (USCC, YEAR, ITEM)
PROVIDER = Column("provider_uscc", "服务商统一社会信用代码", uscc, example="91440106MA59FWPT00")
CLAIM_NO = Column("claim_no", "申请编号", text, required=False, example="SQ-2019-000123")
EFFECTIVE = Column("effective_at", "生效时间", moment, example="2019-03-05T09:00:00+08:00")
