"""Deterministic aggregate ids.

Ids that follow from natural keys make uniqueness rules atomic: a second voucher for the same enterprise, item and
year is a second *creation* of the same aggregate id, which the event store refuses in the same transaction that
would have written it; two claims naming one invoice or one contract meet at the same key aggregate, whose versions
the store checks the same way.
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import sha1
from uuid import UUID, SafeUUID

from ledger.reference_numbers import compared, stored_before

NAMESPACE = UUID("6f1b8a52-3c1e-5a8e-9f0e-201803200000")  # fixed forever: ids are stored data
_NAMESPACE_BYTES = NAMESPACE.bytes


# uuid5's version and variant bits, set on the digest's first 16 bytes as ``UUID(bytes=..., version=5)`` sets them.
_KEEP_BITS = ~((0xC000 << 48) | (0xF000 << 64))
_V5_BITS = (0x8000 << 48) | (5 << 76)
_new, _set = object.__new__, object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown  # read once: an enum member read from its class is a slow lookup on 3.11


def named(name: str) -> UUID:
    """``uuid5(NAMESPACE, name)``, without recomputing the namespace's bytes each time (a claim row derives
    several ids), and built as ``UUID.__init__`` builds one, without its argument checks (a third of the cost)."""
    value = int.from_bytes(sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16]) & _KEEP_BITS | _V5_BITS
    uuid = _new(UUID)
    _set(uuid, "int", value)
    _set(uuid, "is_safe", _UNKNOWN_SAFETY)
    return uuid


def _id(kind: str, *parts: object) -> UUID:
    return named("|".join([kind, *map(str, parts)]))


@lru_cache(maxsize=65_536)  # pure; recomputed on every claim or issuance otherwise
def enterprise_id(uscc: str) -> UUID:
    return _id("enterprise", uscc)


@lru_cache(maxsize=65_536)  # pure; recomputed on every claim or issuance otherwise
def provider_id(uscc: str) -> UUID:
    return _id("provider", uscc)


@lru_cache(maxsize=65_536)  # pure; recomputed on every claim or issuance otherwise
def catalogue_id(year: int) -> UUID:
    return _id("catalogue", year)


@lru_cache(maxsize=65_536)  # pure; recomputed on every claim or issuance otherwise
def city_quota_id(city: str, year: int) -> UUID:
    return _id("city-quota", city, year)


@lru_cache(maxsize=65_536)  # pure; recomputed on every claim or issuance otherwise
def provider_quota_id(provider: UUID, year: int) -> UUID:
    return _id("provider-quota", provider, year)


@lru_cache(maxsize=65_536)  # pure; recomputed on every claim or issuance otherwise
def carrier_rates_id(year: int) -> UUID:
    return _id("carrier-rates", year)


def network_discount_id(enterprise: UUID, year: int) -> UUID:
    return _id("network-discount", enterprise, year)


def cloud_agreement_id(provider: UUID, year: int) -> UUID:
    return _id("cloud-agreement", provider, year)


@lru_cache(maxsize=65_536)  # pure; an import derives it for every claim row of a voucher
def voucher_id(enterprise: UUID, year: int, item_id: str) -> UUID:
    return _id("voucher", enterprise, year, item_id)


def evidence_number(number: str) -> str:
    """Contract and invoice numbers as compared (``ledger.reference_numbers``): ' ht-01', 'HT-01' and the full-width
    'ＨＴ－０１' are one contract. A printable ASCII number is only trimmed and upper-cased, as before, so the keys a
    store holds for such numbers keep their ids."""
    return compared(number)


@lru_cache(maxsize=4_096)  # a claim derives it twice (check, then the key's change): the second is a hit
def invoice_key_id(invoice_no: str) -> UUID:
    """One invoice number, whatever the provider: an invoice pays one claim."""
    return _id("invoice-key", evidence_number(invoice_no))


@lru_cache(maxsize=4_096)
def contract_key_id(provider: UUID, contract_no: str) -> UUID:
    """A contract's number is its provider's: the same number at another provider is another contract."""
    return _id("contract-key", provider, evidence_number(contract_no))


def evidence_keys_derivation_id() -> UUID:
    """The one record (per store) that the evidence keys of stored claims were derived."""
    return _id("evidence-keys-derivation")


def answered_request_id(scope: str, key: str) -> UUID:
    """A caller's idempotency key: ``scope`` says whose (role and subject), so two callers' keys never meet."""
    return _id("answered-request", scope, key)


def claim_key_id(provider: UUID, contract_no: str, invoice_no: str) -> UUID:
    """The id the earlier code gave a ``ClaimKey`` (one per provider + contract + invoice of each claim): a store it
    wrote holds them, and finding one of its first claim's tells such a store apart in one indexed read."""
    # The earlier code's form of the numbers, not today's: these ids were written by it and are only looked up.
    return _id("claim-key", provider, stored_before(contract_no), stored_before(invoice_no))


def programme_id() -> UUID:
    """The one programme a store runs (its policy and the index of its years)."""
    return _id("programme")


def publicity_list_id(year: int, period: str) -> UUID:
    """A programme year's publicity list (公示) of one period."""
    return _id("publicity-list", year, period)


@lru_cache(maxsize=256)  # read by every command that names a year
def programme_year_id(year: int) -> UUID:
    """A programme year is its own aggregate, read by id wherever a rule needs the year's figures."""
    return _id("programme-year", year)


def training_mark_id() -> UUID:
    """The record that a store was written on a training clock (once per store, for ever)."""
    return _id("training-mark")


def service_rating_id(claim: UUID) -> UUID:
    """A claim's rating of its provider's service: one per claim, so a second rating is a second creation."""
    return _id("service-rating", claim)


def provider_review_id(provider: UUID, year: int) -> UUID:
    """A provider's programme year in the resource pool: running tallies of ratings and complaints, then the
    evaluation's result."""
    return _id("provider-review", provider, year)


def pool_evaluation_id(year: int) -> UUID:
    """The record that a year's resource-pool evaluation was run (once per year)."""
    return _id("pool-evaluation", year)


def award_programme_id(year: int, kind: str) -> UUID:
    """A programme year's award programme of one kind (benchmark projects, key platforms, ...): one per kind a year."""
    return _id("award-programme", year, kind)


def award_roster_id(kind: str) -> UUID:
    """The awards of one kind selected and holding a place, whatever their year: a cap "at any time" (key platforms:
    at most 20) is checked on this one record, so two selections racing for the last place meet on its version."""
    return _id("award-roster", kind)


def console_sign_in_id(link_id: str) -> UUID:
    """A console sign-in link's use: one per link, so a second use (another API process, or after a restart) is a
    second creation of the same record, which the store refuses."""
    return _id("console-sign-in", link_id)


def working_calendar_id(year: int) -> UUID:
    """A calendar year's working days (the State Council's holiday arrangement): one per year, so a second
    publication is a second creation of the same record."""
    return _id("working-calendar", year)
