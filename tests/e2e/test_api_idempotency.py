"""Idempotency keys over HTTP: a repeat replays the first answer and changes nothing; a key is bound to its body;
concurrent repeats have one effect; keys outlive the process; refusals replay too; money POSTs need a key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
import pytest

from tests.support.api_helpers import (
    FOSHAN, START, YEAR, assert_problem, iso, module_store_settings, ok, patched_clock, running_api, store_params,
)

REPLAYED = "idempotent-replayed"
THREADS = 8
BIG_QUOTAS = {FOSHAN: (2_000_000_000, "0.33")}


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year(city_quotas=BIG_QUOTAS)  # room for the many vouchers of this module
        api.provider = api.whitelisted_provider()
        clock.advance(days=1)
        yield api


def fresh_voucher(api, item: str = "APP-ERP") -> tuple[object, str]:
    enterprise = api.eligible_enterprise(FOSHAN)
    return enterprise, ok(api.issue(enterprise, item), 201)["voucher_id"]


def claims_of(api, voucher_id: str) -> list[dict]:
    """The Voucher.Claimed events of a voucher, from the auditors' event feed."""
    items = ok(api.get("/v1/events", event_type="Voucher.Claimed", limit=1000))["items"]
    return [e for e in items if e["originator_id"] == voucher_id]


def same_answer(first, again) -> None:
    """The same answer, but for the request id a problem names: each request has its own (api/http/request_id.py)."""
    bodies = [dict(r.json()) for r in (first, again)]
    if first.headers["content-type"].startswith("application/problem+json"):
        ids = [b.pop("request_id") for b in bodies]
        assert ids == [r.headers["x-request-id"] for r in (first, again)] and ids[0] != ids[1]
    assert (again.status_code, bodies[1]) == (first.status_code, bodies[0])
    assert again.headers["content-type"].split(";")[0] == first.headers["content-type"].split(";")[0]
    assert again.headers.get(REPLAYED) == "true"
    assert REPLAYED not in first.headers


# -- repeats ----------------------------------------------------------------------------------------------------
def test_a_repeated_claim_returns_the_first_response_and_changes_nothing(world):
    api = world
    _, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=1_000_001)
    first = api.claim(voucher, body, key="claim-once")
    assert ok(first, 201)["amount_fen"] == 500_000
    events, balance = api.event_count(), ok(api.get(f"/v1/vouchers/{voucher}"))
    for _ in range(3):
        same_answer(first, api.claim(voucher, body, key="claim-once"))
    assert api.event_count() == events
    assert ok(api.get(f"/v1/vouchers/{voucher}")) == balance
    assert len(claims_of(api, voucher)) == 1


@pytest.mark.parametrize("what", ["issue", "approve", "register", "open-batch", "pay"])
def test_every_kind_of_command_replays(world, what):
    api = world
    if what == "issue":
        enterprise = api.eligible_enterprise()
        send = lambda: api.issue(enterprise, "NET-RENO", key="issue-k")
        status = 201
    elif what == "approve":
        _, voucher = fresh_voucher(api)
        claim = ok(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=10_000)), 201)["claim_id"]
        send = lambda: api.approve(voucher, claim, key="approve-k")
        status = 200
    elif what == "register":
        body = {"uscc": api.new_uscc(), "name": "Once Ltd", "city": FOSHAN, "carrier": "CHINA_UNICOM",
                "established_on": "2015-05-05"}
        send = lambda: api.post("/v1/enterprises", body, key="register-k")
        status = 201
    elif what == "open-batch":  # the batch id is made by the service: a repeat must not open a second batch
        body = {"provider_id": api.provider.id, "period": "2020-05"}
        send = lambda: api.post("/v1/settlement-batches", body, key="open-k")
        status = 201
    else:
        _, voucher = fresh_voucher(api)
        claim = ok(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=10_000)), 201)["claim_id"]
        ok(api.approve(voucher, claim))
        batch = api.open_batch(api.provider, "2020-06")
        ok(api.add_to_batch(batch, voucher, claim))
        body = {"effective_at": iso(api.clock.now)}
        send = lambda: api.post(f"/v1/settlement-batches/{batch}/payment", body, key="pay-k")
        status = 200
    first = send()
    ok(first, status)
    events = api.event_count()
    same_answer(first, send())
    assert api.event_count() == events


