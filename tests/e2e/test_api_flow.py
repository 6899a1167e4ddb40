"""The Settlement API end to end, on both stores: one programme year run through the HTTP routes only, then every
query as of times before and after each step.

The year (fiscal 2020, Foshan co-funds 33 %): the province sets carrier rates, publishes the catalogue, sets the
city quota; registers an enterprise and grants its eligibility; admits a platform, which passes its assessment and
gets a quota. Two vouchers are issued (application service, face 99,999.99 RMB; device access, 50,000 RMB). Three
claims: A (by the province) and B (by the enterprise itself) on the application voucher, C on the device voucher
(capped by its balance). A and C are approved, B rejected; A and C go into a batch that is paid; A is reversed after
payment (a recovery). Every expected figure below is worked out from the amounts sent and DOMAIN.md's rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api_helpers import (
    ANSWERED, CARRIER_RATES, CITY_QUOTAS, DONGGUAN, FOSHAN, ITEM, PROVIDER_QUOTA_FEN, YEAR, assert_problem, floor_rate, iso,
    module_store_settings, ok, patched_clock, running_api, split, store_params,
)

SHARE = CITY_QUOTAS[FOSHAN][1]
# The timeline (UTC; Guangdong is 8 hours ahead).
T_SETUP = datetime(2020, 3, 2, 1, 0, tzinfo=UTC)
T_ADMIT = datetime(2020, 3, 2, 2, 0, tzinfo=UTC)
T_ASSESS = datetime(2020, 3, 2, 3, 0, tzinfo=UTC)
T_ISSUE = datetime(2020, 3, 3, 1, 0, tzinfo=UTC)
T_CLAIM = datetime(2020, 3, 10, 1, 0, tzinfo=UTC)
T_REVIEW = datetime(2020, 3, 12, 1, 0, tzinfo=UTC)
T_BATCH = datetime(2020, 3, 20, 1, 0, tzinfo=UTC)
T_PAY = datetime(2020, 3, 25, 1, 0, tzinfo=UTC)
T_REVERSE = datetime(2020, 4, 10, 1, 0, tzinfo=UTC)
T_END = datetime(2020, 4, 11, 1, 0, tzinfo=UTC)
HOUR, SECOND = timedelta(hours=1), timedelta(seconds=1)

# The amounts sent, and what DOMAIN.md says they are worth.
FEE_A, FEE_B, FEE_C = 3_333_333, 2_000_001, 20_000_000
FACE_1, FACE_2 = ITEM["APP-ERP"]["cap_fen"], ITEM["DEV-ACCESS"]["cap_fen"]
AMOUNT_A = floor_rate(FEE_A, ITEM["APP-ERP"]["rate"])  # 1,666,666.5 -> 1,666,666
AMOUNT_B = floor_rate(FEE_B, ITEM["APP-ERP"]["rate"])  # 1,000,000.5 -> 1,000,000
AMOUNT_C = min(floor_rate(FEE_C, ITEM["DEV-ACCESS"]["rate"]), FACE_2)  # 6,000,000 capped by the balance: 5,000,000


@pytest.fixture(scope="module", params=store_params())
def flow(request, tmp_path_factory) -> dict[str, Any]:
    """Run the year through the API; keep every id and every command's response for the tests below."""
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(T_SETUP) as clock, running_api(settings, clock) as api:
        out: dict[str, Any] = {"api": api, "clock": clock}
        out["setup"] = api.setup_year()
        enterprise = out["enterprise"] = api.register(FOSHAN)
        out["eligibility"] = api.decide(enterprise)
        clock.set(T_ADMIT)
        provider = out["provider"] = api.admit()
        clock.set(T_ASSESS)
        out["assessment"] = api.assess(provider)
        out["provider_quota"] = api.provider_quota(provider)

        clock.set(T_ISSUE)
        v1 = out["v1"] = ok(api.issue(enterprise, "APP-ERP"), 201)
        v2 = out["v2"] = ok(api.issue(enterprise, "DEV-ACCESS"), 201)

        clock.set(T_CLAIM)
        out["claim_a_key"] = "claim-a"
        a = out["a"] = ok(api.claim(v1["voucher_id"], api.claim_body(provider, eligible_fee_fen=FEE_A),
                                    key="claim-a"), 201)
        body_b = api.claim_body(provider, eligible_fee_fen=FEE_B, contract_amount_fen=2_200_000)
        body_b["payment_proven_fen"] = 1_980_000  # exactly 90 % of the contract: enough
        b = out["b"] = ok(api.claim(v1["voucher_id"], body_b, role=f"enterprise:{enterprise.uscc}"), 201)
        c = out["c"] = ok(api.claim(v2["voucher_id"], api.claim_body(provider, eligible_fee_fen=FEE_C,
                                                                     fee_category="DEVICE_ACCESS")), 201)
        clock.set(T_REVIEW)
        out["approve_a"] = ok(api.approve(v1["voucher_id"], a["claim_id"]))
        out["approve_c"] = ok(api.approve(v2["voucher_id"], c["claim_id"]))
        out["reject_b"] = ok(api.reject(v1["voucher_id"], b["claim_id"]))
        clock.set(T_BATCH)
        batch = out["batch"] = api.open_batch(provider, "2020-03")
        out["add_a"] = ok(api.add_to_batch(batch, v1["voucher_id"], a["claim_id"]))
        out["add_c"] = ok(api.add_to_batch(batch, v2["voucher_id"], c["claim_id"]))
        clock.set(T_PAY)
        out["pay"] = ok(api.pay(batch))
        clock.set(T_REVERSE)
        out["reverse_a"] = ok(api.reverse(v1["voucher_id"], a["claim_id"]))
        clock.set(T_END)
        yield out


