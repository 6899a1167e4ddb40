"""A JSON request body that names a member twice in one object is refused (422 ``INVALID_INPUT``), never read.

Python's parser keeps the last value silently; a gateway, a log or a person reading the body may take the first
(RFC 8259 §4: such a body's meaning is unpredictable), so ``{"eligible_fee_fen": 1000, ..., "eligible_fee_fen":
99999999}`` would be recorded as an amount the sender's own records do not show. The routers that take JSON bodies
use this route class: the body is parsed here once, with the check, and FastAPI reads that parse (Starlette keeps a
request's parsed JSON), so a body costs one parse as before; a body that is not JSON is left to FastAPI's answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.http.json_depth import is_json
from api.http.problems import ApiError


class _NamedTwice(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: set[str] = set()
        raise _NamedTwice(next(name for name, _ in pairs if name in seen or seen.add(name)))  # type: ignore
    return members


async def _parse_once(request: Request) -> None:
    body = await request.body()
    if not body:
        return
    try:
        request._json = json.loads(body, object_pairs_hook=_unique)  # what Request.json() keeps and returns
    except _NamedTwice as twice:
        raise ApiError(422, "INVALID_INPUT", f"the JSON body names the member {twice.name!r} twice in one object: "
                                             "send each member once") from None
    except ValueError:  # not JSON at all (or not UTF-8): FastAPI parses it again and answers as it always has
        pass


class UniqueMembersRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            if request.method not in ("GET", "HEAD") and is_json(request.scope):
                await _parse_once(request)
            return await handler(request)

        return checked