def test_the_same_key_with_another_body_is_refused(world):
    api = world
    _, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=200_000)
    first = ok(api.claim(voucher, body, key="reused"), 201)
    events = api.event_count()
    for changed in ({**body, "eligible_fee_fen": 200_001}, {**body, "contract_no": "HT-OTHER"}):
        assert_problem(api.claim(voucher, changed, key="reused"), 409, "IDEMPOTENCY_KEY_REUSED")
    _, other_voucher = fresh_voucher(api)  # same body, another path
    events = api.event_count()
    assert_problem(api.claim(other_voucher, body, key="reused"), 409, "IDEMPOTENCY_KEY_REUSED")
    assert api.event_count() == events
    assert [e["position"] for e in claims_of(api, voucher)] and claims_of(api, other_voucher) == []
    again = api.claim(voucher, body, key="reused")
    assert again.json() == first  # the original request still replays


def test_keys_belong_to_their_caller(world):
    """Two callers choosing the same key do not see each other's answers."""
    api = world
    enterprise, voucher = fresh_voucher(api)
    as_province = api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=30_000), key="shared-key")
    as_enterprise = api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=40_000),
                              role=f"enterprise:{enterprise.uscc}", key="shared-key")
    assert ok(as_province, 201)["amount_fen"] == 15_000 and ok(as_enterprise, 201)["amount_fen"] == 20_000
    assert REPLAYED not in as_enterprise.headers
    assert len(claims_of(api, voucher)) == 2


def test_a_refusal_is_replayed_too(world):
    api = world
    _, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=50_000)
    ok(api.claim(voucher, body), 201)
    events = api.event_count()
    refused = api.claim(voucher, body, key="dup-claim")
    assert_problem(refused, 409, "DUPLICATE_CLAIM")
    # The refusal is the key's answer: recorded once (one AnsweredRequest), nothing of the claim.
    answers = api.answered_count()
    again = api.claim(voucher, body, key="dup-claim")
    assert_problem(again, 409, "DUPLICATE_CLAIM")
    same_answer(refused, again)
    assert api.event_count() == events and len(claims_of(api, voucher)) == 1
    assert api.answered_count() == answers


def test_a_refusal_stays_the_answer_even_once_the_command_would_succeed(world):
    """The key stores the refusal: repeating it after the cause went away still answers the refusal."""
    api = world
    enterprise = api.register(FOSHAN)  # not yet eligible
    refused = api.issue(enterprise, key="too-early")
    assert_problem(refused, 409, "NOT_ELIGIBLE")
    assert api.decide(enterprise)["granted"] is True
    same_answer(refused, api.issue(enterprise, key="too-early"))
    ok(api.issue(enterprise, key="now-eligible"), 201)  # a new key runs the command


# -- concurrency --------------------------------------------------------------------------------------------------
def _race(send, n: int = THREADS) -> list:
    barrier = threading.Barrier(n)

    def one(_):
        barrier.wait()
        return send()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_concurrent_repeats_of_a_claim_have_one_effect_and_one_answer(world):
    api = world
    _, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=777_777)
    events, recorded = api.event_count(), api.answered_count()
    answers = _race(lambda: api.claim(voucher, body, key="race-claim"))
    assert {(r.status_code, r.text) for r in answers} == {(201, answers[0].text)}, [r.text for r in answers]
    assert sum(REPLAYED not in r.headers for r in answers) == 1  # one ran, the others replayed it
    assert len(claims_of(api, voucher)) == 1
    # Voucher.Claimed, ProviderQuota.Used, InvoiceKey.Registered, ContractKey.Registered
    assert api.event_count() == events + 4
    assert api.answered_count() == recorded + 1  # the one answer, in the claim's transaction
    assert ok(api.get(f"/v1/vouchers/{voucher}"))["claimed_fen"] == 388_888


def test_concurrent_repeats_of_an_issuance_issue_one_voucher(world):
    api = world
    enterprise = api.eligible_enterprise()
    events = api.event_count()
    answers = _race(lambda: api.issue(enterprise, "DEV-ACCESS", key="race-issue"))
    assert {(r.status_code, r.text) for r in answers} == {(201, answers[0].text)}, [r.text for r in answers]
    issued = ok(api.get("/v1/events", event_type="Voucher.Issued", limit=1000))["items"]
    assert [e["originator_id"] for e in issued].count(answers[0].json()["voucher_id"]) == 1
    assert api.event_count() == events + 2  # Voucher.Issued, CityQuota.Used