def _api(flow):
    return flow["api"]


# -- the commands' own answers ------------------------------------------------------------------------------------
def test_set_up_commands_answer_with_ids_and_statuses(flow):
    assert all("id" in created for created in flow["setup"].values())
    eligibility = flow["eligibility"]
    assert eligibility["enterprise_id"] == flow["enterprise"].id and eligibility["year"] == YEAR
    assert eligibility["granted"] is True and eligibility["network_discount_id"]  # the carrier discount, automatic
    assert flow["assessment"] == {"provider_id": flow["provider"].id, "status": "WHITELISTED"}


def test_issuance_splits_the_face_value_rounding_the_city_portion_down(flow):
    for voucher, face in ((flow["v1"], FACE_1), (flow["v2"], FACE_2)):
        city, province = split(face, SHARE)
        assert (voucher["face_value_fen"], voucher["city_portion_fen"], voucher["province_portion_fen"]) == (
            face, city, province)
        assert voucher["city_portion_fen"] + voucher["province_portion_fen"] == face
        # valid until the end of the redemption deadline (2021-02-08) in Guangdong
        assert datetime.fromisoformat(voucher["expires_at"]) == datetime(2021, 2, 8, 16, 0, tzinfo=UTC)
    assert flow["v1"]["city_portion_fen"] == 3_299_999  # 9,999,999 × 0.33 = 3,299,999.67, rounded down


def test_claims_subsidise_rate_times_fee_rounded_down_capped_by_the_balance(flow):
    a, b, c = flow["a"], flow["b"], flow["c"]
    assert (a["amount_fen"], a["balance_after_fen"]) == (AMOUNT_A, FACE_1 - AMOUNT_A)
    assert (b["amount_fen"], b["balance_after_fen"]) == (AMOUNT_B, FACE_1 - AMOUNT_A - AMOUNT_B)
    assert (c["amount_fen"], c["balance_after_fen"]) == (FACE_2, 0)  # capped: 30 % of 20,000,000 is more
    assert a["voucher_id"] == flow["v1"]["voucher_id"] and c["voucher_id"] == flow["v2"]["voucher_id"]
    assert len({a["claim_id"], b["claim_id"], c["claim_id"]}) == 3


def test_review_and_settlement_commands(flow):
    a, b, c = flow["a"], flow["b"], flow["c"]
    assert flow["reject_b"]["claim_id"] == b["claim_id"]
    assert flow["approve_a"]["status"] == "APPROVED" and flow["approve_a"]["freed_fen"] == 0
    assert (flow["approve_a"]["voucher_id"], flow["approve_a"]["claim_id"]) == (a["voucher_id"], a["claim_id"])
    assert flow["reject_b"]["status"] == "REJECTED" and flow["reject_b"]["freed_fen"] == AMOUNT_B
    assert flow["add_c"]["claim_id"] == c["claim_id"]
    pay = flow["pay"]
    assert pay["batch_id"] == flow["batch"]
    assert sorted(pay["settled_claims"]) == sorted([a["claim_id"], c["claim_id"]]) and pay["dropped_claims"] == []
    assert pay["total_fen"] == AMOUNT_A + AMOUNT_C
    (city_a, province_a), (city_c, province_c) = split(AMOUNT_A, SHARE), split(AMOUNT_C, SHARE)
    assert pay["by_city"] == {FOSHAN: {"city_fen": city_a + city_c, "province_fen": province_a + province_c}}
    # after payment nothing goes back to the balance: the amount is to be recovered from the provider
    reverse = flow["reverse_a"]
    assert (reverse["status"], reverse["freed_fen"], reverse["recovery_fen"]) == ("REVERSED", 0, AMOUNT_A)


# -- voucher as of ------------------------------------------------------------------------------------------------
def _voucher(flow, as_of: datetime | str | None, voucher: str = "v1", role: str = "auditor"):
    when = as_of if as_of is None or isinstance(as_of, str) else iso(as_of)
    return _api(flow).get(f"/v1/vouchers/{flow[voucher]['voucher_id']}", role=role, as_of=when)


def test_voucher_did_not_exist_before_issuance(flow):
    assert_problem(_voucher(flow, T_ISSUE - SECOND), 404, "NOT_FOUND")


