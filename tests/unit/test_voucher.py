"""The Voucher aggregate in memory: its funding split, balance, claim lifecycle and expiry (DOMAIN.md, Vouchers and
Redemption)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.errors import LedgerError
from tests.unit.builders import NOW, Desk, by, evidence, later, uid, voucher


def desk_evidence(n: int):
    return evidence(contract_no=f"HT-{n}", invoices=(f"FP-{n}",))


def test_issuance_splits_the_face_value_with_the_city_share_rounded_down():
    v = voucher(cap_fen=100_002, city_share="0.40")  # 40 % of 100,002 fen is 40,000.8 fen
    assert v.city_portion_fen == 40_000 == 100_002 * 40 // 100
    assert v.province_portion_fen == 100_002 - 40_000


def test_the_balance_is_the_face_value_less_what_live_claims_hold():
    desk = Desk()
    one = desk.claim("claim-1")
    two = desk.claim("claim-2", fee=2_000_00, ev=desk_evidence(2))
    assert desk.voucher.balance_fen == desk.voucher.face_value_fen - one - two
    desk.reject("claim-1")
    assert desk.voucher.balance_fen == desk.voucher.face_value_fen - two


def test_a_reversal_before_settlement_frees_the_amount():
    desk = Desk()
    amount = desk.claim()
    desk.voucher.approve(by(), claim_id=uid("claim-1"))
    freed, recovery = desk.voucher.reverse(by(), claim_id=uid("claim-1"), reason="抽查不合格", effective_at=NOW)
    assert (freed, recovery) == (amount, 0)
    assert desk.voucher.balance_fen == desk.voucher.face_value_fen


def test_a_reversal_after_settlement_keeps_the_amount_used_and_asks_for_it_back():
    desk = Desk()
    amount = desk.claim()
    v, claim_id, batch_id = desk.voucher, uid("claim-1"), uid("batch-1")
    v.approve(by(), claim_id=claim_id)
    v.add_to_batch(by(), claim_id=claim_id, batch_id=batch_id, provider_id=desk.provider.id)
    v.settle(by(later(days=1)), claim_id=claim_id, batch_id=batch_id, effective_at=later(days=1))
    # settled at most once: the voucher itself refuses a second settlement of it, whoever calls
    with pytest.raises(LedgerError) as twice:
        v.settle(by(later(days=2)), claim_id=claim_id, batch_id=batch_id, effective_at=later(days=2))
    assert twice.value.code == "INVALID_TRANSITION"
    # the recovery it raises cannot take effect before the money went out (one microsecond before is refused)
    with pytest.raises(LedgerError) as early:
        v.reverse(by(later(days=9)), claim_id=claim_id, reason="虚假发票",
                  effective_at=later(days=1) - timedelta(microseconds=1))
    assert early.value.code == "RECOVERY_BEFORE_PAYMENT" and v.claim(claim_id).status == "SETTLED"
    freed, recovery = v.reverse(by(later(days=9)), claim_id=claim_id, reason="虚假发票", effective_at=later(days=1))
    assert (freed, recovery) == (0, amount)
    assert v.balance_fen == v.face_value_fen - amount  # the money was paid


def test_only_a_claimed_claim_can_be_rejected_and_a_rejected_one_cannot_be_approved():
    desk = Desk()
    desk.claim()
    desk.voucher.approve(by(), claim_id=uid("claim-1"))
    with pytest.raises(LedgerError) as approved:
        desk.voucher.reject(by(), claim_id=uid("claim-1"), reason="迟到的意见")
    desk.claim("claim-2", ev=desk_evidence(2))
    desk.reject("claim-2")
    with pytest.raises(LedgerError) as rejected:
        desk.voucher.approve(by(), claim_id=uid("claim-2"))
    assert approved.value.code == rejected.value.code == "INVALID_TRANSITION"


def test_a_held_claim_cannot_enter_a_batch_until_released():
    desk = Desk()
    desk.claim()
    v, claim_id = desk.voucher, uid("claim-1")
    v.approve(by(), claim_id=claim_id)
    assert v.flag_claim(by(), claim_id=claim_id, suspended_from=later(days=-2), reason="补录的暂停") is True
    with pytest.raises(LedgerError) as held:
        v.add_to_batch(by(), claim_id=claim_id, batch_id=uid("batch-1"), provider_id=desk.provider.id)
    assert held.value.code == "CLAIM_HELD"
    v.release_claim(by(), claim_id=claim_id, reason="复核通过")
    with pytest.raises(LedgerError) as again:  # released once: there is nothing left to release
        v.release_claim(by(), claim_id=claim_id, reason="再次放行")
    assert again.value.code == "INVALID_TRANSITION"
    v.add_to_batch(by(), claim_id=claim_id, batch_id=uid("batch-1"), provider_id=desk.provider.id)
    assert v.is_payable_in(claim_id, uid("batch-1"))


def test_a_claim_enters_a_batch_only_for_the_provider_it_is_owed_to():
    desk = Desk()
    desk.claim()
    desk.voucher.approve(by(), claim_id=uid("claim-1"))
    with pytest.raises(LedgerError) as wrong:
        desk.voucher.add_to_batch(by(), claim_id=uid("claim-1"), batch_id=uid("batch-1"), provider_id=uid("other"))
    assert wrong.value.code == "PROVIDER_MISMATCH"


def test_expiry_waits_for_the_deadline_then_returns_the_unused_value():
    desk = Desk()
    held = desk.claim()
    v = desk.voucher
    with pytest.raises(LedgerError) as early:
        v.expire(by(v.expires_at - timedelta(microseconds=1)))
    assert early.value.code == "VOUCHER_NOT_YET_EXPIRED"
    assert v.expire(by(v.expires_at)) == v.face_value_fen - held
    assert v.returned_fen == v.face_value_fen - held


def test_value_freed_on_an_expired_voucher_goes_back_to_the_quota_too():
    desk = Desk()
    held = desk.claim()
    v = desk.voucher
    v.expire(by(v.expires_at))
    desk.reject(at=v.expires_at)
    assert v.return_freed_value(by(v.expires_at), claim_id=uid("claim-1"), freed_fen=held) is True
    assert v.returned_fen == v.face_value_fen  # all of it, in two steps


def test_a_rejection_records_its_reason():
    desk = Desk()
    desk.claim()
    with pytest.raises(LedgerError) as blank:
        desk.voucher.reject(by(), claim_id=uid("claim-1"), reason="  ")
    assert blank.value.code == "INVALID_INPUT"
    assert desk.voucher.claim(uid("claim-1")).status == "CLAIMED"  # refused: nothing changed


def test_the_voucher_itself_refuses_a_claim_that_would_overdraw_it_whoever_calls():
    """judge_claim orders the refusals, but a caller that skips it still cannot take the balance below zero."""
    from ledger.voucher_claims import PricedClaim

    desk = Desk()
    judgement = desk.judge()
    assert judgement.evidence is not None
    too_much = desk.voucher.balance_fen + 1
    with pytest.raises(LedgerError) as excinfo:
        desk.voucher.record_claim(by(NOW), PricedClaim(uid("over"), desk.provider.id, judgement.evidence,
                                                       desk.voucher.fee_category, too_much, too_much))
    assert excinfo.value.code == "VOUCHER_EXHAUSTED"
    with pytest.raises(LedgerError) as excinfo:
        desk.voucher.record_claim(by(NOW), PricedClaim(uid("none"), desk.provider.id, judgement.evidence,
                                                       desk.voucher.fee_category, 100, 0))
    assert excinfo.value.code == "ZERO_SUBSIDY"
    assert desk.voucher.held_fen == 0


def test_the_voucher_itself_refuses_a_claim_once_revoked_or_expired_whoever_calls():
    """Expired and revoked vouchers cannot be redeemed (DOMAIN.md, Vouchers): the voucher refuses a priced claim
    itself, judged or not, and holds nothing."""
    from ledger.voucher_claims import PricedClaim

    for close, code in ((lambda v: v.revoke(by(NOW), reason="骗取补贴"), "VOUCHER_REVOKED"),
                        (lambda v: v.expire(by(v.expires_at)), "VOUCHER_EXPIRED")):
        desk = Desk()
        judgement = desk.judge()
        assert judgement.evidence is not None and not judgement.refusals
        close(desk.voucher)
        with pytest.raises(LedgerError) as excinfo:
            late = PricedClaim(uid("late"), desk.provider.id, judgement.evidence, desk.voucher.fee_category, 100, 50)
            desk.voucher.record_claim(by(desk.voucher.expires_at), late)
        assert excinfo.value.code == code
        assert desk.voucher.claims == {}
