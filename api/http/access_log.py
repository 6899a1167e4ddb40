"""One middleware per request: its id (``api/http/request_id.py``), its timing, its metrics and its log line.

Pure ASGI, so a request costs a dict update and one log call, nothing more. The route is the template FastAPI
matched (``/v1/vouchers/{voucher_id}``), never the raw path, so neither the metrics nor the logs grow with ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from api.http import request_id
from api.http.metrics import Metrics

UNMATCHED = "<unmatched>"
_HEADER = request_id.HEADER.lower().encode()


def route_of(scope: dict) -> str:
    """The full template of the route that answered (a router's route knows only its path inside the router).

    FastAPI's routes name themselves in the scope (``route``); Starlette's own, ``/openapi.json`` and the mounted
    static files (``/console/static``, ``/docs-assets``), leave only their ``endpoint`` (a mount: the app it mounts),
    and are labelled by their template too (``/console/static/{path}``): ``<unmatched>`` is for paths no route took.
    """
    route, app = scope.get("route"), scope.get("app")
    if app is None:
        return UNMATCHED
    templates = getattr(app.state, "route_templates", None)
    if templates is None:
        templates = app.state.route_templates = _templates(app)
    if route is None:
        return templates.get(id(scope.get("endpoint")), UNMATCHED)
    return templates.get(id(route)) or getattr(route, "path", None) or UNMATCHED


def _templates(app: Any) -> dict[int, str]:
    """By id: each FastAPI route's full template, and each Starlette route's or mount's by its endpoint or app."""
    found = {id(c.original_route): c.path for c in iter_route_contexts(app.routes)
             if getattr(c, "original_route", None) is not None}
    for route in app.routes:
        if isinstance(route, Mount):
            found[id(route.app)] = route.path_format  # /console/static/{path}
        elif isinstance(route, Route) and not isinstance(route, APIRoute):
            found[id(route.endpoint)] = route.path  # /openapi.json
    return found


class AccessLogMiddleware:
    def __init__(self, app: Any, *, metrics: Metrics, log_requests: bool) -> None:
        self.app, self.metrics, self.log_requests = app, metrics, log_requests
        self.log = structlog.get_logger("voucher_ledger.access")

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == _HEADER), None)
        rid = request_id.from_caller(caller)
        request_id.set_current(rid)
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before it starts an answer

        async def echoing(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", [])
                if not any(k.lower() == _HEADER for k, _ in headers):
                    message = {**message, "headers": [*headers, (_HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, echoing)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            self.metrics.request(scope["method"], route, status, seconds)
            if self.log_requests:
                self.log.info("request", method=scope["method"], route=route, path=scope["path"], status=status,
                              duration_ms=round(seconds * 1000, 3), request_id=rid)
