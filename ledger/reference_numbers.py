"""How the ledger compares a number that people type: a contract or invoice number, a bank reference.

The same number reaches the ledger in several forms. Chinese input methods type full-width characters (``４４００１２３４``,
``ＨＴ－６０１``), word processors turn a hyphen into an en or em dash, and text pasted from a PDF or a web page carries
invisible characters (a zero-width space, a byte-order mark, a soft hyphen). Each form must be the *same* number, or
"one invoice pays one claim", a contract's amount and "a bank reference is recorded once" are each got around by
retyping the number. So a number is compared as :func:`compared` gives it:

1. Unicode NFKC: full-width and other compatibility forms become their plain forms (``４`` → ``4``, ``Ａ`` → ``A``,
   ``－`` → ``-``, the ideographic and the no-break space → `` ``);
2. invisible characters are dropped: format characters (Unicode category Cf: zero-width space and joiners, the
   byte-order mark, the soft hyphen, direction marks), control characters that are not whitespace, variation
   selectors and fillers;
3. every dash (Unicode category Pd: ‐ ‑ ‒ – — ― …) and minus sign (−) becomes ``-``; every whitespace character
   becomes a space;
4. upper-cased and trimmed (NFKC again after upper-casing, so that comparing a compared number changes nothing).

Runs of spaces or dashes are *not* collapsed, and no character is removed that a person could see: a printable ASCII
number compares exactly as it did before this rule (trimmed and upper-cased only), so every id a store derived from
such a number is unchanged (tests/unit/test_reference_numbers.py pins that).
"""

from __future__ import annotations

import unicodedata

# Dash-like characters outside category Pd (checked after NFKC, which already maps ﹣ and － to '-').
_MINUS_SIGNS = frozenset("\u2212\u2043\u02d7")  # minus sign, hyphen bullet, modifier letter minus
# Invisible characters outside categories Cf and Cc: the combining grapheme joiner, Mongolian free variation
# selectors, variation selectors, Hangul fillers (all default-ignorable: they render as nothing).
_IGNORABLE = frozenset(
    "\u034f\u180b\u180c\u180d\u180f\u115f\u1160\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def compared(number: str) -> str:
    """The form in which two numbers are the same number (see the module's text); "" when nothing visible is left."""
    if number.isascii() and number.isprintable():  # the common case, and the rule numbers were stored under before
        return number.strip().upper()
    kept = []
    for ch in unicodedata.normalize("NFKC", number):
        if ch.isspace():
            kept.append(" ")
        elif ch in _MINUS_SIGNS or unicodedata.category(ch) == "Pd":
            kept.append("-")
        elif ch not in _IGNORABLE and unicodedata.category(ch) not in ("Cf", "Cc"):
            kept.append(ch)
    return unicodedata.normalize("NFKC", "".join(kept).upper()).strip()


def stored_before(number: str) -> str:
    """How numbers were compared before :func:`compared` (trimmed, upper-cased): the ids that earlier code derived
    from them, and that a store holds, are found again only with this form."""
    return number.strip().upper()
