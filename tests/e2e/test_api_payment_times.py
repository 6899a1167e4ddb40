"""A batch's payment time over HTTP, on both stores (a black-box review paid a batch "on 2030-01-01" in 2020 and
"on 2018-06-01" for a claim approved in 2020, and both were taken): a payment dated after the service's now is 422
``EFFECTIVE_IN_FUTURE``, one dated before its claim's approval 422 ``PAID_BEFORE_APPROVAL``, each changing nothing;
one with no ``effective_at`` is paid at the moment the ledger records it; one learned late is taken as dated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api_helpers import (
    FOSHAN, assert_problem, iso, module_store_settings, ok, patched_clock, running_api, store_params,
)

T_SETUP = datetime(2020, 3, 2, 1, 0, tzinfo=UTC)
T_APPROVE = datetime(2020, 3, 9, 1, 0, tzinfo=UTC)
T_PAY = datetime(2020, 3, 25, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(T_SETUP) as clock, running_api(settings, clock) as api:
        api.setup_year()
        provider = api.whitelisted_provider()

        def approved_batch() -> tuple[str, str, str]:
            enterprise = api.eligible_enterprise(FOSHAN)  # one voucher of an item per enterprise and year
            voucher = ok(api.issue(enterprise, "APP-ERP"), 201)["voucher_id"]
            claim = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=1_000_000)), 201)["claim_id"]
            ok(api.approve(voucher, claim))
            batch = api.open_batch(provider, "2020-03")
            ok(api.add_to_batch(batch, voucher, claim))
            return voucher, claim, batch

        clock.set(T_APPROVE)
        yield api, clock, approved_batch


def paid(api, batch: str) -> bool:
    return ok(api.get(f"/v1/settlement-batches/{batch}"))["paid"]


def test_a_payment_dated_after_now_or_before_the_approval_is_refused_and_changes_nothing(world):
    api, clock, approved_batch = world
    voucher, _, batch = approved_batch()
    clock.set(T_PAY)
    events = api.event_count()
    path = f"/v1/settlement-batches/{batch}/payment"
    assert_problem(api.post(path, {"effective_at": iso(T_PAY + timedelta(days=1))}), 422, "EFFECTIVE_IN_FUTURE")
    refused = assert_problem(api.post(path, {"effective_at": iso(T_APPROVE - timedelta(seconds=1))}), 422,
                             "PAID_BEFORE_APPROVAL")
    assert "2020-03-09T09:00:00+08:00" in refused["detail"]  # the approval's time, as Guangdong reads it
    assert api.event_count() == events and not paid(api, batch)
    assert ok(api.get(f"/v1/vouchers/{voucher}"))["settled_fen"] == 0
    # Learned late: paid the day after the approval, recorded now, is taken as dated.
    ok(api.post(path, {"effective_at": iso(T_APPROVE + timedelta(days=1))}))
    batch_now = ok(api.get(f"/v1/settlement-batches/{batch}"))
    assert batch_now["paid"] and batch_now["paid_us"] == int((T_APPROVE + timedelta(days=1)).timestamp() * 1e6)


def test_a_payment_without_a_time_is_paid_when_recorded(world):
    api, clock, approved_batch = world
    voucher, _, batch = approved_batch()
    clock.set(T_PAY)
    ok(api.post(f"/v1/settlement-batches/{batch}/payment", {}))
    answer = ok(api.get(f"/v1/settlement-batches/{batch}"))
    assert answer["paid"] and answer["paid_us"] == int(T_PAY.timestamp() * 1e6)
    assert ok(api.get(f"/v1/vouchers/{voucher}"))["settled_fen"] == 500_000  # APP-ERP pays 50 % of 1,000,000
