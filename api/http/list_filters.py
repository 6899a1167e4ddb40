"""The filters of the lists (``GET /v1/claims`` and its siblings, ``voucher-ledger list``), read one way for HTTP and
the command line alike.

A filter naming a party outside the caller's scope, or one never registered, finds nothing (whether it exists is not
the caller's to learn). A city code is different: the 21 codes are public, so a code that is no Guangdong city is a
mistake, refused UNKNOWN_CITY (422) as ``GET /v1/cities/{city}/spend`` and ``voucher-ledger figure city`` refuse it,
never an empty list that reads as "no rows". A status is written in capitals, as every answer writes it
(``"status": "APPROVED"``); lower case is taken too (the claims queues were once documented so).
"""

from __future__ import annotations

from typing import Any, Literal

from ledger.parties import check_city
from projections.lists_queries import CLAIM_QUEUES, claim_queue


def either_case(values: tuple[str, ...]) -> tuple[str, ...]:
    """The values in capitals (as the answers write them), then in lower case."""
    upper = tuple(v.upper() for v in values)
    return (*upper, *(v.lower() for v in upper))


ClaimQueue = Literal[either_case(CLAIM_QUEUES)]
VoucherStatus = Literal[either_case(("ACTIVE", "EXPIRED", "REVOKED"))]
ProviderStatus = Literal[either_case(("PENDING_ASSESSMENT", "WHITELISTED", "SUSPENDED"))]
BatchStatus = Literal[either_case(("OPEN", "PAID"))]


def city(code: str | None) -> str | None:
    """A city filter: None (no filter) or one of the 21 codes; anything else is UNKNOWN_CITY."""
    return None if code is None else check_city(code)


def status(value: str | None) -> str | None:
    """A status filter as the list rows hold it: in capitals."""
    return None if value is None else str(value).upper()


def claims_queue(value: str | None) -> tuple[list[tuple[str, Any]], list[str]]:
    """A claims queue (a status, or HELD / FLAGGED whatever the status) in either case, as list conditions."""
    return claim_queue(None if value is None else str(value).lower())
