"""Redemption (the claim), DOMAIN.md "Redemption (the claim)": subsidy, balance, evidence, duplicates, quotas, expiry.

Every test runs on SQLite and PostgreSQL (the ``world`` fixture). Figures are worked by hand from the 2019 catalogue
of tests/support/scenario.py: APP-ERP 50 % up to 100,000 RMB (10,000,000 fen), DEV-ACCESS 30 % up to 50,000 RMB
(5,000,000 fen), NET-RENO 40 % up to 30,000 RMB (3,000,000 fen); an ordinary provider's quota is 5,000,000 RMB
(500,000,000 fen).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from ledger.errors import LedgerError
from tests.support.scenario import PROVIDER_QUOTA_FEN

APP_ERP_FACE, DEV_ACCESS_FACE, NET_RENO_FACE = 10_000_000, 5_000_000, 3_000_000


def voucher_and_platform(world, item="APP-ERP", **provider_kwargs):
    return world.issue(world.eligible_enterprise(), item).voucher_id, world.provider(**provider_kwargs)


def figures(world, voucher_id, provider_id):
    """What a refused claim must leave untouched: voucher balance, provider quota, number of stored events."""
    try:
        remaining = world.app.provider_quota(provider_id, world.year).remaining_fen
    except LedgerError:
        remaining = None
    return world.app.voucher(voucher_id).balance_fen, remaining, world.app.recorder.max_notification_id()


def assert_refused(world, voucher_id, provider_id, code, attempt):
    before = figures(world, voucher_id, provider_id)
    with pytest.raises(LedgerError) as excinfo:
        attempt()
    assert excinfo.value.code == code
    assert figures(world, voucher_id, provider_id) == before


# -- how much a claim takes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("item", "category", "fee", "subsidy", "face"),
    [
        ("APP-ERP", "APPLICATION_SERVICE", 1_234_567, 617_283, APP_ERP_FACE),  # 0.50 × 1,234,567 = 617,283.5
        ("DEV-ACCESS", "DEVICE_ACCESS", 3_333_337, 1_000_001, DEV_ACCESS_FACE),  # 0.30 × 3,333,337 = 1,000,001.1
        ("NET-RENO", "NETWORK_RENOVATION", 1_234_569, 493_827, NET_RENO_FACE),  # 0.40 × 1,234,569 = 493,827.6
    ],
)
def test_the_subsidy_is_the_item_rate_times_the_eligible_fee_rounded_down_to_the_fen(
    world, item, category, fee, subsidy, face
):
    voucher_id, platform = voucher_and_platform(world, item)
    receipt = world.claim(voucher_id, platform, eligible_fee_fen=fee, fee_category=category)
    assert receipt.amount_fen == subsidy
    assert receipt.balance_after_fen == world.app.voucher(voucher_id).balance_fen == face - subsidy
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - subsidy


def test_a_voucher_is_redeemed_in_parts_until_exhausted_and_then_refused(world):
    voucher_id, platform = voucher_and_platform(world, "NET-RENO")  # 40 %, face 3,000,000 fen
    first = world.claim(voucher_id, platform, eligible_fee_fen=4_000_003, fee_category="NETWORK_RENOVATION")
    assert (first.amount_fen, first.balance_after_fen) == (1_600_001, 1_399_999)  # 0.40 × 4,000,003 = 1,600,001.2
    second = world.claim(voucher_id, platform, eligible_fee_fen=2_000_001, fee_category="NETWORK_RENOVATION")
    assert (second.amount_fen, second.balance_after_fen) == (800_000, 599_999)  # 0.40 × 2,000,001 = 800,000.4
    # 0.40 × 5,000,000 = 2,000,000 > the 599,999 left: the claim takes only the balance, which ends at 0, not below.
    third = world.claim(voucher_id, platform, eligible_fee_fen=5_000_000, fee_category="NETWORK_RENOVATION")
    assert (third.amount_fen, third.balance_after_fen) == (599_999, 0)
    assert world.app.voucher(voucher_id).balance_fen == 0
    # The provider's quota holds exactly what the three claims took: 1,600,001 + 800,000 + 599,999 = 3,000,000.
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - 3_000_000
    assert_refused(world, voucher_id, platform, "VOUCHER_EXHAUSTED", lambda: world.claim(
        voucher_id, platform, eligible_fee_fen=100, fee_category="NETWORK_RENOVATION"))


def test_a_first_claim_larger_than_the_face_value_takes_only_the_face_value(world):
    voucher_id, platform = voucher_and_platform(world, "DEV-ACCESS")  # 30 %, face 5,000,000 fen
    receipt = world.claim(voucher_id, platform, eligible_fee_fen=20_000_001, fee_category="DEVICE_ACCESS")
    # 0.30 × 20,000,001 = 6,000,000.3 → 6,000,000 > 5,000,000: min(…, balance) = 5,000,000.
    assert (receipt.amount_fen, receipt.balance_after_fen) == (5_000_000, 0)
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - 5_000_000


# -- evidence --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("contract", "paid", "accepted"),
    [
        (1_234_560, 1_111_104, True),  # 90 % of 1,234,560 = 1,111,104 exactly
        (1_234_560, 1_111_103, False),  # one fen short of 90 %
        (1_000_001, 900_000, False),  # 90 % of 1,000,001 = 900,000.9: 900,000 is below it
        (1_000_001, 900_001, True),
        # 90 % of 1,000,009 = 900,008.1: rounded to the nearest fen it would be 900,008, which is below 90 %
        (1_000_009, 900_008, False),
        (1_000_009, 900_009, True),
    ],
)
def test_payment_proven_must_be_at_least_90_percent_of_the_contract_amount(world, contract, paid, accepted):
    voucher_id, platform = voucher_and_platform(world)
    evidence = world.evidence(contract_amount_fen=contract, paid_fen=paid)
    claim = lambda: world.claim(voucher_id, platform, eligible_fee_fen=contract, evidence=evidence)  # noqa: E731
    if accepted:
        assert claim().amount_fen == contract // 2  # 0.50 × an even / odd contract, rounded down
    else:
        assert_refused(world, voucher_id, platform, "PAYMENT_INSUFFICIENT", claim)


@pytest.mark.parametrize(
    ("signed_utc", "accepted"),
    [
        (datetime(2018, 3, 19, 10, 0, tzinfo=UTC), False),  # 2018-03-19 18:00 in Shanghai
        (datetime(2018, 3, 19, 15, 59, 59, tzinfo=UTC), False),  # 2018-03-19 23:59:59 in Shanghai
        (datetime(2018, 3, 19, 16, 0, tzinfo=UTC), True),  # 2018-03-20 00:00 in Shanghai: the policy's date
        (datetime(2018, 3, 19, 17, 0, tzinfo=UTC), True),  # 2018-03-20 01:00 in Shanghai
    ],
)
def test_a_contract_signed_before_the_policy_date_in_shanghai_is_refused(world, signed_utc, accepted):
    voucher_id, platform = voucher_and_platform(world)
    evidence = world.evidence(contract_amount_fen=2_000_001, signed_at=signed_utc)
    claim = lambda: world.claim(voucher_id, platform, eligible_fee_fen=2_000_001, evidence=evidence)  # noqa: E731
    if accepted:
        assert claim().amount_fen == 1_000_000  # 0.50 × 2,000,001 = 1,000,000.5
    else:
        assert_refused(world, voucher_id, platform, "CONTRACT_BEFORE_POLICY", claim)


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("AUTOMATION_EQUIPMENT", "CATEGORY_NOT_COVERED"),  # 自动化和智能化设备: never covered
        ("NON_CLOUD_SOFTWARE", "CATEGORY_NOT_COVERED"),
        ("DEVICE_ACCESS", "CATEGORY_MISMATCH"),  # covered, but the voucher is for APP-ERP (application service)
    ],
)
def test_a_fee_the_voucher_item_does_not_cover_is_refused(world, category, code):
    voucher_id, platform = voucher_and_platform(world, "APP-ERP")
    assert_refused(world, voucher_id, platform, code, lambda: world.claim(
        voucher_id, platform, eligible_fee_fen=1_000_001, fee_category=category))


# -- duplicates (DOMAIN.md "Duplicates") ----------------------------------------------------------------------------
def test_an_invoice_on_a_live_claim_refuses_any_other_claim_that_names_it_whatever_the_provider(world):
    voucher_id, platform = voucher_and_platform(world)
    other_voucher = world.issue(world.eligible_enterprise()).voucher_id
    other_platform = world.provider()

    def claim_with(on, provider, contract_no, invoice_nos):
        evidence = world.evidence(contract_amount_fen=2_000_001, contract_no=contract_no, invoice_nos=invoice_nos)
        return lambda: world.claim(on, provider, eligible_fee_fen=500_001, evidence=evidence)

    world.claim(voucher_id, platform, eligible_fee_fen=600_001, evidence=world.evidence(
        contract_amount_fen=2_000_001, contract_no="HT-2019-001", invoice_nos=("INV-1", "INV-2")))
    for on, provider, contract_no, invoice_nos in [
        (voucher_id, platform, "HT-2019-001", ("INV-1",)),  # a second part of the contract, with a used invoice
        (other_voucher, platform, "HT-2019-002", ("INV-2",)),  # another contract, on another enterprise's voucher
        (voucher_id, platform, "HT-2019-003", ("  inv-1\t",)),  # the same number up to case and whitespace
        (other_voucher, other_platform, "HT-2019-001", ("INV-1",)),  # through another provider
        (voucher_id, platform, "HT-2019-001", ("INV-3", "INV-2")),  # one invoice of a multi-invoice claim repeats
    ]:
        assert_refused(world, on, provider, "DUPLICATE_CLAIM", claim_with(on, provider, contract_no, invoice_nos))
    # The refused multi-invoice claim registered nothing: INV-3 alone is a second part of the contract.
    assert claim_with(voucher_id, platform, "HT-2019-001", ("INV-3",))().amount_fen == 250_000  # 0.50 × 500,001


def test_a_contract_is_claimed_in_parts_up_to_its_amount_and_the_part_beyond_is_refused(world):
    voucher_id, platform = voucher_and_platform(world)  # APP-ERP: 50 %
    other_voucher = world.issue(world.eligible_enterprise()).voucher_id

    def part(on, fee, invoice, contract_amount_fen=1_000_000):
        evidence = world.evidence(contract_amount_fen=contract_amount_fen, contract_no="HT-2019-PARTS",
                                  invoice_nos=(invoice,))
        return lambda: world.claim(on, platform, eligible_fee_fen=fee, evidence=evidence)

    assert part(voucher_id, 600_000, "FP-A")().amount_fen == 300_000  # 0.50 × 600,000; 400,000 of the fee left
    # 600,000 + 400,001 = 1,000,001 > 1,000,000, on this voucher or another one.
    assert_refused(world, voucher_id, platform, "CONTRACT_OVERCLAIMED", part(voucher_id, 400_001, "FP-B"))
    assert_refused(world, other_voucher, platform, "CONTRACT_OVERCLAIMED", part(other_voucher, 400_001, "FP-B"))
    # A part that states another amount for the same contract is refused, even where the fee would fit.
    assert_refused(world, voucher_id, platform, "CONTRACT_AMOUNT_MISMATCH",
                   part(voucher_id, 100_000, "FP-B", contract_amount_fen=2_000_000))
    assert part(other_voucher, 400_000, "FP-B")().amount_fen == 200_000  # exactly the rest: 0.50 × 400,000
    assert_refused(world, voucher_id, platform, "CONTRACT_OVERCLAIMED", part(voucher_id, 1, "FP-C"))


def test_evidence_numbers_typed_in_full_width_forms_meet_the_keys_of_the_plain_ones(world):
    """The black-box review's case: a 1,000,000-fen contract claimed in full (500,000 fen), then claimed again with
    the same invoice and contract typed in full-width forms was accepted, the contract claimed twice its amount."""
    voucher_id, platform = voucher_and_platform(world)
    other_voucher = world.issue(world.eligible_enterprise()).voucher_id

    def claim(on, contract_no, invoice_no, fee=1_000_000):
        evidence = world.evidence(contract_amount_fen=1_000_000, contract_no=contract_no, invoice_nos=(invoice_no,))
        return lambda: world.claim(on, platform, eligible_fee_fen=fee, evidence=evidence)

    first = claim(voucher_id, "HT-601", "44001234")()
    assert first.amount_fen == 500_000
    assert_refused(world, other_voucher, platform, "DUPLICATE_CLAIM", claim(other_voucher, "ＨＴ－６０１", "４４００１２３４"))
    assert_refused(world, other_voucher, platform, "DUPLICATE_CLAIM", claim(other_voucher, "HT-999", "\ufeff44001234"))
    assert_refused(world, other_voucher, platform, "CONTRACT_OVERCLAIMED",
                   claim(other_voucher, "ＨＴ—６０１", "44005678", fee=2))
    # Rejected, the claim gives back the keys its numbers name; a full-width resubmission then takes them.
    world.app.reject_claim(world.by(), voucher_id=voucher_id, claim_id=first.claim_id, reason="invoice unreadable")
    again = claim(other_voucher, "ＨＴ－６０１", "４４００１２３４")()
    assert again.amount_fen == 500_000
    assert_refused(world, voucher_id, platform, "DUPLICATE_CLAIM", claim(voucher_id, "HT-601", "44001234"))


def test_the_same_contract_number_at_another_provider_is_another_contract(world):
    voucher_id, platform = voucher_and_platform(world)
    other_platform = world.provider()
    for provider, invoice in ((platform, "INV-7"), (other_platform, "INV-8")):
        evidence = world.evidence(contract_amount_fen=700_001, contract_no="HT-2019-007", invoice_nos=(invoice,))
        receipt = world.claim(voucher_id, provider, eligible_fee_fen=700_001, evidence=evidence)
        assert receipt.amount_fen == 350_000  # 0.50 × 700,001 = 350,000.5
    assert world.app.voucher(voucher_id).balance_fen == APP_ERP_FACE - 2 * 350_000


def test_a_rejected_claims_contract_and_invoices_can_be_resubmitted_and_are_accepted(world):
    voucher_id, platform = voucher_and_platform(world)
    evidence = world.evidence(contract_amount_fen=1_000_001, contract_no="HT-2019-RE", invoice_nos=("FP-1", "FP-2"))
    first = world.claim(voucher_id, platform, eligible_fee_fen=1_000_001, evidence=evidence)
    world.app.reject_claim(world.by(), voucher_id=voucher_id, claim_id=first.claim_id, reason="acceptance unsigned")
    # Corrected and resubmitted: the same contract (its whole amount again) and the same invoices.
    again = world.claim(voucher_id, platform, eligible_fee_fen=1_000_001, evidence=evidence)
    assert again.amount_fen == 500_000  # 0.50 × 1,000,001 = 500,000.5
    assert world.app.voucher(voucher_id).balance_fen == APP_ERP_FACE - 500_000  # the rejected one holds nothing
    # The resubmitted claim now holds them: a third claim naming one of the invoices is refused.
    other_platform = world.provider()
    assert_refused(world, voucher_id, other_platform, "DUPLICATE_CLAIM", lambda: world.claim(
        voucher_id, other_platform, eligible_fee_fen=100_001,
        evidence=world.evidence(contract_amount_fen=100_001, invoice_nos=("FP-2",))))


@pytest.mark.parametrize("settled", [False, True])
def test_a_reversed_claim_keeps_its_contract_and_invoices(world, settled):
    voucher_id, platform = voucher_and_platform(world)
    evidence = world.evidence(contract_amount_fen=1_000_001, contract_no="HT-2019-RV", invoice_nos=("FP-9",))
    receipt = world.claim(voucher_id, platform, eligible_fee_fen=1_000_001, evidence=evidence)
    if settled:
        world.app.approve_claim(world.by(), voucher_id=voucher_id, claim_id=receipt.claim_id)
        world.paid_batch(platform, [receipt])
    world.app.reverse_claim(world.by(), voucher_id=voucher_id, claim_id=receipt.claim_id, reason="forged acceptance",
                            effective_at=world.now)
    with pytest.raises(LedgerError) as refused:
        world.claim(voucher_id, platform, eligible_fee_fen=1_000_001, evidence=evidence)
    assert refused.value.code == "DUPLICATE_CLAIM"
    assert [code for code, _ in refused.value.violations] == ["DUPLICATE_CLAIM", "CONTRACT_OVERCLAIMED"]


# -- holding and giving back -----------------------------------------------------------------------------------------
def test_a_claim_holds_its_amount_against_the_provider_quota_from_the_moment_it_is_made(world):
    voucher_id, platform = voucher_and_platform(world)
    receipt = world.claim(voucher_id, platform, eligible_fee_fen=2_469_135)  # 0.50 × 2,469,135 = 1,234,567.5
    assert world.app.voucher(voucher_id).claim(receipt.claim_id).status == "CLAIMED"  # not yet approved
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - 1_234_567
    world.app.approve_claim(world.by(), voucher_id=voucher_id, claim_id=receipt.claim_id)
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - 1_234_567  # held once


def test_a_rejected_claim_gives_its_amount_back_to_the_voucher_and_the_provider_quota(world):
    voucher_id, platform = voucher_and_platform(world)
    kept = world.claim(voucher_id, platform, eligible_fee_fen=1_000_003)  # 0.50 × 1,000,003 = 500,001.5
    rejected = world.claim(voucher_id, platform, eligible_fee_fen=2_469_135)  # → 1,234,567
    assert world.app.voucher(voucher_id).balance_fen == APP_ERP_FACE - 500_001 - 1_234_567
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - 500_001 - 1_234_567
    freed = world.app.reject_claim(world.by(), voucher_id=voucher_id, claim_id=rejected.claim_id, reason="no invoice")
    assert (freed.status, freed.freed_fen) == ("REJECTED", 1_234_567)
    assert world.app.voucher(voucher_id).balance_fen == APP_ERP_FACE - 500_001
    assert world.app.provider_quota(platform, 2019).remaining_fen == PROVIDER_QUOTA_FEN - 500_001
    assert world.app.voucher(voucher_id).claim(kept.claim_id).status == "CLAIMED"


def test_a_claim_id_already_on_the_voucher_is_refused_even_with_other_evidence_and_the_first_claim_stands(world):
    # A repeated command, or a new one reusing an id: recorded, it would replace the first claim on the voucher (its
    # hold gone from the balance while the provider quota and the evidence keys still count both).
    voucher_id, platform = voucher_and_platform(world)
    first = world.claim(voucher_id, platform, eligible_fee_fen=1_000_003)  # 0.50 × 1,000,003 → 500,001
    assert_refused(world, voucher_id, platform, "ALREADY_EXISTS", lambda: world.claim(
        voucher_id, platform, eligible_fee_fen=2_000_001, claim_id=first.claim_id))  # fresh contract and invoice
    assert world.app.voucher(voucher_id).claim(first.claim_id).amount_fen == 500_001
    assert world.app.voucher(voucher_id).balance_fen == APP_ERP_FACE - 500_001


def test_a_claim_the_provider_quota_cannot_hold_is_refused(world):
    voucher_id, platform = voucher_and_platform(world, quota_fen=1_000_000)  # a 10,000 RMB quota
    world.claim(voucher_id, platform, eligible_fee_fen=1_600_001)  # 0.50 × 1,600,001 → 800,000; 200,000 left
    assert_refused(world, voucher_id, platform, "PROVIDER_QUOTA_EXHAUSTED", lambda: world.claim(
        voucher_id, platform, eligible_fee_fen=400_003))  # 0.50 × 400,003 → 200,001 > 200,000
    assert world.claim(voucher_id, platform, eligible_fee_fen=400_001).amount_fen == 200_000  # fits exactly
    assert world.app.provider_quota(platform, 2019).remaining_fen == 0


def test_a_provider_without_a_quota_for_the_year_cannot_take_claims(world):
    voucher_id, platform = voucher_and_platform(world, quota_fen=None)
    assert_refused(world, voucher_id, platform, "QUOTA_NOT_SET", lambda: world.claim(
        voucher_id, platform, eligible_fee_fen=1_000_001))


# -- vouchers that can no longer be redeemed -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claimed_at", "accepted"),
    [
        (datetime(2020, 2, 8, 15, 59, 59, tzinfo=UTC), True),  # 2020-02-08 23:59:59 in Shanghai: deadline day
        (datetime(2020, 2, 8, 16, 0, 0, tzinfo=UTC), False),  # 2020-02-09 00:00 in Shanghai: expired
    ],
)
def test_a_2019_voucher_is_redeemable_until_the_end_of_2020_02_08_shanghai_time(world, claimed_at, accepted):
    voucher_id, platform = voucher_and_platform(world)
    world.now = claimed_at
    claim = lambda: world.claim(voucher_id, platform, eligible_fee_fen=1_000_001)  # noqa: E731
    if accepted:
        assert claim().amount_fen == 500_000  # 0.50 × 1,000,001 = 500,000.5
    else:
        assert_refused(world, voucher_id, platform, "VOUCHER_EXPIRED", claim)


def test_a_revoked_voucher_cannot_be_redeemed(world):
    voucher_id, platform = voucher_and_platform(world)
    world.app.revoke_voucher(world.by(), voucher_id=voucher_id, reason="false revenue declaration")
    assert_refused(world, voucher_id, platform, "VOUCHER_REVOKED", lambda: world.claim(
        voucher_id, platform, eligible_fee_fen=1_000_001))


# -- what a claim records, and its transitions -----------------------------------------------------------------------
def test_a_claim_records_its_actor_correlation_id_recorded_time_and_effective_time(world):
    voucher_id, platform = voucher_and_platform(world)
    recorded_at = world.advance(days=3)
    accepted_at = recorded_at - timedelta(days=2, hours=5)
    evidence = world.evidence(contract_amount_fen=1_000_001, accepted_at=accepted_at)
    by = world.by("enterprise:zhang.wei", correlation_id="req-7f3a")
    claim_id = uuid4()
    world.app.claim(by, voucher_id=voucher_id, claim_id=claim_id, provider_id=platform, evidence=evidence,
                    fee_category="APPLICATION_SERVICE", eligible_fee_fen=1_000_001)
    claimed = list(world.app.events.get(voucher_id))[-1]
    assert type(claimed).__name__ == "Claimed" and claimed.claim_id == claim_id
    assert (claimed.actor, claimed.correlation_id) == ("enterprise:zhang.wei", "req-7f3a")
    assert claimed.timestamp == recorded_at  # when the ledger learned it
    assert claimed.effective_at == accepted_at  # when the service was accepted
    assert world.app.voucher(voucher_id).claim(claim_id).claimed_at == recorded_at
    held = list(world.app.events.get(world.app.provider_quota(platform, 2019).id))[-1]
    assert (held.actor, held.correlation_id, held.timestamp, held.amount_fen) == (
        "enterprise:zhang.wei", "req-7f3a", recorded_at, 500_000)  # 0.50 × 1,000,001 = 500,000.5


def test_only_a_claim_under_review_can_be_approved_or_rejected(world):
    voucher_id, platform = voucher_and_platform(world)
    approved = world.approved_claim(voucher_id, platform, eligible_fee_fen=1_000_001)
    rejected = world.claim(voucher_id, platform, eligible_fee_fen=2_000_001)
    world.app.reject_claim(world.by(), voucher_id=voucher_id, claim_id=rejected.claim_id, reason="no acceptance")
    settled = world.approved_claim(voucher_id, platform, eligible_fee_fen=3_000_001)
    world.paid_batch(platform, [settled])
    for receipt in (approved, rejected, settled):
        assert_refused(world, voucher_id, platform, "INVALID_TRANSITION", lambda: world.app.approve_claim(
            world.by(), voucher_id=voucher_id, claim_id=receipt.claim_id))
        assert_refused(world, voucher_id, platform, "INVALID_TRANSITION", lambda: world.app.reject_claim(
            world.by(), voucher_id=voucher_id, claim_id=receipt.claim_id, reason="second thoughts"))
    voucher = world.app.voucher(voucher_id)
    assert [voucher.claim(r.claim_id).status for r in (approved, rejected, settled)] == [
        "APPROVED", "REJECTED", "SETTLED"]


def test_a_rejection_decided_by_the_group_commit_writer_releases_keys_it_never_cached(world):
    """The writer checks creations optimistically (it does not ask the store whether a key exists); releasing a
    claim's keys must still read them."""
    from ledger.commands.values import RejectClaim
    from writer.group_commit import GroupCommitWriter

    voucher_id, platform = voucher_and_platform(world)
    evidence = world.evidence(contract_amount_fen=1_000_001, contract_no="HT-2019-GC", invoice_nos=("FP-GC",))
    first = world.claim(voucher_id, platform, eligible_fee_fen=1_000_001, evidence=evidence)  # not via the writer
    with GroupCommitWriter(world.app) as writer:
        writer.execute(RejectClaim(voucher_id=voucher_id, claim_id=first.claim_id, reason="acceptance unsigned"),
                       world.by())
    assert world.claim(voucher_id, platform, eligible_fee_fen=1_000_001, evidence=evidence).amount_fen == 500_000
