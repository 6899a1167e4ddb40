"""An enterprise or a provider named by its id or by its USCC, wherever a request names one.

Ids are derived from USCCs (``ledger.ids``), so a USCC is as good a name as the UUID and the one people know: an
enterprise's token carries its USCC, never its id. A value of 36 characters is read as the UUID, one of 18 as the
USCC (a wrong check character answers 422 INVALID_USCC); anything else does not match the declared pattern.
"""

from __future__ import annotations

from uuid import UUID

from api.http.models.fields import USCC_PATTERN
from ledger import ids
from ledger.errors import InvalidInputError
from ledger.uscc import validate_uscc

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ID_OR_USCC_PATTERN = f"^(?:{UUID_PATTERN}|{USCC_PATTERN[1:-1]})$"
DESCRIPTION = "the {what}'s id (UUID) or its unified social credit code (USCC)"
_DERIVE = {"enterprise": ids.enterprise_id, "provider": ids.provider_id}


def party_id(what: str, value: str | UUID) -> UUID:
    """The id of the enterprise or provider ``value`` names (its UUID, or its USCC)."""
    if isinstance(value, UUID):
        return value
    text = value.strip()
    if len(text) == 18:
        return _DERIVE[what](validate_uscc(text))
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInputError(f"{value!r} is neither a {what} id (UUID) nor a USCC") from None


def optional_party_id(what: str, value: str | None) -> str | None:
    return None if value is None else str(party_id(what, value))
