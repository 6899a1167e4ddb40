"""InvoiceKey and ContractKey in memory (DOMAIN.md, Duplicates): one invoice pays one claim whatever the provider; a
contract's parts never add up to more than its amount; a rejected claim gives its keys back."""

from __future__ import annotations

import pytest

from ledger import ids
from ledger.errors import LedgerError
from ledger.evidence_keys import ContractKey, InvoiceKey
from tests.unit.builders import by, uid


def invoice(claim: str = "claim-1", number: str = "FP-0001") -> InvoiceKey:
    return InvoiceKey.register(by(), invoice_no=number, claim_id=uid(claim), voucher_id=uid("voucher-1"),
                               provider_id=uid("provider-1"))


def contract(amount: int = 1_000, fee: int = 600) -> ContractKey:
    return ContractKey.register(by(), provider_id=uid("provider-1"), contract_no="ht-7", contract_amount_fen=amount,
                                claim_id=uid("claim-1"), voucher_id=uid("voucher-1"), eligible_fee_fen=fee)


def test_an_invoice_number_is_one_key_whatever_its_spacing_case_or_provider():
    assert invoice(number=" fp-0001 ").id == ids.invoice_key_id("FP-0001")
    assert ids.contract_key_id(uid("provider-1"), "HT-7") == contract().id
    assert ids.contract_key_id(uid("provider-2"), "HT-7") != contract().id  # a contract number is its provider's


def test_a_held_invoice_refuses_another_claim_and_only_its_holder_releases_it():
    key = invoice()
    with pytest.raises(LedgerError) as taken:
        key.take(by(), claim_id=uid("claim-2"), voucher_id=uid("voucher-2"), provider_id=uid("provider-2"))
    assert taken.value.code == "DUPLICATE_CLAIM"
    assert key.release(by(), claim_id=uid("claim-2"), reason="claim rejected") is False
    assert key.duplicate(uid("voucher-2")) is not None
    assert key.release(by(), claim_id=uid("claim-1"), reason="claim rejected") is True
    assert key.duplicate(uid("voucher-2")) is None
    key.take(by(), claim_id=uid("claim-2"), voucher_id=uid("voucher-2"), provider_id=uid("provider-2"))
    assert key.claim_id == uid("claim-2")


def test_a_contract_takes_parts_up_to_its_amount_and_a_released_part_makes_room_again():
    key = contract(amount=1_000, fee=600)
    assert key.part_refusals(contract_amount_fen=1_000, eligible_fee_fen=400) == []
    key.add_part(by(), claim_id=uid("claim-2"), voucher_id=uid("voucher-1"), contract_amount_fen=1_000,
                 eligible_fee_fen=400)
    assert [r.code for r in key.part_refusals(contract_amount_fen=1_000, eligible_fee_fen=1)] == [
        "CONTRACT_OVERCLAIMED"]
    assert key.release_part(by(), claim_id=uid("claim-1"), voucher_id=uid("voucher-1"), reason="claim rejected")
    assert key.claimed_fen == 400
    assert key.part_refusals(contract_amount_fen=1_000, eligible_fee_fen=600) == []


def test_once_every_part_is_released_a_corrected_contract_amount_is_accepted():
    key = contract(amount=1_000, fee=600)
    key.release_part(by(), claim_id=uid("claim-1"), voucher_id=uid("voucher-1"), reason="claim rejected")
    assert key.part_refusals(contract_amount_fen=1_200, eligible_fee_fen=1_200) == []
    key.add_part(by(), claim_id=uid("claim-2"), voucher_id=uid("voucher-1"), contract_amount_fen=1_200,
                 eligible_fee_fen=1_200)
    assert key.contract_amount_fen == 1_200


def test_a_part_derived_from_an_older_store_is_recorded_as_claimed_even_beyond_the_amount():
    key = contract(amount=1_000, fee=600)
    key.add_part(by(), claim_id=uid("claim-2"), voucher_id=uid("voucher-1"), contract_amount_fen=1_000,
                 eligible_fee_fen=600, checked=False)
    assert key.claimed_fen == 1_200
    with pytest.raises(LedgerError) as full:
        key.add_part(by(), claim_id=uid("claim-3"), voucher_id=uid("voucher-1"), contract_amount_fen=1_000,
                     eligible_fee_fen=1)
    assert full.value.code == "CONTRACT_OVERCLAIMED"