@pytest.mark.parametrize("moment, claimed, approved, settled, reversed_, recovered, remaining", [
    (T_ISSUE, 0, 0, 0, 0, 0, FACE_1),
    (T_CLAIM + HOUR, AMOUNT_A + AMOUNT_B, 0, 0, 0, 0, FACE_1 - AMOUNT_A - AMOUNT_B),
    (T_REVIEW + HOUR, 0, AMOUNT_A, 0, 0, 0, FACE_1 - AMOUNT_A),  # B rejected: its amount is back
    (T_PAY + HOUR, 0, 0, AMOUNT_A, 0, 0, FACE_1 - AMOUNT_A),
    # reversed after payment: the money went out and is now due back; the balance is not freed
    (T_END, 0, 0, AMOUNT_A, AMOUNT_A, AMOUNT_A, FACE_1 - AMOUNT_A),
], ids=["issued", "claimed", "reviewed", "paid", "reversed"])
def test_voucher_balance_as_of(flow, moment, claimed, approved, settled, reversed_, recovered, remaining):
    body = ok(_voucher(flow, moment))
    assert datetime.fromisoformat(body["as_of"]) == moment
    assert body["voucher_id"] == flow["v1"]["voucher_id"] and body["enterprise_id"] == flow["enterprise"].id
    assert (body["city"], body["programme_year"], body["fee_category"]) == (FOSHAN, YEAR, "APPLICATION_SERVICE")
    assert body["status"] == "ACTIVE" and body["face_value_fen"] == FACE_1 and body["returned_fen"] == 0
    assert (body["claimed_fen"], body["approved_fen"], body["settled_fen"], body["reversed_fen"],
            body["recovered_fen"], body["remaining_fen"]) == (claimed, approved, settled, reversed_, recovered,
                                                              remaining)


def test_voucher_as_of_takes_any_offset_and_defaults_to_now(flow):
    utc = ok(_voucher(flow, "2020-03-10T01:30:00Z"))
    guangdong = ok(_voucher(flow, "2020-03-10T09:30:00+08:00"))
    assert {**utc, "as_of": None} == {**guangdong, "as_of": None}
    assert utc["claimed_fen"] == AMOUNT_A + AMOUNT_B
    now = ok(_voucher(flow, None))  # the service's clock stands at T_END
    assert datetime.fromisoformat(now["as_of"]) == T_END
    assert {**now, "as_of": None} == {**ok(_voucher(flow, T_END)), "as_of": None}


def test_exhausted_voucher_has_nothing_left(flow):
    body = ok(_voucher(flow, T_END, "v2"))
    assert (body["settled_fen"], body["remaining_fen"], body["face_value_fen"]) == (FACE_2, 0, FACE_2)


def test_the_enterprise_and_its_city_read_the_voucher_too(flow):
    enterprise = flow["enterprise"]
    as_auditor = ok(_voucher(flow, T_END))
    assert ok(_voucher(flow, T_END, role=f"enterprise:{enterprise.uscc}")) == as_auditor
    assert ok(_voucher(flow, T_END, role=f"city:{FOSHAN}")) == as_auditor


# -- enterprise, provider ---------------------------------------------------------------------------------------
def test_enterprise_totals_as_of(flow):
    api, enterprise = _api(flow), flow["enterprise"]
    before = ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(T_ISSUE - SECOND)))
    assert (before["uscc"], before["city"], before["years"]) == (enterprise.uscc, FOSHAN, [])
    body = ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(T_END)))
    assert body["enterprise_id"] == enterprise.id and body["name"].startswith("Factory")
    assert body["years"] == [{
        "programme_year": YEAR, "vouchers": 2, "face_value_fen": FACE_1 + FACE_2, "claimed_fen": 0, "approved_fen": 0,
        "settled_fen": AMOUNT_A + AMOUNT_C, "reversed_fen": AMOUNT_A, "recovered_fen": AMOUNT_A, "returned_fen": 0,
        "remaining_fen": FACE_1 + FACE_2 - AMOUNT_A - AMOUNT_C,
    }]
    claimed = ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(T_CLAIM + HOUR)))["years"][0]
    assert claimed["claimed_fen"] == AMOUNT_A + AMOUNT_B + AMOUNT_C and claimed["settled_fen"] == 0


@pytest.mark.parametrize("moment, pending, unsettled, settled, recoveries", [
    (T_ISSUE, 0, 0, 0, 0),
    (T_CLAIM + HOUR, AMOUNT_A + AMOUNT_B + AMOUNT_C, 0, 0, 0),
    (T_REVIEW + HOUR, 0, AMOUNT_A + AMOUNT_C, 0, 0),
    (T_PAY + HOUR, 0, 0, AMOUNT_A + AMOUNT_C, 0),
    (T_END, 0, 0, AMOUNT_A + AMOUNT_C, AMOUNT_A),
], ids=["issued", "claimed", "reviewed", "paid", "reversed"])
def test_provider_receivable_as_of(flow, moment, pending, unsettled, settled, recoveries):
    provider = flow["provider"]
    body = ok(_api(flow).get(f"/v1/providers/{provider.id}", role=f"provider:{provider.uscc}", as_of=iso(moment)))
    assert body["provider_id"] == provider.id and body["status"] == "WHITELISTED" and body["held_fen"] == 0
    assert (body["claimed_pending_fen"], body["approved_unsettled_fen"], body["settled_fen"],
            body["recoveries_due_fen"]) == (pending, unsettled, settled, recoveries)
    quota = body["quotas"][str(YEAR)]
    assert quota["quota_set_fen"] == PROVIDER_QUOTA_FEN
    if moment < T_REVERSE:  # what claims hold of the quota: all but the rejected B, once reviewed
        held = pending + unsettled + settled
        assert quota["quota_used_fen"] == held and quota["quota_remaining_fen"] == PROVIDER_QUOTA_FEN - held
    assert [b["batch_id"] for b in body["batches"]] == ([flow["batch"]] if moment >= T_BATCH else [])


