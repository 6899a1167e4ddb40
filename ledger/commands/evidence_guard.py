"""Claims wait, on a store whose claims were made before invoice and contract keys existed, until
``voucher-ledger derive-evidence-keys`` has given those claims their keys (fail-closed: without the keys a new claim
could reuse an old claim's invoice and be paid twice, with no error).

Such a store is told apart by the earlier code's ``ClaimKey`` records, which new code never writes; the derivation's
completion is an ``EvidenceKeysDerivation`` record with a fixed id. Every other command works meanwhile.
"""

from __future__ import annotations

from ledger import ids
from ledger.commands.base import LedgerApplicationBase
from ledger.commands.evidence import DerivedKeys
from ledger.errors import EvidenceKeysNotDerivedError
from ledger.evidence_keys_derivation import EvidenceKeysDerivation
from ledger.recording import By
from ledger.stored_names import stored_topics
from ledger.voucher import Voucher


class EvidenceKeysGuard(LedgerApplicationBase):
    # None until looked at (store.opening.open_ledger looks at start-up). False is final: nothing writes a ClaimKey any
    # more and the completion record is never removed.
    _evidence_keys_pending: bool | None = None

    def evidence_keys_pending(self) -> bool:
        """Must claims wait for ``derive-evidence-keys``? While they must, each call looks for the completion record
        again (one indexed read), so a service left running takes claims as soon as another process records it."""
        if self._evidence_keys_pending is False:
            return False
        if self.stored(ids.evidence_keys_derivation_id()):
            self._evidence_keys_pending = False
        elif self._evidence_keys_pending is None:
            self._evidence_keys_pending = self._first_claim_has_claim_key()
        return self._evidence_keys_pending

    def _first_claim_has_claim_key(self) -> bool:
        """Was the store's first claim made by the earlier code, which recorded a ClaimKey per invoice of each claim
        in the claim's transaction? Then the store holds ClaimKeys; if the first claim has none, new code made it and
        every claim after it (the earlier code is not run again after an upgrade). This costs a read of the events
        up to the first claim (early in any store that has claims; the whole store only if it has none) and one
        indexed read per invoice of it, where looking for any ClaimKey by topic would read a whole new store."""
        first = self.recorder.select_notifications(1, 1, topics=stored_topics(Voucher.Claimed))
        if not first:
            return False
        claimed = self.mapper.to_domain_event(first[0])
        return any(self.stored(ids.claim_key_id(claimed.provider_id, claimed.contract_no, invoice_no))
                   for invoice_no in claimed.invoice_nos)

    def _refuse_claims_until_derived(self) -> None:
        if self.evidence_keys_pending():
            raise EvidenceKeysNotDerivedError(
                "this store holds claims made before invoice and contract keys existed, and their keys are not "
                "derived yet: a new claim could reuse their invoices unseen. Run `voucher-ledger "
                "derive-evidence-keys` once; claims are taken as soon as it has finished")

    def record_evidence_keys_derived(self, by: By, *, up_to_position: int, derived: DerivedKeys) -> bool:
        """Record that every claim stored up to ``up_to_position`` holds its keys (``derived``: what the derivation
        did over the whole store); say whether this recorded it (False: it was recorded before)."""

        def run() -> bool:
            if self._exists(ids.evidence_keys_derivation_id()):
                return False
            self._save(EvidenceKeysDerivation.complete(by, up_to_position=up_to_position, claims=derived.claims,
                                                         conflicts_count=len(derived.conflicts)))
            return True

        return self._run(run)
