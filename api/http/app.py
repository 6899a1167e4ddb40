"""The FastAPI application: the ledger (commands) and the read models (queries) behind one set of routes.

Routes stay thin: request model → ledger command or projection query → response model. Errors are problem+json
(``api/http/problems.py``); callers are authenticated by bearer token (``api/http/auth.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.http import docs, openapi, problems
from api.http.console import install as install_console
from api.http.idempotency import IdempotencyKeys
from api.http.clock import ServiceClockMiddleware
from api.http.routes import imports, journal, lists, money, operations, parties, programme, queries
from ledger.application import VoucherLedger
from store.availability import store_unavailable
from store.settings import Settings, get_settings
from store.clock import Clock, service_clock
from store.opening import open_ledger
from writer.group_commit import GroupCommitWriter
from projections.read_models import ReadModels

log = logging.getLogger("voucher_ledger.api")

DESCRIPTION = """The province's service for Guangdong's 2018-2020 cloud service vouchers (服务券).

Money is **integer fen** (1 yuan = 100 fen); a JSON float or a string is refused. Every query takes `as_of`
(ISO-8601 with offset, default now). POSTs that create or move money require an `Idempotency-Key` header (declared
required on each; 400 without it); any other POST honours one. Errors are RFC 9457 `application/problem+json` with a
stable `code`: 422 a request that does not match the schema, 409 a rule of the programme refused the command, 404
unknown or outside the caller's scope. Authenticate with `Authorization: Bearer <token>`
(`voucher-ledger token --role ROLE`)."""


class Backend:
    """The ledger, its read models, the idempotency keys and the writer, opened on first need.

    If the database is down when the service starts, the service starts anyway and answers 503 (problem+json) until
    the database is back: every request tries to open what is missing, under a lock.
    """

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.training_store = False  # the store carries a training mark (known once opened)
        self._lock = threading.Lock()
        self.ledger: VoucherLedger | None = None
        self.read_models: ReadModels | None = None
        self.idempotency: IdempotencyKeys | None = None
        self.writer: GroupCommitWriter | None = None

    def opened(self) -> Backend:
        if self.idempotency is None:
            with self._lock:
                if self.idempotency is None:
                    self._open()
        return self

    def _open(self) -> None:
        ledger = open_ledger(self.settings, clock=self.clock)
        try:
            read_models = ReadModels(self.settings, ledger)  # applies pending migrations at start-up
        except BaseException:
            ledger.close()
            raise
        # Concurrent requests' commands are decided by one writer and committed together (group commit): more
        # commands per second than one transaction each. It should be the store's only writer; another writer
        # costs retries, not correctness (writer/group_commit.py).
        self.writer = GroupCommitWriter(ledger).start() if self.settings.api_group_commit else None
        self.ledger, self.read_models = ledger, read_models
        self.training_store = ledger.training_mark() is not None
        self.idempotency = IdempotencyKeys(read_models.db)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.read_models is not None:
            self.read_models.close()
        if self.ledger is not None:
            self.ledger.close()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The service on ``settings``' store, recording at ``clock`` (default: the settings' clock, real unless
    VOUCHER_LEDGER_CLOCK starts a training one)."""
    settings = settings or get_settings()
    clock = clock or service_clock(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend = Backend(settings, clock)
        app.state.backend = backend
        try:
            backend.opened()
        except problems.STORE_ERRORS as exc:
            if not store_unavailable(exc):
                raise
            log.warning("the database is unavailable at start-up (%s); answering 503 until it is back", exc)
        try:
            yield
        finally:
            backend.close()

    app = FastAPI(title="voucher-ledger", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served offline by api/http/docs.py
    app.state.settings, app.state.clock = settings, clock
    app.state.training = lambda: clock.training or (
        getattr(app.state, "backend", None) is not None and app.state.backend.training_store)
    app.add_middleware(ServiceClockMiddleware, clock=clock, training=app.state.training)
    problems.install(app)
    for module in (parties, money, operations, queries, lists, journal, programme, imports):
        app.include_router(module.router, prefix="/v1")
    docs.install(app)
    install_console(app)  # the web console at /console/ (read-only)
    openapi.install(app)  # every error status documented as problem+json; Idempotency-Key required where it is
    return app


def app_from_environment() -> FastAPI:
    """uvicorn's factory: settings read afresh from the environment (each worker process builds its own app)."""
    return create_app(Settings())