def test_provider_whitelist_history(flow):
    provider = flow["provider"]
    history = ok(_api(flow).get(f"/v1/providers/{provider.id}", as_of=iso(T_END)))["whitelist_history"]
    assert [(h["event_type"], h["status"]) for h in history] == [
        ("Provider.Admitted", "PENDING_ASSESSMENT"), ("Provider.AssessmentRecorded", None),
        ("Provider.Whitelisted", "WHITELISTED")]
    assert history[1]["area"] == "NETWORK" and history[1]["passed"] in (True, 1)
    before = _api(flow).get(f"/v1/providers/{provider.id}", as_of=iso(T_ADMIT - SECOND))
    assert_problem(before, 404, "PROVIDER_NOT_FOUND")  # not admitted yet: no provider then


# -- city spend ---------------------------------------------------------------------------------------------------
def _spend(flow, as_of: datetime = T_END, city: str = FOSHAN, **filters):
    return ok(_api(flow).get(f"/v1/cities/{city}/spend", role=f"city:{city}", as_of=iso(as_of), **filters))


def _total(lines, *, stage: str, source: str, category: str | None = None) -> int:
    return sum(line["amount_fen"] for line in lines if line["stage"] == stage and line["fund_source"] == source
               and (category is None or line["fee_category"] == category))


def test_city_spend_after_the_year(flow):
    body = _spend(flow, year=YEAR)
    assert body["city"] == FOSHAN
    lines = body["lines"]
    assert {(line["programme_year"], line["cash_year"]) for line in lines} == {(YEAR, YEAR)}
    (city_a, prov_a), (city_c, prov_c) = split(AMOUNT_A, SHARE), split(AMOUNT_C, SHARE)
    app, dev = "APPLICATION_SERVICE", "DEVICE_ACCESS"
    expected = {  # (stage, source, category): amount
        ("settled", "city", app): city_a, ("settled", "province", app): prov_a,
        ("settled", "city", dev): city_c, ("settled", "province", dev): prov_c,
        ("recovered", "city", app): city_a, ("recovered", "province", app): prov_a,
        ("recovered", "city", dev): 0, ("recovered", "province", dev): 0,
        ("reversed", "city", app): city_a, ("reversed", "province", app): prov_a,
        ("spend", "city", app): 0, ("spend", "province", app): 0,  # settled minus recovered
        ("spend", "city", dev): city_c, ("spend", "province", dev): prov_c,
        ("claimed", "city", app): 0, ("approved", "province", dev): 0,
    }
    for (stage, source, category), amount in expected.items():
        assert _total(lines, stage=stage, source=source, category=category) == amount, (stage, source, category)
    face = FACE_1 + FACE_2
    quota_set = CITY_QUOTAS[FOSHAN][0]
    assert body["quotas"] == {str(YEAR): {"quota_set_fen": quota_set, "issued_fen": face, "quota_used_fen": face,
                                          "quota_remaining_fen": quota_set - face}}


@pytest.mark.parametrize("filters, stage, source, category, expected", [
    ({"fee_category": "DEVICE_ACCESS", "fund_source": "city", "stage": "spend"}, "spend", "city", "DEVICE_ACCESS",
     split(AMOUNT_C, SHARE)[0]),
    ({"stage": "recovered", "fund_source": "province"}, "recovered", "province", None, split(AMOUNT_A, SHARE)[1]),
    ({"stage": "settled"}, "settled", None, None, AMOUNT_A + AMOUNT_C),
    ({"year": YEAR, "year_kind": "cash", "stage": "spend"}, "spend", None, None, AMOUNT_C),
    ({"fee_category": "NETWORK_RENOVATION"}, None, None, "NETWORK_RENOVATION", 0),
], ids=["category-source-stage", "recovered-province", "settled", "cash-year", "no-such-claims"])
def test_city_spend_filters_narrow_the_lines(flow, filters, stage, source, category, expected):
    lines = _spend(flow, **filters)["lines"]
    for line in lines:
        assert stage is None or line["stage"] == stage
        assert source is None or line["fund_source"] == source
        assert category is None or line["fee_category"] == category
    assert sum(line["amount_fen"] for line in lines) == expected


def test_city_spend_by_year(flow):
    for filters in ({"year": 2019}, {"year": 2021, "year_kind": "cash"}):
        body = _spend(flow, **filters)
        assert body["lines"] == [] or all(line["amount_fen"] == 0 for line in body["lines"])
    assert _spend(flow, year=2019)["quotas"] == {}
    cash = _spend(flow, year=YEAR, year_kind="cash")["lines"]
    programme = _spend(flow, year=YEAR)["lines"]
    assert sorted(map(str, cash)) == sorted(map(str, programme))  # all money of 2020 moved in 2020


