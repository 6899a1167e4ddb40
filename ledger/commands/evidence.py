"""Evidence keys of claims (``ledger.evidence_keys``): held when a claim is recorded, released by its rejection, and
derived for the claims of a store written before the keys existed, or before numbers typed in full-width forms,
other dashes or invisible characters compared as their plain forms (``ledger.reference_numbers``): the keys such a
claim holds were derived from the number as typed, and no claim reaches them any more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from ledger import ids
from ledger.claims import Claim, ClaimEvidence, ClaimStatus
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import VoucherNotFoundError
from ledger.evidence_keys import ContractKey, InvoiceKey
from ledger.recording import By
from ledger.voucher import Voucher

K = TypeVar("K")


@dataclass
class DerivedKeys:
    """What deriving the keys of stored claims did (summed over calls)."""

    claims: int = 0  # claims looked at
    invoices: int = 0  # invoice keys it made a claim hold
    parts: int = 0  # contract parts it added
    fundings: int = 0  # fundings carried to the key a contract's number names today (FundingCommands)
    conflicts: list[str] = field(default_factory=list)  # invoices already held by an earlier live claim
    # contracts both funded and claimed, each under another form of its number (left for the province to review)
    funded_twice: list[str] = field(default_factory=list)

    def add(self, other: DerivedKeys) -> None:
        self.claims += other.claims
        self.invoices += other.invoices
        self.parts += other.parts
        self.fundings += other.fundings
        self.conflicts += other.conflicts
        self.funded_twice += other.funded_twice


class EvidenceKeyCommands(LedgerApplicationBase):
    def _find_key(self, key_id: UUID, kind: type[K]) -> K | None:
        # _exists first: within a unit of work it may answer "absent" without a read, and a key created meanwhile
        # then surfaces as a conflict at commit (the command is decided again with every check on).
        return self._find(key_id, kind) if self._exists(key_id) else None

    def _evidence_keys(self, provider_id: UUID, evidence: ClaimEvidence
                       ) -> tuple[dict[str, InvoiceKey], ContractKey | None]:
        """The keys this evidence names that exist: invoice keys by number as compared, and the contract's."""
        contract_no, invoice_nos = evidence.key_numbers()
        # Each read may see more commits than the one before it (PostgreSQL: read committed), and a claim writes
        # its invoices and its contract part together: read the contract first, so that a refusal for the contract
        # never hides the invoice refusal that comes before it in the refusal order.
        contract = self._find_key(ids.contract_key_id(provider_id, contract_no), ContractKey) if contract_no else None
        invoices = {no: key for no in invoice_nos
                    if (key := self._find_key(ids.invoice_key_id(no), InvoiceKey)) is not None}
        return invoices, contract

    def _hold_invoices(self, by: By, *, claim_id: UUID, voucher_id: UUID, provider_id: UUID,
                       invoice_nos: tuple[str, ...], invoice_keys: dict[str, InvoiceKey]) -> list[InvoiceKey]:
        """The invoice keys changed by a claim that holds these invoices (``invoice_keys``: those that exist)."""
        held = []
        for invoice_no in invoice_nos:
            key = invoice_keys.get(ids.evidence_number(invoice_no))
            if key is None:
                key = InvoiceKey.register(by, invoice_no=invoice_no, claim_id=claim_id, voucher_id=voucher_id,
                                          provider_id=provider_id)
            else:
                key.take(by, claim_id=claim_id, voucher_id=voucher_id, provider_id=provider_id)
            held.append(key)
        return held

    def _hold_contract_part(self, by: By, *, claim_id: UUID, voucher_id: UUID, provider_id: UUID, contract_no: str,
                            contract_amount_fen: int, eligible_fee_fen: int, contract_key: ContractKey | None,
                            checked: bool = True) -> ContractKey:
        """The contract key with this claim's part added (``contract_key``: the key if it exists)."""
        if contract_key is None:
            return ContractKey.register(by, provider_id=provider_id, contract_no=contract_no,
                                        contract_amount_fen=contract_amount_fen, claim_id=claim_id,
                                        voucher_id=voucher_id, eligible_fee_fen=eligible_fee_fen)
        contract_key.add_part(by, claim_id=claim_id, voucher_id=voucher_id, contract_amount_fen=contract_amount_fen,
                              eligible_fee_fen=eligible_fee_fen, checked=checked)
        return contract_key

    def _release_evidence(self, by: By, voucher_id: UUID, claim: Claim, reason: str) -> list[Any]:
        """The keys a rejected claim gives back (none for a claim whose keys were never derived)."""
        # _find, not _find_key: a unit of work that checks creations optimistically answers "absent" for a key it
        # has not cached, and a release that believed it would silently keep the evidence held.
        released: list[Any] = []
        for invoice_no in _distinct(claim.invoice_nos):
            key = self._find(ids.invoice_key_id(invoice_no), InvoiceKey)
            if key is not None and key.release(by, claim_id=claim.claim_id, reason=reason):
                released.append(key)
        if claim.contract_no:
            contract = self._find(ids.contract_key_id(claim.provider_id, claim.contract_no), ContractKey)
            if contract is not None and contract.release_part(by, claim_id=claim.claim_id, voucher_id=voucher_id,
                                                                  reason=reason):
                released.append(contract)
        return released

    def derive_evidence_keys(self, by: By, *, voucher_id: UUID, claim_id: UUID) -> DerivedKeys:
        """Make a claim recorded before evidence keys existed hold its keys, as a claim made now would. Idempotent:
        what it already holds is left alone. A rejected claim holds nothing. An invoice that an earlier live claim
        holds stays with that claim and is reported (the older rule allowed it at another provider); a contract part
        is added as it was claimed, even beyond the contract amount (no later part then fits)."""

        def run() -> DerivedKeys:
            voucher = self._load(voucher_id, Voucher, VoucherNotFoundError, "voucher")
            claim = voucher.claim(claim_id)
            done = DerivedKeys(claims=1)
            if claim.status is ClaimStatus.REJECTED:
                return done
            existing: dict[str, InvoiceKey] = {}
            free: list[str] = []
            for invoice_no in _distinct(claim.invoice_nos):
                key = self._find_key(ids.invoice_key_id(invoice_no), InvoiceKey)
                if key is None or key.claim_id is None:
                    free.append(invoice_no)
                    if key is not None:
                        existing[ids.evidence_number(invoice_no)] = key
                elif key.claim_id != claim_id:
                    done.conflicts.append(f"invoice {key.invoice_no} of claim {claim_id} (voucher {voucher_id}) is "
                                          f"already on claim {key.claim_id}")
            changed: list[Any] = self._hold_invoices(by, claim_id=claim_id, voucher_id=voucher_id,
                                                     provider_id=claim.provider_id, invoice_nos=tuple(free),
                                                     invoice_keys=existing)
            contract = self._find_key(ids.contract_key_id(claim.provider_id, claim.contract_no), ContractKey)
            if contract is None or claim_id not in contract.parts:
                if contract is not None and contract.funding is not None:  # funded under another form of its number
                    done.funded_twice.append(f"contract {contract.contract_no} of claim {claim_id} (voucher {voucher_id}) "
                                          f"is also funded by {contract._funder()}")
                changed.append(self._hold_contract_part(
                    by, claim_id=claim_id, voucher_id=voucher_id, provider_id=claim.provider_id,
                    contract_no=claim.contract_no, contract_amount_fen=claim.contract_amount_fen,
                    eligible_fee_fen=claim.eligible_fee_fen, contract_key=contract, checked=False))
                done.parts = 1
            done.invoices = len(free)
            self._save(*changed)
            return done

        return self._run(run)


def _distinct(invoice_nos: tuple[str, ...]) -> tuple[str, ...]:
    """A stored claim's invoice numbers, one per key: a claim made before numbers compared as their plain forms may
    list one invoice twice (``44001234`` and ``４４００１２３４``), or one with nothing visible in it, which names no key."""
    seen: dict[str, str] = {}
    for invoice_no in invoice_nos:
        seen.setdefault(ids.evidence_number(invoice_no), invoice_no)
    seen.pop("", None)
    return tuple(seen.values())
