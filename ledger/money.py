"""Exact money: integer fen and Decimal rates, with one rounding rule.

DOMAIN.md: "the product [of a rate and an amount is] rounded down to the fen". Every such product in the ledger goes
through :func:`apply_rate`, so the rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ledger.errors import InvalidAmountError, InvalidRateError

YUAN = 100  # fen per yuan (元)
WAN_YUAN = 10_000 * YUAN  # fen per 万元


# The largest amount the ledger records (10 trillion yuan), as the API's schema bounds it: the read models keep
# amounts and their sums in 64-bit integers (PostgreSQL bigint), and an amount beyond them, once recorded, stops every
# read model at its event. An import cell or a command line reaches the ledger without that schema.
MAX_FEN = 10**15


def check_fen(value: object, what: str, *, allow_zero: bool = True) -> int:
    """Refuse anything that is not a non-negative integer number of fen (bools and floats included), or beyond
    :data:`MAX_FEN`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmountError(f"{what} must be an integer number of fen, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidAmountError(f"{what} must be {'≥' if allow_zero else '>'} 0 fen, got {value}")
    if value > MAX_FEN:
        raise InvalidAmountError(f"{what} must be at most {MAX_FEN} fen, got {value}")
    return value


# Rates have at most six decimals, as the API's schema takes them. apply_rate rounds down in integers, over the rate's
# exact denominator: 1e-999999999 (an import cell has no schema) would make it compute 10**999999999, holding the
# writer and every command behind it for hours.
RATE_STEP = Decimal("0.000001")


def to_rate(value: object, what: str = "rate") -> Decimal:
    """A rate in [0, 1] as an exact Decimal. Floats are refused: 0.3 as a float is not 0.30."""
    if isinstance(value, float):
        raise InvalidRateError(f"{what} must be given exactly (a string or Decimal), not the float {value!r}")
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value))
    except Exception as exc:  # decimal.InvalidOperation and friends
        raise InvalidRateError(f"{what} is not a number: {value!r}") from exc
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise InvalidRateError(f"{what} must be between 0 and 1, got {value!r}")
    if rate != rate.quantize(RATE_STEP):  # an exact comparison: the quantized rate has at most 7 digits
        raise InvalidRateError(f"{what} may have at most 6 decimal places, got {value!r}")
    return rate


def apply_rate(amount_fen: int, rate: Decimal) -> int:
    """amount × rate, rounded down to the fen (the one rounding rule of the programme). In integers: a Decimal product
    is rounded to the context's 28 digits first, which could lift a product just below a fen onto it."""
    numerator, denominator = rate.as_integer_ratio()
    return amount_fen * numerator // denominator


def split_funding(amount_fen: int, city_share: Decimal) -> tuple[int, int]:
    """(city portion, province portion): the city's share rounded down, the province the rest, so they add up."""
    city = apply_rate(amount_fen, city_share)
    return city, amount_fen - city


def paid_by_city(lines: Iterable[Mapping[str, Any]]) -> tuple[int, dict[str, dict[str, int]]]:
    """What a batch's payment pays: the total of its paid lines, and per city the city's and the province's portions
    of them (``{city: {"city_fen": .., "province_fen": ..}}``), as a claim batch and an award batch record it."""
    total = 0
    by_city: dict[str, dict[str, int]] = {}
    for line in lines:
        totals = by_city.setdefault(line["city"], {"city_fen": 0, "province_fen": 0})
        totals["city_fen"] += line["city_portion_fen"]
        totals["province_fen"] += line["province_portion_fen"]
        total += line["amount_fen"]
    return total, by_city


def yuan_text(fen: int, *, symbol: str = "", thousands: bool = True) -> str:
    """Integer fen as yuan with two decimals, exactly (no float): -123456 → '-1,234.56' (or '-¥1,234.56')."""
    whole, cents = divmod(abs(fen), YUAN)
    digits = f"{whole:,}" if thousands else str(whole)
    return f"{'-' if fen < 0 else ''}{symbol}{digits}.{cents:02d}"
