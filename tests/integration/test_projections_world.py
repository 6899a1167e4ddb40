"""Read models driven by hand-made commands (tests/support/scenario.py's World), on both stores: Asia/Shanghai
fiscal-year attribution at the new year, payment times that differ from recorded times, the whitelist with a late-recorded
failure, and read-your-writes in embedded mode.

Figures are worked out by hand in the comments (and with the ledger's ``split_funding`` for the province/city split),
never read back from projection code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from store.opening import open_ledger
from ledger.errors import LedgerError
from ledger.money import split_funding
from projections.read_models import ReadModels
from projections.runner import catch_up
from tests.support.projection_helpers import END_OF_TIME, lean, rows
from tests.support.scenario import FOSHAN, World

FOSHAN_SHARE = Decimal("0.40")  # tests/support/scenario.py: Foshan co-funds 40 % of its vouchers
LAST_MINUTE_2019 = datetime(2019, 12, 31, 15, 59, tzinfo=UTC)  # 2019-12-31 23:59 in Shanghai
NEW_YEAR_2020 = datetime(2019, 12, 31, 16, 0, tzinfo=UTC)  # 2020-01-01 00:00 in Shanghai
HALF_PAST_MIDNIGHT_2020 = datetime(2019, 12, 31, 16, 30, tzinfo=UTC)  # 2020-01-01 00:30 in Shanghai


@pytest.fixture
def settings(store_settings):
    return lean(store_settings)


@pytest.fixture
def app(settings):
    ledger = open_ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


@pytest.fixture
def world(app) -> World:
    return World.with_year(app, 2019)


@pytest.fixture
def read(settings, app):
    """Read models caught up before every query, on both stores (in-process; on PostgreSQL an explicit choice)."""
    models = ReadModels(settings, app, in_process=True)
    try:
        yield models
    finally:
        models.close()


def split(amount: int) -> dict[str, int]:
    city, province = split_funding(amount, FOSHAN_SHARE)
    return {"city": city, "province": province}


def spend_by(result, *, stage: str) -> dict[tuple, int]:
    """{(programme year, cash year, fund source): amount} for one stage, zero lines dropped."""
    found: dict[tuple, int] = {}
    for line in result["lines"]:
        if line["stage"] == stage and line["amount_fen"]:
            key = (line["programme_year"], line["cash_year"], line["fund_source"])
            found[key] = found.get(key, 0) + line["amount_fen"]
    return found


def movements(settings, claim_id) -> list[tuple]:
    return rows(settings, "SELECT event_type, effective_day, cash_year, programme_year FROM vl_money_movements "
                          "WHERE claim_id = ? ORDER BY position", (str(claim_id),))


# =====================================================================================================================
# 6. Fiscal-year attribution at the Asia/Shanghai year boundary
# =====================================================================================================================
def test_cash_year_and_day_follow_shanghai_time_across_the_2020_new_year(world, app, read, settings):
    provider = world.provider()
    enterprise = world.eligible_enterprise(city=FOSHAN)
    erp = world.issue(enterprise, "APP-ERP")  # 50 % up to 100,000 RMB
    dev = world.issue(enterprise, "DEV-ACCESS")  # 30 % up to 50,000 RMB
    # In March 2019: three claims. 0.50 × 3,333,333 = 1,666,666.5 → 1,666,666 fen; 0.30 × 1,234,567 = 370,370.1 →
    # 370,370 fen; 0.50 × 1,000,001 = 500,000.5 → 500,000 fen.
    c1 = world.claim(erp.voucher_id, provider, eligible_fee_fen=3_333_333)
    c2 = world.claim(dev.voucher_id, provider, eligible_fee_fen=1_234_567, fee_category="DEVICE_ACCESS")
    c3 = world.claim(erp.voucher_id, provider, eligible_fee_fen=1_000_001)
    assert (c1.amount_fen, c2.amount_fen, c3.amount_fen) == (1_666_666, 370_370, 500_000)
    assert split(1_666_666) == {"city": 666_666, "province": 1_000_000}  # 0.40 × 1,666,666 = 666,666.4 → 666,666

    # 23:59 on 31 December in Guangdong: all three approved; c2 paid at 23:59:30.
    world.now = LAST_MINUTE_2019
    for receipt in (c1, c2, c3):
        app.approve_claim(world.by(), voucher_id=receipt.voucher_id, claim_id=receipt.claim_id)
    world.now = LAST_MINUTE_2019 + timedelta(seconds=30)
    world.paid_batch(provider, [c2], period="2019-12")

    # 00:30 on 1 January 2020 in Guangdong (still 31 December in UTC): c1 paid; c2 reversed after payment, the audit
    # having found the fraud at 23:59:45 the evening before (effective then, recorded now).
    world.now = HALF_PAST_MIDNIGHT_2020
    world.paid_batch(provider, [c1], period="2019-12")
    app.reverse_claim(world.by("province:audit"), voucher_id=c2.voucher_id, claim_id=c2.claim_id,
                      reason="forged invoice", effective_at=LAST_MINUTE_2019 + timedelta(seconds=45))

    # 5 January 2020: the bank's statement shows c3 was paid at 23:59:50 on 31 December; recorded now.
    world.now = datetime(2020, 1, 5, 2, 0, tzinfo=UTC)
    paid_c3_at = LAST_MINUTE_2019 + timedelta(seconds=50)
    batch_id = world.app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider,
                                    period="2019-12")
    app.add_to_batch(world.by(), batch_id=batch_id, voucher_id=c3.voucher_id, claim_id=c3.claim_id)
    app.pay_batch(world.by(), batch_id=batch_id, effective_at=paid_c3_at)

    read.refresh()
    # Each movement's Shanghai day and cash year: approval and payment by when the money moved (the payment time,
    # not when the ledger learned it); the recovery in the year it was recorded.
    assert movements(settings, c1.claim_id) == [
        ("Voucher.Claimed", 20190301, 2019, 2019),
        ("Voucher.ClaimApproved", 20191231, 2019, 2019),
        ("Voucher.ClaimSettled", 20200101, 2020, 2019),
    ]
    assert movements(settings, c2.claim_id) == [
        ("Voucher.Claimed", 20190301, 2019, 2019),
        ("Voucher.ClaimApproved", 20191231, 2019, 2019),
        ("Voucher.ClaimSettled", 20191231, 2019, 2019),
        ("Voucher.ClaimReversed", 20191231, 2020, 2019),
    ]
    assert movements(settings, c3.claim_id) == [
        ("Voucher.Claimed", 20190301, 2019, 2019),
        ("Voucher.ClaimApproved", 20191231, 2019, 2019),
        ("Voucher.ClaimSettled", 20191231, 2019, 2019),
    ]

    def by_source(amount, programme, cash):
        return {(programme, cash, source): v for source, v in split(amount).items()}

    # Per-city spend by cash year and by programme year, as of now.
    result = read.city_spend(FOSHAN, END_OF_TIME)
    assert spend_by(result, stage="settled") == {
        **by_source(370_370 + 500_000, 2019, 2019), **by_source(1_666_666, 2019, 2020)}
    assert spend_by(result, stage="recovered") == by_source(370_370, 2019, 2020)
    spend_2019 = read.city_spend(FOSHAN, END_OF_TIME, year=2019, year_kind="cash", stage="spend")
    spend_2020 = read.city_spend(FOSHAN, END_OF_TIME, year=2020, year_kind="cash", stage="spend")
    programme_2019 = read.city_spend(FOSHAN, END_OF_TIME, year=2019, year_kind="programme", stage="spend")
    assert spend_by(spend_2019, stage="spend") == by_source(370_370 + 500_000, 2019, 2019)
    assert spend_by(spend_2020, stage="spend") == {  # the c1 payment less the c2 recovery, both in cash year 2020
        key: split(1_666_666)[key[2]] - split(370_370)[key[2]] for key in by_source(0, 2019, 2020)}
    # programme year 2019, all cash years: c1 + c2 + c3 paid, less c2 recovered
    assert {s: sum(v for k, v in spend_by(programme_2019, stage="spend").items() if k[2] == s)
            for s in ("city", "province")} == {s: split(1_666_666)[s] + split(500_000)[s] for s in ("city", "province")}

    # As of the last microsecond of 2019 in Guangdong: c2 and c3 paid (c3 as known now: its payment is effective
    # then though recorded in January), c2's recovery effective (due in cash year 2020, the year it was recorded);
    # c1 not paid yet. At 00:00 on 1 January c1 is still unpaid; at 00:30 (inclusive) it is.
    last_moment = read.city_spend(FOSHAN, NEW_YEAR_2020 - timedelta(microseconds=1))
    assert spend_by(last_moment, stage="settled") == by_source(370_370 + 500_000, 2019, 2019)
    assert spend_by(last_moment, stage="recovered") == by_source(370_370, 2019, 2020)
    assert spend_by(read.city_spend(FOSHAN, NEW_YEAR_2020), stage="settled") == by_source(870_370, 2019, 2019)
    assert spend_by(read.city_spend(FOSHAN, HALF_PAST_MIDNIGHT_2020), stage="settled") == {
        **by_source(870_370, 2019, 2019), **by_source(1_666_666, 2019, 2020)}
    assert spend_by(read.city_spend(FOSHAN, LAST_MINUTE_2019 - timedelta(microseconds=1)), stage="settled") == {}

    # A 2020 voucher issued at 00:30 on 1 January (Guangdong) is programme year 2020, and its quota block says so.
    world.now = HALF_PAST_MIDNIGHT_2020
    world.setup_year(2020)
    enterprise_2020 = world.enterprise(eligible_for=2020)
    world.year = 2020
    net = world.issue(enterprise_2020, "NET-RENO")  # 40 % up to 30,000 RMB: face value 3,000,000 fen
    read.refresh()
    assert rows(settings, "SELECT effective_day, cash_year, programme_year FROM vl_money_movements "
                          "WHERE voucher_id = ? AND event_type = 'Voucher.Issued'", (str(net.voucher_id),)) == [
        (20200101, 2020, 2020)]
    quotas = read.city_spend(FOSHAN, HALF_PAST_MIDNIGHT_2020)["quotas"]
    assert quotas[2020]["issued_fen"] == quotas[2020]["quota_used_fen"] == 3_000_000
    assert quotas[2019]["issued_fen"] == 100_000_00 + 50_000_00
    assert 2020 not in read.city_spend(FOSHAN, NEW_YEAR_2020 - timedelta(microseconds=1))["quotas"]


def test_a_payment_counts_from_its_payment_time_even_when_recorded_later(world, app, read):
    """Effective time ≠ recorded time: a balance as of a time between the payment and the day the ledger learned of
    it shows the claim settled (as known now), while the voucher aggregate as recorded by then still has it approved.
    The remaining value is the same either way: a claim holds its amount whether approved or settled."""
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise())
    receipt = world.approved_claim(voucher.voucher_id, provider, eligible_fee_fen=1_000_000)  # 500,000 fen
    paid_at = world.now + timedelta(days=2)
    world.advance(days=10)
    batch_id = app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider, period="2019-03")
    app.add_to_batch(world.by(), batch_id=batch_id, voucher_id=voucher.voucher_id, claim_id=receipt.claim_id)
    app.pay_batch(world.by(), batch_id=batch_id, effective_at=paid_at)

    between = paid_at + timedelta(days=1)
    got = read.voucher_balance(voucher.voucher_id, between)
    assert (got["approved_fen"], got["settled_fen"], got["remaining_fen"]) == (0, 500_000, 10_000_000 - 500_000)
    stream = app.recorder.select_notifications(1, 10_000)
    versions = [app.mapper.to_domain_event(n) for n in stream if n.originator_id == voucher.voucher_id]
    as_recorded = app.repository.get(voucher.voucher_id,
                                     version=max(e.originator_version for e in versions if e.timestamp <= between))
    assert as_recorded.claims[receipt.claim_id].status.value == "APPROVED"
    assert as_recorded.balance_fen == got["remaining_fen"]
    before = read.voucher_balance(voucher.voucher_id, paid_at - timedelta(microseconds=1))
    assert (before["approved_fen"], before["settled_fen"]) == (500_000, 0)
    assert read.provider_receivable(provider, between)["settled_fen"] == 500_000


def test_a_reversal_dated_before_the_claim_takes_effect_no_earlier_than_the_claim(world, app, read):
    """A reversal "dated back" before the claim was made (or a payment dated before its approval) cannot move money
    out of a stage before the money was in it: as of any time, no stage holds a negative amount. The reversal counts
    from the claim's own time."""
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise())
    face = 10_000_000
    world.advance(days=30)
    claimed_at = world.now
    receipt = world.claim(voucher.voucher_id, provider, eligible_fee_fen=1_000_000)  # 0.50 × 1,000,000 = 500,000
    world.advance(days=5)
    app.reverse_claim(world.by(), voucher_id=voucher.voucher_id, claim_id=receipt.claim_id, reason="forged invoice",
                      effective_at=claimed_at - timedelta(days=20))

    before_claim = read.voucher_balance(voucher.voucher_id, claimed_at - timedelta(days=10))
    assert (before_claim["claimed_fen"], before_claim["reversed_fen"], before_claim["remaining_fen"]) == (0, 0, face)
    assert read.provider_receivable(provider, claimed_at - timedelta(days=10))["claimed_pending_fen"] == 0
    at_claim = read.voucher_balance(voucher.voucher_id, claimed_at)
    assert (at_claim["claimed_fen"], at_claim["reversed_fen"], at_claim["remaining_fen"]) == (0, 500_000, face)


