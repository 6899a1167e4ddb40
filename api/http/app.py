"""The FastAPI application: the ledger (commands) and the read models (queries) behind one set of routes.

Routes stay thin: request model → ledger command or projection query → response model. Errors are problem+json
(``api/http/problems.py``); callers are authenticated by bearer token (``api/http/auth.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api.http import collector, docs, health, log_format, openapi, problems
from api.http.access_log import AccessLogMiddleware
from api.http.auth import VerifiedTokens
from api.http.body_checks import BodyChecks
from api.http.console import install as install_console
from api.http.metrics import Metrics
from api.http.outage import Outage
from api.http.idempotency import IdempotencyKeys
from api.http.clock import ServiceClockMiddleware
from api.http.writer_handover import WriterHandover
from api.http.routes import (awards, evaluation, funding, imports, journal, lists, money, operations, parties,
                             programme, publicity, queries, spend_movements)
from ledger.application import VoucherLedger
from store.availability import store_unavailable
from store.settings import Settings, get_settings
from store.clock import Clock, service_clock
from store.opening import open_ledger, pg_connect
from writer.group_commit import GroupCommitWriter
from projections.read_models import ReadModels

log = logging.getLogger("voucher_ledger.api")
# The routes' order in the OpenAPI document (/docs; the examples run in it): parties before the money they receive.
IMPORTS = "/v1/imports"  # the one route that takes a file: a larger body, not JSON
DOCUMENT_ORDER = (parties, money, operations, evaluation, queries, spend_movements, lists, journal, programme,
                  publicity, awards, funding, imports)

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

    def __init__(self, settings: Settings, clock: Clock, *, outage: Outage | None = None,
                 on_commit: Callable[[int, int, float], None] | None = None,
                 on_appended: Callable[[int], None] | None = None) -> None:
        self.settings, self.clock, self.outage, self.on_commit = settings, clock, outage, on_commit
        self.on_appended = on_appended  # every write of this process's ledger: commands, imports, kept answers
        self.training_store = False  # the store carries a training mark (known once opened)
        self._lock = threading.Lock()
        self.ledger: VoucherLedger | None = None
        self.read_models: ReadModels | None = None
        self.idempotency: IdempotencyKeys | None = None
        self.writer: GroupCommitWriter | None = None
        self.handover: WriterHandover | None = None  # the async routes' way to the writer

    def opened(self) -> Backend:
        if self.outage is not None:
            self.outage.refuse_while_down()  # 503 at once, not after the pool's and the library's waits
        if self.idempotency is None:
            with self._lock:
                if self.idempotency is None:
                    self._open()
        return self

    def _open(self) -> None:
        ledger = open_ledger(self.settings, clock=self.clock, on_appended=self.on_appended)
        try:
            read_models = ReadModels(self.settings, ledger)  # applies pending migrations at start-up
        except BaseException:
            ledger.close()
            raise
        # Concurrent requests' commands are decided by one writer and committed together (group commit): more
        # commands per second than one transaction each. It should be the store's only writer; another writer
        # costs retries, not correctness (writer/group_commit.py).
        self.writer = GroupCommitWriter(ledger).start() if self.settings.api_group_commit else None
        if self.writer is not None:
            self.writer.on_commit = self.on_commit
            self.handover = WriterHandover(self.writer)
        self.ledger, self.read_models = ledger, read_models
        self.training_store = ledger.training_mark() is not None
        self.idempotency = IdempotencyKeys(read_models.db)

    def reset(self) -> None:
        """Drop everything opened (after an outage: pools that wait out their reconnect back-off); the next request
        opens afresh."""
        with self._lock:
            writer, read_models, ledger = self.writer, self.read_models, self.ledger
            self.idempotency = self.writer = self.handover = self.read_models = self.ledger = None
        for part in (writer, read_models, ledger):
            if part is not None:
                try:
                    part.close()
                except Exception as exc:  # noqa: BLE001 - a pool of dead connections may complain as it closes
                    log.warning("closing %s after an outage: %s", type(part).__name__, exc)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.read_models is not None:
            self.read_models.close()
        if self.ledger is not None:
            self.ledger.close()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, settle_heap: bool = False,
               routers_first: Sequence[APIRouter] = ()) -> FastAPI:
    """The service on ``settings``' store, recording at ``clock`` (default: the settings' clock, real unless
    VOUCHER_LEDGER_CLOCK starts a training one). ``settle_heap``: once started, tune this process's garbage
    collector for serving (``api/http/collector.py``). ``routers_first``: routes matched before the service's own
    (the benchmark's floor and ceiling routes: ``bench/http_app.py``)."""
    settings = settings or get_settings()
    clock = clock or service_clock(settings)
    settings = settings.model_copy(update={"process_kind": "api"})  # its pools' names and statement timeout

    metrics = Metrics(lambda: health.scraped(app))
    outage = Outage(lambda: probe(settings), lambda: app.state.backend.reset(), interval_s=settings.store_probe_interval_s,
                    enabled=settings.store == "postgres", on_refused=lambda: metrics.store_error("unavailable"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend = Backend(settings, clock, outage=outage, on_commit=metrics.committed,
                          on_appended=metrics.appended)
        app.state.backend = backend
        try:
            backend.opened()
        except problems.STORE_ERRORS as exc:
            if not store_unavailable(exc):
                raise
            log.warning("the database is unavailable at start-up (%s); answering 503 until it is back", exc)
        if settle_heap:  # a served process only: tests build many apps in one process
            collector.settle_after_start()
        try:
            yield
        finally:
            outage.close()
            backend.close()

    # FastAPI's own OpenTelemetry hooks are off: the service's metrics are Prometheus's (/metrics, api/http/metrics.py),
    # and with them on FastAPI looks up the global tracer, meter and logger providers on every request.
    app = FastAPI(title="voucher-ledger", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served offline by api/http/docs.py
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings, app.state.clock, app.state.metrics, app.state.outage = settings, clock, metrics, outage
    app.state.verified_tokens = VerifiedTokens()
    log_format.configure(settings.log_format)
    app.state.training = lambda: clock.training or (
        getattr(app.state, "backend", None) is not None and app.state.backend.training_store)
    app.add_middleware(ServiceClockMiddleware, clock=clock, training=app.state.training)
    app.add_middleware(BodyChecks, max_bytes=settings.api_max_body_bytes, max_depth=settings.api_max_json_depth,
                       larger={IMPORTS: settings.api_max_import_bytes}, raw_paths=(IMPORTS,))  # a file
    app.add_middleware(AccessLogMiddleware, metrics=metrics, log_requests=settings.access_log)  # outermost: every answer
    problems.install(app)
    for router in routers_first:
        app.include_router(router)
    # FastAPI tries a request's path against the routes in the order they were included, at a cost per route tried:
    # the money routes (claims, the most frequent request) are tried first, the probes last. The OpenAPI document
    # keeps DOCUMENT_ORDER. Body sizes are BodyChecks', not FastAPI's per-router max_body_size (api/http/body_checks.py).
    for module in (money, *(m for m in DOCUMENT_ORDER if m is not money)):
        app.include_router(module.router, prefix="/v1")
    app.include_router(health.router)
    docs.install(app)
    install_console(app)  # the web console at /console/ (read-only)
    openapi.install(app, document_order=[m.router for m in DOCUMENT_ORDER])  # every error status documented as problem+json; Idempotency-Key required where it is
    return app


def probe(settings: Settings) -> None:
    """Raise unless a fresh connection to the store answers (only called on PostgreSQL)."""
    with pg_connect(settings, bounded=True) as conn:
        conn.execute("SELECT 1")


def app_from_environment(routers_first: Sequence[APIRouter] = ()) -> FastAPI:
    """uvicorn's factory: settings read afresh from the environment (each worker process builds its own app)."""
    return create_app(Settings(), settle_heap=True, routers_first=routers_first)
