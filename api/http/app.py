"""The FastAPI application: the ledger (commands) and the read models (queries) behind one set of routes.

Routes stay thin: request model → ledger command or projection query → response model. Errors are problem+json
(``api/http/problems.py``); callers are authenticated by bearer token (``api/http/auth.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.http import problems, routes_money, routes_parties, routes_queries
from api.http.idempotency import IdempotencyKeys
from api.settings import Settings, get_settings
from api.store import open_ledger
from ledger.group_commit import GroupCommitWriter
from projections.read_models import ReadModels

DESCRIPTION = """The province's service for Guangdong's 2018-2020 cloud service vouchers (服務券).

Money is **integer fen** (1 yuan = 100 fen); a JSON float or a string is refused. Every query takes `as_of`
(ISO-8601 with offset, default now). POSTs that create or move money need an `Idempotency-Key` header. Errors are
RFC 9457 `application/problem+json` with a stable `code`. Authenticate with `Authorization: Bearer <token>`
(`voucher-ledger token --role ROLE`)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ledger = open_ledger(settings)
        read_models = ReadModels(settings, ledger)  # applies pending migrations at start-up
        app.state.ledger, app.state.read_models = ledger, read_models
        app.state.idempotency = IdempotencyKeys(read_models.db)
        # Concurrent requests' commands are decided by one writer and committed together (group commit): more
        # commands per second than one transaction each. It should be the store's only writer; another writer costs
        # retries, not correctness (ledger/group_commit.py).
        app.state.writer = GroupCommitWriter(ledger).start() if settings.api_group_commit else None
        try:
            yield
        finally:
            if app.state.writer is not None:
                app.state.writer.close()
            read_models.close()
            ledger.close()

    app = FastAPI(title="voucher-ledger", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  responses={401: {"description": "no or bad bearer token (problem+json)"},
                             403: {"description": "the role may not do this (problem+json)"},
                             422: {"description": "invalid request (problem+json)"},
                             503: {"description": "the database is unavailable (problem+json)"}})
    app.state.settings = settings
    problems.install(app)
    for module in (routes_parties, routes_money, routes_queries):
        app.include_router(module.router, prefix="/v1")
    return app


def app_from_environment() -> FastAPI:
    """uvicorn's factory: settings read afresh from the environment (each worker process builds its own app)."""
    return create_app(Settings())
