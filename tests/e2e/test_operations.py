"""The operations endpoints and the request id through a real app on both stores: the caller's X-Request-ID
echoed (a made one otherwise) on answers and problems, the correlation id of what the request records, metrics by
route template, readiness judged on projection lag, and the access log's JSON line."""

from __future__ import annotations

import io
import json
import re

import pytest

from api.http import log_format
from tests.support.api_helpers import (
    FOSHAN, START, api_settings, assert_problem, module_store_settings, ok, patched_clock, running_api, store_params,
)


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        yield api


def enterprise_body(api) -> dict:
    return {"uscc": api.new_uscc(FOSHAN), "name": f"Factory {api.serial()}", "city": FOSHAN,
            "carrier": "CHINA_MOBILE", "established_on": "2010-06-01"}


def test_healthz_needs_no_token(world):
    assert ok(world.client.get("/healthz")) == {"status": "alive"}


def test_the_callers_request_id_is_echoed_on_answers_and_problems(world):
    answer = world.client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"})
    assert answer.headers["x-request-id"] == "lb-7f3a.1"
    refused = world.client.get("/v1/whitelist", headers={"X-Request-ID": "lb-7f3a.2"})  # no token
    problem = assert_problem(refused, 401, "UNAUTHENTICATED")
    assert problem["request_id"] == refused.headers["x-request-id"] == "lb-7f3a.2"
    assert refused.headers.get_list("x-request-id") == ["lb-7f3a.2"]  # once, not once per layer


@pytest.mark.parametrize("given", [None, "has a space", "x" * 129, "semi;colon", ""])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_new_one(world, given):
    headers = {} if given is None else {"X-Request-ID": given}
    first = world.client.get("/v1/nowhere", headers=headers)
    second = world.client.get("/v1/nowhere", headers=headers)
    ids = [assert_problem(r, 404, "NOT_FOUND")["request_id"] for r in (first, second)]
    assert ids == [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]


def test_the_request_id_is_the_correlation_id_when_the_caller_names_none(world):
    api = world
    ids = []
    for extra in ({"X-Request-ID": "req-corr-1"}, {"X-Request-ID": "req-corr-2", "X-Correlation-ID": "case-42"},
                  {"X-Request-ID": "req-corr-3", "Idempotency-Key": "key-corr-3"}):
        headers = {**api.headers("province", None), **extra}
        ids.append(ok(api.client.post("/v1/enterprises", json=enterprise_body(api), headers=headers), 201)["id"])
    found = ok(api.get("/v1/events", event_type="Enterprise.Registered", limit=1000))["items"]
    correlation = {e["originator_id"]: e["correlation_id"] for e in found}
    assert [correlation[i] for i in ids] == ["req-corr-1", "case-42", "key-corr-3"]


def test_metrics_count_requests_by_route_template_and_status(world):
    api = world
    before = api.client.get("/metrics").text
    enterprise = ok(api.post("/v1/enterprises", enterprise_body(api), key=None), 201)["id"]
    for _ in range(2):
        ok(api.get(f"/v1/enterprises/{enterprise}"))
    api.get("/v1/enterprises/00000000-0000-0000-0000-000000000000")  # 404, same template
    api.client.get("/v1/no/such/path")
    for known in ("/console/static/console.js", "/openapi.json", "/docs-assets/swagger-ui.css"):
        assert api.client.get(known).status_code == 200, known  # Starlette's routes and mounts, not FastAPI's
    text = api.client.get("/metrics").text
    assert text.startswith("# HELP") and enterprise not in text  # templates, never ids

    def count(labels: str, source: str = text) -> float:
        found = re.search(rf"^voucher_ledger_http_requests_total\{{{re.escape(labels)}\}} (\S+)$", source, re.M)
        return float(found[1]) if found else 0.0

    template = 'method="GET",route="/v1/enterprises/{enterprise_id}"'
    assert count(f'{template},status="200"') - count(f'{template},status="200"', before) == 2
    assert count(f'{template},status="404"') - count(f'{template},status="404"', before) == 1
    assert count('method="GET",route="<unmatched>",status="404"') >= 1
    # <unmatched> is for paths no route took (a review found the console's script and /openapi.json counted there)
    assert count('method="GET",route="<unmatched>",status="200"') == 0
    for known in ("/console/static/{path}", "/openapi.json", "/docs-assets/{path}"):
        assert count(f'method="GET",route="{known}",status="200"') - count(
            f'method="GET",route="{known}",status="200"', before) == 1, known
    assert count('method="POST",route="/v1/enterprises",status="201"') >= 1
    assert re.search(r'^voucher_ledger_projection_lag_events\{projection="lists"\} 0\.0$', text, re.M) or \
        world.settings.store == "postgres"  # no follow worker in this test on PostgreSQL: it may lag
    assert "voucher_ledger_store_up 1.0" in text


