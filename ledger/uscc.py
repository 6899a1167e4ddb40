"""Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z); the 18th is a check character over the first 17 with
weights 3^i mod 31. The public register checks it the same way, so a corrupted code is refused at the door.
"""

from __future__ import annotations

from ledger.errors import InvalidUSCCError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def check_character(first17: str) -> str:
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise InvalidUSCCError(f"a USCC body is 17 characters from {ALPHABET}, got {first17!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: object) -> str:
    """Return the code (upper-cased, trimmed) if it is a well-formed USCC with a correct check character."""
    if not isinstance(code, str):
        raise InvalidUSCCError(f"a USCC is a string, got {code!r}")
    normalised = code.strip().upper()
    if len(normalised) != 18:
        raise InvalidUSCCError(f"a USCC has 18 characters, {normalised!r} has {len(normalised)}")
    bad = [ch for ch in normalised if ch not in _VALUE]
    if bad:
        raise InvalidUSCCError(f"USCC {normalised!r} has characters outside the GB 32100 alphabet: {''.join(bad)}")
    expected = check_character(normalised[:17])
    if normalised[17] != expected:
        raise InvalidUSCCError(f"USCC {normalised!r} fails its check character (expected {expected})")
    return normalised


def make_uscc(first17: str) -> str:
    """Complete a 17-character body with its check character (used by the simulator and the tests)."""
    return first17 + check_character(first17)
