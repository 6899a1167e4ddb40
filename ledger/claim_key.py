"""ClaimKey: the record, in stores written before invoice and contract keys, that one provider's contract + invoice
was claimed.

Claims do not register one (``ledger.evidence_keys`` holds the duplicate rules); the class stays so that those stored
events keep decoding, and ``derive-evidence-keys`` derives the evidence keys from the claims themselves.
"""

from __future__ import annotations

from uuid import UUID

from ledger.recording import LedgerAggregate


class ClaimKey(LedgerAggregate):
    read_after_write = False

    class Registered(LedgerAggregate.Created):
        provider_id: UUID
        contract_no: str
        invoice_no: str
        voucher_id: UUID
        claim_id: UUID

        def apply(self, key: ClaimKey) -> None:
            key.voucher_id, key.claim_id = self.voucher_id, self.claim_id
