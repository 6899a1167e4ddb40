"""A store written before numbers typed in full-width forms, other dashes or invisible characters compared as their
plain forms (README, "Evidence numbers"): the keys it holds for such numbers were derived from the number as typed,
and no claim reaches them any more until `derive-evidence-keys` runs again. Then the claims and fundings recorded
under those numbers hold the keys their numbers name now, and what two of them turn out to share is listed. The
earlier code is played by comparing numbers as it did (trimmed, upper-cased). Both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.cli.evidence_keys import derive_funded_contracts, derive_stored_claims
from ledger import ids
from ledger.errors import LedgerError
from ledger.reference_numbers import stored_before

FEE = 1_000_000  # APP-ERP: 0.50 × 1,000,000 = 500,000 fen


@pytest.fixture
def before_upgrade(monkeypatch):
    """Numbers compared as the earlier code compared them while the test is inside ``with before_upgrade():``."""

    class Rule:
        def __enter__(self):
            monkeypatch.setattr(ids, "compared", stored_before)
            ids.invoice_key_id.cache_clear(), ids.contract_key_id.cache_clear()

        def __exit__(self, *exc):
            monkeypatch.undo()
            ids.invoice_key_id.cache_clear(), ids.contract_key_id.cache_clear()

    return Rule


def claim(world, voucher, provider, contract_no, invoice_no, fee=FEE):
    evidence = world.evidence(contract_amount_fen=FEE, contract_no=contract_no, invoice_nos=(invoice_no,))
    return world.claim(voucher, provider, eligible_fee_fen=fee, evidence=evidence)


def code_of(attempt) -> str:
    with pytest.raises(LedgerError) as refused:
        attempt()
    return refused.value.code


def derive(world):
    by = world.by("system:derive-evidence-keys")
    done = derive_funded_contracts(world.app, by)
    done.add(derive_stored_claims(world.app, by))
    return done


def test_a_full_width_claim_and_funding_stored_before_hold_todays_keys_once_derived_again(world, before_upgrade):
    voucher = world.issue(world.eligible_enterprise(), "APP-ERP").voucher_id
    other_voucher = world.issue(world.eligible_enterprise(), "APP-ERP").voucher_id
    platform = world.provider()
    with before_upgrade():
        old = claim(world, voucher, platform, "ＨＴ－６０１", "４４００１２３４")
        world.app.record_other_funding(world.by(), provider_id=platform, contract_no="ＨＴ－７０１",
                                       fund_name="广东省工业和信息化专项资金", document_no="粤工信〔2019〕12号",
                                       amount_fen=2_000_000, effective_at=world.now - timedelta(days=10),
                                       reason="该合同已获省级专项资金扶持")
    world.advance(days=1)
    # Upgraded, not derived yet: the old keys' ids are not those the numbers name now.
    assert not world.app.stored(ids.invoice_key_id("44001234"))

    done = derive(world)
    assert (done.invoices, done.parts, done.fundings, done.conflicts, done.funded_twice) == (1, 1, 1, [], [])
    assert code_of(lambda: claim(world, other_voucher, platform, "HT-999", "44001234")) == "DUPLICATE_CLAIM"
    assert code_of(lambda: claim(world, other_voucher, platform, "HT-601", "44005678", fee=1)) \
        == "CONTRACT_OVERCLAIMED"
    assert code_of(lambda: claim(world, other_voucher, platform, "HT-701", "44007010")) == "ALREADY_FUNDED"
    again = derive(world)  # idempotent
    assert (again.invoices, again.parts, again.fundings) == (0, 0, 0)

    # Rejected now, the old claim gives back the keys its numbers name today: a corrected claim takes them.
    world.app.reject_claim(world.by(), voucher_id=voucher, claim_id=old.claim_id, reason="发票不清晰")
    assert claim(world, other_voucher, platform, "HT-601", "44001234").amount_fen == FEE // 2


def test_what_the_defect_let_through_is_listed_and_no_further_claim_fits(world, before_upgrade):
    """Before the upgrade a full-width copy of a claimed invoice and contract was accepted (the review's case), and
    a contract funded under its full-width number was claimed in ASCII: both stay recorded (reversing them is the
    province's decision), the derivation lists them, and nothing more is taken on that evidence."""
    voucher = world.issue(world.eligible_enterprise(), "APP-ERP").voucher_id
    other_voucher = world.issue(world.eligible_enterprise(), "APP-ERP").voucher_id
    platform = world.provider()
    with before_upgrade():
        first = claim(world, voucher, platform, "HT-601", "44001234")
        second = claim(world, other_voucher, platform, "ＨＴ－６０１", "４４００１２３４")
        world.app.record_other_funding(world.by(), provider_id=platform, contract_no="ＨＴ－７０１",
                                       fund_name="广东省工业和信息化专项资金", document_no="粤工信〔2019〕12号",
                                       amount_fen=2_000_000, effective_at=world.now - timedelta(days=10),
                                       reason="该合同已获省级专项资金扶持")
        claimed_despite_funding = claim(world, voucher, platform, "HT-701", "44007010")
    world.advance(days=1)

    done = derive(world)
    assert done.conflicts == [f"invoice 44001234 of claim {second.claim_id} (voucher {other_voucher}) is already on "
                              f"claim {first.claim_id}"]
    assert len(done.funded_twice) == 1 and "HT-701" in done.funded_twice[0]
    assert str(claimed_despite_funding.claim_id) in done.funded_twice[0]
    fresh = world.issue(world.eligible_enterprise(), "APP-ERP").voucher_id
    assert code_of(lambda: claim(world, fresh, platform, "HT-601", "44009999", fee=1)) == "CONTRACT_OVERCLAIMED"
    assert code_of(lambda: claim(world, fresh, platform, "HT-999", "４４００１２３４")) == "DUPLICATE_CLAIM"
    assert code_of(lambda: claim(world, fresh, platform, "ＨＴ－７０１", "44007011", fee=1)) == "ALREADY_FUNDED"
