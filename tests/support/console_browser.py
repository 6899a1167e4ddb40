"""The web console in a real browser: the service (uvicorn, in a thread, on a free port) on a small simulated
programme, and Debian's Chromium driven by Playwright, with every request that would leave 127.0.0.1 cut off and
recorded, and every console error and failed request kept for the test to assert on."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from api.http.app import create_app
from api.http.auth import mint
from projections.read_models import ReadModels
from simulator import simulate
from simulator.store import open_simulation_store
from store.settings import Settings
from tests.support.served_api import WAIT_S, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENS = Path(__file__).resolve().parents[2] / ".ci" / "out" / "screens"
SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCAL = "127.0.0.1"
VIEWPORT = {"width": 1366, "height": 768}  # an office screen


def chromium_or_skip() -> str:
    """CI installs chromium (.ci/run); elsewhere a missing browser skips, with the command that installs it."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") or os.environ.get("VOUCHER_LEDGER_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{CHROMIUM} is required here (apt-get install -y chromium)")
    pytest.skip(f"no {CHROMIUM}: apt-get install -y chromium")
    return ""


def simulated_store(settings: Settings, *, events: int, seed: int) -> None:
    ledger = open_simulation_store(settings)
    try:
        simulate(ledger, events=events, seed=seed)
        read = ReadModels(settings, ledger)
        try:
            read.refresh()
        finally:
            read.close()
    finally:
        ledger.close()


@dataclass
class Served:
    settings: Settings
    port: int

    @property
    def url(self) -> str:
        return f"http://{LOCAL}:{self.port}"

    def token(self, role: str) -> str:
        return mint(self.settings, role, subject=f"browser-test:{role}")

    def api(self, role: str, path: str, **params: Any) -> Any:
        """The API's own answer (JSON), to set beside what the page shows."""
        response = httpx.get(self.url + path, params=params, timeout=WAIT_S,
                             headers={"Authorization": f"Bearer {self.token(role)}"})
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def serving(settings: Settings) -> Iterator[Served]:
    """uvicorn in a thread; stopped (should_exit) at the end."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host=LOCAL, port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield Served(settings, port)
    finally:
        server.should_exit = True
        thread.join(WAIT_S)


@dataclass
class Watch:
    """What a page did on the network and in its console."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)  # closed when the test ends (the ``watch`` fixture)

    def attach(self, context: Any) -> None:
        self.contexts.append(context)
        def route(r: Any) -> None:
            if urlsplit(r.request.url).hostname == LOCAL:
                r.continue_()
            else:  # the network to the outside is cut, and the attempt is kept
                self.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", self._failed)

    def _failed(self, request: Any) -> None:
        # A request the browser dropped itself because the page moved on (a language switch while the favicon was
        # still loading: net::ERR_ABORTED; the server's log showed it answered 200) is no failure of the page; one
        # cut by ``route`` is already in ``outside``. Any other failure counts.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(request.url)

    def page(self, page: Any) -> Any:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def assert_clean(self, *, allowed_errors: tuple[str, ...] = ()) -> None:
        assert self.requests and all(urlsplit(u).hostname == LOCAL for u in self.requests), self.requests
        assert not self.outside, f"requests left {LOCAL}: {self.outside}"
        assert not self.failed, f"failed requests: {self.failed}"
        errors = [e for e in self.errors if not any(a in e for a in allowed_errors)]
        assert not errors, f"console errors: {errors}"


def fen(text: str) -> int:
    """A yuan amount as the page writes it ("1,234.56", "-0.50") back to integer fen, exactly."""
    return int(Decimal(text.strip().replace(",", "")) * 100)


def end_of_day(day: str) -> str:
    """The picker's meaning of a date: the end of that day in Guangdong, as an API time."""
    return datetime.fromisoformat(f"{day}T23:59:59.999999+08:00").isoformat()


def shanghai(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def signed_in(browser: Any, served: Served, watch: Watch, role: str, path: str) -> Any:
    """A fresh browser context: open ``path``, paste the token into the sign-in form, wait for the figures."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    watch.attach(context)
    page = watch.page(context.new_page())
    page.goto(served.url + path)
    page.wait_for_selector("#sign-in:not([hidden])")
    page.fill("#token", served.token(role))
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")
    return page


def figures(page: Any, scope: str) -> dict[str, int]:
    """Every amount under ``scope`` as the page shows it (data-figure names it), back in fen."""
    cells = page.locator(f"{scope} [data-figure]")
    return {cells.nth(i).get_attribute("data-figure"): fen(cells.nth(i).inner_text()) for i in range(cells.count())}

