"""The record that ``voucher-ledger derive-evidence-keys`` went over the whole store.

A store written before invoice and contract keys (``ledger.evidence_keys``) holds claims that hold no keys; until
they are derived, a new claim could reuse such a claim's invoice unseen. Claims are therefore refused on such a store
(``EVIDENCE_KEYS_NOT_DERIVED``) until this record exists. Its id is fixed, so finding it is one indexed read, and two
derivations finishing together create it once (the store refuses the second creation).
"""

from __future__ import annotations

from ledger import ids
from ledger.recording import By, LedgerAggregate


class EvidenceKeysDerivation(LedgerAggregate):
    class Completed(LedgerAggregate.Created):
        up_to_position: int  # every claim stored at or before this position of the store holds its keys
        claims: int  # claims looked at
        conflicts_count: int  # invoices two live claims shared, left with the earlier claim

        def apply(self, record: EvidenceKeysDerivation) -> None:
            record.up_to_position, record.claims = self.up_to_position, self.claims
            record.conflicts_count = self.conflicts_count

    @classmethod
    def complete(cls, by: By, *, up_to_position: int, claims: int, conflicts_count: int) -> EvidenceKeysDerivation:
        return cls._start(cls.Completed, ids.evidence_keys_derivation_id(), by, up_to_position=up_to_position,
                          claims=claims, conflicts_count=conflicts_count)
