"""``GET /healthz`` (the process answers), ``GET /readyz`` (it can serve current figures) and ``GET /metrics``.

Ready means: the store answers (and is not known to be down: ``api/http/outage.py``), every migration this code
knows is applied, each projection is within ``ready_max_lag_events`` events and ``ready_max_lag_s`` seconds of the
ledger, and, on PostgreSQL without in-process read models, a ``follow`` worker is connected for each projection
(``projections/health.py``). Otherwise 503 problem+json ``NOT_READY`` listing every reason. No token is needed: a
load balancer or an orchestrator asks, and the answers hold figures, never ledger data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.http.outage import first_line
from api.http.problems import STORE_ERRORS, problem
from projections.health import followed, lags, pool_use
from store.availability import store_unavailable
from store.connections import budget
from store.migrations import pending

router = APIRouter(tags=["operations"])


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    reasons, state = assess(request.app)
    if reasons:
        return problem(503, "NOT_READY", "; ".join(reasons), request, reasons=reasons, checks=state)
    return JSONResponse({"status": "ready", "checks": state})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.exposition()
    return Response(body, media_type=content_type)


def assess(app: Any) -> tuple[list[str], dict[str, Any]]:
    """Every reason the service is not ready (none: ready), and the figures behind them."""
    settings, outage = app.state.settings, app.state.outage
    state: dict[str, Any] = {"store": {"reachable": not outage.down,
                                       "down_since": outage.down_since and outage.down_since.isoformat(),
                                       "recovered_at": outage.recovered_at and outage.recovered_at.isoformat()}}
    if outage.down:
        state["store"]["reason"] = outage.reason
        return [f"the store is unreachable ({outage.reason})"], state
    try:
        figures = store_figures(app)
    except STORE_ERRORS as error:
        if not store_unavailable(error):
            raise
        outage.trip(error)
        state["store"].update(reachable=False, reason=first_line(error))
        return [f"the store is unreachable ({state['store']['reason']})"], state
    state.update(figures)
    reasons = [f"migrations not applied: {', '.join(figures['migrations_pending'])}"] if figures["migrations_pending"] else []
    for name, lag in figures["projections"].items():
        if lag["lag_events"] > settings.ready_max_lag_events:
            reasons.append(f"projection {name} is {lag['lag_events']} events behind "
                           f"(at most {settings.ready_max_lag_events})")
        if lag["lag_seconds"] > settings.ready_max_lag_s:
            reasons.append(f"projection {name} is {lag['lag_seconds']:.1f} s behind (at most {settings.ready_max_lag_s:g} s)")
        if lag["followed"] is False:
            reasons.append(follower_reason(settings, name))
    return reasons, state


def follower_reason(settings: Any, name: str) -> str:
    """What to do about a projection no worker follows: under serve's own workers, wait for its restart (a worker
    waits out an outage or its restart back-off, up to 30 s) rather than start another by hand."""
    if settings.api_projection_workers:
        return (f"no worker follows projection {name} (serve restarts it within 30 s; if this lasts, see serve's log "
                "for why it exits)")
    return f"no worker follows projection {name} (`voucher-ledger follow {name}`)"


def store_figures(app: Any) -> dict[str, Any]:
    """The ledger's position, each projection's lag and follower, pending migrations: /readyz's and /metrics'."""
    backend = app.state.backend.opened()
    read = backend.read_models
    read.refresh()  # in-process read models catch up before each query anyway: judge what a query would see
    head, found = lags(backend.ledger, read.projections, app.state.clock.now())
    watched = followed(app.state.settings) if needs_workers(app.state.settings) else None
    return {"position": head, "migrations_pending": pending(read.db),
            "pools": pool_use(backend.ledger, read.projections),
            "connection_budget": budget(app.state.settings, len(read.projections)),
            "projections": {lag.projection: {"position": lag.position, "lag_events": lag.events,
                                             "lag_seconds": round(lag.seconds, 3),
                                             "followed": None if watched is None else lag.projection in watched}
                            for lag in found}}


def needs_workers(settings: Any) -> bool:
    """Read models kept by ``follow`` workers, not in this process (PostgreSQL's default)."""
    in_process = settings.read_models_in_process
    return settings.store == "postgres" and not (in_process if in_process is not None else False)


def scraped(app: Any) -> dict[str, Any] | None:
    """/metrics' store figures; None while the store cannot be asked (the scrape itself still answers)."""
    if app.state.outage.down:
        return None
    try:
        return store_figures(app)
    except STORE_ERRORS:
        return None
