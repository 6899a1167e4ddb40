"""How rows name what the ledger knows by id: enterprises and providers by USCC, vouchers by (USCC, year, item),
claims by the source system's claim number on their voucher, settlement batches by their number at a provider.

Every id follows from those numbers (``ledger.ids`` and the derivations below), so a file can name a voucher that an
earlier file issued, and an import of the same claim twice meets the same claim id instead of counting it twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.reference_numbers import stored_before


def enterprise(values: Mapping[str, Any]) -> UUID:
    return ids.enterprise_id(values["uscc"])


def provider(values: Mapping[str, Any], key: str = "provider_uscc") -> UUID:
    return ids.provider_id(values[key])


def voucher(values: Mapping[str, Any]) -> UUID:
    return _voucher(values["uscc"], values["year"], values["item_id"])


@lru_cache(maxsize=65_536)  # a claims register names each voucher on several rows; a key of texts hashes cheaply
def _voucher(uscc: str, year: int, item_id: str) -> UUID:
    return ids.voucher_id(ids.enterprise_id(uscc), year, item_id)


def claim_id(voucher_id: UUID, claim_no: str | None, sha256: str, row: int) -> UUID:
    """The source system's claim number on its voucher names the claim (so approvals and settlements can name it);
    a claim without one is named by its provenance, the file's SHA-256 and its row."""
    if claim_no:
        return ids.named(f"imported-claim|{voucher_id}|{_as_named(claim_no)}")
    return ids.named(f"imported-claim|{sha256}|{row}")


def batch_id(provider_id: UUID, batch_no: str) -> UUID:
    return ids.named(f"imported-batch|{provider_id}|{_as_named(batch_no)}")


def _as_named(number: str) -> str:
    # Trimmed and upper-cased only, as when these ids were first derived: a store names imported claims and batches
    # by them, and a later file must find those again. These numbers only name records; the money rules compare
    # the evidence (invoice and contract keys), whatever width or dashes the claim number was typed with.
    return stored_before(number)