def test_readyz_fails_while_a_projection_lags_beyond_its_threshold(tmp_path):
    """SQLite with the read models not caught up in-process and no worker: every event recorded is lag."""
    from store.settings import Settings

    settings = api_settings(Settings(store="sqlite", sqlite_path=tmp_path / "lag.sqlite3"))
    settings = settings.model_copy(update={"read_models_in_process": False, "ready_max_lag_events": 0,
                                           "ready_max_lag_s": 60})
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        before = api.client.get("/readyz").json()
        lagging = {name: p["lag_events"] for name, p in (before.get("checks") or {}).get("projections", {}).items()}
        base = before["checks"]["position"]
        ok(api.post("/v1/enterprises", enterprise_body(api), key=None), 201)
        after = api.event_count()
        answer = api.client.get("/readyz")
        problem = assert_problem(answer, 503, "NOT_READY")
        assert problem["checks"]["position"] == after
        for name, figures in problem["checks"]["projections"].items():
            assert figures["lag_events"] == lagging[name] + (after - base)
            assert f"projection {name} is {figures['lag_events']} events behind (at most 0)" in problem["reasons"]
            assert figures["followed"] is None  # SQLite: no follower to look for
        assert not any(" s behind" in reason for reason in problem["reasons"])
        clock.advance(seconds=121)  # the unapplied events were recorded at the service clock's time, now 2 min ago
        problem = assert_problem(api.client.get("/readyz"), 503, "NOT_READY")
        for name, figures in problem["checks"]["projections"].items():
            assert figures["lag_seconds"] >= 121
            assert f"projection {name} is {figures['lag_seconds']:.1f} s behind (at most 60 s)" in problem["reasons"]


def test_the_access_log_is_one_json_line_per_request(world):
    buffer = io.StringIO()
    log_format.configure("json", stream=buffer)
    try:
        world.client.get("/healthz", headers={"X-Request-ID": "log-line-1"})
    finally:
        log_format.configure(world.settings.log_format)
    [line] = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert {k: line[k] for k in ("event", "method", "route", "path", "status", "request_id")} == {
        "event": "request", "method": "GET", "route": "/healthz", "path": "/healthz", "status": 200,
        "request_id": "log-line-1"}
    assert line["duration_ms"] >= 0 and line["timestamp"].endswith("Z")


def test_an_unhandled_errors_traceback_carries_the_request_id_its_answer_gave(world, monkeypatch):
    """The 500 problem tells the caller to give support its request id; support finds the traceback by it only if
    the error's log record carries it (it named the method and path alone, which concurrent requests share)."""
    from api.http import health

    def broken(app):
        raise RuntimeError("boom for the log")

    monkeypatch.setattr(health, "assess", broken)
    buffer = io.StringIO()
    log_format.configure("json", stream=buffer)
    try:
        answer = world.client.get("/readyz", headers={"X-Request-ID": "trace-me-1"})
    finally:
        log_format.configure(world.settings.log_format)
    assert answer.status_code == 500 and answer.json()["request_id"] == "trace-me-1"
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    [error] = [line for line in lines if "boom for the log" in line.get("exception", "")]
    assert error["request_id"] == "trace-me-1" and error["level"] == "error"


