"""A JSON request body nested deeper than ``api_max_json_depth`` is 400 problem+json ``JSON_TOO_DEEP``, refused as it
arrives, before any parser sees it.

Python's parser recurses once per level (a body of 100,000 ``[`` costs a RecursionError deep in the stack, and a
model of nested objects recurses again in validation). Here each chunk of the body is scanned as the route receives
it, without recursion or buffering: brackets outside strings counted, strings and their escapes skipped. The first
chunk that goes too deep stops the reading; whatever the route then makes of the interrupted body, the answer is
this problem. Bodies that are not JSON pass untouched: those with another content type, and those of the routes
that take a file (``raw_paths``: a spreadsheet sent without a content type is binary, full of ``[`` and ``"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from api.http.problems import problem

_STRUCTURE = re.compile(rb'["\\\[\]{}]')
_OPEN, _CLOSE, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


class TooDeep(Exception):
    pass


class DepthScanner:
    """How deep a JSON text nests, fed in chunks; says when it passes ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit, self.depth, self.in_string, self._skip = limit, 0, False, 0

    def feed(self, chunk: bytes, *, last: bool = False) -> bool:
        """False once the text has gone deeper than the limit. ``last``: no chunk follows, so the state after this
        one is not needed: if even every bracket in it opening (inside strings too) stays within the limit, it is not
        scanned at all (a request's body arrives whole, mostly; scanning it cost ~20 µs, counting ~1)."""
        if last and self.depth + chunk.count(b"[") + chunk.count(b"{") <= self.limit:
            return True
        skip_to = self._skip  # an escape's second byte may start this chunk
        for match in _STRUCTURE.finditer(chunk):
            at = match.start()
            if at < skip_to:
                continue
            byte = chunk[at]
            if self.in_string:
                if byte == _BACKSLASH:
                    skip_to = at + 2
                elif byte == _QUOTE:
                    self.in_string = False
            elif byte == _QUOTE:
                self.in_string = True
            elif byte in _OPEN:
                self.depth += 1
                if self.depth > self.limit:
                    return False
            elif byte in _CLOSE:
                self.depth -= 1
        self._skip = max(0, skip_to - len(chunk))
        return True


def _is_json(scope: dict) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return True  # FastAPI parses a body without a content type as JSON


class JsonDepthLimit:
    def __init__(self, app: Any, max_depth: int, raw_paths: tuple[str, ...] = ()) -> None:
        self.app, self.max_depth, self.raw_paths = app, max_depth, raw_paths

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if (scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or scope["path"] in self.raw_paths
                or not _is_json(scope)):
            await self.app(scope, receive, send)
            return
        scanner = DepthScanner(self.max_depth)
        state = {"too_deep": False, "started": False}

        async def receiving() -> dict:
            message = await receive()
            if message["type"] == "http.request" and not scanner.feed(message.get("body", b""),
                                                                      last=not message.get("more_body", False)):
                state["too_deep"] = True
                raise TooDeep
            return message

        async def answering(message: dict) -> None:
            if state["too_deep"]:
                if message["type"] == "http.response.start":
                    await self._refuse(scope, send, state)
                return  # the route's own answer to the interrupted body
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receiving, answering)
        except TooDeep:
            if not state["started"]:
                await self._refuse(scope, send, state)

    async def _refuse(self, scope: dict, send: Callable, state: dict) -> None:
        if state["started"]:
            return
        state["started"] = True
        answer = problem(400, "JSON_TOO_DEEP", f"the JSON body is nested deeper than {self.max_depth} levels",
                         instance=scope["path"])
        await send({"type": "http.response.start", "status": 400, "headers": answer.raw_headers})
        await send({"type": "http.response.body", "body": answer.body})
