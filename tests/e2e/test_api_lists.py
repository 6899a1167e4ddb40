"""Work queues and lookups over HTTP: GET /v1/claims, /v1/vouchers, /v1/enterprises, /v1/providers,
/v1/settlement-batches, a year's catalogue and quotas, and a USCC wherever a path names an enterprise or provider.

The world is written through the API, and a record of what each request did is kept here; every list must show
exactly that record: a walk page by page meets each row once, filters narrow to what the record says, and a scoped
token finds only its own (outside its scope: nothing, as for something unknown).
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from tests.support.api_helpers import (
    CITY_QUOTAS, DONGGUAN, FOSHAN, ITEM, ITEMS, PROVIDER_QUOTA_FEN, START, YEAR, assert_problem, floor_rate,
    module_store_settings, ok, patched_clock, running_api, store_env, store_params,
)
from tests.support import cli_runner

FEE = 1_000_000
AMOUNT = floor_rate(FEE, ITEM["APP-ERP"]["rate"])
LISTS = {"claims": "claim_id", "vouchers": "voucher_id", "enterprises": "enterprise_id", "providers": "provider_id",
         "settlement-batches": "batch_id"}


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        steady, other = api.whitelisted_provider(), api.admit(kind="SERVICE")
        api.assess(other)
        api.provider_quota(other)
        pending = api.admit()
        e1, e2, e3 = api.eligible_enterprise(FOSHAN), api.eligible_enterprise(FOSHAN), api.eligible_enterprise(DONGGUAN)
        clock.advance(days=1)
        v = {"e1": ok(api.issue(e1), 201)["voucher_id"], "e1dev": ok(api.issue(e1, "DEV-ACCESS"), 201)["voucher_id"],
             "e2": ok(api.issue(e2), 201)["voucher_id"], "e3": ok(api.issue(e3), 201)["voucher_id"]}
        clock.advance(days=1)
        claims = {}

        def claim(name, voucher, provider, status):
            claims[name] = {"id": ok(api.claim(v[voucher], api.claim_body(provider, eligible_fee_fen=FEE)), 201)[
                "claim_id"], "voucher": voucher, "provider": provider, "status": status}
            return claims[name]["id"]

        claim("c1", "e1", steady, "CLAIMED")
        ok(api.approve(v["e1"], claim("c2", "e1", steady, "APPROVED")))
        claim("c3", "e2", other, "CLAIMED")
        ok(api.approve(v["e3"], claim("c4", "e3", steady, "SETTLED")))
        ok(api.reject(v["e3"], claim("c5", "e3", steady, "REJECTED")))
        paid = api.open_batch(steady)
        ok(api.add_to_batch(paid, v["e3"], claims["c4"]["id"]))
        clock.advance(days=1)
        ok(api.pay(paid))
        empty = api.open_batch(other, "2020-04")
        yield {"api": api, "clock": clock, "providers": {"steady": steady, "other": other, "pending": pending},
               "enterprises": {"e1": e1, "e2": e2, "e3": e3}, "vouchers": v, "claims": claims,
               "batches": {paid: (steady, "PAID"), empty: (other, "OPEN")}}


def walk(api, name: str, *, role: str = "province", limit: int = 2, cursor: str | None = None, **params) -> list[dict]:
    items, pages = [], 0
    while True:
        page = ok(api.get(f"/v1/{name}", role=role, limit=limit, cursor=cursor, **params))
        assert len(page["items"]) <= limit
        items += page["items"]
        pages += 1
        assert pages < 100, "the walk did not end"
        if page["next_cursor"] is None:
            return items
        cursor = page["next_cursor"]


def ids(rows: list[dict], name: str) -> list[str]:
    return [row[LISTS[name]] for row in rows]


def expected_ids(world) -> dict[str, set[str]]:
    return {"claims": {c["id"] for c in world["claims"].values()}, "vouchers": set(world["vouchers"].values()),
            "enterprises": {e.id for e in world["enterprises"].values()},
            "providers": {p.id for p in world["providers"].values()}, "settlement-batches": set(world["batches"])}


@pytest.mark.parametrize("limit", [1, 2, 1000])
def test_a_walk_meets_every_row_exactly_once(world, limit):
    api = world["api"]
    for name, wanted in expected_ids(world).items():
        seen = ids(walk(api, name, limit=limit), name)
        assert sorted(seen) == sorted(wanted), name  # once each: no duplicates, none missing, none extra


def test_claim_queues_and_filters(world):
    api, claims, p, e = world["api"], world["claims"], world["providers"], world["enterprises"]
    for queue in ("claimed", "approved", "settled", "rejected", "reversed", "held", "flagged"):
        wanted = {c["id"] for c in claims.values() if c["status"] == queue.upper()}
        assert set(ids(walk(api, "claims", status=queue), "claims")) == wanted, queue
    assert len({c["status"] for c in claims.values()}) == 4  # the queues above are not all empty
    steady = {c["id"] for c in claims.values() if c["provider"] is p["steady"]}
    assert set(ids(walk(api, "claims", provider=p["steady"].id), "claims")) == steady
    assert set(ids(walk(api, "claims", provider=p["steady"].uscc.lower()), "claims")) == steady  # by its USCC
    of_e1 = {c["id"] for c in claims.values() if c["voucher"] == "e1"}
    assert set(ids(walk(api, "claims", enterprise=e["e1"].uscc), "claims")) == of_e1
    assert set(ids(walk(api, "claims", city=DONGGUAN), "claims")) == {claims["c4"]["id"], claims["c5"]["id"]}
    assert set(ids(walk(api, "claims", voucher_id=world["vouchers"]["e1"], status="approved"), "claims")) == {
        claims["c2"]["id"]}
    assert walk(api, "claims", year=YEAR + 1) == []
    rows = {r["claim_id"]: r for r in walk(api, "claims")}
    for c in claims.values():
        row = rows[c["id"]]
        assert (row["status"], row["amount_fen"], row["provider_id"], row["voucher_id"]) == (
            c["status"], AMOUNT, c["provider"].id, world["vouchers"][c["voucher"]])
        assert row["flagged"] is False and row["held"] is False
    paid = next(b for b, (_p, s) in world["batches"].items() if s == "PAID")
    assert rows[claims["c4"]["id"]]["batch_id"] == paid
    assert ids(walk(api, "claims", batch_id=paid), "claims") == [claims["c4"]["id"]]


def test_voucher_enterprise_provider_and_batch_filters(world):
    api, v, e, p = world["api"], world["vouchers"], world["enterprises"], world["providers"]
    assert set(ids(walk(api, "vouchers", enterprise=e["e1"].uscc), "vouchers")) == {v["e1"], v["e1dev"]}
    assert set(ids(walk(api, "vouchers", enterprise=e["e1"].id, fee_category="DEVICE_ACCESS"), "vouchers")) == {
        v["e1dev"]}
    assert set(ids(walk(api, "vouchers", city=FOSHAN, year=YEAR, status="ACTIVE"), "vouchers")) == {
        v["e1"], v["e1dev"], v["e2"]}
    assert walk(api, "vouchers", status="REVOKED") == []
    faces = {r["voucher_id"]: r["face_value_fen"] for r in walk(api, "vouchers")}
    assert faces[v["e1dev"]] == ITEM["DEV-ACCESS"]["cap_fen"] and faces[v["e3"]] == ITEM["APP-ERP"]["cap_fen"]
    assert set(ids(walk(api, "enterprises", city=FOSHAN), "enterprises")) == {e["e1"].id, e["e2"].id}
    found = walk(api, "enterprises", uscc=e["e3"].uscc)
    assert [(r["enterprise_id"], r["city"]) for r in found] == [(e["e3"].id, DONGGUAN)]
    providers = walk(api, "providers")
    assert [r["uscc"] for r in providers] == sorted(r["uscc"] for r in providers)
    assert ids(walk(api, "providers", kind="SERVICE"), "providers") == [p["other"].id]
    assert ids(walk(api, "providers", status="PENDING_ASSESSMENT"), "providers") == [p["pending"].id]
    assert set(ids(walk(api, "providers", status="WHITELISTED"), "providers")) == {p["steady"].id, p["other"].id}
    assert ids(walk(api, "providers", uscc=p["steady"].uscc), "providers") == [p["steady"].id]
    for batch, (provider, status) in world["batches"].items():
        assert ids(walk(api, "settlement-batches", provider=provider.uscc), "settlement-batches") == [batch]
        assert ids(walk(api, "settlement-batches", status=status), "settlement-batches") == [batch]
    paid = walk(api, "settlement-batches", status="PAID")[0]
    assert (paid["lines"], paid["amount_fen"], paid["paid_fen"]) == (1, AMOUNT, AMOUNT)


def test_a_scoped_token_lists_only_its_own(world):
    api, e, p, v, claims = world["api"], world["enterprises"], world["providers"], world["vouchers"], world["claims"]
    own = f"enterprise:{e['e1'].uscc}"
    assert set(ids(walk(api, "vouchers", role=own), "vouchers")) == {v["e1"], v["e1dev"]}
    assert set(ids(walk(api, "claims", role=own), "claims")) == {claims["c1"]["id"], claims["c2"]["id"]}
    assert ids(walk(api, "enterprises", role=own), "enterprises") == [e["e1"].id]
    # naming another enterprise finds nothing, exactly as naming one that does not exist
    assert walk(api, "vouchers", role=own, enterprise=e["e2"].uscc) == []
    assert walk(api, "claims", role=own, enterprise=str(uuid.uuid4())) == []
    city = f"city:{DONGGUAN}"
    assert ids(walk(api, "vouchers", role=city), "vouchers") == [v["e3"]]
    assert ids(walk(api, "enterprises", role=city), "enterprises") == [e["e3"].id]
    assert set(ids(walk(api, "claims", role=city), "claims")) == {claims["c4"]["id"], claims["c5"]["id"]}
    assert walk(api, "vouchers", role=city, city=FOSHAN) == []
    provider = f"provider:{p['other'].uscc}"
    assert ids(walk(api, "claims", role=provider), "claims") == [claims["c3"]["id"]]
    assert ids(walk(api, "providers", role=provider), "providers") == [p["other"].id]
    assert ids(walk(api, "settlement-batches", role=provider), "settlement-batches") == [
        b for b, (owner, _s) in world["batches"].items() if owner is p["other"]]
    assert walk(api, "settlement-batches", role=provider, provider=p["steady"].id) == []
    for role, name in ((provider, "vouchers"), (provider, "enterprises"), (city, "providers"),
                       (own, "settlement-batches"), (city, "settlement-batches")):
        assert_problem(api.get(f"/v1/{name}", role=role), 403, "FORBIDDEN")


def test_a_cursor_is_opaque_and_checked(world):
    api = world["api"]
    first = ok(api.get("/v1/claims", role="province", limit=1))
    cursor = first["next_cursor"]
    assert cursor and first["items"][0]["claim_id"] not in cursor  # nothing readable in it
    forged = base64.urlsafe_b64encode(b'["claims",-1]').decode().rstrip("=")
    for bad in ("bm90IGEgY3Vyc29y", "x", forged, base64.urlsafe_b64encode(b'["claims","1"]').decode().rstrip("=")):
        assert_problem(api.get("/v1/claims", role="province", cursor=bad), 422, "INVALID_CURSOR", instance="/v1/claims")
    # a cursor of one list is not one of another
    assert_problem(api.get("/v1/vouchers", role="province", cursor=cursor), 422, "INVALID_CURSOR")
    assert_problem(api.get("/v1/claims", role="province", cursor="not a cursor!"), 422, "INVALID_INPUT")
    for limit in (0, 1001, "ten"):
        assert_problem(api.get("/v1/claims", role="province", limit=limit), 422, "INVALID_INPUT")
    assert_problem(api.get("/v1/claims", role="province", status="waiting"), 422, "INVALID_INPUT")
    assert_problem(api.get("/v1/claims", role="province", provider="not-a-party"), 422, "INVALID_INPUT")
    bad_check = world["enterprises"]["e1"].uscc[:17] + ("0" if world["enterprises"]["e1"].uscc[17] != "0" else "1")
    assert_problem(api.get("/v1/vouchers", role="province", enterprise=bad_check), 422, "INVALID_USCC")


def test_a_code_that_is_no_city_is_refused_not_an_empty_list(world):
    """The 21 city codes are public: 449999 in a list's filter is a mistake, answered UNKNOWN_CITY as the city's
    spend answers it, over HTTP and on the command line alike (a review found 200 with no rows, and "0 rows")."""
    api = world["api"]
    for name in ("claims", "vouchers", "enterprises"):
        for role in ("province", f"city:{DONGGUAN}"):
            assert_problem(api.get(f"/v1/{name}", role=role, city="449999"), 422, "UNKNOWN_CITY",
                           instance=f"/v1/{name}")
        refused = voucher_ledger(world, "list", name, "--city", "449999")
        assert refused.returncode == 2 and "UNKNOWN_CITY" in refused.stderr, (name, refused.stderr)
    assert walk(api, "enterprises", city="440200") == []  # a city with nothing in it is still an empty list


def test_a_status_filter_takes_the_case_the_answers_write(world):
    """A claim reads "status": "APPROVED", so ?status=APPROVED finds it (a review found 422); every list's status
    filter takes capitals and lower case alike."""
    api, claims = world["api"], world["claims"]
    for queue in ("CLAIMED", "APPROVED", "SETTLED", "REJECTED", "REVERSED", "HELD", "FLAGGED"):
        assert walk(api, "claims", status=queue) == walk(api, "claims", status=queue.lower()), queue
    assert {r["claim_id"] for r in walk(api, "claims", status="APPROVED")} == {
        c["id"] for c in claims.values() if c["status"] == "APPROVED"}
    for name, value in (("vouchers", "ACTIVE"), ("providers", "WHITELISTED"), ("settlement-batches", "PAID")):
        assert walk(api, name, status=value.lower()) == walk(api, name, status=value) != [], name
    assert_problem(api.get("/v1/vouchers", role="province", status="Active"), 422, "INVALID_INPUT")
    done = voucher_ledger(world, "list", "claims", "--status", "approved", "--json")
    assert done.returncode == 0 and [r["claim_id"] for r in json.loads(done.stdout)["items"]] == [
        r["claim_id"] for r in walk(api, "claims", status="APPROVED")]


def test_a_uscc_names_an_enterprise_or_provider_in_a_path(world):
    api, e, p = world["api"], world["enterprises"], world["providers"]
    by_id, by_uscc = (ok(api.get(f"/v1/enterprises/{key}", role="province")) for key in (e["e1"].id, e["e1"].uscc))
    assert by_uscc == {**by_id, "as_of": by_uscc["as_of"]} and by_uscc["uscc"] == e["e1"].uscc
    assert ok(api.get(f"/v1/providers/{p['steady'].uscc}"))["provider_id"] == p["steady"].id
    own = f"enterprise:{e['e1'].uscc}"
    assert ok(api.get(f"/v1/enterprises/{e['e1'].uscc}", role=own))["enterprise_id"] == e["e1"].id
    hidden, unknown = api.get(f"/v1/enterprises/{e['e2'].uscc}", role=own), api.get(
        f"/v1/enterprises/{api.new_uscc()}", role=own)
    assert_problem(hidden, 404, "ENTERPRISE_NOT_FOUND")
    assert_problem(unknown, 404, "ENTERPRISE_NOT_FOUND")
    trail = ok(api.get(f"/v1/audit/enterprise/{e['e1'].uscc}", role=own))["items"]
    assert trail == ok(api.get(f"/v1/audit/enterprise/{e['e1'].id}", role=own))["items"] and trail
    bad_check = e["e1"].uscc[:17] + ("0" if e["e1"].uscc[17] != "0" else "1")
    assert_problem(api.get(f"/v1/enterprises/{bad_check}"), 422, "INVALID_USCC")
    assert_problem(api.get("/v1/enterprises/not-a-party"), 422, "INVALID_INPUT")


def test_a_years_catalogue_and_quotas(world):
    api, p = world["api"], world["providers"]
    enterprise = f"enterprise:{world['enterprises']['e1'].uscc}"
    catalogue = ok(api.get(f"/v1/programme/years/{YEAR}/catalogue", role=enterprise))
    assert catalogue["redemption_deadline"] == f"{YEAR + 1}-02-08"
    assert {i["item_id"]: (i["fee_category"], i["rate"], i["cap_fen"]) for i in catalogue["items"]} == {
        i["item_id"]: (i["fee_category"], i["rate"], i["cap_fen"]) for i in ITEMS}
    assert_problem(api.get(f"/v1/programme/years/{YEAR - 1}/catalogue"), 404, "NOT_FOUND")
    quotas = ok(api.get(f"/v1/programme/years/{YEAR}/quotas"))
    app_erp, dev_access = ITEM["APP-ERP"]["cap_fen"], ITEM["DEV-ACCESS"]["cap_fen"]
    issued = {FOSHAN: 2 * app_erp + dev_access, DONGGUAN: app_erp}
    assert {q["city"]: (q["quota_set_fen"], q["issued_fen"], q["quota_used_fen"], q["quota_remaining_fen"])
            for q in quotas["cities"]} == {
        city: (amount, issued[city], issued[city], amount - issued[city])
        for city, (amount, _share) in CITY_QUOTAS.items()}
    used = {p["steady"].id: 3 * AMOUNT, p["other"].id: AMOUNT}  # c1, c2, c4 (c5 was rejected: given back); c3
    assert {q["provider_id"]: (q["quota_set_fen"], q["quota_used_fen"], q["quota_remaining_fen"])
            for q in quotas["providers"]} == {
        pid: (PROVIDER_QUOTA_FEN, u, PROVIDER_QUOTA_FEN - u) for pid, u in used.items()}
    city = ok(api.get(f"/v1/programme/years/{YEAR}/quotas", role=f"city:{DONGGUAN}"))
    assert [q["city"] for q in city["cities"]] == [DONGGUAN] and city["providers"] == []
    own = ok(api.get(f"/v1/programme/years/{YEAR}/quotas", role=f"provider:{p['other'].uscc}"))
    assert own["cities"] == [] and [q["provider_id"] for q in own["providers"]] == [p["other"].id]
    assert_problem(api.get(f"/v1/programme/years/{YEAR}/quotas", role=enterprise), 403, "FORBIDDEN")


def test_a_405_on_a_path_of_a_list_names_both_its_methods(world):
    """GET /v1/enterprises lists and POST registers: a 405 there allows both (RFC 9110 §15.5.6)."""
    api = world["api"]
    resp = api.client.put("/v1/enterprises", headers=api.auth("province"))
    assert_problem(resp, 405, "METHOD_NOT_ALLOWED")
    assert {m.strip() for m in resp.headers["allow"].split(",")} - {"HEAD"} == {"GET", "POST"}


def voucher_ledger(world, *args: str) -> cli_runner.Ran:
    """The command line on the world's store, its read models caught up by the command itself."""
    env = {**store_env(world["api"].settings), "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true", "COLUMNS": "250"}
    return cli_runner.voucher_ledger(list(args), env)