def test_concurrent_claims_of_one_contract_under_different_keys_succeed_once(world):
    api = world
    _, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=100_000)
    answers = _race(lambda: api.claim(voucher, body))  # a fresh key each
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * (THREADS - 1), [r.text for r in answers]
    for refused in (r for r in answers if r.status_code == 409):
        assert refused.json()["code"] in ("DUPLICATE_CLAIM", "CONCURRENT_UPDATE")
    assert len(claims_of(api, voucher)) == 1


# -- keys outlive the process ---------------------------------------------------------------------------------------
def test_keys_survive_a_restart(store_settings):
    from tests.support.api_helpers import api_settings

    settings = api_settings(store_settings)
    with patched_clock(START) as clock:
        with running_api(settings, clock) as api:
            api.setup_year()
            provider = api.whitelisted_provider()
            enterprise = api.eligible_enterprise()
            clock.advance(days=1)
            issued = api.issue(enterprise, key="issue-before-restart")
            voucher = ok(issued, 201)["voucher_id"]
            clock.advance(days=1)
            body = api.claim_body(provider, eligible_fee_fen=123_456)
            claimed = api.claim(voucher, body, key="claim-before-restart")
            ok(claimed, 201)
            events = api.event_count()
        clock.advance(days=1)
        with running_api(settings, clock) as restarted:  # a new app (ledger, read models, key store) on the store
            same_answer(claimed, restarted.claim(voucher, body, key="claim-before-restart"))
            same_answer(issued, restarted.issue(enterprise, key="issue-before-restart"))
            assert_problem(restarted.claim(voucher, {**body, "eligible_fee_fen": 1}, key="claim-before-restart"), 409,
                           "IDEMPOTENCY_KEY_REUSED")
            assert restarted.event_count() == events
            assert ok(restarted.get(f"/v1/vouchers/{voucher}"))["claimed_fen"] == 61_728


# -- keys required, keys malformed ----------------------------------------------------------------------------------
MONEY_POSTS = {  # the POSTs that create or move money (app.py: "need an Idempotency-Key header")
    "/v1/city-quotas", "/v1/providers/{provider_id}/quotas", "/v1/vouchers", "/v1/vouchers/{voucher_id}/claims",
    "/v1/vouchers/{voucher_id}/claims/{claim_id}/approval", "/v1/vouchers/{voucher_id}/claims/{claim_id}/rejection",
    "/v1/vouchers/{voucher_id}/claims/{claim_id}/reversal", "/v1/settlement-batches",
    "/v1/settlement-batches/{batch_id}/claims", "/v1/settlement-batches/{batch_id}/payment",
    "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/collections",
    "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/write-off",
    "/v1/programme/years",  # a year's figures decide every later money command: opened once, keyed
    "/v1/vouchers/{voucher_id}/revocation", "/v1/city-quotas/{city}/{year}/revision",
    "/v1/providers/{provider_id}/quotas/{year}/revision",
}


