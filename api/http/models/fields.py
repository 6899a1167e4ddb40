"""The field types and limits the request bodies and the query parameters share: integer fen, exact rates, years,
cities, USCCs and times within the years the service can compute with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from ledger.control_characters import has_control_character
from ledger.parties import CITIES
from ledger.programme import EARLIEST_YEAR, LATEST_YEAR
from ledger.uscc import ALPHABET

Fen = Annotated[int, Field(strict=True, ge=0, le=10**15, description="integer fen (1 yuan = 100 fen)", examples=[5_000_000])]
Rate = Annotated[str, Field(pattern=r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$", description="exact decimal in [0, 1] as a string",
                            examples=["0.30"])]
# Only a sanity bound: which years exist is the programme's (GET /v1/programme); another year is refused by the
# ledger with YEAR_NOT_IN_PROGRAMME (409), as a year the province may still open.
Year = Annotated[int, Field(strict=True, ge=EARLIEST_YEAR, le=LATEST_YEAR, examples=[2020],
                            description="a programme (fiscal) year, one of the programme's years (GET /v1/programme)")]


def printable(text: str) -> str:
    """No NUL or other control characters (PostgreSQL text cannot hold NUL; a read model could not store it).
    One regular expression scan: a loop over the characters was 2 % of a claim's CPU (bench/README.md)."""
    if has_control_character(text):
        raise ValueError("control characters are not allowed")
    return text


PRINTABLE = {"pattern": r"^[^\x00-\x08\x0b-\x1f]*$"}  # what printable() lets through, declared
Text = Annotated[str, Field(min_length=1, max_length=500, json_schema_extra=PRINTABLE), AfterValidator(printable)]
Ref = Annotated[str, Field(max_length=200, json_schema_extra=PRINTABLE), AfterValidator(printable)]
# Declared as the ledger checks them. The ledger refuses an unknown city (UNKNOWN_CITY) and a USCC outside GB 32100's
# alphabet or with a wrong check character (INVALID_USCC), both 422; the schema names the cities and the alphabet
# (any case: the ledger upper-cases) so that clients and schema-driven tests know the valid values up front.
USCC_PATTERN = f"^[{ALPHABET}{ALPHABET[10:].lower()}]{{18}}$"  # digits, then letters
USCC = Annotated[str, Field(min_length=18, max_length=18, examples=["91440101MA59ABCD1D"],
                            json_schema_extra={"pattern": USCC_PATTERN},
                            description="unified social credit code (统一社会信用代码, GB 32100): 18 characters from "
                                        "its alphabet, the last a check character")]
CITY_PATTERN = r"^\d{6}$"
CITY_CODES = {"enum": list(CITIES)}
City = Annotated[str, Field(pattern=CITY_PATTERN, examples=["440600"], json_schema_extra=CITY_CODES,
                            description="a Guangdong city code (GB/T 2260)")]


# EARLIEST_YEAR..LATEST_YEAR (ledger.programme): wide around any programme; beyond, UTC/Shanghai arithmetic overflows.


def within_years(moment: datetime) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"a time between the years {EARLIEST_YEAR} and {LATEST_YEAR} is expected")
    return moment


# The year windows below are declared as a pattern on the year digits (JSON Schema bounds no date-time otherwise).
MOMENT_PATTERN = r"^(?:20\d\d|2100)-.*(?:[Zz]|[+-]\d\d:?\d\d)$"  # EARLIEST_YEAR..LATEST_YEAR, with an offset
Moment = Annotated[AwareDatetime, AfterValidator(within_years),
                   Field(description=f"ISO-8601 with a UTC offset, in the years {EARLIEST_YEAR} to {LATEST_YEAR}",
                         examples=["2020-03-05T09:30:00+08:00"], json_schema_extra={"pattern": MOMENT_PATTERN})]


def within_date_years(day: date) -> date:
    if not 1900 <= day.year <= LATEST_YEAR:
        raise ValueError(f"a date between the years 1900 and {LATEST_YEAR} is expected")
    return day


DAY_PATTERN = r"^(?:19\d\d|20\d\d|2100)-"  # 1900..LATEST_YEAR
Day = Annotated[date, AfterValidator(within_date_years),
                Field(examples=["2015-06-30"], description=f"a date in the years 1900 to {LATEST_YEAR}",
                      json_schema_extra={"pattern": DAY_PATTERN})]
