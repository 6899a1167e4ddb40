"""RFC 9457 problem details from one place: every error the service returns is ``application/problem+json`` with a
stable ``code`` member (the domain's error codes, plus the service's own below)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import DataError as StoreDataError
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.errors import LedgerError

PROBLEM_JSON = "application/problem+json"
STATUS_OF_KIND = {"invalid": 422, "not_found": 404, "conflict": 409, "unavailable": 503}
log = logging.getLogger("voucher_ledger.api")


class ApiError(Exception):
    """An error of the service itself (authentication, scope, idempotency), with its status and stable code."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


# The service's own codes, beside ledger.errors.all_error_codes().
SERVICE_CODES = {
    "INVALID_INPUT": 422, "MALFORMED_BODY": 400, "HTTP_ERROR": 400, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405,
    "IDEMPOTENCY_KEY_REQUIRED": 400, "IDEMPOTENCY_KEY_REUSED": 409, "IDEMPOTENCY_KEY_IN_PROGRESS": 409,
    "STORE_UNAVAILABLE": 503, "INTERNAL_ERROR": 500, "IMPORT_ROWS_REFUSED": 422, "IMPORT_INTERRUPTED": 503,
}  # fmt: skip


def problem(status: int, code: str, detail: str, request: Request | None = None, *, instance: str | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": f"https://voucher-ledger.example/problems/{code.lower().replace('_', '-')}", "title": _title(code),
            "status": status, "detail": detail, "code": code, **extra}
    if request is not None or instance is not None:
        body["instance"] = instance or request.url.path  # type: ignore[union-attr]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def ledger_problem(exc: LedgerError, request: Request | None = None, *, instance: str | None = None) -> JSONResponse:
    """A refusal of the ledger. A command judged on several rules (a claim) lists every one it breaks in
    ``violations``; ``code`` names the first."""
    extra = {"violations": [{"code": c, "message": m} for c, m in exc.violations]} if exc.violations else {}
    return problem(STATUS_OF_KIND.get(exc.kind, 422), exc.code, exc.detail, request, instance=instance, **extra)


def _title(code: str) -> str:
    return code.replace("_", " ").capitalize()


UNAVAILABLE = (psycopg.OperationalError, PoolTimeout, StoreOperationalError, StoreInterfaceError, sqlite3.OperationalError)


def install(app: FastAPI) -> None:
    @app.exception_handler(LedgerError)
    async def ledger_error(request: Request, exc: LedgerError) -> JSONResponse:
        return ledger_problem(exc, request)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = problem(exc.status, exc.code, exc.detail, request, **exc.extra)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"location": list(map(str, e.get("loc", ()))), "message": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        return problem(422, "INVALID_INPUT", "the request does not match the schema", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "MALFORMED_BODY", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        response = problem(exc.status_code, code, str(exc.detail), request)
        response.headers.update(exc.headers or {})  # e.g. 405's Allow (RFC 9110 §15.5.6)
        return response

    for bad_value in (psycopg.DataError, StoreDataError):  # e.g. a NUL byte or an out-of-range number reached SQL
        @app.exception_handler(bad_value)
        async def bad_data(request: Request, exc: Exception) -> JSONResponse:
            return problem(422, "INVALID_INPUT", f"a value cannot be stored or compared: {exc}", request)

    for unavailable in UNAVAILABLE:
        @app.exception_handler(unavailable)
        async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
            log.warning("store unavailable: %s", exc)
            return problem(503, "STORE_UNAVAILABLE", "the ledger's database is unavailable; retry later", request)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "INTERNAL_ERROR", "an internal error occurred; it has been logged", request)
