"""Every as-of answer is of its time: for each kind of thing (enterprise, provider, voucher, settlement batch, city
quota), a time before it existed answers 404 (a quota: its year is absent), and so does a ``known_at`` before the
ledger learned of it; names, cities and statuses are those in effect then.

No event changes an enterprise's USCC, name or city or a provider's name (ledger/enterprise.py, ledger/provider.py):
the registered ones are in effect from registration on. Statuses do change, and are checked at each time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.http.console.moments import SHANGHAI
from tests.support import cli_runner
from tests.support.api_helpers import (
    FOSHAN, START, YEAR, assert_problem, iso, module_store_settings, ok, patched_clock, running_api, store_env,
    store_params,
)

QUOTA, REVISED, SHARE = 40_000_000, 45_000_000, "0.33"
SECOND, HOUR = timedelta(seconds=1), timedelta(hours=1)


@pytest.fixture(scope="module", params=store_params())
def story(request, tmp_path_factory):
    """Each thing created at its own hour, so that 'a second before' and 'known a second before' are exact."""
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year(city_quotas={})
        at = {}
        at["enterprise"] = clock.advance(hours=1)
        enterprise = api.register(FOSHAN)
        at["quota"] = clock.advance(hours=1)
        ok(api.post("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "amount_fen": QUOTA, "city_share": SHARE}))
        at["provider"] = clock.advance(hours=1)
        provider = api.admit()
        at["whitelisted"] = clock.advance(hours=1)
        api.assess(provider)
        api.provider_quota(provider)
        api.decide(enterprise)
        at["voucher"] = clock.advance(hours=1)
        voucher = ok(api.issue(enterprise), 201)["voucher_id"]
        at["batch"] = clock.advance(hours=1)
        batch = api.open_batch(provider)
        at["revised"] = clock.advance(hours=1)
        ok(api.post("/v1/city-quotas", {"city": FOSHAN, "year": YEAR, "amount_fen": REVISED, "city_share": SHARE}))
        clock.advance(hours=1)
        yield {"api": api, "at": at, "enterprise": enterprise, "provider": provider, "voucher": voucher,
               "batch": batch}


KINDS = [  # (kind, path template, the 404 code of an unknown one)
    ("enterprise", "/v1/enterprises/{id}", "ENTERPRISE_NOT_FOUND"),
    ("provider", "/v1/providers/{id}", "PROVIDER_NOT_FOUND"),
    ("voucher", "/v1/vouchers/{id}", "NOT_FOUND"),
    ("batch", "/v1/settlement-batches/{id}", "NOT_FOUND"),
    ("enterprise", "/v1/audit/enterprise/{id}", "ENTERPRISE_NOT_FOUND"),
    ("provider", "/v1/audit/provider/{id}", "PROVIDER_NOT_FOUND"),
    ("voucher", "/v1/audit/voucher/{id}", "NOT_FOUND"),
    ("batch", "/v1/audit/settlement_batch/{id}", "NOT_FOUND"),
]


def _id(story, kind: str) -> str:
    found = story[kind]
    return found if isinstance(found, str) else found.id


@pytest.mark.parametrize("kind, template, code", KINDS, ids=[t for _, t, _ in KINDS])
def test_before_it_existed_is_404_and_from_then_on_200(story, kind, template, code):
    api, created = story["api"], story["at"]["voucher" if kind == "voucher" else kind]
    path = template.format(id=_id(story, kind))
    assert_problem(api.get(path, as_of=iso(created - SECOND)), 404, code, instance=path)
    ok(api.get(path, as_of=iso(created)))
    # existing by as_of, but not yet known at known_at: the ledger did not know it then
    assert_problem(api.get(path, known_at=iso(created - SECOND)), 404, code, instance=path)
    ok(api.get(path, as_of=iso(created), known_at=iso(created)))


def test_an_enterprise_has_its_registered_name_and_city_from_registration_on(story):
    api, enterprise = story["api"], story["enterprise"]
    for moment in (story["at"]["enterprise"], api.clock.now):
        body = ok(api.get(f"/v1/enterprises/{enterprise.id}", as_of=iso(moment)))
        assert (body["uscc"], body["city"]) == (enterprise.uscc, FOSHAN)
        assert body["name"].startswith("Factory ")


def test_a_providers_status_is_the_one_in_effect(story):
    api, provider, at = story["api"], story["provider"], story["at"]
    path = f"/v1/providers/{provider.id}"
    assert ok(api.get(path, as_of=iso(at["provider"])))["status"] == "PENDING_ASSESSMENT"
    assert ok(api.get(path, as_of=iso(at["whitelisted"])))["status"] == "WHITELISTED"
    assert ok(api.get(path, known_at=iso(at["whitelisted"] - SECOND)))["status"] == "PENDING_ASSESSMENT"
    assert [e["uscc"] for e in ok(api.get("/v1/whitelist", as_of=iso(at["provider"] - SECOND)))["providers"]] == []


def test_a_voucher_and_a_batch_have_the_status_in_effect(story):
    api, at = story["api"], story["at"]
    assert ok(api.get(f"/v1/vouchers/{story['voucher']}", as_of=iso(at["voucher"])))["status"] == "ACTIVE"
    batch = ok(api.get(f"/v1/settlement-batches/{story['batch']}", as_of=iso(at["batch"])))
    assert batch["paid"] is False and batch["lines"] == []


def test_a_city_quota_appears_when_set_with_the_amount_in_effect(story):
    api, at = story["api"], story["at"]
    path = f"/v1/cities/{FOSHAN}/spend"

    def quotas(**times):
        return ok(api.get(path, role=f"city:{FOSHAN}", **{k: iso(v) for k, v in times.items()}))["quotas"]

    assert str(YEAR) not in quotas(as_of=at["quota"] - SECOND)  # not set yet: no quota, not a zero one
    assert str(YEAR) not in quotas(known_at=at["quota"] - SECOND)
    assert quotas(as_of=at["quota"])[str(YEAR)]["quota_set_fen"] == QUOTA
    assert quotas(as_of=at["revised"] - SECOND)[str(YEAR)]["quota_set_fen"] == QUOTA
    assert quotas(as_of=at["revised"])[str(YEAR)]["quota_set_fen"] == REVISED
    assert quotas(known_at=at["revised"] - SECOND)[str(YEAR)]["quota_set_fen"] == QUOTA


def test_a_future_time_is_refused_by_every_as_of_answer(story):
    """A figure as of a time still to come would be a guess (a review found ?as_of=2030-01-01 answered ACTIVE without
    comment): every GET that takes as_of or known_at, as its OpenAPI document lists them, refuses a time after now
    with AS_OF_IN_FUTURE; now itself is answered."""
    api = story["api"]
    ids = {"voucher_id": story["voucher"], "enterprise_id": story["enterprise"].id,
           "provider_id": story["provider"].id, "batch_id": story["batch"], "city": FOSHAN, "entity_kind": "voucher",
           "entity_id": story["voucher"], "year": str(YEAR), "period": "2020-03"}
    required = {"stage": "settled", "account": "PAID"}
    later = iso(api.clock.now + SECOND)
    asked = []
    for path, item in api.client.get("/openapi.json").json()["paths"].items():
        params = {p["name"] for p in item.get("get", {}).get("parameters", [])}
        if "as_of" not in params and "known_at" not in params:
            continue
        concrete = path.format(**ids)
        extra = {name: value for name, value in required.items() if name in params}
        for name in ("as_of", "known_at"):
            if name in params:
                assert_problem(api.get(concrete, **extra, **{name: later}), 422, "AS_OF_IN_FUTURE", instance=concrete)
                asked.append((concrete, name))
    assert len(asked) >= 30  # sixteen routes, nearly all with both
    said = api.get(f"/v1/vouchers/{story['voucher']}", as_of=later).json()["detail"]  # times as Guangdong reads them
    for moment in (api.clock.now + SECOND, api.clock.now):
        assert moment.astimezone(SHANGHAI).isoformat() in said and "+08:00" in said, said
    now = ok(api.get(f"/v1/vouchers/{story['voucher']}", as_of=iso(api.clock.now), known_at=iso(api.clock.now)))
    assert now["status"] == "ACTIVE" and now["expiry_recorded"] is False


def test_the_console_and_the_command_line_refuse_a_future_time_too(story):
    api, voucher = story["api"], story["voucher"]
    today = api.clock.now.astimezone(SHANGHAI).date()
    part = f"/console/parts/vouchers/{voucher}"
    headers = api.auth("auditor")
    assert api.client.get(part, params={"as_of": today.isoformat()}, headers=headers).status_code == 200  # as of now
    for later in ((today + timedelta(days=1)).isoformat(), "2030-01-01T00:00:00+08:00"):
        refused = api.client.get(part, params={"as_of": later}, headers=headers)
        assert refused.status_code == 422 and "AS_OF_IN_FUTURE" in refused.text, later
        refused = api.client.get(part, params={"known_at": later}, headers=headers)
        assert refused.status_code == 422 and "AS_OF_IN_FUTURE" in refused.text, later
    # the command line runs on the real clock: a time in 2999 is after it, whenever this runs
    env = {**store_env(api.settings), "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true"}
    for option in ("--as-of", "--known-at"):
        done = cli_runner.voucher_ledger(["figure", "voucher", voucher, option, "2999-01-01T00:00:00+08:00"], env)
        assert done.returncode == 2 and "AS_OF_IN_FUTURE" in done.stdout + done.stderr, (option, done)
