"""A property-based conformance run of every operation from the OpenAPI schema (schemathesis): whatever it sends with
a province token, the service never answers 5xx, and every answer is one the document declares: a documented
status, its documented media type and headers (405's Allow), and a body that matches the documented schema. On
PostgreSQL (the production store), with a programme year set up so that generated requests can reach the ledger's
rules, and the service's clock in 2020.

Bounded: a few examples per operation, positive and negative (schemathesis's default modes), derandomised so a
failure reproduces; well under a minute. Hypothesis's explicit phase is left out: there schemathesis builds its
documented examples and its coverage cases (boundaries and near-misses of every parameter) while the tests are
collected, in each test process, and runs them: ~85 s of the suite for what test_api_examples (every documented
example) and test_api_problems (bad input, code by code) check already.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    allow_header_conformance, content_type_conformance, not_a_server_error, response_headers_conformance,
    response_schema_conformance, status_code_conformance,
)

from api.http.app import create_app
from store.settings import Settings
from tests.support.api_helpers import START, bearer, module_store_settings, ok, patched_clock, running_api

EXAMPLES_PER_OPERATION = 8
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
               response_schema_conformance, allow_header_conformance]


@pytest.fixture(scope="module", params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_target(request, tmp_path_factory):
    settings_ = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings_, clock) as api:
        api.setup_year()
        provider = api.whitelisted_provider()
        enterprise = api.eligible_enterprise()
        clock.advance(days=1)
        voucher = ok(api.issue(enterprise), 201)["voucher_id"]
        clock.advance(days=1)
        ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=100_000)), 201)
        yield api


# The operations to fuzz, from the app's own OpenAPI document (building the app opens no database).
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
          phases=[Phase.generate], suppress_health_check=list(HealthCheck))
def test_answers_conform_to_the_openapi_document(case, fuzz_target):
    """Each generated request goes through the test's TestClient to the running app on PostgreSQL."""
    request = case.as_transport_kwargs(base_url="http://testserver",
                                       headers=bearer(fuzz_target.settings, "province"))
    response = fuzz_target.client.request(**_httpx_kwargs(request))
    case.validate_response(response, checks=CONFORMANCE)


def _httpx_kwargs(request: dict) -> dict:
    """schemathesis prepares requests-style keyword arguments; httpx takes raw bytes as ``content``."""
    request = {k: v for k, v in request.items() if k in ("method", "url", "params", "headers", "cookies", "json",
                                                         "data", "content", "files")}
    if not request.get("cookies"):
        request.pop("cookies", None)
    if isinstance(request.get("data"), (bytes, str)):
        request["content"] = request.pop("data")
    return request