@pytest.mark.parametrize("moment, stage, expected", [
    (T_CLAIM + HOUR, "claimed", AMOUNT_A + AMOUNT_B + AMOUNT_C),
    (T_REVIEW + HOUR, "claimed", 0),
    (T_REVIEW + HOUR, "approved", AMOUNT_A + AMOUNT_C),
    (T_PAY - SECOND, "settled", 0),
    (T_PAY + SECOND, "settled", AMOUNT_A + AMOUNT_C),
    (T_PAY + SECOND, "spend", AMOUNT_A + AMOUNT_C),
    (T_REVERSE - SECOND, "recovered", 0),
    (T_REVERSE, "spend", AMOUNT_C),
], ids=["claimed", "reviewed", "approved", "before-pay", "paid", "spend-paid", "before-reversal", "spend-reversed"])
def test_city_spend_as_of(flow, moment, stage, expected):
    assert sum(line["amount_fen"] for line in _spend(flow, moment, stage=stage)["lines"]) == expected


def test_another_city_spent_nothing(flow):
    body = _spend(flow, city=DONGGUAN)
    assert all(line["amount_fen"] == 0 for line in body["lines"])
    quota_set = CITY_QUOTAS[DONGGUAN][0]
    assert body["quotas"] == {str(YEAR): {"quota_set_fen": quota_set, "issued_fen": 0, "quota_used_fen": 0,
                                          "quota_remaining_fen": quota_set}}


# -- whitelist, settlement batch -----------------------------------------------------------------------------------
def _listed(flow, as_of: datetime) -> dict[str, Any] | None:
    body = ok(_api(flow).get("/v1/whitelist", role=f"enterprise:{flow['enterprise'].uscc}", as_of=iso(as_of)))
    found = [p for p in body["providers"] if p["provider_id"] == flow["provider"].id]
    return found[0] if found else None


def test_whitelist_as_of_before_admission_and_after(flow):
    assert _listed(flow, T_ADMIT - SECOND) is None
    assert _listed(flow, T_ADMIT + HOUR / 2)["status"] == "PENDING_ASSESSMENT"
    entry = _listed(flow, T_ASSESS)
    assert entry == {"provider_id": flow["provider"].id, "uscc": flow["provider"].uscc, "name": entry["name"],
                     "kind": "PLATFORM", "status": "WHITELISTED", "eliminated_this_year": False}
    assert _listed(flow, T_END)["status"] == "WHITELISTED"


def _batch(flow, as_of: datetime):
    provider = flow["provider"]
    return _api(flow).get(f"/v1/settlement-batches/{flow['batch']}", role=f"provider:{provider.uscc}",
                          as_of=iso(as_of))


def test_settlement_batch_as_of_before_and_after_payment(flow):
    a, c = flow["a"], flow["c"]
    assert_problem(_batch(flow, T_BATCH - SECOND), 404, "NOT_FOUND")
    before = ok(_batch(flow, T_BATCH + HOUR))
    assert (before["provider_id"], before["period"], before["paid"]) == (flow["provider"].id, "2020-03", False)
    assert before["settled"] == [] and before["total_settled_fen"] == 0 and before["recoveries"] == []
    expected_lines = {}
    for claim, voucher in ((a, flow["v1"]), (c, flow["v2"])):
        city, province = split(claim["amount_fen"], SHARE)
        expected_lines[claim["claim_id"]] = (voucher["voucher_id"], FOSHAN, claim["amount_fen"], city, province)

    def lines(section):
        return {line["claim_id"]: (line["voucher_id"], line["city"], line["amount_fen"], line["city_fen"],
                                   line["province_fen"]) for line in section}

    assert lines(before["lines"]) == expected_lines
    paid = ok(_batch(flow, T_PAY))
    assert paid["paid"] is True and lines(paid["settled"]) == expected_lines
    assert paid["total_settled_fen"] == AMOUNT_A + AMOUNT_C and paid["recoveries"] == []
    assert paid["paid_us"] == int(T_PAY.timestamp()) * 1_000_000
    after = ok(_batch(flow, T_END))
    assert lines(after["recoveries"]) == {a["claim_id"]: expected_lines[a["claim_id"]]}
    assert after["total_recoveries_fen"] == AMOUNT_A and after["total_settled_fen"] == AMOUNT_A + AMOUNT_C
    # the provider's list of its batches says the same as the batch, before and after its payment
    for moment, batch in ((T_BATCH + HOUR, before), (T_PAY, paid), (T_END, after)):
        provider = ok(_api(flow).get(f"/v1/providers/{flow['provider'].id}", as_of=iso(moment)))
        (listed,) = [b for b in provider["batches"] if b["batch_id"] == batch["batch_id"]]
        assert (listed["paid"], listed["paid_us"], listed["total_settled_fen"]) == (
            batch["paid"], batch["paid_us"], batch["total_settled_fen"])


# -- audit trail and event feed -----------------------------------------------------------------------------------
def _pages(api, path: str, limit: int, **params) -> list[dict[str, Any]]:
    items, after = [], 0
    for _ in range(1_000):
        page = ok(api.get(path, after=after, limit=limit, **params))
        items.extend(page["items"])
        if page["next_after"] is None:
            assert len(page["items"]) < limit
            return items
        assert page["next_after"] == page["items"][-1]["position"] and len(page["items"]) == limit
        after = page["next_after"]
    raise AssertionError("the cursor never ended")


