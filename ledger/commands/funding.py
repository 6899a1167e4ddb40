"""One item of work is funded once (DOMAIN.md "Awards"): the province records that another fiscal fund paid for a
provider's contract, and an award's grant funds a contract, at the contract's key (``ledger.evidence_keys``), the
aggregate every voucher claim on that contract changes too. A claim and a funding of one contract racing each other
change the same aggregate: the store refuses the second, which is decided again and refused with ``ALREADY_FUNDED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.commands.base import LedgerApplicationBase
from ledger.commands.evidence import DerivedKeys
from ledger.errors import InvalidInputError, ProviderNotFoundError
from ledger.evidence_keys import ContractKey
from ledger.fiscal_time import require_aware
from ledger.money import check_fen
from ledger.provider import Provider
from ledger.recording import By


@dataclass(frozen=True)
class ContractFunding:
    provider_id: UUID
    contract_no: str  # as compared (ids.evidence_number)
    source: str  # OTHER_FUND | AWARD


class FundingCommands(LedgerApplicationBase):
    def record_other_funding(self, by: By, *, provider_id: UUID, contract_no: str, fund_name: str, document_no: str,
                             amount_fen: int, effective_at: datetime, reason: str) -> ContractFunding:
        """Record that another fiscal fund (``fund_name``, its grant's ``document_no``) paid ``amount_fen`` for a
        provider's contract, effective when it was granted. Refused with ``ALREADY_FUNDED`` when a voucher claim
        holds a part of it (a rejected claim's part was released) or something else funds it already."""
        number = _contract_no(contract_no)
        fund, document, why = (_text(fund_name, "the other fund's name"),
                               _text(document_no, "the other fund's document number"), _text(reason, "a reason"))
        amount = check_fen(amount_fen, "amount", allow_zero=False)
        effective = require_aware(effective_at, "effective time")
        # Whether a claim holds the contract is known only once older stores' claims hold their keys.
        self._refuse_claims_until_derived()  # ledger.commands.evidence_guard

        def run() -> ContractFunding:
            self._load(provider_id, Provider, ProviderNotFoundError, "provider")
            key = self._contract_key(by, provider_id, number)
            key.record_other_funding(by, fund_name=fund, document_no=document, amount_fen=amount,
                                     effective_at=effective, reason=why)
            self._save(key)
            return ContractFunding(provider_id, key.contract_no, "OTHER_FUND")

        return self._run(run)

    def derive_funding_key(self, by: By, *, key_id: UUID) -> DerivedKeys:
        """Carry the funding recorded on contract key ``key_id`` to the key its number names today, when the two
        differ: a key opened from a number typed in full-width forms, another dash or an invisible character, before
        those compared as the plain number (``ledger.reference_numbers``), is reached by no claim any more, and its
        contract would be claimable again. Idempotent (a key that is today's, or whose funding today's key holds,
        changes nothing). When today's key holds a live claim part, the contract was funded twice while the keys
        were apart: the funding is carried all the same (no further part is claimed on it) and that is reported
        (``funded_twice``) for the province; when it holds another funding, that is reported and nothing written."""

        def run() -> DerivedKeys:
            done = DerivedKeys()
            old = self._find(key_id, ContractKey)
            if old is None or old.funding is None or ids.contract_key_id(old.provider_id, old.contract_no) == key_id:
                return done
            key = self._contract_key(by, old.provider_id, old.contract_no)
            funding = old.funding
            if key.funding == funding:
                return done
            refusal = key.funding_refusal(award_id=funding.get("award_id"))
            if refusal is not None:
                done.funded_twice.append(f"contract {key.contract_no} of provider {old.provider_id}, funded as "
                                         f"{old.contract_no!r} by {old._funder()}: {refusal.detail}")
                if key.funding is not None:
                    return done
            if funding["source"] == "AWARD":
                key.fund_by_award(by, award_id=funding["award_id"], amount_fen=funding["amount_fen"],
                                  effective_at=funding["effective_at"], checked=False)
            else:
                key.record_other_funding(by, fund_name=funding["fund_name"], document_no=funding["document_no"],
                                         amount_fen=funding["amount_fen"], effective_at=funding["effective_at"],
                                         reason=funding["reason"], checked=False)
            self._save(key)
            done.fundings = 1
            return done

        return self._run(run)

    def _contract_funded_by_award(self, by: By, *, award_id: UUID, provider_id: UUID, contract_no: str,
                                  amount_fen: int, effective_at: datetime) -> ContractKey:
        """The contract's key, funded by the award (not saved): an award's grant saves it in its own transaction,
        so that the grant and the funding stand or fall together. Raises ``ALREADY_FUNDED`` as ``fund_by_award``, and
        ``EVIDENCE_KEYS_NOT_DERIVED`` while older claims hold no keys (the grant should be refused then)."""
        self._refuse_claims_until_derived()  # ledger.commands.evidence_guard
        key = self._contract_key(by, provider_id, _contract_no(contract_no))
        key.fund_by_award(by, award_id=award_id, amount_fen=check_fen(amount_fen, "amount", allow_zero=False),
                          effective_at=require_aware(effective_at, "effective time"))
        return key

    def _contract_key(self, by: By, provider_id: UUID, contract_no: str) -> ContractKey:
        """The contract's key, opened (not saved) if no claim or funding named it before."""
        # _exists first: within a unit of work it may answer "absent" without a read; a key another writer creates
        # meanwhile then surfaces as a conflict at commit, and the command is decided again.
        key_id = ids.contract_key_id(provider_id, contract_no)
        key = self._find(key_id, ContractKey) if self._exists(key_id) else None
        return key if key is not None else ContractKey.open(by, provider_id=provider_id, contract_no=contract_no)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{what} is required")
    return value.strip()


def _contract_no(value: object) -> str:
    """A contract number with something visible in it once compared (a lone zero-width space is no number)."""
    number = _text(value, "the contract number")
    if not ids.evidence_number(number):
        raise InvalidInputError("the contract number is required")
    return number
