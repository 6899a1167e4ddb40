"""The OpenAPI document's examples are valid requests: every command body has a whole example, and each one, sent
to a store where the 2020 round is set up, is decided by the ledger — never refused as malformed (400, 422) or
crashing (5xx). The examples tell one story (api/http/models/examples.py), so on that store the key ones succeed:
the example enterprise registers and is granted eligibility (its USCC passes the check character, its revenue
clears the line), the example provider is admitted and whitelisted, the voucher is issued and the claim made.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.uscc import validate_uscc
from tests.support.api_helpers import module_store_settings, ok, patched_clock, running_api, store_params

INSIDE_THE_ROUND = datetime(2020, 10, 20, 2, 0, tzinfo=UTC)  # after the examples' times, before the 2020 deadline
LAST = ("/elimination", "/suspension", "/revocation", "/expiry-run")  # would stop the story if sent early
MUST_SUCCEED = {"/v1/enterprises": 201, "/v1/enterprises/{enterprise_id}/eligibility": 200, "/v1/providers": 201,
                "/v1/providers/{provider_id}/assessments": 200, "/v1/vouchers": 201,
                "/v1/vouchers/{voucher_id}/claims": 201, "/v1/vouchers/{voucher_id}/claims/{claim_id}/approval": 200,
                "/v1/settlement-batches": 201, "/v1/providers/{provider_id}/cloud-agreements": 201}


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(INSIDE_THE_ROUND) as clock, running_api(settings, clock) as api:
        api.setup_year()  # carrier rates, a catalogue with APP-ERP, Foshan's quota
        yield api


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def posts(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    # JSON bodies: an import's body is a spreadsheet (its examples are the templates, tests/e2e/test_api_imports.py)
    found = [(path, item["post"]) for path, item in schema["paths"].items() if "post" in item
             and "application/json" in item["post"].get("requestBody", {"content": {"application/json": None}})["content"]]
    return sorted(found, key=lambda p: any(p[0].endswith(tail) for tail in LAST))  # stable: document order kept


def body_example(schema: dict[str, Any], operation: dict[str, Any]) -> Any:
    body = operation.get("requestBody")
    if body is None:
        return None
    examples = resolve(schema, body["content"]["application/json"]["schema"]).get("examples")
    assert examples, f"{operation['operationId']}: its body schema has no example"
    return copy.deepcopy(examples[0])


def test_every_example_is_a_request_the_ledger_decides(api):
    from api.http.models import examples as story

    schema = api.client.get("/openapi.json").json()
    ids = {"enterprise_id": story.ENTERPRISE_ID, "provider_id": story.PROVIDER_ID, "voucher_id": story.VOUCHER_ID,
           "claim_id": story.CLAIM_ID, "batch_id": story.CLAIM_ID, "year": story.YEAR, "city": "440600",
           "period": story.EXAMPLES["PublishList"]["period"], "award_id": story.AWARD_ID,
           "award_batch_id": story.AWARD_BATCH_ID}
    answers, wrong = {}, []
    for path, operation in posts(schema):
        resp = api.post(path.format(**ids), body_example(schema, operation))
        answers[path] = resp
        if resp.status_code in (400, 422) or resp.status_code >= 500:
            wrong.append(f"POST {path}: {resp.status_code} {resp.text[:300]}")
        elif path in MUST_SUCCEED and resp.status_code != MUST_SUCCEED[path]:
            wrong.append(f"POST {path}: expected {MUST_SUCCEED[path]}, got {resp.status_code} {resp.text[:300]}")
        if path == "/v1/vouchers/{voucher_id}/claims" and resp.status_code == 201:
            ids["claim_id"] = resp.json()["claim_id"]  # the claim's id is the service's: act on the one made
        if path == "/v1/settlement-batches" and resp.status_code == 201:
            ids["batch_id"] = resp.json()["id"]
    assert not wrong, "\n".join(wrong)
    assert ok(answers["/v1/enterprises/{enterprise_id}/eligibility"])["granted"] is True
    assert ok(answers["/v1/providers/{provider_id}/assessments"])["status"] == "WHITELISTED"
    assert ok(answers["/v1/vouchers/{voucher_id}/claims"], 201)["amount_fen"] == 2_000_000  # 0.50 × 4,000,000


def test_every_property_example_fits_its_body_example(api):
    """Each field's own example, put in its body's example, still makes a request the schema accepts (checked by
    the request models themselves, which is what the service checks first)."""
    from api.http.models import awards, commands, evaluation, funding, operations, programme

    schema = api.client.get("/openapi.json").json()
    models = {name: getattr(module, name) for module in (commands, operations, programme, evaluation, awards, funding)
              for name in dir(module)}
    checked = 0
    for _, operation in posts(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        node = resolve(schema, body["content"]["application/json"]["schema"])
        for field, spec in node["properties"].items():
            for example in resolve(schema, spec).get("examples", []):
                models[name].model_validate({**node["examples"][0], field: example})
                checked += 1
    assert checked > 20


def test_every_uscc_in_the_document_passes_its_check_character(api):
    schema = api.client.get("/openapi.json").json()
    usccs = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and len(node) == 18 and node[:2] == "91":
            usccs.append(node)

    walk(schema)
    assert usccs and all(validate_uscc(u) == u for u in usccs)