# =====================================================================================================================
# The public whitelist as of a time, with a failure reported after the fact
# =====================================================================================================================
def test_a_late_reported_failure_leaves_the_provider_suspended_as_of_now(world, app, read):
    """Whitelisted on 1 March (network passed); suspended on 31 March (network spot check failed); reinstated on
    20 April (network passed again). On 5 May a data spot check done on 15 April is reported: failed. The provider is
    suspended (the aggregate says so and refuses its claims), so the whitelist as of now must say so too; as known
    now it was also suspended on 25 April: its latest data result then was a failure."""
    provider = world.provider()  # 2019-03-01
    world.advance(days=30)
    world.assess(provider, passed=False, area="NETWORK", kind="SPOT_CHECK")
    world.advance(days=20)
    world.assess(provider, passed=True, area="NETWORK")
    assert app.provider(provider).status == "WHITELISTED"
    spot_checked = world.now - timedelta(days=5)
    world.advance(days=15)
    app.record_assessment(world.by("assessor:cnitsec"), provider_id=provider, area="DATA", kind="SPOT_CHECK",
                          passed=False, assessor="国家级信息安全评测机构", report_ref="RPT-LATE",
                          effective_at=spot_checked)
    assert app.provider(provider).status == "SUSPENDED"
    voucher = world.issue(world.eligible_enterprise())
    with pytest.raises(LedgerError) as refused:
        world.claim(voucher.voucher_id, provider, eligible_fee_fen=100_000)
    assert refused.value.code == "PROVIDER_SUSPENDED"

    def status_in_whitelist(as_of):
        return {w["provider_id"]: w["status"] for w in read.whitelist(as_of)}[str(provider)]

    assert status_in_whitelist(world.now) == "SUSPENDED"
    assert read.provider_receivable(provider, world.now)["status"] == "SUSPENDED"
    assert status_in_whitelist(spot_checked + timedelta(days=10)) == "SUSPENDED"
    assert status_in_whitelist(spot_checked - timedelta(days=1)) == "SUSPENDED"  # since 31 March


