"""What each projection's handlers look up in its lookups, per event class: the keys read a page at a time.

``projections.base`` reads, before a page is applied, the entries its events will ask each lookup for and the cache
lacks, one statement per lookup (``Lookup.read_ahead``); a key missing here is still found, by a SELECT of its own.
Each plan maps an event class to the attributes of its events that name a key: ``"*name"`` a list of keys,
``"+name"`` a key the event creates (put), so the page's later events need not read it (it is not in the table yet).
``tests/integration/test_projections.py`` rebuilds with tiny caches and asserts that no key is read on its own.
"""

from __future__ import annotations

from ledger.provider import Provider
from ledger.quotas import CityQuota, ProviderQuota
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher

Wants = dict[type, tuple[str, ...]]

_RECOVERIES = (SettlementBatch.RecoveryCollected, SettlementBatch.RecoveryWrittenOff)
_CLAIM_MOVES = (Voucher.ClaimApproved, Voucher.ClaimRejected, Voucher.ClaimSettled, Voucher.ClaimReversed)

# money_flows and journal (the same handlers)
VOUCHERS: Wants = {
    Voucher.Issued: ("+originator_id",),
    **dict.fromkeys((Voucher.Claimed, *_CLAIM_MOVES, Voucher.Expired, Voucher.Revoked, Voucher.ValueReturned),
                    ("originator_id",)),
    **dict.fromkeys(_RECOVERIES, ("voucher_id",)),
}
CLAIMS: Wants = {Voucher.Claimed: ("+claim_id",),
                 **dict.fromkeys((*_CLAIM_MOVES, Voucher.ClaimBatched, *_RECOVERIES), ("claim_id",))}
QUOTAS: Wants = {
    **dict.fromkeys((CityQuota.Set, ProviderQuota.Set), ("+originator_id",)),
    **dict.fromkeys((CityQuota.AmountRevised, ProviderQuota.AmountRevised, CityQuota.Used, ProviderQuota.Used,
                     CityQuota.Returned, ProviderQuota.Returned), ("originator_id",)),
}

# lists
LIST_VOUCHERS: Wants = {Voucher.Issued: ("+originator_id",),
                        **dict.fromkeys((Voucher.Claimed, Voucher.Expired, Voucher.Revoked), ("originator_id",))}
LIST_CLAIMS: Wants = {
    Voucher.Claimed: ("+claim_id",),
    **dict.fromkeys((*_CLAIM_MOVES, Voucher.ClaimBatched, Voucher.ClaimFlagged, Voucher.ClaimReleased,
                     SettlementBatch.ClaimAdded, SettlementBatch.ClaimWithdrawn), ("claim_id",)),
}
LIST_BATCHES: Wants = {
    SettlementBatch.Opened: ("+originator_id",),
    **dict.fromkeys((SettlementBatch.ClaimAdded, SettlementBatch.ClaimWithdrawn, SettlementBatch.Paid),
                    ("originator_id",)),
}

# settlement_batches: a claim's line, for a withdrawal and the payment (which lists claim ids only)
BATCH_LINES: Wants = {SettlementBatch.ClaimAdded: ("+claim_id",), SettlementBatch.ClaimWithdrawn: ("claim_id",),
                      SettlementBatch.Paid: ("*settled_claims",)}

# whitelist
PROVIDERS: Wants = {Provider.Admitted: ("+originator_id",),
                    **dict.fromkeys((Provider.AssessmentRecorded, Provider.Suspended, Provider.Whitelisted),
                                    ("originator_id",))}

# audit_trail's refs (``AuditTrail._links``), by aggregate: the event that creates the aggregate's ref, and what its
# other events name
_REFS_OF = {
    "Voucher": ("Issued", ("originator_id", "claim_id")),
    "SettlementBatch": ("Opened", ("originator_id",)),
    "CityQuota": ("Set", ("originator_id",)),
    "ProviderQuota": ("Set", ("originator_id",)),
    "ProviderReview": ("Opened", ("originator_id",)),
    "Award": ("Applied", ("originator_id",)),
    "InvoiceKey": ("", ("claim_id",)),
    "ContractKey": ("", ("claim_id",)),
    "PublicityList": ("", ("voucher_id", "claim_id")),
}


def audit_refs(handled: dict[type, str]) -> Wants:
    wants: Wants = {}
    for cls in handled:
        owner, _, name = cls.__qualname__.partition(".")
        if owner not in _REFS_OF:
            continue
        creator, attributes = _REFS_OF[owner]
        if name == creator:
            wants[cls] = ("+originator_id",)
        elif owner == "Voucher" and name == "Claimed":
            wants[cls] = ("originator_id", "+claim_id")
        elif owner in ("InvoiceKey", "ContractKey") and _names_provider(cls):
            continue  # a key's event naming its provider reads no ref
        else:
            wants[cls] = attributes
    return wants


def _names_provider(cls: type) -> bool:
    return any("provider_id" in vars(c).get("__annotations__", {}) for c in cls.__mro__)