def test_the_command_line_lists_the_same(world):
    api, claims, p = world["api"], world["claims"], world["providers"]
    done = voucher_ledger(world, "list", "claims", "--status", "CLAIMED", "--json", "--all", "--limit", "1")
    assert done.returncode == 0, done.stderr
    assert {r["claim_id"] for r in json.loads(done.stdout)["items"]} == {
        c["id"] for c in claims.values() if c["status"] == "CLAIMED"}
    # a cursor the API gave out continues on the command line: the two pages are the whole list, once
    first = ok(api.get("/v1/settlement-batches", role="province", limit=1))
    done = voucher_ledger(world, "list", "batches", "--cursor", first["next_cursor"], "--json")
    assert done.returncode == 0, done.stderr
    rest = json.loads(done.stdout)
    assert sorted(ids(first["items"], "settlement-batches") + [r["batch_id"] for r in rest["items"]]) == sorted(
        world["batches"]) and rest["next_cursor"] is None
    done = voucher_ledger(world, "list", "providers", "--uscc", p["steady"].uscc)
    assert done.returncode == 0, done.stderr
    assert p["steady"].uscc in done.stdout and p["other"].uscc not in done.stdout and "1 providers" in done.stdout
    refused = voucher_ledger(world, "list", "enterprises", "--provider", p["steady"].uscc)
    assert refused.returncode == 2 and "--provider" in refused.stderr
    refused = voucher_ledger(world, "list", "vouchers", "--cursor", first["next_cursor"])
    assert refused.returncode == 2 and "cursor" in refused.stderr


