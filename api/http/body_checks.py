"""What a request body may be before any route reads it: not larger than its route accepts (413 ``PAYLOAD_TOO_LARGE``)
and, if JSON, not nested deeper than ``api_max_json_depth`` (400 ``JSON_TOO_DEEP``, ``api/http/json_depth.py``).

Sizes: ``api_max_body_bytes`` for every route, larger ones for the routes that take a file (``larger``: the imports'
``api_max_import_bytes``). A Content-Length over the limit is answered at once, whatever the route would have
answered (a 401 included); a body without one is counted as it arrives and stopped as soon as it passes the limit.
Depth: each chunk is scanned as the route receives it, and the first that goes too deep stops the reading. Either
way, whatever the route then makes of the interrupted body, the answer is the problem. Bodies that are not JSON are
not scanned for depth: those with another content type, and those of the routes that take a file (``raw_paths``: a
spreadsheet sent without a content type is binary, full of ``[`` and ``"``).

One pure ASGI middleware, inside the access log, does both: FastAPI's own per-router ``max_body_size`` put three
layers around every route and answered 413 in plain text, which a fourth turned into a problem; each layer costs
every request a few microseconds (bench/README.md, "Fewer parameters to solve").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.http.json_depth import DepthScanner, is_json
from api.http.problems import TOO_LARGE, problem

_WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class _Refused(Exception):
    """The body broke a limit: the reading stops here."""


class BodyChecks:
    def __init__(self, app: Any, *, max_bytes: int, max_depth: int, larger: dict[str, int] | None = None,
                 raw_paths: tuple[str, ...] = ()) -> None:
        self.app, self.max_bytes, self.max_depth = app, max_bytes, max_depth
        self.larger, self.raw_paths = larger or {}, raw_paths

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] in _WITHOUT_BODY:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.larger.get(path, self.max_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer(send, _too_large(path))
            return
        scanner = DepthScanner(self.max_depth) if path not in self.raw_paths and is_json(scope) else None
        state: dict[str, Any] = {"refusal": None, "started": False, "received": 0}

        async def receiving() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                state["received"] += len(chunk)
                if state["received"] > limit:
                    state["refusal"] = _too_large(path)
                elif scanner is not None and not scanner.feed(chunk, last=not message.get("more_body", False)):
                    state["refusal"] = problem(400, "JSON_TOO_DEEP",
                                               f"the JSON body is nested deeper than {self.max_depth} levels",
                                               instance=path)
                if state["refusal"] is not None:
                    raise _Refused
            return message

        async def answering(message: dict) -> None:
            if state["refusal"] is not None:
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await _answer(send, state["refusal"])
                return  # the route's own answer to the interrupted body
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receiving, answering)
        except _Refused:
            if not state["started"]:
                state["started"] = True
                await _answer(send, state["refusal"])


def _content_length(scope: dict) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # not a length: the server refuses it, or the body is counted as it arrives
    return None


def _too_large(path: str) -> Any:
    return problem(413, "PAYLOAD_TOO_LARGE", TOO_LARGE, instance=path)


async def _answer(send: Callable, answer: Any) -> None:
    await send({"type": "http.response.start", "status": answer.status_code, "headers": answer.raw_headers})
    await send({"type": "http.response.body", "body": answer.body})
