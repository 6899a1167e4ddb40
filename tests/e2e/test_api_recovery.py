"""Recovery collections and write-offs over HTTP, on both stores: the province records them (Idempotency-Key
required), nobody else may; the answers of the city's spend, the provider's receivables and the batch show them, and
as of a time before a collection the recovery is still outstanding.

Figures (Foshan co-funds 33 %, APP-ERP pays 50 %): claim A, eligible fee 3,333,333 → 1,666,666 fen (rounded down);
city 0.33 × 1,666,666 = 549,999.78 → 549,999, province 1,116,667. Paid, then reversed: a recovery of 1,666,666.
Collection of 1,000,000: city 1,000,000 × 549,999 / 1,666,666 = 329,999.53… → 329,999, province 670,001. Then the
rest, 666,666, is written off: city 549,999 − 329,999 = 220,000, province 1,116,667 − 670,001 = 446,666.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api_helpers import (
    FOSHAN, assert_problem, iso, module_store_settings, ok, patched_clock, running_api, store_params,
)

T_SETUP = datetime(2020, 3, 2, 1, 0, tzinfo=UTC)
T_PAY = datetime(2020, 3, 25, 1, 0, tzinfo=UTC)
T_REVERSE = datetime(2020, 4, 10, 1, 0, tzinfo=UTC)
T_COLLECT = datetime(2020, 5, 6, 1, 0, tzinfo=UTC)
T_WRITE_OFF = datetime(2020, 9, 1, 1, 0, tzinfo=UTC)
RAISED, RAISED_CITY = 1_666_666, 549_999
COLLECTED, COLLECTED_CITY = 1_000_000, 329_999
WRITTEN_OFF, WRITTEN_OFF_CITY = RAISED - COLLECTED, RAISED_CITY - COLLECTED_CITY


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory) -> dict[str, Any]:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(T_SETUP) as clock, running_api(settings, clock) as api:
        api.setup_year()
        enterprise = api.eligible_enterprise(FOSHAN)
        provider = api.whitelisted_provider()
        voucher = ok(api.issue(enterprise, "APP-ERP"), 201)["voucher_id"]
        clock.advance(days=5)
        claim = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=3_333_333)), 201)
        assert claim["amount_fen"] == RAISED
        ok(api.approve(voucher, claim["claim_id"]))
        batch = api.open_batch(provider, "2020-03")
        ok(api.add_to_batch(batch, voucher, claim["claim_id"]))
        clock.set(T_PAY)
        ok(api.pay(batch))
        clock.set(T_REVERSE)
        # dated between the batch's opening and its payment: no recovery before the money went out (nothing written)
        events = api.event_count()
        early = api.post(f"/v1/vouchers/{voucher}/claims/{claim['claim_id']}/reversal",
                         {"reason": "failed spot check", "effective_at": iso(T_PAY - timedelta(hours=13))})
        assert_problem(early, 422, "RECOVERY_BEFORE_PAYMENT")
        assert api.event_count() == events
        assert ok(api.reverse(voucher, claim["claim_id"]))["recovery_fen"] == RAISED
        yield {"api": api, "clock": clock, "batch": batch, "claim": claim["claim_id"], "provider": provider,
               "recoveries": f"/v1/settlement-batches/{batch}/recoveries/{claim['claim_id']}"}


def test_only_the_province_collects_and_writes_off_and_only_with_an_idempotency_key(world):
    api, path = world["api"], world["recoveries"]
    body = {"amount_fen": 1, "bank_reference": "BOC-1", "effective_at": iso(T_REVERSE + timedelta(days=1))}
    events = api.event_count()
    for role in ("auditor", f"city:{FOSHAN}", f"provider:{world['provider'].uscc}"):
        assert_problem(api.post(f"{path}/collections", body, role=role), 403, "FORBIDDEN")
        assert_problem(api.post(f"{path}/write-off", {"reason": "x", "effective_at": body["effective_at"]},
                                role=role), 403, "FORBIDDEN")
    assert_problem(api.post(f"{path}/collections", body, key=None), 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert_problem(api.post(f"{path}/write-off", {"reason": "x", "effective_at": body["effective_at"]}, key=None),
                   400, "IDEMPOTENCY_KEY_REQUIRED")
    assert api.event_count() == events


def test_collect_then_write_off_and_every_answer_shows_it(world):
    api, clock, path = world["api"], world["clock"], world["recoveries"]
    clock.set(T_COLLECT)
    events = api.event_count()
    too_much = {"amount_fen": RAISED + 1, "bank_reference": "BOC-2020-0417", "effective_at": iso(T_COLLECT)}
    assert_problem(api.post(f"{path}/collections", too_much), 409, "RECOVERY_OVER_COLLECTED")
    assert api.event_count() == events

    body = {**too_much, "amount_fen": COLLECTED}
    collected = ok(api.post(f"{path}/collections", body, key="collect-1"))
    assert collected == {"batch_id": world["batch"], "claim_id": world["claim"], "amount_fen": COLLECTED,
                         "city_portion_fen": COLLECTED_CITY, "province_portion_fen": COLLECTED - COLLECTED_CITY,
                         "outstanding_fen": RAISED - COLLECTED}
    assert ok(api.post(f"{path}/collections", body, key="collect-1")) == collected  # a retry: same answer, once
    # the same transfer entered again as a new request: refused, nothing written (one bank reference per recovery)
    events = api.event_count()
    for n, reference in enumerate(("BOC-2020-0417", "ＢＯＣ－２０２０－０４１７")):
        assert_problem(api.post(f"{path}/collections", {**body, "amount_fen": 1, "bank_reference": reference},
                                key=f"collect-again-{n}"), 409, "DUPLICATE_COLLECTION")
    assert api.event_count() == events
    clock.set(T_WRITE_OFF)
    off = ok(api.post(f"{path}/write-off", {"reason": "provider deregistered", "effective_at": iso(T_WRITE_OFF)}))
    assert (off["amount_fen"], off["city_portion_fen"], off["outstanding_fen"]) == (WRITTEN_OFF, WRITTEN_OFF_CITY, 0)
    assert_problem(api.post(f"{path}/write-off", {"reason": "again", "effective_at": iso(T_WRITE_OFF)}), 409,
                   "RECOVERY_CLOSED")

    def spend(as_of):
        lines = ok(api.get(f"/v1/cities/{FOSHAN}/spend", as_of=iso(as_of), year=2020))["lines"]
        out: dict[str, list[int]] = {}
        for line in lines:
            figure = out.setdefault(line["stage"], [0, 0])
            figure[0] += line["amount_fen"]
            figure[1] += line["amount_fen"] if line["fund_source"] == "city" else 0
        return {k: tuple(v) for k, v in out.items()}

    clock.advance(hours=1)
    now = spend(T_WRITE_OFF + timedelta(hours=1))
    assert now["settled"] == now["recovered"] == (RAISED, RAISED_CITY)
    assert now["spend"] == (0, 0)
    assert now["collected"] == (COLLECTED, COLLECTED_CITY)
    assert now["written_off"] == (WRITTEN_OFF, WRITTEN_OFF_CITY)
    assert now["outstanding"] == (0, 0)
    assert now["cash_out"] == (RAISED - COLLECTED, RAISED_CITY - COLLECTED_CITY)
    before = spend(T_COLLECT - timedelta(seconds=1))  # after the reversal, before the collection
    assert (before["collected"], before["outstanding"]) == ((0, 0), (RAISED, RAISED_CITY))
    assert before["cash_out"] == (RAISED, RAISED_CITY)
    only = ok(api.get(f"/v1/cities/{FOSHAN}/spend", as_of=iso(T_COLLECT), stage="outstanding"))["lines"]
    assert {line["stage"] for line in only} == {"outstanding"}
    assert sum(line["amount_fen"] for line in only) == RAISED - COLLECTED

    provider = ok(api.get(f"/v1/providers/{world['provider'].id}", as_of=iso(T_COLLECT)))
    assert (provider["recoveries_raised_fen"], provider["recoveries_collected_fen"],
            provider["recoveries_due_fen"]) == (RAISED, COLLECTED, RAISED - COLLECTED)
    later = ok(api.get(f"/v1/providers/{world['provider'].id}", as_of=iso(T_WRITE_OFF)))
    assert (later["recoveries_written_off_fen"], later["recoveries_due_fen"]) == (WRITTEN_OFF, 0)

    batch = ok(api.get(f"/v1/settlement-batches/{world['batch']}", as_of=iso(T_WRITE_OFF)))
    assert [(c["amount_fen"], c["city_fen"], c["reference"]) for c in batch["collections"]] == [
        (COLLECTED, COLLECTED_CITY, "BOC-2020-0417")]
    assert [(w["amount_fen"], w["reference"]) for w in batch["write_offs"]] == [(WRITTEN_OFF, "provider deregistered")]
    assert (batch["total_recoveries_fen"], batch["total_collections_fen"], batch["total_write_offs_fen"],
            batch["recoveries_outstanding_fen"]) == (RAISED, COLLECTED, WRITTEN_OFF, 0)
    earlier = ok(api.get(f"/v1/settlement-batches/{world['batch']}", as_of=iso(T_COLLECT - timedelta(seconds=1))))
    assert (earlier["collections"], earlier["recoveries_outstanding_fen"]) == ([], RAISED)

    tb = ok(api.get("/v1/trial-balance", as_of=iso(T_WRITE_OFF), role="province"))
    accounts = {line["account"]: line["balance_fen"] for line in tb["accounts"]}
    assert tb["balanced"] and accounts["RECOVERIES_RECEIVABLE"] == 0
    assert (accounts["RECOVERIES_COLLECTED"], accounts["RECOVERIES_WRITTEN_OFF"]) == (COLLECTED, WRITTEN_OFF)