# =====================================================================================================================
# 9. Read-your-writes in embedded mode
# =====================================================================================================================
def test_the_next_query_sees_a_command_in_embedded_mode(world, app, settings):
    """Embedded (SQLite) read models catch up inside every query: no explicit catch-up. On PostgreSQL, queries read
    what the follow workers committed, so the default ReadModels does not see a write until they (here: catch_up)
    apply it — and in_process=True gives read-your-writes there too."""
    provider = world.provider()
    enterprise = world.eligible_enterprise()
    read = ReadModels(settings, app)
    try:
        voucher = world.issue(enterprise)
        if settings.store == "postgres":
            assert read.voucher_balance(voucher.voucher_id, END_OF_TIME) is None
            catch_up(app, read.projections)
        got = read.voucher_balance(voucher.voucher_id, END_OF_TIME)  # past its deadline then, its expiry unrecorded
        assert (got["face_value_fen"], got["remaining_fen"], got["status"], got["expiry_recorded"]) == (
            10_000_000, 10_000_000, "EXPIRED", False)

        receipt = world.claim(voucher.voucher_id, provider, eligible_fee_fen=2_000_000)  # 0.50 × → 1,000,000 fen
        if settings.store == "postgres":
            assert read.voucher_balance(voucher.voucher_id, END_OF_TIME)["claimed_fen"] == 0
            catch_up(app, read.projections)
        got = read.voucher_balance(voucher.voucher_id, END_OF_TIME)
        assert (got["claimed_fen"], got["remaining_fen"]) == (1_000_000, receipt.balance_after_fen)
        assert read.audit_trail("voucher", voucher.voucher_id, END_OF_TIME)[-1]["event_type"] in (
            "Voucher.Claimed", "ProviderQuota.Used", "InvoiceKey.Registered", "ContractKey.Registered")
        assert read.provider_receivable(provider, END_OF_TIME)["claimed_pending_fen"] == 1_000_000
    finally:
        read.close()

    # A second reader (another process, say) on the same store, caught up in-process, sees the latest write at once.
    app.approve_claim(world.by(), voucher_id=voucher.voucher_id, claim_id=receipt.claim_id)
    other = ReadModels(settings, app, in_process=True)
    try:
        got = other.voucher_balance(voucher.voucher_id, END_OF_TIME)
        assert (got["claimed_fen"], got["approved_fen"]) == (0, 1_000_000)
        assert [e["status"] for e in other.whitelist(END_OF_TIME) if e["provider_id"] == str(provider)] == [
            "WHITELISTED"]
    finally:
        other.close()


