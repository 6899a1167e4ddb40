"""What a scoped caller may see, and what it is told about the rest.

A ``city:``, ``enterprise:`` or ``provider:`` token reads only its own things. Asked for something outside its scope,
it gets exactly the 404 that something unknown gets (same status, code and wording), because enterprise, provider
and voucher ids are derived from public USCCs: a 403 would tell another city whether the thing exists. A role that
may never read a kind of thing at all gets 403 FORBIDDEN whatever the id, which says nothing about the id.
"""

from __future__ import annotations

from datetime import datetime

from api.http.auth import Principal
from api.http.problems import ApiError
from ledger.fiscal_time import shanghai_text

# An unknown enterprise or provider answers the ledger's own code for it (ledger.errors); a hidden one the same.
NOT_FOUND_CODES = {"enterprise": "ENTERPRISE_NOT_FOUND", "provider": "PROVIDER_NOT_FOUND",
                   "publicity list": "PUBLICITY_LIST_NOT_FOUND", "working calendar": "WORKING_CALENDAR_NOT_FOUND"}


def not_found(what: str, key: object, as_of: datetime) -> ApiError:
    return ApiError(404, NOT_FOUND_CODES.get(what, "NOT_FOUND"), f"no {what} {key} as of {shanghai_text(as_of)}")


def in_scope(p: Principal, *, city: str | None = None, enterprise_id: str | None = None,
             provider_id: str | None = None) -> bool:
    if p.kind in ("province", "auditor"):
        return True
    if p.kind == "city":
        return city is not None and city == p.scope
    if p.kind == "enterprise":
        return enterprise_id is not None and enterprise_id == p.party_id
    return provider_id is not None and provider_id == p.party_id


def sees_objectors(p: Principal) -> bool:
    """Whether the caller may know who objected to a claim in publicity (公示): the province and auditors only;
    everyone else sees that, and why, a claim was objected to (the public list, the audit trail's lines)."""
    return p.kind in ("province", "auditor")
