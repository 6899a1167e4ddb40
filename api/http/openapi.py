"""The OpenAPI document as the service really answers, for clients and for the schemathesis conformance run.

FastAPI documents each operation's success and a 422 shaped like its own validation error. The service answers
errors as RFC 9457 problems from one handler (``api/http/problems.py``), so every operation documents the error
statuses it can give with the problem schema and media type; 405 carries ``Allow``; and ``Idempotency-Key`` is
declared required on the operations that refuse a request without it (those that depend on ``keyed_call``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.http.dependencies import keyed_call
from api.http.idempotency import MAX_KEY_LENGTH
from api.http.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details with a stable `code`",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "stable: ledger.errors.all_error_codes() and the service's own"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "what did not match the schema"},
    },
    "additionalProperties": True,
}
ERRORS = {
    "400": "a body that cannot be read, or no Idempotency-Key where one is required (IDEMPOTENCY_KEY_REQUIRED)",
    "401": "no or bad bearer token",
    "403": "the role may never do this, whatever the id",
    "404": "unknown id, not yet in existence as of the time asked, or outside the caller's scope (the same answer)",
    "405": "method not allowed; the Allow header lists the methods the path serves",
    "409": "a rule of the programme refused the command, a duplicate, or an Idempotency-Key conflict",
    "413": "the request body is larger than the route accepts (PAYLOAD_TOO_LARGE), refused before it is read",
    "422": "the request does not match the schema, or a value the ledger refuses (e.g. UNKNOWN_CITY, INVALID_USCC)",
    "503": "the database is unavailable, or claims wait for `voucher-ledger derive-evidence-keys` "
           "(EVIDENCE_KEYS_NOT_DERIVED); retry later",
}
COMMAND_ONLY = ("400", "409", "413")  # a body to read, a key to check, a rule or a duplicate to refuse: commands only
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S",
              "title": "Idempotency-Key"}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the corrected document (built once, like FastAPI's own)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            declare(build(), set(_keyed_operations(app)))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def declare(schema: dict[str, Any], keyed: set[tuple[str, str]]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 body: the service never sends it
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if method != "post" and status in COMMAND_ONLY:
                    continue
                responses[status] = {"description": f"{description} (problem+json)",
                                     "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
            responses["405"]["headers"] = {"Allow": {"description": "the methods this path serves",
                                                     "schema": {"type": "string"}}}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key":
                    parameter["required"] = (method.upper(), path) in keyed
                    parameter["schema"] = KEY_SCHEMA  # checked in api/http/idempotency.py: 1 to 200, not blank


def _keyed_operations(app: FastAPI) -> Iterator[tuple[str, str]]:
    from fastapi.routing import iter_route_contexts

    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and _depends_on(route.dependant, keyed_call):
            for method in context.methods or ():
                yield method, context.path


def _depends_on(dependant: Any, call: Any) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)
