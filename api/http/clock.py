"""The service clock inside the HTTP service: which clock a request runs on, and a training service saying so.

Every command's recorded time and every query's default ``as_of`` come from the app's clock (``store.clock``): the
real one, or a training clock. A training service (its clock, or its store, is training) adds
``Voucher-Ledger-Training: true`` to every answer, errors included, so no one mistakes a rehearsal for the record.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from store.clock import Clock, RealClock

TRAINING_HEADER = "Voucher-Ledger-Training"
_current: ContextVar[Clock] = ContextVar("voucher_ledger_service_clock", default=RealClock())


def service_now() -> datetime:
    """Now, on the clock of the request being answered (the real clock outside a request)."""
    return _current.get().now()


class ServiceClockMiddleware:
    """Pure ASGI: runs the request on the app's clock, and marks a training service's answers."""

    def __init__(self, app: Any, clock: Clock, training: Callable[[], bool]) -> None:
        self.app, self.clock, self.training = app, clock, training

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current.set(self.clock)

        async def marked(message: dict) -> None:
            if message["type"] == "http.response.start" and self.training():
                message = {**message, "headers": [*message.get("headers", []),
                                                  (TRAINING_HEADER.lower().encode(), b"true")]}
            await send(message)

        try:
            await self.app(scope, receive, marked)
        finally:
            _current.reset(token)
