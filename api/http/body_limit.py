"""A request body over its limit is 413 problem+json ``PAYLOAD_TOO_LARGE``, refused before it is read.

FastAPI's limits (``max_body_size`` on each included router: ``api_max_body_bytes``, ``api_max_import_bytes`` for
imports) refuse a body whose Content-Length is too large before the route reads it, whatever the route would have
answered (a 401 included), and stop a chunked body as soon as it passes the limit. Starlette answers that 413 in
plain text; this middleware, inside the access log, turns it into the service's problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.http.problems import TOO_LARGE, problem


class TooLargeAsProblem:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replacing = False

        async def answering(message: dict) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start" and message["status"] == 413 and any(
                    k == b"content-type" and v.startswith(b"text/plain") for k, v in message.get("headers", [])):
                replacing = True
                answer = problem(413, "PAYLOAD_TOO_LARGE", TOO_LARGE, instance=scope["path"])
                await send({"type": "http.response.start", "status": 413, "headers": answer.raw_headers})
                await send({"type": "http.response.body", "body": answer.body})
                return
            if replacing:
                return  # the plain-text body, already answered
            await send(message)

        await self.app(scope, receive, answering)