@pytest.fixture(scope="module")
def staged(world):
    """Ids for a request to every money route: a voucher with an approved claim, an open batch."""
    api = world
    enterprise, voucher = fresh_voucher(api)
    claim = ok(api.claim(voucher, api.claim_body(api.provider, eligible_fee_fen=10_000)), 201)["claim_id"]
    ok(api.approve(voucher, claim))
    batch = api.open_batch(api.provider, "2020-07")
    ok(api.add_to_batch(batch, voucher, claim))
    now = iso(api.clock.now)
    ids = {"provider_id": api.provider.id, "voucher_id": voucher, "claim_id": claim, "batch_id": batch,
           "city": FOSHAN, "year": YEAR}
    bodies = {
        "/v1/city-quotas": {"city": FOSHAN, "year": YEAR, "amount_fen": 60_000_000, "city_share": "0.33"},
        "/v1/providers/{provider_id}/quotas": {"year": YEAR, "amount_fen": 400_000_000},
        "/v1/vouchers": {"enterprise_id": enterprise.id, "year": YEAR, "item_id": "DEV-ACCESS"},
        "/v1/vouchers/{voucher_id}/claims": api.claim_body(api.provider, eligible_fee_fen=10_000),
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/approval": None,
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/rejection": {"reason": "no key"},
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/reversal": {"reason": "no key", "effective_at": now},
        "/v1/settlement-batches": {"provider_id": api.provider.id, "period": "2020-08"},
        "/v1/settlement-batches/{batch_id}/claims": {"voucher_id": voucher, "claim_id": claim},
        "/v1/settlement-batches/{batch_id}/payment": {"effective_at": now},
        "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/collections": {
            "amount_fen": 100, "bank_reference": "BOC-1", "effective_at": now},
        "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/write-off": {"reason": "no key", "effective_at": now},
        "/v1/programme/years": {"year": 2026, "redemption_deadline": "2027-02-08"},
        "/v1/vouchers/{voucher_id}/revocation": {"reason": "no key"},
        "/v1/city-quotas/{city}/{year}/revision": {"amount_fen": 70_000_000},
        "/v1/providers/{provider_id}/quotas/{year}/revision": {"amount_fen": 500_000_000},
    }
    return ids, bodies


@pytest.mark.parametrize("path", sorted(MONEY_POSTS))
def test_a_money_post_without_a_key_is_refused_and_changes_nothing(world, staged, path):
    api, (ids, bodies) = world, staged
    concrete = path.format(**ids)
    events = api.event_count()
    assert_problem(api.post(concrete, bodies[path], key=None), 400, "IDEMPOTENCY_KEY_REQUIRED", instance=concrete)
    assert api.event_count() == events


def test_the_money_posts_are_exactly_those_that_require_a_key(world, staged):
    """Every other POST runs without a key (and every money POST is in the list above)."""
    from tests.support.api_helpers import app_routes

    posts = {path for method, path, _ in app_routes(world.client.app) if method == "POST"}
    assert MONEY_POSTS <= posts
    api = world
    provider = api.admit()
    without_key = {
        "/v1/carrier-rates": {"year": 2019, "rates": {"CHINA_MOBILE": "0.36"}},
        "/v1/providers": {"uscc": api.new_uscc("440100"), "name": "Keyless Cloud", "kind": "SERVICE"},
        "/v1/providers/{provider_id}/assessments": {"area": "DATA", "passed": True, "assessor": "x",
                                                    "effective_at": iso(api.clock.now)},
    }
    for path, body in without_key.items():
        resp = api.post(path.format(provider_id=provider.id), body, key=None)
        assert resp.status_code in (200, 201), resp.text


@pytest.mark.parametrize("key", ["x" * 201, " ", "\t"])
def test_a_malformed_key_is_invalid_input(world, key):
    api = world
    events = api.event_count()
    resp = api.post("/v1/carrier-rates", {"year": 2019, "rates": {"CHINA_MOBILE": "0.36"}}, key=key)
    assert_problem(resp, 422, "INVALID_INPUT")
    assert api.event_count() == events


def test_a_key_of_200_characters_is_fine(world):
    api = world
    body = {"year": 2019, "rates": {"CHINA_MOBILE": "0.37"}}
    first = api.post("/v1/carrier-rates", body, key="k" * 200)
    ok(first)
    same_answer(first, api.post("/v1/carrier-rates", body, key="k" * 200))


def test_a_repeat_a_long_time_later_still_replays(world):
    api = world
    _, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=20_000)
    first = api.claim(voucher, body, key="slow-repeat")
    api.clock.advance(days=30)
    try:
        same_answer(first, api.claim(voucher, body, key="slow-repeat"))
    finally:
        api.clock.advance(days=-30)
    assert len(claims_of(api, voucher)) == 1


def test_concurrent_repeats_without_the_group_commit_writer(store_settings):
    """The same guarantees when each request runs its own command (``api_group_commit=False``)."""
    from tests.support.api_helpers import api_settings

    settings = api_settings(store_settings).model_copy(update={"api_group_commit": False})
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        assert api.client.app.state.backend.writer is None
        api.setup_year()
        api.provider = api.whitelisted_provider()
        clock.advance(days=1)
        _, voucher = fresh_voucher(api)
        body = api.claim_body(api.provider, eligible_fee_fen=600_000)
        answers = _race(lambda: api.claim(voucher, body, key="race-direct"))
        assert {(r.status_code, r.text) for r in answers} == {(201, answers[0].text)}, [r.text for r in answers]
        other = api.claim_body(api.provider, eligible_fee_fen=100_000)
        answers = _race(lambda: api.claim(voucher, other))
        assert sorted(r.status_code for r in answers) == [201] + [409] * (THREADS - 1), [r.text for r in answers]
        assert len(claims_of(api, voucher)) == 2
        assert ok(api.get(f"/v1/vouchers/{voucher}"))["claimed_fen"] == 350_000


