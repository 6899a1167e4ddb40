"""Who may call what: every route × every role, as a table; and every way a token can be wrong → 401.

The table's columns are the roles below. ``Y``: allowed (the route answers something other than 403: a 2xx, or a
4xx of the rules such as a 409 for a repeated registration); ``-``: 403 FORBIDDEN (the role may never do this, whatever
the id); ``n``: outside the caller's scope, so 404, the very answer an unknown id gets (ids derive from public USCCs:
a 403 would tell another city that the thing exists). "own" is the city, enterprise or provider the request is
about; "other" is another one. The route list comes from ``app.routes``: a route added
without a row here fails :func:`test_the_matrix_covers_every_route`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import jwt
import pytest
from pydantic import SecretStr

from api.http.auth import ALGORITHM, ISSUER, mint
from api.http.models.examples import EXAMPLES
from tests.support.api_helpers import (
    DONGGUAN, FOSHAN, START, YEAR, app_routes, assert_problem, iso, module_store_settings, ok, patched_clock, running_api,
    store_params,
)

PERIOD = "2020-02"  # the publicity list the world publishes
ROLES = ("province", "auditor", "city:own", "city:other", "enterprise:own", "enterprise:other", "provider:own",
         "provider:other")

#                                                             prov aud  c:own c:oth e:own e:oth p:own p:oth
MATRIX: dict[tuple[str, str], str] = {
    ("POST", "/v1/enterprises"):                                "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/enterprises/{enterprise_id}/eligibility"):    "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/catalogues"):                                 "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/city-quotas"):                                "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/carrier-rates"):                              "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers"):                                  "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/quotas"):             "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/assessments"):        "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/suspension"):         "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/reinstatement"):      "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/elimination"):        "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/other-funding"):      "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/vouchers"):                                   "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/vouchers/{voucher_id}/claims"):               "Y    -    -     -     Y     n     -     -",
    ("POST", "/v1/vouchers/{voucher_id}/claims/{claim_id}/approval"):  "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/vouchers/{voucher_id}/claims/{claim_id}/rejection"): "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/vouchers/{voucher_id}/claims/{claim_id}/reversal"):  "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/vouchers/{voucher_id}/claims/{claim_id}/release"):   "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/settlement-batches"):                         "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/settlement-batches/{batch_id}/claims"):       "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/settlement-batches/{batch_id}/payment"):      "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/collections"): "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/write-off"):   "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/programme/years/{year}/expiry-run"):         "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/vouchers/{voucher_id}/revocation"):           "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/cloud-agreements"):   "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/enterprises/{enterprise_id}/eligibility/{year}/correction"): "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/city-quotas/{city}/{year}/revision"):         "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/providers/{provider_id}/quotas/{year}/revision"): "Y   -    -     -     -     -     -     -",
    ("GET", "/v1/vouchers/{voucher_id}"):                       "Y    Y    Y     n     Y     n     -     -",
    ("GET", "/v1/vouchers/{voucher_id}/movements"):             "Y    Y    Y     n     Y     n     -     -",
    ("GET", "/v1/enterprises/{enterprise_id}"):                 "Y    Y    Y     n     Y     n     -     -",
    ("GET", "/v1/providers/{provider_id}"):                     "Y    Y    -     -     -     -     Y     n",
    ("GET", "/v1/providers/{provider_id}/movements"):           "Y    Y    -     -     -     -     Y     n",
    ("GET", "/v1/cities/{city}/spend"):                         "Y    Y    Y     n     -     -     -     -",
    ("GET", "/v1/cities/{city}/spend/movements"):               "Y    Y    Y     n     -     -     -     -",
    ("GET", "/v1/whitelist"):                                   "Y    Y    Y     Y     Y     Y     Y     Y",
    ("GET", "/v1/settlement-batches/{batch_id}"):               "Y    Y    -     -     -     -     Y     n",
    ("GET", "/v1/audit/{entity_kind}/{entity_id}"):             "see AUDIT",
    ("GET", "/v1/events"):                                      "Y    Y    -     -     -     -     -     -",
    ("GET", "/v1/late-facts"):                                  "Y    Y    -     -     -     -     -     -",
    ("GET", "/v1/trial-balance"):                               "Y    Y    -     -     -     -     -     -",
    ("GET", "/v1/journal-lines"):                               "Y    Y    -     -     -     -     -     -",
    # lists answer a scoped caller its own rows (200), never 404: "other" cities, enterprises, providers see theirs
    ("GET", "/v1/claims"):                                      "Y    Y    Y     Y     Y     Y     Y     Y",
    ("GET", "/v1/vouchers"):                                    "Y    Y    Y     Y     Y     Y     -     -",
    ("GET", "/v1/enterprises"):                                 "Y    Y    Y     Y     Y     Y     -     -",
    ("GET", "/v1/providers"):                                   "Y    Y    -     -     -     -     Y     Y",
    ("GET", "/v1/settlement-batches"):                          "Y    Y    -     -     -     -     Y     Y",
    ("GET", "/v1/programme/years/{year}/catalogue"):            "Y    Y    Y     Y     Y     Y     Y     Y",
    ("GET", "/v1/programme/years/{year}/quotas"):               "Y    Y    Y     Y     -     -     Y     Y",
    ("POST", "/v1/programme/years"):                            "Y    -    -     -     -     -     -     -",
    # an enterprise rates and complains only on its own claims; the province evaluates; it and auditors read results
    ("POST", "/v1/vouchers/{voucher_id}/claims/{claim_id}/rating"):     "-  -  -  -  Y  n  -  -",
    ("POST", "/v1/vouchers/{voucher_id}/claims/{claim_id}/complaints"): "-  -  -  -  Y  n  -  -",
    ("POST", "/v1/programme/years/{year}/pool-evaluation"):    "Y    -    -     -     -     -     -     -",
    ("GET", "/v1/programme/years/{year}/pool-evaluation"):     "Y    Y    -     -     -     -     -     -",
    ("POST", "/v1/imports"):                                    "Y    -    -     -     -     -     -     -",
    ("GET", "/v1/programme"):                                   "Y    Y    Y     Y     Y     Y     Y     Y",
    # the working calendar (工作日) the objection windows count on: the province records it, everyone reads it
    ("POST", "/v1/programme/working-calendars"):                "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/programme/working-calendars/{year}/revision"): "Y   -    -     -     -     -     -     -",
    ("GET", "/v1/programme/working-calendars/{year}"):          "Y    Y    Y     Y     Y     Y     Y     Y",
    # publicity (公示): the province publishes, rules and closes; anyone objects and reads the public list
    ("POST", "/v1/programme/years/{year}/publicity-lists"):     "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/programme/years/{year}/publicity-lists/{period}/objections"): "Y  Y  Y  Y  Y  Y  Y  Y",
    ("POST", "/v1/programme/years/{year}/publicity-lists/{period}/claims/{claim_id}/ruling"): "Y  -  -  -  -  -  -  -",
    ("POST", "/v1/programme/years/{year}/publicity-lists/{period}/closure"): "Y  -  -  -  -  -  -  -",
    ("GET", "/v1/programme/years/{year}/publicity-lists/{period}"): "Y  Y  Y     Y     Y     Y     Y     Y",
    # awards (二, 三): the province defines programmes, selects, grants, pays and recovers; an applicant applies for
    # itself; a city recommends or declines only its own city's applications; the applicant and its city read them
    ("POST", "/v1/programme/years/{year}/award-programmes"):   "Y    -    -     -     -     -     -     -",
    ("GET", "/v1/programme/years/{year}/award-programmes"):    "Y    Y    Y     Y     Y     Y     Y     Y",
    ("POST", "/v1/awards"):                                     "-    -    Y     Y     Y     Y     Y     Y",
    ("GET", "/v1/awards/{award_id}"):                           "Y    Y    Y     n     Y     n     n     n",
    ("GET", "/v1/awards"):                                      "Y    Y    Y     Y     Y     Y     Y     Y",
    ("POST", "/v1/awards/{award_id}/recommendation"):           "-    -    Y     n     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/refusal"):                  "Y    -    Y     n     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/selection"):                "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/national-recommendation"):  "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/grant"):                    "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/title-withdrawal"):         "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/award-batches"):                              "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/award-batches/{award_batch_id}/awards"):      "Y    -    -     -     -     -     -     -",
    ("GET", "/v1/award-batches/{award_batch_id}"):              "Y    Y    -     -     -     -     -     -",
    ("POST", "/v1/award-batches/{award_batch_id}/payment"):     "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/recovery"):                 "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/recovery/collections"):     "Y    -    -     -     -     -     -     -",
    ("POST", "/v1/awards/{award_id}/recovery/write-off"):       "Y    -    -     -     -     -     -     -",
    # the documentation is public: no token needed, every role may read it
    ("GET", "/openapi.json"):                                   "public",
    ("GET", "/docs"):                                           "public",
    ("GET", "/docs/oauth2-redirect"):                           "public",
    ("GET", "/redoc"):                                          "public",
    # operations: a load balancer and a metrics scraper carry no token (api/http/health.py)
    ("GET", "/healthz"):                                        "public",
    ("GET", "/readyz"):                                         "public",
    ("GET", "/metrics"):                                        "public",
    ("GET", "/docs-redoc/redoc.standalone.js"):                 "public",
    # the console's pages are shells without data; their figures come from the parts, which need a token and
    # answer each role as the API route they read does (test_console_parts_answer_as_the_api_does)
    ("GET", "/console/"):                                       "public",
    ("GET", "/console/overview"):                               "public",
    ("GET", "/console/vouchers/{voucher_id}"):                  "public",
    ("GET", "/console/providers/{provider_id}"):                "public",
    ("GET", "/console/batches/{batch_id}"):                     "public",
    ("GET", "/console/disputes/{entity_kind}/{entity_id}"):     "public",
    ("GET", "/console/cities/{city}"):                          "public",
    ("GET", "/console/enterprises/{enterprise_id}"):            "public",
    ("GET", "/console/trial-balance"):                          "public",
    ("GET", "/console/events"):                                 "public",
    ("GET", "/console/journal-lines"):                          "public",
    ("GET", "/console/explain/spend/{city}"):                   "public",
    ("GET", "/console/explain/journal-lines"):                  "public",
    ("GET", "/console/explain/vouchers/{voucher_id}"):          "public",
    ("GET", "/console/explain/providers/{provider_id}"):        "public",
    ("POST", "/console/session"):                               "console link",   # a link is its own credential
    ("GET", "/console/open"):                                   "console link",   # a redirect to a page
    ("GET", "/console/parts/overview"):                         "console part",
    ("GET", "/console/parts/vouchers/{voucher_id}"):            "console part",
    ("GET", "/console/parts/providers/{provider_id}"):          "console part",
    ("GET", "/console/parts/batches/{batch_id}"):               "console part",
    ("GET", "/console/parts/disputes/{entity_kind}/{entity_id}"): "console part",
    ("GET", "/console/parts/cities/{city}"):                    "console part",
    ("GET", "/console/parts/enterprises/{enterprise_id}"):      "console part",
    ("GET", "/console/parts/trial-balance"):                    "console part",
    ("GET", "/console/parts/events"):                           "console part",
    ("GET", "/console/parts/journal-lines"):                    "console part",
    ("GET", "/console/parts/explain/spend/{city}"):             "console part",
    ("GET", "/console/parts/explain/journal-lines"):            "console part",
    ("GET", "/console/parts/explain/vouchers/{voucher_id}"):    "console part",
    ("GET", "/console/parts/explain/providers/{provider_id}"):  "console part",
}
# Each console part reads one API route; it answers every role that route's status (200, 403 or 404). The overview
# reads every city's spend: open to the roles that may read city spend at all, each seeing its own city.
CONSOLE_PARTS = {
    "/console/parts/vouchers/{voucher_id}": "/v1/vouchers/{voucher_id}",
    "/console/parts/providers/{provider_id}": "/v1/providers/{provider_id}",
    "/console/parts/batches/{batch_id}": "/v1/settlement-batches/{batch_id}",
    "/console/parts/disputes/{entity_kind}/{entity_id}": "/v1/vouchers/{voucher_id}",  # a voucher's dispute
    "/console/parts/cities/{city}": "/v1/cities/{city}/spend",
    "/console/parts/enterprises/{enterprise_id}": "/v1/enterprises/{enterprise_id}",
    "/console/parts/trial-balance": "/v1/trial-balance",
    "/console/parts/events": "/v1/events",
    "/console/parts/journal-lines": "/v1/journal-lines",
    "/console/parts/explain/spend/{city}": "/v1/cities/{city}/spend/movements",
    "/console/parts/explain/journal-lines": "/v1/journal-lines",
    "/console/parts/explain/vouchers/{voucher_id}": "/v1/vouchers/{voucher_id}/movements",
    "/console/parts/explain/providers/{provider_id}": "/v1/providers/{provider_id}/movements",
}
OVERVIEW = "Y    Y    Y     Y     -     -     -     -"
# The audit trail depends on the entity: the province and auditors read every trail; a city, enterprise or provider
# the trail of itself, and a city or enterprise the trail of its own voucher, a provider that of its own batch. A
# working calendar's trail (named by its year) is the province's and auditors' only.
AUDIT = {
    "voucher":          "Y    Y    Y     n     Y     n     -     -",
    "settlement_batch": "Y    Y    -     -     -     -     Y     n",
    "city":             "Y    Y    Y     n     -     -     -     -",
    "enterprise":       "Y    Y    -     -     Y     n     -     -",
    "provider":         "Y    Y    -     -     -     -     Y     n",
    "award":            "Y    Y    Y     n     Y     n     n     n",
    "working_calendar": "Y    Y    -     -     -     -     -     -",
}


def marks(row: str) -> dict[str, str]:
    found = row.split()
    assert len(found) == len(ROLES) and set(found) <= {"Y", "-", "n"}, row
    return dict(zip(ROLES, found, strict=True))


@dataclass
class World:
    api: Any
    roles: dict[str, str]  # column name -> the real role string
    ids: dict[str, str]


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    """A year with two enterprises (Foshan: own, Dongguan: other), two providers, a voucher, a claim, a batch."""
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        own, other = api.eligible_enterprise(FOSHAN), api.eligible_enterprise(DONGGUAN)
        provider, other_provider = api.whitelisted_provider(), api.whitelisted_provider()
        clock.advance(days=1)
        voucher = ok(api.issue(own), 201)["voucher_id"]
        clock.advance(days=1)
        claim = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=1_000_000)), 201)["claim_id"]
        # A second claim paid and then reversed: a recovery the collection and write-off rows can act on.
        repaid = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=400_000)), 201)["claim_id"]
        ok(api.approve(voucher, repaid))
        paid_batch = api.open_batch(provider, period="2020-02")
        ok(api.add_to_batch(paid_batch, voucher, repaid))
        ok(api.pay(paid_batch))
        clock.advance(days=1)
        ok(api.reverse(voucher, repaid))
        batch = api.open_batch(provider)
        # A third claim, approved and published: the publicity rows object to it and read its list.
        listed = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=200_000)), 201)["claim_id"]
        ok(api.approve(voucher, listed))
        ok(api.post("/v1/programme/working-calendars", EXAMPLES["PublishWorkingCalendar"]), 201)  # windows count on it
        ok(api.post(f"/v1/programme/years/{YEAR}/publicity-lists",
                    {"period": PERIOD, "claims": [{"voucher_id": voucher, "claim_id": listed}]}), 201)
        ok(api.post("/v1/programme/years/2019/pool-evaluation"), 201)  # a year with results to read (2020 is open)
        # An award applied for by the own (Foshan) enterprise, and one paid, for the recovery rows to act on.
        ok(api.post(f"/v1/programme/years/{YEAR}/award-programmes", {
            "kind": "FINANCE_PILOT", "name": "新型金融服务试点示范", "amount_fen": 1_000_000, "amount_rule": "FIXED",
            "applicants": ["ENTERPRISE", "PROVIDER", "CITY_GOVERNMENT", "COUNTY_GOVERNMENT"]}), 201)
        applied = {"year": YEAR, "kind": "FINANCE_PILOT", "project": "供应链金融试点", "city": FOSHAN}
        award = ok(api.post("/v1/awards", applied, role=f"enterprise:{own.uscc}"), 201)["id"]
        paid_award = ok(api.post("/v1/awards", applied, role=f"enterprise:{own.uscc}"), 201)["id"]
        ok(api.post(f"/v1/awards/{paid_award}/recommendation", {}, role=f"city:{FOSHAN}"))
        ok(api.post(f"/v1/awards/{paid_award}/selection"))
        ok(api.post(f"/v1/awards/{paid_award}/grant", {}))
        award_batch = ok(api.post("/v1/award-batches", {"period": "2020-02"}), 201)["id"]
        ok(api.post(f"/v1/award-batches/{award_batch}/awards", {"award_id": paid_award}))
        ok(api.post(f"/v1/award-batches/{award_batch}/payment", {"effective_at": iso(clock.now)}))
        ok(api.post(f"/v1/awards/{paid_award}/recovery", {"reason": "role test", "effective_at": iso(clock.now)}))
        roles = {"province": "province", "auditor": "auditor", "city:own": f"city:{FOSHAN}",
                 "city:other": f"city:{DONGGUAN}", "enterprise:own": f"enterprise:{own.uscc}",
                 "enterprise:other": f"enterprise:{other.uscc}", "provider:own": f"provider:{provider.uscc}",
                 "provider:other": f"provider:{other_provider.uscc}"}
        ids = {"enterprise_id": own.id, "provider_id": provider.id, "voucher_id": voucher, "claim_id": claim,
               "batch_id": batch, "city": FOSHAN, "provider_uscc": provider.uscc,
               "recovery_batch_id": paid_batch, "recovery_claim_id": repaid, "year": YEAR, "period": PERIOD,
               "listed_claim_id": listed, "award_id": award, "paid_award_id": paid_award,
               "award_batch_id": award_batch}
        yield World(api, roles, ids)


def request_for(world: World, method: str, path: str, *, entity_kind: str = "voucher") -> tuple[str, Any]:
    """A concrete, well-formed request for a route (valid body, the world's ids)."""
    ids, now = world.ids, iso(world.api.clock.now)
    audit_ids = {"voucher": ids["voucher_id"], "settlement_batch": ids["batch_id"], "city": FOSHAN,
                 "enterprise": ids["enterprise_id"], "provider": ids["provider_id"], "award": ids["award_id"],
                 "working_calendar": str(YEAR)}
    if "/publicity-lists/" in path:
        ids = {**ids, "claim_id": ids["listed_claim_id"]}
    if "/recoveries/" in path:
        ids = {**ids, "batch_id": ids["recovery_batch_id"], "claim_id": ids["recovery_claim_id"]}
    if path.startswith("/v1/awards/{award_id}/recovery"):
        ids = {**ids, "award_id": ids["paid_award_id"]}
    concrete = path.format(entity_kind=entity_kind, entity_id=audit_ids[entity_kind], **{"year": YEAR, **ids})
    if method == "GET" and path.endswith("/pool-evaluation"):
        concrete = concrete.replace(f"/{YEAR}/", f"/{YEAR - 1}/")  # the year the world evaluated
    if method == "GET" and path.endswith("/journal-lines"):
        concrete += "?account=PAID"  # an account's lines: the account is required
    if method == "GET" and path.endswith("/spend/movements"):
        concrete += "?stage=spend"  # one figure's events: the figure is required
    n = uuid.uuid4().int % 10_000_000
    bodies = {
        "/v1/enterprises": {"uscc": world.api.new_uscc(FOSHAN), "name": "Role Test Co", "city": FOSHAN,
                            "carrier": "CHINA_TELECOM", "established_on": "2012-01-01"},
        "/v1/enterprises/{enterprise_id}/eligibility": {"year": YEAR, "prior_year_revenue_fen": 2_000_000_000,
                                                        "serious_misuse_5y": False, "effective_at": now},
        "/v1/catalogues": {"year": 2019, "items": [{"item_id": "X", "name": "x", "fee_category": "DEVICE_ACCESS",
                                                    "rate": "0.30", "cap_fen": 100}],
                           "redemption_deadline": "2020-02-08"},
        "/v1/city-quotas": {"city": FOSHAN, "year": YEAR, "amount_fen": 50_000_000, "city_share": "0.33"},
        "/v1/carrier-rates": {"year": YEAR, "rates": {"CHINA_TELECOM": "0.30"}},
        "/v1/providers": {"uscc": world.api.new_uscc("440100"), "name": "Role Test Cloud", "kind": "SERVICE"},
        "/v1/providers/{provider_id}/quotas": {"year": YEAR, "amount_fen": 300_000_000},
        "/v1/providers/{provider_id}/assessments": {"area": "DATA", "passed": True, "assessor": "CNITSEC",
                                                    "effective_at": now},
        "/v1/providers/{provider_id}/suspension": {"area": "DATA", "assessor": "CNITSEC", "effective_at": now},
        "/v1/providers/{provider_id}/reinstatement": {"area": "DATA", "assessor": "CNITSEC", "effective_at": now},
        "/v1/providers/{provider_id}/elimination": {"year": 2019, "rating": "C", "effective_at": now},
        "/v1/providers/{provider_id}/other-funding": {
            "contract_no": f"HT-OF{n}", "fund_name": "省级专项资金", "document_no": f"粤财〔2020〕{n}号",
            "amount_fen": 10_000, "effective_at": now, "reason": "role test"},
        "/v1/vouchers": {"enterprise_id": ids["enterprise_id"], "year": YEAR, "item_id": "NET-RENO"},
        "/v1/vouchers/{voucher_id}/claims": {
            "provider_id": ids["provider_id"], "fee_category": "APPLICATION_SERVICE", "eligible_fee_fen": 10_000,
            "contract_no": f"HT-R{n}", "contract_date": iso(world.api.clock.now - timedelta(days=20)),
            "contract_amount_fen": 10_000, "invoice_nos": [f"INV-R{n}"], "payment_proven_fen": 10_000,
            "payment_proof_ref": "BANK-R", "acceptance_report_ref": "ACC-R",
            "accepted_at": iso(world.api.clock.now - timedelta(days=2)), "no_other_funding": True},
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/approval": None,
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/rejection": {"reason": "role test"},
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/reversal": {"reason": "role test", "effective_at": now},
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/release": {"reason": "role test"},
        "/v1/settlement-batches": {"provider_id": ids["provider_id"], "period": "2020-04"},
        "/v1/settlement-batches/{batch_id}/claims": {"voucher_id": ids["voucher_id"], "claim_id": ids["claim_id"]},
        "/v1/settlement-batches/{batch_id}/payment": {"effective_at": now},
        "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/collections": {
            "amount_fen": 100, "bank_reference": "BOC-R", "effective_at": now},
        "/v1/settlement-batches/{batch_id}/recoveries/{claim_id}/write-off": {"reason": "role test",
                                                                              "effective_at": now},
        "/v1/programme/years": {"year": 2030, "redemption_deadline": "2031-02-08"},
        "/v1/programme/years/{year}/expiry-run": None,
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/rating": {"score": 4},
        "/v1/vouchers/{voucher_id}/claims/{claim_id}/complaints": {"reason": "role test"},
        "/v1/programme/years/{year}/pool-evaluation": None,
        "/v1/vouchers/{voucher_id}/revocation": {"reason": "role test"},
        "/v1/providers/{provider_id}/cloud-agreements": {"year": YEAR, "rate": "0.30"},
        "/v1/enterprises/{enterprise_id}/eligibility/{year}/correction": {
            "prior_year_revenue_fen": 2_000_000_000, "serious_misuse_5y": False, "effective_at": now,
            "reason": "role test"},
        "/v1/city-quotas/{city}/{year}/revision": {"amount_fen": 50_000_000},
        "/v1/providers/{provider_id}/quotas/{year}/revision": {"amount_fen": 300_000_000},
        "/v1/programme/working-calendars": {"year": 2031, "days_off": [], "workdays": [], "notice": "role test"},
        "/v1/programme/working-calendars/{year}/revision": EXAMPLES["ReviseWorkingCalendar"],
        "/v1/programme/years/{year}/publicity-lists": {
            "period": f"R{n}", "claims": [{"voucher_id": ids["voucher_id"], "claim_id": ids["claim_id"]}]},
        "/v1/programme/years/{year}/publicity-lists/{period}/objections": {
            "claim_id": ids["claim_id"], "objector": "role test", "reason": "role test"},
        "/v1/programme/years/{year}/publicity-lists/{period}/claims/{claim_id}/ruling": {
            "ruling": "UPHOLD", "reason": "role test"},
        "/v1/programme/years/{year}/publicity-lists/{period}/closure": None,
        "/v1/programme/years/{year}/award-programmes": {
            "kind": "INNOVATION_CENTRE", "name": "创新中心", "applicants": ["CITY_GOVERNMENT"],
            "amount_rule": "CASE_BY_CASE"},
        "/v1/awards": {"year": YEAR, "kind": "FINANCE_PILOT", "project": "role test", "city": FOSHAN},
        "/v1/awards/{award_id}/recommendation": {"opinion": "role test"},
        "/v1/awards/{award_id}/refusal": {"reason": "role test"},
        "/v1/awards/{award_id}/selection": None,
        "/v1/awards/{award_id}/national-recommendation": {"note": "role test"},
        "/v1/awards/{award_id}/grant": {},
        "/v1/awards/{award_id}/title-withdrawal": {"reason": "role test"},
        "/v1/award-batches": {"period": "2020-03"},
        "/v1/award-batches/{award_batch_id}/awards": {"award_id": ids["award_id"]},
        "/v1/award-batches/{award_batch_id}/payment": {"effective_at": now},
        "/v1/awards/{award_id}/recovery": {"reason": "role test", "effective_at": now},
        "/v1/awards/{award_id}/recovery/collections": {"amount_fen": 100, "bank_reference": "BOC-R",
                                                       "effective_at": now},
        "/v1/awards/{award_id}/recovery/write-off": {"reason": "role test", "effective_at": now},
    }
    return concrete, bodies.get(path) if method == "POST" else None


def send(world: World, method: str, path: str, body: Any, role: str | None, headers: dict | None = None):
    api = world.api
    if headers is None:
        headers = api.headers(role, key=None)
    headers = {**headers, "Idempotency-Key": f"roles-{uuid.uuid4()}"} if method == "POST" else headers
    if method == "POST":
        return api.client.post(path, json=body, headers=headers)
    return api.client.get(path, headers=headers)


def test_the_matrix_covers_every_route(world):
    routes = app_routes(world.api.client.app)
    assert len(routes) > 20
    assert {(method, path) for method, path, _ in routes} == set(MATRIX)
    for row in [r for r in MATRIX.values() if r not in ("public", "see AUDIT", "console part", "console link")] + list(AUDIT.values()):
        marks(row)
    audit = [route for _, path, route in routes if path.startswith("/v1/audit/")]
    kind = next(p for p in audit[0].dependant.path_params if p.name == "entity_kind")
    assert set(get_args(kind.field_info.annotation)) == set(AUDIT)  # every kind of trail has its row


def _cases():
    for (method, path), row in MATRIX.items():
        if row in ("public", "console part", "console link"):
            continue
        if row == "see AUDIT":
            for kind, audit_row in AUDIT.items():
                yield pytest.param(method, path, kind, audit_row, id=f"{method} {path} {kind}")
        else:
            yield pytest.param(method, path, "voucher", row, id=f"{method} {path}")


@pytest.mark.parametrize("method, path, entity_kind, row", list(_cases()))
def test_role_matrix(world, method, path, entity_kind, row):
    wrong = []
    for column, mark in marks(row).items():
        concrete, body = request_for(world, method, path, entity_kind=entity_kind)  # a fresh contract no. per role
        resp = send(world, method, concrete, body, world.roles[column])
        if mark == "Y" and (resp.status_code in (401, 403, 404) or resp.status_code >= 500
                            or (method == "GET" and resp.status_code != 200)):
            wrong.append(f"{column}: expected allowed, got {resp.status_code} {resp.text[:200]}")
        elif mark == "-":
            if resp.status_code != 403:
                wrong.append(f"{column}: expected 403, got {resp.status_code} {resp.text[:200]}")
            else:
                assert_problem(resp, 403, "FORBIDDEN", instance=concrete.partition("?")[0])
        elif mark == "n":
            unknown = unknown_twin(world, concrete)
            twin = send(world, method, unknown, body, world.roles[column])
            if resp.status_code != 404:
                wrong.append(f"{column}: expected 404 as for an unknown id, got {resp.status_code} {resp.text[:200]}")
            else:
                hidden = assert_problem(resp, 404, instance=concrete.partition("?")[0])
                missing = assert_problem(twin, 404)
                assert (hidden["code"], ids_blanked(hidden["detail"])) == (missing["code"], ids_blanked(missing["detail"]))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("part", [*CONSOLE_PARTS, "/console/parts/overview"])
def test_console_parts_answer_as_the_api_does(world, part):
    """The console reads through the API's own routes: whatever a role may not read there, it may not see here."""
    wrong = []
    for column, role in world.roles.items():
        concrete, _ = request_for(world, "GET", part)
        shown = world.api.client.get(concrete, headers=world.api.auth(role))
        if part in CONSOLE_PARTS:
            expected = send(world, "GET", request_for(world, "GET", CONSOLE_PARTS[part])[0], None, role).status_code
        else:
            expected = {"Y": 200, "-": 403}[marks(OVERVIEW)[column]]
        if shown.status_code != expected:
            wrong.append(f"{column}: the page answered {shown.status_code}, the API {expected}")
        if expected != 200:  # the refusal is said in words, and the figures are not in the answer
            assert "refused" in shown.text and "data-figure" not in shown.text, shown.text
    assert not wrong, "\n".join(wrong)


def ids_blanked(text: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\b\d{6}\b", "?", text)


def unknown_twin(world: World, concrete: str) -> str:
    """The same request about something that does not exist: each of the world's ids in the path replaced."""
    for key in ("voucher_id", "enterprise_id", "provider_id", "batch_id", "award_id", "paid_award_id"):
        concrete = concrete.replace(world.ids[key], str(uuid.uuid4()))
    return concrete.replace(f"/{FOSHAN}/", "/445999/").replace(f"/city/{FOSHAN}", "/city/445999")


@pytest.mark.parametrize("path", [p for (m, p), row in MATRIX.items() if row == "public"])
def test_documentation_is_public(world, path):
    client = world.api.client
    path = request_for(world, "GET", path)[0]  # a console page names a voucher, provider or batch
    assert client.get(path).status_code == 200
    assert client.get(path, headers=world.api.auth("provider:" + world.ids["provider_uscc"])).status_code == 200


# -- 401 ---------------------------------------------------------------------------------------------------------
def _signed(claims: dict[str, Any], secret: str) -> str:
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def bad_credentials(settings) -> dict[str, dict[str, str]]:
    now = datetime.now(UTC)
    good = {"iss": ISSUER, "sub": "someone", "role": "province", "iat": now, "exp": now + timedelta(hours=1)}
    secret = settings.jwt_secret.get_secret_value()
    unsigned = jwt.encode(good, None, algorithm="none") if "none" in jwt.algorithms.get_default_algorithms() else ""
    tokens = {
        "no token": None,
        "empty bearer": "",
        "not a jwt": "not-a-token",
        "bad signature": mint(
            settings.model_copy(update={"jwt_secret": SecretStr("another-key-entirely-0123456789abcdef")}), "province"),
        "tampered": mint(settings, "auditor")[:-4] + "AAAA",
        "expired": mint(settings, "province", now=now - timedelta(hours=2), ttl_s=60),
        "unsigned (alg none)": unsigned,
        "wrong issuer": _signed({**good, "iss": "somebody-else"}, secret),
        "no role claim": _signed({k: v for k, v in good.items() if k != "role"}, secret),
        "no expiry": _signed({k: v for k, v in good.items() if k != "exp"}, secret),
        "unknown role": _signed({**good, "role": "mayor"}, secret),
        "scope on province": _signed({**good, "role": "province:440600"}, secret),
        "city without code": _signed({**good, "role": "city"}, secret),
        "unknown city": _signed({**good, "role": "city:999999"}, secret),
        "invalid uscc": _signed({**good, "role": "enterprise:91440600MA0000001X"}, secret),
        "role not a string": _signed({**good, "role": ["province"]}, secret),
    }
    headers = {name: ({} if token is None else {"Authorization": f"Bearer {token}"}) for name, token in tokens.items()}
    headers["basic scheme"] = {"Authorization": "Basic cHJvdmluY2U6cHJvdmluY2U="}
    headers["token without scheme"] = {"Authorization": mint(settings, "province")}
    return headers


@pytest.mark.parametrize("method, path", [k for k, row in MATRIX.items() if row not in ("public", "console link")],
                         ids=[f"{m} {p}" for (m, p), row in MATRIX.items() if row not in ("public", "console link")])
def test_every_route_refuses_bad_credentials_with_401(world, method, path):
    concrete, body = request_for(world, method, path)
    before = world.api.event_count()
    wrong = []
    for name, headers in bad_credentials(world.api.settings).items():
        resp = send(world, method, concrete, body, None, headers=headers)
        if resp.status_code != 401:
            wrong.append(f"{name}: {resp.status_code} {resp.text[:200]}")
            continue
        problem = assert_problem(resp, 401, "UNAUTHENTICATED", instance=concrete.partition("?")[0])
        assert resp.headers.get("www-authenticate") == "Bearer", name
        assert "token" in problem["detail"].lower() or "bearer" in problem["detail"].lower()
    assert not wrong, "\n".join(wrong)
    assert world.api.event_count() == before  # nothing was recorded


def test_every_route_that_wants_a_token_declares_the_bearer_scheme(world):
    """The routes read the token themselves (api/http/dependencies.py), so the document's security declaration is
    written by api/http/openapi.py: each route the test above finds answering 401 without a token declares it."""
    schema = world.api.client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["HTTPBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    wanting = [(m, p) for (m, p), row in MATRIX.items()
               if row not in ("public", "console link") and p.startswith("/v1/")]  # the console's parts: no operations
    undeclared = [f"{m} {p}" for m, p in wanting
                  if {"HTTPBearer": []} not in schema["paths"][p][m.lower()].get("security", [])]
    assert wanting and not undeclared, undeclared


def test_the_public_whitelist_still_needs_a_token(world):
    """The whitelist is public to every role, but still needs a valid token."""
    resp = world.api.client.get("/v1/whitelist")
    assert_problem(resp, 401, "UNAUTHENTICATED", instance="/v1/whitelist")


def test_the_subject_of_the_token_is_recorded_as_the_actor(world):
    api = world.api
    headers = {"Authorization": f"Bearer {mint(api.settings, 'province', subject='li.wei@gd-miit')}",
               "Idempotency-Key": f"actor-{uuid.uuid4()}"}
    resp = api.client.post("/v1/carrier-rates", json={"year": 2019, "rates": {"CHINA_UNICOM": "0.31"}},
                           headers=headers)
    ok(resp)
    last = ok(api.get("/v1/events", event_type="CarrierDiscountRates.Set", limit=1000))["items"][-1]
    assert last["actor"] == "li.wei@gd-miit"


def test_idempotency_key_is_required_exactly_where_the_document_says(world):
    """An operation that refuses a request without Idempotency-Key (400 IDEMPOTENCY_KEY_REQUIRED) declares the
    header required; every other POST declares it optional and answers without one. Last in this module: the POSTs
    that go through change the world."""
    api = world.api
    schema = api.client.get("/openapi.json").json()
    wrong = []
    for (method, path), row in MATRIX.items():
        if method != "POST" or row == "console link":  # the console's sign-in is no operation of the API
            continue
        header = next(p for p in schema["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key")
        concrete, body = request_for(world, method, path)
        allowed = next(column for column, mark in marks(row).items() if mark == "Y")  # the province, mostly
        resp = api.client.post(concrete, json=body, headers=api.auth(world.roles[allowed]))
        refused = resp.status_code == 400 and resp.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
        if refused != header["required"]:
            wrong.append(f"{path}: required={header['required']}, answered {resp.status_code} {resp.text[:120]}")
    assert not wrong, "\n".join(wrong)
    keyed = [path for path, item in schema["paths"].items() if "post" in item
             for p in item["post"]["parameters"] if p["name"] == "Idempotency-Key" and p["required"]]
    # quotas and their revisions, vouchers and their revocation, claims and their review, settlement, recovery
    # collection and write-off, opening a programme year, a ruling on an objection (sustained: a reversal),
    # complaints and the resource pool's evaluation; an award's grant, its batch's payment, its recovery, collection
    # and write-off; a revision of a year's working calendar
    assert len(keyed) == 26
