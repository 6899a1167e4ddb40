"""ClaimKey: a create-only record that one provider's contract + invoice has been claimed.

Its id is derived from (provider, contract no., invoice no.), so a second claim on the same pair is a second creation
of the same aggregate: the store refuses it in the same transaction as the claim itself, even under concurrency.
A rejected claim keeps its key (a reviewer refused that evidence; re-submitting it is not a new claim).
"""

from __future__ import annotations

from uuid import UUID

from ledger import ids
from ledger.recording import By, LedgerAggregate


class ClaimKey(LedgerAggregate):
    read_after_write = False  # only its existence matters, and the store answers that

    class Registered(LedgerAggregate.Created):
        provider_id: UUID
        contract_no: str
        invoice_no: str
        voucher_id: UUID
        claim_id: UUID

        def apply(self, key: ClaimKey) -> None:
            key.voucher_id, key.claim_id = self.voucher_id, self.claim_id

    @classmethod
    def register(
        cls, by: By, *, provider_id: UUID, contract_no: str, invoice_no: str, voucher_id: UUID, claim_id: UUID
    ) -> ClaimKey:
        return cls._start(
            cls.Registered,
            ids.claim_key_id(provider_id, contract_no, invoice_no),
            by,
            provider_id=provider_id,
            contract_no=contract_no,
            invoice_no=invoice_no,
            voucher_id=voucher_id,
            claim_id=claim_id,
        )