def test_event_feed_pages_are_the_whole_ordered_history(flow):
    api = _api(flow)
    everything = ok(api.get("/v1/events", limit=1000))["items"]
    positions = [e["position"] for e in everything]
    assert positions == sorted(set(positions))
    recorded = [n.id for n in api.client.app.state.backend.ledger.recorder.select_notifications(1, 10_000)
                if n.topic != ANSWERED]  # the answers kept under idempotency keys are not the programme's facts
    assert positions == recorded  # every event of the store, none twice, in the ledger's order
    assert _pages(api, "/v1/events", 7) == everything
    # The store's set-up when the service opened it (a training store: its mark, then the default programme), then
    # the province's first commands.
    assert [e["event_type"] for e in everything[:2]] == ["TrainingMark.Marked", "Programme.Defined"]
    commands = [e["event_type"] for e in everything if e["event_type"].split(".")[0] not in ("Programme", "ProgrammeYear")]
    assert commands[1:4] == ["CarrierDiscountRates.Set", "Catalogue.Published", "CityQuota.Set"]


def test_event_feed_type_filter_and_times(flow):
    api = _api(flow)
    claimed = ok(api.get("/v1/events", event_type="Voucher.Claimed"))["items"]
    assert [e["originator_id"] for e in claimed] == [flow["v1"]["voucher_id"]] * 2 + [flow["v2"]["voucher_id"]]
    both = _pages(api, "/v1/events", 2, event_type=["Voucher.Claimed", "Voucher.ClaimRejected"])
    assert [e["event_type"] for e in both] == ["Voucher.Claimed"] * 3 + ["Voucher.ClaimRejected"]
    assert ok(api.get("/v1/events", event_type="No.SuchEvent"))["items"] == []
    before_pay = ok(api.get("/v1/events", as_of=iso(T_PAY - SECOND), limit=1000))["items"]
    assert before_pay and all(e["recorded_us"] < int(T_PAY.timestamp()) * 1_000_000 for e in before_pay)
    assert "Voucher.ClaimSettled" not in {e["event_type"] for e in before_pay}
    since = ok(api.get("/v1/events", recorded_from=iso(T_PAY), limit=1000))["items"]
    assert {e["event_type"] for e in since} >= {"SettlementBatch.Paid", "Voucher.ClaimSettled",
                                                "Voucher.ClaimReversed", "SettlementBatch.RecoveryRaised"}
    assert all(e["recorded_us"] >= int(T_PAY.timestamp()) * 1_000_000 for e in since)


def test_audit_trail_of_the_voucher_is_complete_and_ordered(flow):
    api, v1 = _api(flow), flow["v1"]["voucher_id"]
    trail = ok(api.get(f"/v1/audit/voucher/{v1}", limit=1000))["items"]
    positions = [e["position"] for e in trail]
    assert positions == sorted(set(positions))
    assert [e["recorded_us"] for e in trail] == sorted(e["recorded_us"] for e in trail)
    assert _pages(api, f"/v1/audit/voucher/{v1}", 3) == trail
    # every event of the voucher itself, in its order
    feed = ok(api.get("/v1/events", limit=1000))["items"]
    own = [e["position"] for e in feed if e["originator_id"] == v1]
    assert [e["position"] for e in trail if e["event_type"].startswith("Voucher.")] == own
    assert [e["event_type"] for e in trail if e["event_type"].startswith("Voucher.")] == [
        "Voucher.Issued", "Voucher.Claimed", "Voucher.Claimed", "Voucher.ClaimApproved", "Voucher.ClaimRejected",
        "Voucher.ClaimBatched", "Voucher.ClaimSettled", "Voucher.ClaimReversed"]
    # and the events of other records that concern it
    others = [e["event_type"] for e in trail if not e["event_type"].startswith("Voucher.")]
    for event_type, count in {"CityQuota.Used": 1, "InvoiceKey.Registered": 2, "ContractKey.Registered": 2,
                              "InvoiceKey.Released": 1, "ContractKey.PartReleased": 1, "ProviderQuota.Used": 2,
                              "SettlementBatch.ClaimAdded": 1, "SettlementBatch.RecoveryRaised": 1}.items():
        assert others.count(event_type) == count, (event_type, others)
    assert all(e["summary_en"] and e["summary_zh"] for e in trail)


def test_audit_trail_records_who_and_by_which_request(flow):
    api, v1, enterprise = _api(flow), flow["v1"]["voucher_id"], flow["enterprise"]
    claims = [e for e in ok(api.get(f"/v1/audit/voucher/{v1}"))["items"] if e["event_type"] == "Voucher.Claimed"]
    assert [e["actor"] for e in claims] == ["province", f"enterprise:{enterprise.uscc}"]
    assert claims[0]["correlation_id"] == flow["claim_a_key"]  # the Idempotency-Key ties the event to the request
    assert claims[0]["effective_us"] == int((T_CLAIM - timedelta(days=1)).timestamp()) * 1_000_000  # accepted


def test_audit_trail_as_of_shows_what_was_recorded_by_then(flow):
    api, v1 = _api(flow), flow["v1"]["voucher_id"]
    early = ok(api.get(f"/v1/audit/voucher/{v1}", as_of=iso(T_CLAIM + HOUR)))["items"]
    types = [e["event_type"] for e in early if e["event_type"].startswith("Voucher.")]
    assert types == ["Voucher.Issued", "Voucher.Claimed", "Voucher.Claimed"]
    assert_problem(api.get(f"/v1/audit/voucher/{v1}", as_of=iso(T_ISSUE - SECOND)), 404, "NOT_FOUND")  # not issued yet


