"""RFC 9457 problem details from one place: every error the service returns is ``application/problem+json`` with a
stable ``code`` member (the domain's error codes, plus the service's own below)."""

from __future__ import annotations

import logging
import re
import sqlite3
from functools import lru_cache
from typing import Any

import psycopg
from eventsourcing.persistence import DataError as StoreDataError
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from fastapi.responses import JSONResponse, Response
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from api.http import request_id
from ledger.errors import LedgerError
from store.availability import statement_timed_out, store_unavailable

PROBLEM_JSON = "application/problem+json"
STATUS_OF_KIND = {"invalid": 422, "not_found": 404, "conflict": 409, "unavailable": 503}
log = logging.getLogger("voucher_ledger.api")


class ApiError(Exception):
    """An error of the service itself (authentication, scope, idempotency), with its status and stable code."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


# The service's own codes, beside ledger.errors.all_error_codes().
TOO_LARGE = "the request body is larger than this route accepts"  # 413, whether told by Content-Length or counted
REPLAYED = "Idempotent-Replayed"  # header of an answer given again under its Idempotency-Key
SERVICE_CODES = {
    "INVALID_INPUT": 422, "MALFORMED_BODY": 400, "HTTP_ERROR": 400, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405,
    "IDEMPOTENCY_KEY_REQUIRED": 400, "IDEMPOTENCY_KEY_REUSED": 409, "IDEMPOTENCY_KEY_IN_PROGRESS": 409,
    "STORE_UNAVAILABLE": 503, "INTERNAL_ERROR": 500, "INVALID_CURSOR": 422, "AS_OF_IN_FUTURE": 422, "IMPORT_ROWS_REFUSED": 422,
    "IMPORT_INTERRUPTED": 503, "NOT_READY": 503, "STATEMENT_TIMEOUT": 503, "JSON_TOO_DEEP": 400, "PAYLOAD_TOO_LARGE": 413,
}  # fmt: skip


def problem(status: int, code: str, detail: str, request: Request | None = None, *, instance: str | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": f"https://voucher-ledger.example/problems/{code.lower().replace('_', '-')}", "title": _title(code),
            "status": status, "detail": detail, "code": code, **extra}
    if request is not None or instance is not None:
        body["instance"] = instance or request.url.path  # type: ignore[union-attr]
    rid = request_id.current()
    if rid is not None:
        body["request_id"] = rid
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
    if rid is not None:  # also when the server's last-resort handler answers, outside the access-log middleware
        response.headers[request_id.HEADER] = rid
    return response


def ledger_problem(exc: LedgerError, request: Request | None = None, *, instance: str | None = None) -> JSONResponse:
    """A refusal of the ledger. A command judged on several rules (a claim) lists every one it breaks in
    ``violations``; ``code`` names the first."""
    extra = {"violations": [{"code": c, "message": m} for c, m in exc.violations]} if exc.violations else {}
    return problem(STATUS_OF_KIND.get(exc.kind, 422), exc.code, exc.detail, request, instance=instance, **extra)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    found: set[str] = set()
    for context in iter_route_contexts(app.routes):
        methods = getattr(context, "methods", None)
        if methods and _path_regex(context.path).match(path):
            found |= set(methods)
    return sorted(found)


@lru_cache(maxsize=256)
def _path_regex(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


def _title(code: str) -> str:
    return code.replace("_", " ").capitalize()


# Raised for outages and for mistakes alike; store.availability tells them apart.
STORE_ERRORS = (psycopg.OperationalError, PoolTimeout, StoreOperationalError, StoreInterfaceError, sqlite3.OperationalError)


def install(app: FastAPI) -> None:
    @app.exception_handler(LedgerError)
    async def ledger_error(request: Request, exc: LedgerError) -> JSONResponse:
        response = ledger_problem(exc, request)
        if getattr(exc, "replayed", False):  # the answer kept under the request's Idempotency-Key, given again
            response.headers[REPLAYED] = "true"
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = problem(exc.status, exc.code, exc.detail, request, **exc.extra)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"location": list(map(str, e.get("loc", ()))), "message": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        # A route that answers in its own form (the console's parts: a page fragment) says it there; the console
        # installs it, so this module knows nothing of pages.
        for answers_itself in getattr(request.app.state, "schema_refusals", ()):
            if (answered := answers_itself(request, errors)) is not None:
                return answered
        return problem(422, "INVALID_INPUT", "the request does not match the schema", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "MALFORMED_BODY", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                413: "PAYLOAD_TOO_LARGE"}.get(exc.status_code, "HTTP_ERROR")
        response = problem(exc.status_code, code, TOO_LARGE if exc.status_code == 413 else str(exc.detail), request)
        response.headers.update(exc.headers or {})  # e.g. 405's Allow (RFC 9110 §15.5.6)
        if exc.status_code == 405:
            # Starlette's Allow names the methods of the first route on the path; a path served by several routes
            # (GET /v1/enterprises lists, POST registers) allows them all.
            response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return response

    for bad_value in (psycopg.DataError, StoreDataError):  # e.g. a NUL byte or an out-of-range number reached SQL
        @app.exception_handler(bad_value)
        async def bad_data(request: Request, exc: Exception) -> JSONResponse:
            return problem(422, "INVALID_INPUT", f"a value cannot be stored or compared: {exc}", request)

    for kind in STORE_ERRORS:
        @app.exception_handler(kind)
        async def store_error(request: Request, exc: Exception) -> JSONResponse:
            metrics = getattr(request.app.state, "metrics", None)
            if statement_timed_out(exc):  # the database answers, slowly: this request only, no outage
                if metrics is not None:
                    metrics.store_error("statement_timeout")
                log.warning("statement timeout on %s %s: %s", request.method, request.url.path, exc)
                return problem(503, "STATEMENT_TIMEOUT", "the ledger's database took too long to answer; retry later",
                               request)
            if not store_unavailable(exc):  # a mistake (a missing table, bad SQL), not an outage: not "retry later"
                if metrics is not None:
                    metrics.store_error("error")
                return await internal(request, exc)
            if metrics is not None:
                metrics.store_error("unavailable")
            outage = getattr(request.app.state, "outage", None)
            if outage is not None:
                outage.trip(exc)  # the next requests answer 503 at once until the store is reached again
            log.warning("store unavailable: %s", exc)
            return problem(503, "STORE_UNAVAILABLE", "the ledger's database is unavailable; retry later", request)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "INTERNAL_ERROR", "an internal error occurred; it has been logged", request)