def test_a_missing_follower_is_reported_with_what_to_do_in_this_deployment():
    """serve runs and restarts its own workers unless told --no-workers; /readyz told the operator to run
    `voucher-ledger follow NAME` by hand even then (a worker waiting out its restart back-off, up to 30 s)."""
    from api.http.health import follower_reason
    from store.settings import Settings

    served = follower_reason(Settings(store="postgres"), "lists")
    assert served.startswith("no worker follows projection lists") and "serve restarts it" in served
    assert "voucher-ledger follow" not in served
    manual = Settings(store="postgres", api_projection_workers=False)
    assert follower_reason(manual, "lists") == "no worker follows projection lists (`voucher-ledger follow lists`)"


def test_each_log_line_is_written_whole_in_one_write():
    """serve's workers share its standard output and error: a line written as its text, then its newline, in two
    writes was interleaved with another process's line (two JSON objects on one line, seen under serve)."""
    class Writes(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []

        def write(self, text: str) -> int:
            self.calls.append(text)
            return super().write(text)

    import structlog

    for stream_of in (lambda s: log_format.configure("json", stream=s) or structlog.get_logger("t"),
                      lambda s: log_format.stream_logger("json", s, projection="lists")):
        stream = Writes()
        try:
            stream_of(stream).info("caught up; keeping up", events=3)
        finally:
            log_format.configure("auto")
        assert len(stream.calls) == 1 and stream.calls[0].endswith("}\n"), stream.calls


def test_on_a_terminal_the_log_is_for_people():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    log_format.configure("auto", stream=screen)
    try:
        import structlog

        structlog.get_logger("t").info("request", route="/healthz", request_id="tty-1")
    finally:
        log_format.configure("auto")
    text = screen.getvalue()
    assert "tty-1" in text and "/healthz" in text
    with pytest.raises(ValueError):
        json.loads(text)


def test_readyz_and_metrics_show_each_connection_pool(world):
    checks = ok(world.client.get("/readyz"))["checks"]
    text = world.client.get("/metrics").text
    if world.settings.store == "sqlite":
        assert checks["pools"] == {} and "voucher_ledger_pool_connections{" not in text
        return
    assert set(checks["pools"]) == {"ledger", "money_flows", "whitelist", "audit_trail", "settlement_batches",
                                    "journal", "lists"}
    ledger = checks["pools"]["ledger"]
    settings = world.settings  # the ledger's pool is sized by the settings (views by projections/runner.py)
    assert (ledger["pool_min"], ledger["pool_max"]) == (settings.postgres_pool_size,
                                                        settings.postgres_pool_size + settings.postgres_max_overflow)
    for figures in checks["pools"].values():
        assert 0 <= figures["pool_available"] <= figures["pool_size"] <= figures["pool_max"]
    assert f'voucher_ledger_pool_connections{{measure="pool_max",pool="ledger"}} {float(ledger["pool_max"])}' in text


def test_a_body_over_the_limit_is_413_before_it_is_read_even_without_a_token(world):
    limit = world.settings.api_max_body_bytes
    body = b"{" + b" " * limit + b"}"  # one byte over: Content-Length says so
    for path in ("/v1/enterprises", "/v1/carrier-rates"):
        answer = world.client.post(path, content=body, headers={"Content-Type": "application/json",
                                                                "X-Request-ID": "too-large-1"})
        problem = assert_problem(answer, 413, "PAYLOAD_TOO_LARGE", instance=path)
        assert problem["request_id"] == answer.headers["x-request-id"] == "too-large-1"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(limit // 65_536 + 2):
            yield b" " * 65_536

    streamed = world.client.post("/v1/enterprises", content=chunks(), headers={"Content-Type": "application/json",
                                                                               **world.auth("province")})
    assert_problem(streamed, 413, "PAYLOAD_TOO_LARGE")
    # a body at the limit is read (and refused for what it says, not for its size)
    at_limit = b"{" + b" " * (limit - 2) + b"}"
    answer = world.client.post("/v1/enterprises", content=at_limit, headers={"Content-Type": "application/json",
                                                                             **world.auth("province")})
    assert_problem(answer, 422, "INVALID_INPUT")
    # an import takes a larger spreadsheet: refused for its content, not its size
    lines = b"x,y\n" * (limit // 4 + 1)  # short lines: one field past csv's field limit is another matter
    imported = world.client.post("/v1/imports", params={"kind": "claims"}, content=lines,
                                 headers=world.auth("province"))
    assert imported.status_code not in (413, 500), imported.text