def test_audit_trails_of_the_other_parties(flow):
    api, enterprise, provider = _api(flow), flow["enterprise"], flow["provider"]
    of_enterprise = ok(api.get(f"/v1/audit/enterprise/{enterprise.id}", role=f"enterprise:{enterprise.uscc}"))
    types = [e["event_type"] for e in of_enterprise["items"]]
    assert types[:3] == ["Enterprise.Registered", "Enterprise.EligibilityDecided", "NetworkDiscountGrant.Granted"]
    of_provider = ok(api.get(f"/v1/audit/provider/{provider.id}", role=f"provider:{provider.uscc}"))
    assert "SettlementBatch.Paid" in [e["event_type"] for e in of_provider["items"]]
    of_city = ok(api.get(f"/v1/audit/city/{FOSHAN}", role=f"city:{FOSHAN}"))
    assert "SettlementBatch.Paid" in [e["event_type"] for e in of_city["items"]]
    of_batch = ok(api.get(f"/v1/audit/settlement_batch/{flow['batch']}"))
    assert of_batch["items"][0]["event_type"] == "SettlementBatch.Opened"


def test_carrier_rates_and_the_automatic_network_discount(flow):
    api = _api(flow)
    grants = ok(api.get("/v1/events", event_type="NetworkDiscountGrant.Granted"))["items"]
    assert len(grants) == 1 and grants[0]["originator_id"] == flow["eligibility"]["network_discount_id"]
    rates = ok(api.get("/v1/events", event_type="CarrierDiscountRates.Set"))["items"]
    assert len(rates) == 1 and CARRIER_RATES  # set once, for 2020


# -- a second year-end story: held settlement, a reversal before payment, money crossing the fiscal year -------------
# Claims made on 31 December 2020 (Guangdong time) and approved half an hour into 1 January 2021 (Guangdong), while
# the platform is suspended; it is reinstated and paid on 2 January. Programme year 2020, cash year 2021.
Y_CLAIM = datetime(2020, 12, 31, 15, 0, tzinfo=UTC)  # 23:00 on 31 December in Guangdong
Y_REVIEW = datetime(2020, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2021 in Guangdong
Y_PAY_REFUSED = datetime(2021, 1, 1, 16, 30, tzinfo=UTC)
Y_REINSTATE = datetime(2021, 1, 1, 17, 0, tzinfo=UTC)
Y_PAY = datetime(2021, 1, 1, 18, 0, tzinfo=UTC)
FEES = {"x": 1_000_000, "y": 2_000_001, "z": 3_000_000}
AMOUNTS = {k: floor_rate(fee, ITEM["APP-ERP"]["rate"]) for k, fee in FEES.items()}  # 500,000; 1,000,000; 1,500,000


@pytest.fixture(scope="module", params=store_params())
def year_end(request, tmp_path_factory) -> dict[str, Any]:
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(T_SETUP) as clock, running_api(settings, clock) as api:
        out: dict[str, Any] = {"api": api}
        api.setup_year()
        provider = out["provider"] = api.whitelisted_provider()
        enterprise = api.eligible_enterprise()
        clock.set(T_ISSUE)
        voucher = out["voucher"] = ok(api.issue(enterprise), 201)["voucher_id"]
        clock.set(Y_CLAIM)
        claims = out["claims"] = {k: ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=fee)), 201)
                                  for k, fee in FEES.items()}
        clock.set(Y_REVIEW)
        for k in ("x", "y"):
            ok(api.approve(voucher, claims[k]["claim_id"]))
        out["reverse_z"] = ok(api.reverse(voucher, claims["z"]["claim_id"]))  # before payment
        batch = out["batch"] = api.open_batch(provider, "2021-01")
        for k in ("x", "y"):
            ok(api.add_to_batch(batch, voucher, claims[k]["claim_id"]))
        out["suspend"] = ok(api.post(f"/v1/providers/{provider.id}/suspension",
                                     {"area": "DATA", "assessor": "省网信办 spot check", "effective_at": iso(Y_REVIEW)}))
        clock.set(Y_PAY_REFUSED)
        out["pay_refused"] = api.pay(batch)
        clock.set(Y_REINSTATE)
        out["reinstate"] = ok(api.post(f"/v1/providers/{provider.id}/reinstatement",
                                       {"area": "DATA", "assessor": "CNITSEC", "effective_at": iso(Y_REINSTATE)}))
        clock.set(Y_PAY)
        out["pay"] = ok(api.pay(batch))
        clock.set(Y_PAY + HOUR)
        out["more_providers"] = [api.admit(kind=kind) for kind in ("SERVICE", "CARRIER", "NATIONAL_PLATFORM", "SERVICE")]
        yield out


