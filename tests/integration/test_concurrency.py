"""Concurrency (DOMAIN.md "Redemption", "Vouchers"): a balance never goes below zero and a provider's quota is never
overspent, even with concurrent claims; one voucher per enterprise, item and year; one live claim per invoice number,
whatever the provider; a contract's parts never beyond its amount.

Sixteen threads start together (a barrier) and each runs one command. Each outcome is either the command's result or
a LedgerError with an expected code; nothing else (no raw database error) may escape.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from store.opening import open_ledger
from ledger.errors import LedgerError
from ledger.money import YUAN
from ledger.quotas import ProviderQuota
from ledger.voucher import Voucher
from tests.support.scenario import FOSHAN

THREADS = 16
FACE = 30_000 * YUAN  # NET-RENO: 40 % up to 30,000 RMB, so face value 3,000,000 fen
FEE = 800_000  # each thread claims 0.40 × 800,000 = 320,000 fen
SUBSIDY = 320_000


def run_together(task, n: int = THREADS) -> list:
    """Run task(i) in n threads released at the same instant; return each result or LedgerError."""
    barrier = threading.Barrier(n)

    def one(i: int):
        barrier.wait()
        try:
            return task(i)
        except LedgerError as error:
            return error

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))  # any other exception propagates and fails the test


def codes(outcomes) -> list[str]:
    return [o.code for o in outcomes if isinstance(o, LedgerError)]


@pytest.mark.parametrize(
    "provider_quota_fen",
    [
        pytest.param(500 * 10_000 * YUAN, id="voucher-binds"),  # 16 × 320,000 = 5,120,000 > face 3,000,000
        pytest.param(1_000_000, id="provider-quota-binds"),  # room for 3 × 320,000 = 960,000 only
    ],
)
def test_concurrent_claims_never_overspend_the_voucher_or_the_provider_quota(world, provider_quota_fen):
    app = world.app
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "NET-RENO").voucher_id
    platform = world.provider(quota_fen=provider_quota_fen)
    world.advance(days=5)
    evidence = [world.evidence(contract_amount_fen=FEE) for _ in range(THREADS)]
    by = world.by("enterprise")

    outcomes = run_together(
        lambda i: app.claim(by, voucher_id=voucher, claim_id=uuid4(), provider_id=platform, evidence=evidence[i],
                            fee_category="NETWORK_RENOVATION", eligible_fee_fen=FEE)
    )

    receipts = [o for o in outcomes if not isinstance(o, LedgerError)]
    assert set(codes(outcomes)) <= {"VOUCHER_EXHAUSTED", "PROVIDER_QUOTA_EXHAUSTED", "CONCURRENT_UPDATE"}
    assert receipts, "at least one claim must get through"
    claimed = sum(r.amount_fen for r in receipts)
    state = app.voucher(voucher)
    quota = app.provider_quota(platform, 2019)
    assert 0 <= state.balance_fen == FACE - claimed
    assert quota.used_fen == claimed <= provider_quota_fen
    # Each claim saw all earlier ones: in order, the receipts' balances step down by exactly their amounts.
    running = FACE
    for receipt in sorted(receipts, key=lambda r: -r.balance_after_fen):
        assert receipt.amount_fen == min(SUBSIDY, running)
        running -= receipt.amount_fen
        assert receipt.balance_after_fen == running
    # A refusal for exhaustion is only right if the limit really was reached (nothing is released here).
    if "VOUCHER_EXHAUSTED" in codes(outcomes):
        assert state.balance_fen == 0
    if "PROVIDER_QUOTA_EXHAUSTED" in codes(outcomes):
        assert quota.remaining_fen < SUBSIDY
    # The stored events match the receipts exactly: one Claimed per receipt, one quota use per receipt.
    stored_claims = {e.claim_id: e.amount_fen for e in app.events.get(voucher) if isinstance(e, Voucher.Claimed)}
    quota_uses = {e.claim_id: e.amount_fen for e in app.events.get(quota.id) if isinstance(e, ProviderQuota.Used)}
    assert stored_claims == quota_uses == {r.claim_id: r.amount_fen for r in receipts}


def test_sixteen_applications_issuing_the_same_voucher_at_once_issue_it_exactly_once(world, store_settings):
    factory = world.eligible_enterprise(city=FOSHAN)
    remaining_before = world.app.city_quota(FOSHAN, 2019).remaining_fen
    by = world.by()
    # As if sixteen API workers, each with its own application (and, on PostgreSQL, a one-connection pool: sixteen
    # default pools of 20 would exceed the server's 100 connections).
    worker_settings = store_settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 1})
    apps = [open_ledger(worker_settings) for _ in range(THREADS)]
    try:
        outcomes = run_together(
            lambda i: apps[i].issue_voucher(by, enterprise_id=factory, year=2019, item_id="APP-ERP")
        )
    finally:
        for app in apps:
            app.close()

    issued = [o for o in outcomes if not isinstance(o, LedgerError)]
    assert len(issued) == 1
    assert codes(outcomes) == ["DUPLICATE_VOUCHER"] * (THREADS - 1)
    # The city quota was used once: one face value, 100,000 RMB.
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == remaining_before - 100_000 * YUAN
    assert world.app.voucher(issued[0].voucher_id).face_value_fen == 100_000 * YUAN


def test_sixteen_claims_on_the_same_contract_and_invoice_at_once_succeed_exactly_once(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    same = world.evidence(contract_amount_fen=2_000_000, contract_no="HT-2019-0042", invoice_nos=("FP-77",))
    # Numbers are compared trimmed and upper-cased: half the threads write them differently.
    variant = world.evidence(contract_amount_fen=2_000_000, contract_no=" ht-2019-0042 ", invoice_nos=("fp-77 ",))
    by = world.by("enterprise")

    outcomes = run_together(
        lambda i: app.claim(by, voucher_id=voucher, claim_id=uuid4(), provider_id=platform,
                            evidence=same if i % 2 else variant, fee_category="APPLICATION_SERVICE",
                            eligible_fee_fen=2_000_000)
    )

    receipts = [o for o in outcomes if not isinstance(o, LedgerError)]
    assert len(receipts) == 1
    assert codes(outcomes) == ["DUPLICATE_CLAIM"] * (THREADS - 1)
    # One claim of 0.50 × 2,000,000 = 1,000,000 fen holds the voucher and the provider quota, once.
    assert receipts[0].amount_fen == 1_000_000
    assert app.voucher(voucher).balance_fen == 100_000 * YUAN - 1_000_000
    assert app.provider_quota(platform, 2019).used_fen == 1_000_000
    assert [e.claim_id for e in app.events.get(voucher) if isinstance(e, Voucher.Claimed)] == [receipts[0].claim_id]


def test_claims_naming_the_same_invoice_through_other_providers_at_once_succeed_exactly_once(world):
    """Nothing but the invoice is shared (another voucher and another provider each), so only its key can refuse."""
    app = world.app
    vouchers = [world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id for _ in range(THREADS)]
    providers = [world.provider() for _ in range(THREADS)]
    world.advance(days=5)
    evidence = [world.evidence(contract_amount_fen=2_000_000, invoice_nos=(" fp-88" if i % 2 else "FP-88",))
                for i in range(THREADS)]
    by = world.by("enterprise")

    outcomes = run_together(lambda i: app.claim(by, voucher_id=vouchers[i], claim_id=uuid4(), provider_id=providers[i],
                                                evidence=evidence[i], fee_category="APPLICATION_SERVICE",
                                                eligible_fee_fen=2_000_000))

    receipts = [o for o in outcomes if not isinstance(o, LedgerError)]
    assert len(receipts) == 1
    assert codes(outcomes) == ["DUPLICATE_CLAIM"] * (THREADS - 1)
    claimed = [v for v in vouchers if app.voucher(v).balance_fen != 100_000 * YUAN]
    assert claimed == [receipts[0].voucher_id]


def test_claims_taking_a_released_invoice_at_once_succeed_exactly_once(world):
    """A rejection frees the invoice; of the claims that then name it together, one takes it."""
    app = world.app
    vouchers = [world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id for _ in range(THREADS)]
    platform = world.provider()
    first = world.claim(vouchers[0], platform, eligible_fee_fen=1_000_000,
                        evidence=world.evidence(contract_amount_fen=1_000_000, invoice_nos=("FP-99",)))
    app.reject_claim(world.by(), voucher_id=vouchers[0], claim_id=first.claim_id, reason="acceptance unsigned")
    world.advance(days=1)
    evidence = [world.evidence(contract_amount_fen=1_000_000, invoice_nos=("FP-99",)) for _ in range(THREADS)]
    by = world.by("enterprise")

    outcomes = run_together(lambda i: app.claim(by, voucher_id=vouchers[i], claim_id=uuid4(), provider_id=platform,
                                                evidence=evidence[i], fee_category="APPLICATION_SERVICE",
                                                eligible_fee_fen=1_000_000))

    assert len([o for o in outcomes if not isinstance(o, LedgerError)]) == 1
    assert codes(outcomes) == ["DUPLICATE_CLAIM"] * (THREADS - 1)
    assert app.provider_quota(platform, 2019).used_fen == 500_000  # one claim of 0.50 × 1,000,000 holds it


def test_concurrent_parts_of_one_contract_never_add_up_beyond_its_amount(world):
    app = world.app
    vouchers = [world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id for _ in range(THREADS)]
    platform = world.provider()
    world.advance(days=5)
    # A contract of 1,000,000 fen, claimed in parts of 300,000 with invoices of their own: three parts fit.
    evidence = [world.evidence(contract_amount_fen=1_000_000, contract_no="HT-2019-SHARED") for _ in range(THREADS)]
    by = world.by("enterprise")

    outcomes = run_together(lambda i: app.claim(by, voucher_id=vouchers[i], claim_id=uuid4(), provider_id=platform,
                                                evidence=evidence[i], fee_category="APPLICATION_SERVICE",
                                                eligible_fee_fen=300_000))

    receipts = [o for o in outcomes if not isinstance(o, LedgerError)]
    assert len(receipts) == 3
    assert codes(outcomes) == ["CONTRACT_OVERCLAIMED"] * (THREADS - 3)
    assert app.provider_quota(platform, 2019).used_fen == 3 * 150_000  # 0.50 × 300,000 per part