def test_two_embedded_readers_on_one_store_both_read_their_writes(world, app, settings):
    """Two processes (say, two API workers) on the same embedded store each catch up in-process before a query.
    Whichever applied the new events first, the other's next query must still succeed and see them: a reader whose
    remembered position another reader has moved must not fail the query."""
    provider = world.provider()
    enterprise = world.eligible_enterprise()
    first, second = (ReadModels(settings, app, in_process=True), ReadModels(settings, app, in_process=True))
    try:
        voucher = world.issue(enterprise)
        assert first.voucher_balance(voucher.voucher_id, END_OF_TIME)["remaining_fen"] == 10_000_000
        assert second.voucher_balance(voucher.voucher_id, END_OF_TIME)["remaining_fen"] == 10_000_000
        receipt = world.claim(voucher.voucher_id, provider, eligible_fee_fen=2_000_000)  # 1,000,000 fen held
        assert second.voucher_balance(voucher.voucher_id, END_OF_TIME)["claimed_fen"] == 1_000_000
        app.approve_claim(world.by(), voucher_id=voucher.voucher_id, claim_id=receipt.claim_id)
        got = first.voucher_balance(voucher.voucher_id, END_OF_TIME)  # first is behind second: must not fail
        assert (got["claimed_fen"], got["approved_fen"]) == (0, 1_000_000)
    finally:
        first.close()
        second.close()
