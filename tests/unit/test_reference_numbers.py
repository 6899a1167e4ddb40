"""Typed numbers (contract, invoice, bank reference) compare as one number whatever width, dashes or invisible
characters they were typed with (ledger/reference_numbers.py); ids derived from printable ASCII numbers are stored
data and stay exactly what they were."""

from __future__ import annotations

import string
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import ids
from ledger.reference_numbers import compared, stored_before

PROVIDER = UUID("eb84aa41-d685-56e7-9991-f06a4526c51e")  # ids.provider_id("91440600MA00000011")


@pytest.mark.parametrize("typed", [
    "４４００１２３４",  # full-width digits, as a Chinese input method types them
    "44001234\u200b",  # a zero-width space pasted from a web page
    "\ufeff44001234",  # a byte-order mark at the start of a spreadsheet cell
    "4400\u00ad1234",  # a soft hyphen
    "4400\u20601234\u200d",  # word joiner, zero-width joiner
    "\u3000４４００１２３４\u3000",  # ideographic spaces around it
    " 44001234\t",
])
def test_an_invoice_number_typed_in_another_form_is_the_same_number(typed):
    assert compared(typed) == "44001234"
    assert ids.invoice_key_id(typed) == ids.invoice_key_id("44001234")


@pytest.mark.parametrize("typed", ["ＨＴ－６０１", "ht－601", "HT\u2010601", "HT\u2011601", "HT\u2012601", "HT–601",
                                   "HT—601", "HT\u2015601", "HT\u2212601", "HT\ufe63601", "Ｈｔ-６０１", "HT-\u200b601"])
def test_a_contract_number_with_full_width_letters_or_any_dash_is_the_same_contract(typed):
    assert compared(typed) == "HT-601"
    assert ids.contract_key_id(PROVIDER, typed) == ids.contract_key_id(PROVIDER, "HT-601")


def test_whitespace_is_unified_but_not_collapsed_and_visible_characters_are_kept():
    assert compared("HT\u3000601") == compared("HT\u00a0601") == compared("HT\u2028601") == "HT 601"
    assert compared("HT  601") == "HT  601"  # as before: an ASCII number with two spaces kept its own key
    assert compared("HT--601") == "HT--601"
    assert compared("HT_601") != compared("HT-601") and compared("HT.601") != compared("HT-601")


@pytest.mark.parametrize("typed", ["", "   ", "\u200b", "\ufeff\u200b\u00ad", "\u3000", "\u200b \u200c"])
def test_nothing_visible_is_no_number(typed):
    assert compared(typed) == ""


def test_every_printable_ascii_number_compares_as_it_did_before():
    every = string.printable.replace("\t\n\r\x0b\x0c", "")
    assert all(compared(ch) == ch.strip().upper() for ch in every)
    assert compared(f"  {every}  ") == every.strip().upper()


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_is_trimmed_and_upper_cased_only(number):
    assert compared(number) == stored_before(number) == number.strip().upper()


@given(st.text())
def test_comparing_a_compared_number_changes_nothing(number):
    once = compared(number)
    assert compared(once) == once
    assert once == once.strip()


def test_keys_of_ascii_numbers_keep_the_ids_stores_hold():
    # Pinned: computed by the code before full-width numbers were compared as plain ones. A change here would leave
    # every stored key of a store unreachable, and its claims' evidence free for a second claim.
    assert ids.invoice_key_id("44001234") == UUID("69632eb6-821a-5b04-b863-af5a3f41d00b")
    assert ids.invoice_key_id(" fp-2020-0001 ") == UUID("ee65bcf8-bef3-5871-b3e8-0aff714b27d7")
    assert ids.contract_key_id(PROVIDER, "HT-601") == UUID("83bd4830-2b84-57d0-b5df-0f929195be93")
    assert ids.contract_key_id(PROVIDER, "ht 2020/07-A") == UUID("8c4442b2-68d8-5fa9-8121-7d934b4315c6")


def test_the_earlier_codes_claim_key_ids_are_derived_as_it_derived_them():
    # ClaimKeys are only looked up (to tell a store that needs derive-evidence-keys), never written: their ids must be
    # the ones the earlier code wrote, full-width numbers and all.
    assert ids.claim_key_id(PROVIDER, "ＨＴ－６０１", "４４００１２３４") == UUID("4b3d1f79-75ee-5d21-bc15-40d29a80fc5a")
    assert ids.claim_key_id(PROVIDER, "ＨＴ－６０１", "４４００１２３４") != ids.claim_key_id(PROVIDER, "HT-601", "44001234")


def test_imported_claims_and_batches_keep_the_ids_their_numbers_were_first_given():
    # A store names the claims and batches a file imported by these ids, and a later file must find them again; the
    # money rules meet at the evidence keys, not here.
    from importer.references import batch_id, claim_id

    voucher = UUID("6aed8b01-b2d4-52be-9f8a-98375a46478b")
    assert claim_id(voucher, " ｃ－1 ", "", 0) == ids.named(f"imported-claim|{voucher}|Ｃ－1")
    assert claim_id(voucher, "c-1", "", 0) == ids.named(f"imported-claim|{voucher}|C-1")
    assert batch_id(PROVIDER, "Ｂ２") == ids.named(f"imported-batch|{PROVIDER}|Ｂ２")
