"""The SettlementBatch aggregate in memory: payment per city and fund source, recoveries, their collections (split like
the payment, the last one taking exactly the remainders) and write-offs (DOMAIN.md, Settlement and Recovery)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ledger.claims import Claim, ClaimStatus
from ledger.errors import LedgerError
from ledger.settlement import SettlementBatch
from tests.unit.builders import NOW, by, later, uid

PAID_AT = later(days=10)
RECOVERED_AT = later(days=40)


def batch_with(*lines: tuple[str, int, str, str]) -> SettlementBatch:
    """A batch of approved claims (name, amount, city, city share), opened and filled as the application does."""
    batch = SettlementBatch.open(by(), batch_id=uid("batch-1"), provider_id=uid("provider-1"), period="2020-11")
    for name, amount, city, share in lines:
        claim = Claim(claim_id=uid(name), provider_id=uid("provider-1"), amount_fen=amount,
                      status=ClaimStatus.APPROVED, claimed_at=NOW)
        batch.add(by(), voucher_id=uid(f"voucher-{name}"), claim=claim, city=city, year=2020,
                  fee_category="APPLICATION_SERVICE", city_share=Decimal(share))
    return batch


def paid_recovery(amount: int, share: str) -> SettlementBatch:
    batch = batch_with(("claim-1", amount, "440600", share))
    batch.pay(by(PAID_AT), payable={uid("claim-1")}, effective_at=PAID_AT)
    batch.raise_recovery(by(RECOVERED_AT), claim_id=uid("claim-1"), amount_fen=amount, reason="虚假发票",
                         effective_at=RECOVERED_AT)
    return batch


def collect(batch: SettlementBatch, amount: int, ref: str = "BANK-1") -> tuple[int, int]:
    return batch.collect_recovery(by(RECOVERED_AT), claim_id=uid("claim-1"), amount_fen=amount, bank_reference=ref,
                                  effective_at=RECOVERED_AT)


def test_payment_totals_each_city_with_each_line_split_on_its_own():
    batch = batch_with(("a", 333_333, "440600", "0.40"), ("b", 166_667, "440600", "0.40"),
                       ("c", 50_001, "441900", "0.35"), ("d", 70_000, "441900", "0.35"))
    settled = batch.pay(by(PAID_AT), payable={uid("a"), uid("b"), uid("c")}, effective_at=PAID_AT)
    assert settled == [uid("a"), uid("b"), uid("c")] and batch.dropped_claims == [uid("d")]
    foshan_city = 333_333 * 40 // 100 + 166_667 * 40 // 100  # each line rounded down, then summed
    dongguan_city = 50_001 * 35 // 100
    assert batch.by_city == {
        "440600": {"city_fen": foshan_city, "province_fen": 333_333 + 166_667 - foshan_city},
        "441900": {"city_fen": dongguan_city, "province_fen": 50_001 - dongguan_city},
    }
    assert batch.total_fen == 333_333 + 166_667 + 50_001


def test_a_batch_with_nothing_payable_is_refused_and_a_paid_batch_takes_no_more():
    batch = batch_with(("a", 1_000, "440600", "0.40"))
    with pytest.raises(LedgerError) as empty:
        batch.pay(by(PAID_AT), payable=set(), effective_at=PAID_AT)
    assert empty.value.code == "EMPTY_BATCH"
    batch.pay(by(PAID_AT), payable={uid("a")}, effective_at=PAID_AT)
    with pytest.raises(LedgerError) as closed:
        batch.withdraw(by(), claim_id=uid("a"), reason="迟到")
    assert closed.value.code == "INVALID_TRANSITION"


def test_a_batch_takes_a_claim_once_whatever_its_voucher_says():
    # Each redemption is settled at most once (DOMAIN.md, Settlement). The voucher refuses a claim already batched;
    # the batch refuses it too, on its own lines, so a caller that skipped the voucher still cannot pay it twice.
    batch = batch_with(("a", 1_000, "440600", "0.40"))
    claim = Claim(claim_id=uid("a"), provider_id=uid("provider-1"), amount_fen=1_000, status=ClaimStatus.APPROVED,
                  claimed_at=NOW)
    with pytest.raises(LedgerError) as twice:
        batch.add(by(), voucher_id=uid("voucher-a"), claim=claim, city="440600", year=2020,
                  fee_category="APPLICATION_SERVICE", city_share=Decimal("0.40"))
    assert twice.value.code == "INVALID_TRANSITION"
    assert list(batch.lines) == [uid("a")]


def test_a_recovery_is_raised_only_on_a_claim_the_batch_paid():
    batch = batch_with(("a", 1_000, "440600", "0.40"), ("b", 2_000, "440600", "0.40"))
    batch.pay(by(PAID_AT), payable={uid("a")}, effective_at=PAID_AT)
    with pytest.raises(LedgerError) as dropped:
        batch.raise_recovery(by(), claim_id=uid("b"), amount_fen=2_000, reason="x", effective_at=RECOVERED_AT)
    assert dropped.value.code == "INVALID_TRANSITION"
    # After settlement the whole amount paid is due back (DOMAIN.md, Redemption); collections may then come in parts.
    for amount in (999, 1_001):
        with pytest.raises(LedgerError) as partial:
            batch.raise_recovery(by(RECOVERED_AT), claim_id=uid("a"), amount_fen=amount, reason="x",
                                 effective_at=RECOVERED_AT)
        assert partial.value.code == "INVALID_INPUT"
    assert batch.receivables == {}


def test_a_partial_collection_follows_the_split_and_the_last_takes_exactly_the_remainders():
    amount = 500_001
    city_portion = amount * 35 // 100  # 175,000.35 → 175,000; the province paid the rest
    province_portion = amount - city_portion
    batch = paid_recovery(amount, "0.35")
    first = collect(batch, 100_000)
    first_city = 100_000 * city_portion // amount  # 34,999.93 → 34,999
    assert first == (first_city, 100_000 - first_city)
    assert batch.outstanding_fen(uid("claim-1")) == amount - 100_000
    last = collect(batch, amount - 100_000, "BANK-2")
    assert last == (city_portion - first_city, province_portion - (100_000 - first_city))
    assert first[0] + last[0] == city_portion and first[1] + last[1] == province_portion


def test_the_province_never_gets_back_more_than_it_paid_even_one_fen_at_a_time():
    batch = paid_recovery(3, "0.34")  # city 1 fen (1.02 rounded down), province 2 fen
    parts = [collect(batch, 1, f"BANK-{n}") for n in range(3)]
    assert parts == [(0, 1), (0, 1), (1, 0)]  # the proportional city part rounds to 0 until the province is repaid


def test_no_more_can_be_collected_than_is_due_and_a_refusal_changes_nothing():
    batch = paid_recovery(10_000, "0.40")
    collect(batch, 4_000)
    with pytest.raises(LedgerError) as over:
        collect(batch, 6_001, "BANK-2")
    assert over.value.code == "RECOVERY_OVER_COLLECTED"
    assert batch.outstanding_fen(uid("claim-1")) == 6_000
    collect(batch, 6_000, "BANK-2")
    with pytest.raises(LedgerError) as closed:
        collect(batch, 1, "BANK-3")
    assert closed.value.code == "RECOVERY_CLOSED"


def refused_code(call) -> str:
    with pytest.raises(LedgerError) as refused:
        call()
    return refused.value.code


@pytest.mark.parametrize("again", ["BANK-0001", " bank-0001\t", "ＢＡＮＫ－０００１", "BANK\u20140001", "\ufeffBANK-0001\u200b"])
def test_a_bank_reference_is_recorded_once_on_a_recovery_whatever_form_it_is_typed_in(again):
    batch = paid_recovery(3_000_000, "0.40")
    collect(batch, 1_000_000, "BANK-0001")
    batch.collect_events()  # what is recorded so far; a refusal adds nothing to it
    # The same transfer entered again (a register row imported in another file, a command run twice): refused, and
    # the receivable keeps what it had, whatever the amount the repeat states.
    for amount in (1_000_000, 1):
        assert refused_code(lambda a=amount: collect(batch, a, again)) == "DUPLICATE_COLLECTION"
    assert batch.collect_events() == []
    assert batch.outstanding_fen(uid("claim-1")) == 2_000_000
    collect(batch, 1_000_000, "BANK-0002")  # another transfer
    assert batch.outstanding_fen(uid("claim-1")) == 1_000_000


def test_a_repeat_of_the_collection_that_closed_the_recovery_is_named_a_repeat():
    batch = paid_recovery(10_000, "0.40")
    collect(batch, 10_000, "BANK-0001")
    assert refused_code(lambda: collect(batch, 10_000, "BANK-0001")) == "DUPLICATE_COLLECTION"
    assert refused_code(lambda: collect(batch, 1, "BANK-0002")) == "RECOVERY_CLOSED"


def test_one_bank_transfer_may_repay_the_recoveries_of_two_claims():
    batch = batch_with(("claim-1", 6_000, "440600", "0.40"), ("claim-2", 4_000, "440600", "0.40"))
    batch.pay(by(PAID_AT), payable={uid("claim-1"), uid("claim-2")}, effective_at=PAID_AT)
    for name, amount in (("claim-1", 6_000), ("claim-2", 4_000)):
        batch.raise_recovery(by(RECOVERED_AT), claim_id=uid(name), amount_fen=amount, reason="虚假发票",
                             effective_at=RECOVERED_AT)
        batch.collect_recovery(by(RECOVERED_AT), claim_id=uid(name), amount_fen=amount, bank_reference="BANK-9",
                               effective_at=RECOVERED_AT)
    assert batch.outstanding_fen(uid("claim-1")) == batch.outstanding_fen(uid("claim-2")) == 0


def reloaded(batch: SettlementBatch) -> SettlementBatch:
    """The batch as a store holding its events loads it: every event applied again, from nothing."""
    replayed = None
    for event in batch.collect_events():
        replayed = event.mutate(replayed)
    return replayed


def test_a_store_holding_a_repeated_reference_from_before_the_rule_still_loads_and_refuses_a_third():
    batch = paid_recovery(3_000, "0.40")
    for _ in range(2):  # as the earlier code recorded it, without the check
        batch._record(SettlementBatch.RecoveryCollected, by(RECOVERED_AT), voucher_id=uid("voucher-claim-1"),
                      claim_id=uid("claim-1"), amount_fen=1_000, city="440600", city_portion_fen=400,
                      province_portion_fen=600, bank_reference="BANK-0001", effective_at=RECOVERED_AT)
    replayed = reloaded(batch)
    assert replayed.outstanding_fen(uid("claim-1")) == 1_000
    assert refused_code(lambda: collect(replayed, 1_000, "BANK-0001")) == "DUPLICATE_COLLECTION"


def test_a_write_off_takes_what_is_left_and_closes_the_receivable():
    amount = 10_001
    batch = paid_recovery(amount, "0.40")
    first = collect(batch, 2_500)
    city_portion = amount * 40 // 100
    written = batch.write_off_recovery(by(RECOVERED_AT), claim_id=uid("claim-1"), reason="企业注销",
                                       effective_at=RECOVERED_AT)
    assert written == (city_portion - first[0], amount - city_portion - first[1])
    assert batch.outstanding_fen(uid("claim-1")) == 0
    with pytest.raises(LedgerError) as closed:
        batch.write_off_recovery(by(), claim_id=uid("claim-1"), reason="again", effective_at=RECOVERED_AT)
    assert closed.value.code == "RECOVERY_CLOSED"


@pytest.mark.parametrize(("call", "code"), [
    (lambda b: b.collect_recovery(by(), claim_id=uid("claim-1"), amount_fen=1, bank_reference=" ",
                                  effective_at=RECOVERED_AT), "BANK_REFERENCE_REQUIRED"),
    (lambda b: b.collect_recovery(by(), claim_id=uid("claim-1"), amount_fen=1, bank_reference="\u200b\u3000",
                                  effective_at=RECOVERED_AT), "BANK_REFERENCE_REQUIRED"),
    (lambda b: b.collect_recovery(by(), claim_id=uid("claim-1"), amount_fen=1, bank_reference="B",
                                  effective_at=RECOVERED_AT - timedelta(seconds=1)), "COLLECTION_BEFORE_RECOVERY"),
    (lambda b: b.write_off_recovery(by(), claim_id=uid("claim-1"), reason="", effective_at=RECOVERED_AT),
     "WRITE_OFF_REASON_REQUIRED"),
    (lambda b: b.collect_recovery(by(), claim_id=uid("claim-2"), amount_fen=1, bank_reference="B",
                                  effective_at=RECOVERED_AT), "RECOVERY_NOT_FOUND"),
    (lambda b: b.collect_recovery(by(), claim_id=uid("claim-1"), amount_fen=0, bank_reference="B",
                                  effective_at=RECOVERED_AT), "INVALID_AMOUNT"),
])
def test_a_bad_collection_or_write_off_is_refused_with_its_code(call, code):
    batch = paid_recovery(10_000, "0.40")
    with pytest.raises(LedgerError) as refused:
        call(batch)
    assert refused.value.code == code
    assert batch.outstanding_fen(uid("claim-1")) == 10_000


def test_a_recovery_cannot_take_effect_before_the_payment_it_reclaims():
    batch = batch_with(("claim-1", 10_000, "440600", "0.40"))
    batch.pay(by(PAID_AT), payable={uid("claim-1")}, effective_at=PAID_AT)
    assert refused_code(lambda: batch.raise_recovery(
        by(RECOVERED_AT), claim_id=uid("claim-1"), amount_fen=10_000, reason="虚假发票",
        effective_at=PAID_AT - timedelta(seconds=1))) == "RECOVERY_BEFORE_PAYMENT"
    assert batch.receivables == {}


def test_a_recovery_stored_before_the_payment_rule_is_still_not_collected_before_the_payment():
    """A store written before RECOVERY_BEFORE_PAYMENT may hold a recovery dated before its payment: it still loads,
    and its collections and write-off are held to the payment (money does not come back before it went out)."""
    batch = batch_with(("claim-1", 10_000, "440600", "0.40"))
    batch.pay(by(PAID_AT), payable={uid("claim-1")}, effective_at=PAID_AT)
    early = PAID_AT - timedelta(days=2)
    batch._record(SettlementBatch.RecoveryRaised, by(RECOVERED_AT), voucher_id=uid("voucher-claim-1"),
                  claim_id=uid("claim-1"), amount_fen=10_000, city="440600", city_portion_fen=4_000,
                  province_portion_fen=6_000, reason="虚假发票", effective_at=early)
    replayed = reloaded(batch)
    between = PAID_AT - timedelta(hours=13)
    assert refused_code(lambda: replayed.collect_recovery(
        by(RECOVERED_AT), claim_id=uid("claim-1"), amount_fen=1_000, bank_reference="BANK-1",
        effective_at=between)) == "RECOVERY_BEFORE_PAYMENT"
    assert refused_code(lambda: replayed.write_off_recovery(
        by(RECOVERED_AT), claim_id=uid("claim-1"), reason="企业注销", effective_at=between)) == "RECOVERY_BEFORE_PAYMENT"
    assert replayed.outstanding_fen(uid("claim-1")) == 10_000
    assert replayed.collect_recovery(by(RECOVERED_AT), claim_id=uid("claim-1"), amount_fen=1_000,
                                     bank_reference="BANK-1", effective_at=PAID_AT) == (400, 600)
