"""The OpenAPI document as the service really answers, for clients and for the schemathesis conformance run.

FastAPI documents each operation's success and a 422 shaped like its own validation error. The service answers
errors as RFC 9457 problems from one handler (``api/http/problems.py``), so every operation documents the error
statuses it can give with the problem schema and media type; 405 carries ``Allow``. The routes' dependencies read the
bearer token and the ``Idempotency-Key`` header from the request themselves (``api/http/dependencies.py``: fewer
parameters for FastAPI to solve per request), so they are declared here: the bearer scheme on every operation that
checks a token, and the header on those that take one, required on those that refuse a request without it (those
that depend on ``keyed_call``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from api.http.auth import bearer_scheme
from api.http.dependencies import call, keyed_call, query_call
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
    "422": "the request does not match the schema, or a value the ledger refuses (e.g. UNKNOWN_CITY, INVALID_USCC, "
           "AS_OF_IN_FUTURE)",
    "503": "the database is unavailable, or claims wait for `voucher-ledger derive-evidence-keys` "
           "(EVIDENCE_KEYS_NOT_DERIVED); retry later",
}
COMMAND_ONLY = ("400", "409", "413")  # a body to read, a key to check, a rule or a duplicate to refuse: commands only
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S",
              "title": "Idempotency-Key"}
KEY_DESCRIPTIONS = {
    True: "required: this request creates or moves money; a repeat with the same key and body gets the first response",
    False: "makes a repeated POST safe: the first response is replayed",
}


@dataclass
class Operations:
    """Which operations (method, path) check a token, take an Idempotency-Key, and require one."""
    authenticated: set[tuple[str, str]] = field(default_factory=set)
    keyed: set[tuple[str, str]] = field(default_factory=set)
    key_required: set[tuple[str, str]] = field(default_factory=set)


def install(app: FastAPI, *, document_order: Sequence[APIRouter] = ()) -> None:
    """Make ``app.openapi()`` return the corrected document (built once, like FastAPI's own), its paths listed in
    the order of ``document_order``'s routes (the app may try them in another)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            declare(schema, operations_of(app))
            schema["paths"] = _in_order(schema.get("paths", {}), app, document_order)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def declare(schema: dict[str, Any], operations: Operations) -> None:
    if operations.authenticated:
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[bearer_scheme.scheme_name] = bearer_scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True)
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
            key = (method.upper(), path)
            if key in operations.authenticated:
                operation.setdefault("security", []).append({bearer_scheme.scheme_name: []})
            if key in operations.keyed:
                required = key in operations.key_required
                operation.setdefault("parameters", []).append({
                    "name": "Idempotency-Key", "in": "header", "required": required,
                    "description": KEY_DESCRIPTIONS[required],
                    "schema": KEY_SCHEMA})  # checked in api/http/idempotency.py: 1 to 200, not blank


def _in_order(paths: dict[str, Any], app: FastAPI, routers: Sequence[APIRouter]) -> dict[str, Any]:
    """``paths`` with each path where its first route stands in ``routers`` (stable: any other path after them)."""
    rank = {id(route): (i, j) for i, router in enumerate(routers) for j, route in enumerate(router.routes)}
    unranked = (len(routers), 0)
    first: dict[str, tuple[int, int]] = {}
    for context in iter_route_contexts(app.routes):
        place = rank.get(id(context.original_route), unranked)
        first[context.path] = min(first.get(context.path, place), place)
    return dict(sorted(paths.items(), key=lambda item: first.get(item[0], unranked)))


def operations_of(app: FastAPI) -> Operations:
    operations = Operations()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        calls = _calls_of(route.dependant)
        for method in context.methods or ():
            key = (method, context.path)
            if calls & {call, keyed_call, query_call}:
                operations.authenticated.add(key)
            if calls & {call, keyed_call}:
                operations.keyed.add(key)
            if keyed_call in calls:
                operations.key_required.add(key)
    return operations


def _calls_of(dependant: Any) -> set[Any]:
    return {d.call for d in dependant.dependencies} | {c for d in dependant.dependencies for c in _calls_of(d)}
