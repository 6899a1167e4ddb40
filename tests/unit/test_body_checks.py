"""The body checks before any route reads a body (api/http/body_checks.py), driven as ASGI with a stand-in route:
sizes per path (Content-Length refused before reading, a body without one counted as it arrives), JSON depth, and the
problem answered whatever the route made of an interrupted body."""

from __future__ import annotations

import asyncio
import json

from api.http.body_checks import BodyChecks

IMPORTS = "/v1/imports"


def route_that_reads(reached: list[str]):
    """A route that reads its whole body and answers 201, or 400 if the reading failed (as FastAPI answers)."""
    async def app(scope, receive, send):
        reached.append(scope["path"])
        try:
            while (await receive()).get("more_body"):
                pass
            status = 201
        except Exception:  # noqa: BLE001 - FastAPI turns a failed body read into its own 400
            status = 400
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"route"})
    return app


def post(checks: BodyChecks, path: str, chunks: list[bytes], *, length: bool = True,
         content_type: bytes = b"application/json", method: str = "POST") -> tuple[int, dict | bytes]:
    headers = [(b"content-type", content_type)]
    if length:
        headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict] = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(checks(scope, receive, send))
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1, sent  # one answer, never the route's after a refusal
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return starts[0]["status"], (json.loads(body) if body.startswith(b"{") else body)


def checks(reached: list[str]) -> BodyChecks:
    return BodyChecks(route_that_reads(reached), max_bytes=100, max_depth=3, larger={IMPORTS: 1_000},
                      raw_paths=(IMPORTS,))


def test_a_declared_length_over_the_limit_is_refused_before_the_route_runs():
    reached: list[str] = []
    status, problem = post(checks(reached), "/v1/enterprises", [b" " * 101])
    assert (status, problem["code"], problem["instance"]) == (413, "PAYLOAD_TOO_LARGE", "/v1/enterprises")
    assert reached == []
    assert post(checks(reached), "/v1/enterprises", [b" " * 100])[0] == 201  # at the limit: read


def test_the_route_that_takes_a_file_has_its_own_limit():
    reached: list[str] = []
    assert post(checks(reached), IMPORTS, [b" " * 1_000], content_type=b"text/csv")[0] == 201
    status, problem = post(checks(reached), IMPORTS, [b" " * 1_001], content_type=b"text/csv")
    assert (status, problem["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert reached == [IMPORTS]


def test_a_body_without_a_length_is_stopped_when_it_passes_the_limit_whatever_the_route_answers():
    reached: list[str] = []
    status, problem = post(checks(reached), "/v1/enterprises", [b" " * 60, b" " * 60], length=False)
    assert (status, problem["code"]) == (413, "PAYLOAD_TOO_LARGE")  # the route's 400 was not sent
    assert reached == ["/v1/enterprises"]


def test_json_nested_deeper_than_the_limit_is_refused_but_not_in_a_file_or_another_type():
    reached: list[str] = []
    deep = b"[[[[1]]]]"
    status, problem = post(checks(reached), "/v1/enterprises", [deep])
    assert (status, problem["code"]) == (400, "JSON_TOO_DEEP")
    assert post(checks(reached), "/v1/enterprises", [b"[[[1]]]"])[0] == 201  # at the depth limit
    assert post(checks(reached), IMPORTS, [deep])[0] == 201  # a file: never scanned
    assert post(checks(reached), "/v1/enterprises", [deep], content_type=b"text/plain")[0] == 201


def test_requests_without_a_body_pass_untouched():
    reached: list[str] = []
    assert post(checks(reached), "/v1/enterprises", [b" " * 500], method="GET")[0] == 201
