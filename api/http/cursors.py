"""Opaque page cursors, one style for every list: ``cursor`` in the request, ``next_cursor`` in the answer.

A cursor is the base64url of the list's name and the last key of the page it follows (a position, or a provider's
USCC). Clients pass it back unchanged; one that was not given out for this list, or was altered, is refused with
422 INVALID_CURSOR (a cursor of another list would otherwise silently skip rows).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from api.http.problems import ApiError

MAX_POSITION = 2**63 - 1  # BIGINT
MAX_CURSOR_LENGTH = 200


def encode(name: str, key: Any) -> str | None:
    if key is None:
        return None
    raw = json.dumps([name, key], separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(name: str, cursor: str | None, key_type: type) -> Any:
    """The key a cursor of list ``name`` carries (None for no cursor: the first page)."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found, key = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _invalid(name) from None
    if found != name or type(key) is not key_type or (key_type is int and not 0 <= key <= MAX_POSITION) or (
            key_type is str and not (0 < len(key) <= 64 and key.isalnum())):
        raise _invalid(name)
    return key


def _invalid(name: str) -> ApiError:
    return ApiError(422, "INVALID_CURSOR", f"this cursor was not given out by GET /v1/{name}: start again without a "
                                           "cursor, or pass next_cursor back unchanged")