def test_every_limit_on_the_command_line_is_1_to_1000(world):
    """`events --limit -5` printed nothing and exited 0 (a review); each --limit is bounded as the lists bound it."""
    for command in (["events"], ["list", "claims"], ["late-facts"]):
        for bad in ("-5", "0", "1001"):
            refused = voucher_ledger(world, *command, "--limit", bad)
            assert refused.returncode == 2 and "--limit" in refused.stderr, (command, bad, refused.stderr)
    done = voucher_ledger(world, "events", "--limit", "2")
    assert done.returncode == 0 and len(done.stdout.strip().splitlines()) == 2, done.stdout


def test_rows_recorded_during_a_walk_come_at_its_end(world):
    """Last in this module: it adds a claim that the world's record does not hold."""
    api, claims = world["api"], world["claims"]
    before = {c["id"] for c in claims.values()}
    first = ok(api.get("/v1/claims", role="province", limit=2))
    world["clock"].advance(hours=1)
    body = api.claim_body(world["providers"]["steady"], eligible_fee_fen=FEE)
    late = ok(api.claim(world["vouchers"]["e2"], body), 201)["claim_id"]
    rest = walk(api, "claims", limit=2, cursor=first["next_cursor"])
    seen = ids(first["items"], "claims") + ids(rest, "claims")
    assert sorted(seen) == sorted(before | {late}) and seen[-1] == late