def test_keys_are_scoped_by_role_even_when_tokens_share_a_subject(world):
    """Two tokens minted with the same --subject for different roles are different callers: the second one's
    request with the same key and body runs (here: refused as a duplicate claim) instead of replaying the first's
    stored answer, which would hand one caller another's result."""
    from api.http.auth import mint

    api = world
    enterprise, voucher = fresh_voucher(api)
    body = api.claim_body(api.provider, eligible_fee_fen=50_000)
    shared = "ops-desk"
    as_province = api.client.post(f"/v1/vouchers/{voucher}/claims", json=body, headers={
        "Authorization": f"Bearer {mint(api.settings, 'province', subject=shared)}", "Idempotency-Key": "same"})
    as_enterprise = api.client.post(f"/v1/vouchers/{voucher}/claims", json=body, headers={
        "Authorization": f"Bearer {mint(api.settings, f'enterprise:{enterprise.uscc}', subject=shared)}",
        "Idempotency-Key": "same"})
    assert ok(as_province, 201)["amount_fen"] == 25_000
    assert REPLAYED not in as_enterprise.headers
    assert_problem(as_enterprise, 409, "DUPLICATE_CLAIM")


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Correlation-ID"])
def test_a_header_with_a_nul_byte_is_refused_and_every_read_goes_on(world, header):
    """Found by the hostile review: a NUL byte in the Idempotency-Key or X-Correlation-ID was recorded as the events'
    correlation id; PostgreSQL text cannot hold it, so the read models stopped at that event and every read of the
    API answered 422 from then on. Refused before anything is recorded, on both stores."""
    api = world
    _, voucher = fresh_voucher(api)
    events = api.event_count()
    headers = {**api.headers("province"), header: "probe\x00"}
    resp = api.client.post(f"/v1/vouchers/{voucher}/claims", headers=headers,
                           json=api.claim_body(api.provider, eligible_fee_fen=10_000))
    assert_problem(resp, 422, "INVALID_INPUT")
    assert header in resp.json()["detail"]
    assert api.event_count() == events and claims_of(api, voucher) == []
    assert ok(api.get(f"/v1/vouchers/{voucher}"))["claimed_fen"] == 0


def test_two_idempotency_keys_on_one_request_are_refused(world):
    """Found by the hostile review: with the header twice the first value was taken, so a retry through a proxy that
    kept the last one ran the command again. Which key a request is answered under must not be a guess."""
    api = world
    _, voucher = fresh_voucher(api)
    events = api.event_count()
    headers = [*api.headers("province", None).items(), ("Idempotency-Key", "twice-a"), ("Idempotency-Key", "twice-b")]
    resp = api.client.post(f"/v1/vouchers/{voucher}/claims", headers=headers,
                           json=api.claim_body(api.provider, eligible_fee_fen=10_000))
    assert "Idempotency-Key" in assert_problem(resp, 422, "INVALID_INPUT")["detail"]
    assert api.event_count() == events and claims_of(api, voucher) == []


def test_a_correlation_id_longer_than_a_key_is_refused(world):
    """Found by the hostile review: an Idempotency-Key is at most 200 characters, but an X-Correlation-ID of any length
    (as long as the server takes a header) was copied into every event of the command."""
    api = world
    _, voucher = fresh_voucher(api)
    events = api.event_count()
    headers = {**api.headers("province"), "X-Correlation-ID": "c" * 201}
    resp = api.client.post(f"/v1/vouchers/{voucher}/claims", headers=headers,
                           json=api.claim_body(api.provider, eligible_fee_fen=10_000))
    assert "X-Correlation-ID" in assert_problem(resp, 422, "INVALID_INPUT")["detail"]
    assert api.event_count() == events and claims_of(api, voucher) == []