def test_a_reversal_before_payment_answers_the_amount_it_freed(year_end):
    """Before payment a reversal frees the whole amount (and raises no recovery). Found by these tests: the route
    answered the ledger's return value, the recovery (0 here), as freed_fen; fixed in a2064c1."""
    api, voucher = year_end["api"], year_end["voucher"]
    balance = ok(api.get(f"/v1/vouchers/{voucher}", as_of=iso(Y_REVIEW)))
    assert balance["reversed_fen"] == AMOUNTS["z"] and balance["recovered_fen"] == 0
    assert balance["remaining_fen"] == FACE_1 - AMOUNTS["x"] - AMOUNTS["y"]
    reverse = year_end["reverse_z"]
    assert (reverse["status"], reverse["freed_fen"], reverse["recovery_fen"]) == ("REVERSED", AMOUNTS["z"], 0)


def test_a_suspended_provider_is_held_from_settlement(year_end):
    api, provider = year_end["api"], year_end["provider"]
    held = AMOUNTS["x"] + AMOUNTS["y"]
    before = ok(api.get(f"/v1/providers/{provider.id}", as_of=iso(Y_CLAIM)))
    assert (before["status"], before["held_fen"], before["claimed_pending_fen"]) == ("WHITELISTED", 0, sum(AMOUNTS.values()))
    during = ok(api.get(f"/v1/providers/{provider.id}", as_of=iso(Y_PAY_REFUSED)))
    assert (during["status"], during["approved_unsettled_fen"], during["held_fen"]) == ("SUSPENDED", held, held)
    assert during["quotas"][str(YEAR)]["quota_used_fen"] == held  # the reversed claim gave its quota back
    assert_problem(year_end["pay_refused"], 409, "PROVIDER_SUSPENDED")
    assert year_end["suspend"]["status"] == "SUSPENDED" and year_end["reinstate"]["status"] == "WHITELISTED"
    after = ok(api.get(f"/v1/providers/{provider.id}", as_of=iso(Y_PAY)))
    assert (after["status"], after["held_fen"], after["approved_unsettled_fen"], after["settled_fen"]) == (
        "WHITELISTED", 0, 0, held)
    assert year_end["pay"]["total_fen"] == held


def test_the_whitelist_shows_the_suspension_only_while_it_lasted(year_end):
    api, provider = year_end["api"], year_end["provider"]

    def status(moment):
        listed = ok(api.get("/v1/whitelist", as_of=iso(moment)))["providers"]
        return next(p["status"] for p in listed if p["provider_id"] == provider.id)

    assert [status(t) for t in (Y_CLAIM, Y_REVIEW, Y_PAY_REFUSED, Y_REINSTATE, Y_PAY)] == [
        "WHITELISTED", "SUSPENDED", "SUSPENDED", "WHITELISTED", "WHITELISTED"]


def test_money_moved_in_january_is_programme_year_2020_and_cash_year_2021(year_end):
    api = year_end["api"]
    paid = AMOUNTS["x"] + AMOUNTS["y"]

    def total(stage, **filters):
        body = ok(api.get(f"/v1/cities/{FOSHAN}/spend", as_of=iso(Y_PAY), stage=stage, **filters))
        return sum(line["amount_fen"] for line in body["lines"])

    assert total("settled", year=2020) == paid == total("spend", year=2020)
    assert total("settled", year=2021) == 0  # no 2021 programme
    assert total("settled", year=2021, year_kind="cash") == paid  # paid on 2 January 2021 (Guangdong)
    assert total("settled", year=2020, year_kind="cash") == 0
    # approved at 00:30 on 1 January in Guangdong (16:30 UTC on 31 December): cash year 2021
    approved = ok(api.get(f"/v1/cities/{FOSHAN}/spend", as_of=iso(Y_REVIEW), stage="approved", year=2021,
                          year_kind="cash"))["lines"]
    assert sum(line["amount_fen"] for line in approved) == paid
    assert {line["programme_year"] for line in approved} == {2020}
    city = split(AMOUNTS["x"], SHARE)[0] + split(AMOUNTS["y"], SHARE)[0]  # each claim's city portion rounded down
    assert total("spend", year=2021, year_kind="cash", fund_source="city") == city
    assert total("spend", year=2021, year_kind="cash", fund_source="province") == paid - city


def test_the_whitelist_comes_a_page_at_a_time(year_end):
    api = year_end["api"]
    everyone = ok(api.get("/v1/whitelist", limit=1000))
    assert everyone["next_after_uscc"] is None
    usccs = [p["uscc"] for p in everyone["providers"]]
    assert usccs == sorted(usccs) and len(usccs) == 5
    assert set(usccs) == {year_end["provider"].uscc} | {p.uscc for p in year_end["more_providers"]}
    pages, after = [], ""
    while True:
        page = ok(api.get("/v1/whitelist", limit=2, after_uscc=after or None))
        pages.extend(page["providers"])
        if page["next_after_uscc"] is None:
            break
        assert page["next_after_uscc"] == page["providers"][-1]["uscc"]
        after = page["next_after_uscc"]
    assert pages == everyone["providers"]
    pending = [p for p in everyone["providers"] if p["provider_id"] != year_end["provider"].id]
    assert {p["status"] for p in pending} == {"PENDING_ASSESSMENT"}  # admitted, not yet assessed
    assert len(ok(api.get("/v1/whitelist", as_of=iso(Y_PAY)))["providers"]) == 1  # before they were admitted
    assert_problem(api.get("/v1/whitelist", after_uscc="9" * 19), 422, "INVALID_INPUT", instance="/v1/whitelist")
