"""Helpers for the HTTP API tests: settings, the service's clock, tokens, problem+json checks, and a small world set
up through the HTTP routes only (never through the ledger), so that every figure a test checks was written by the API.

The service's clock. Commands are recorded at the app's clock (``api/http/dependencies.py``: ``Call.by``), and the
default programme's years are 2018-2020, so the tests run the service on a training clock (``create_app(clock=...)``,
as ``VOUCHER_LEDGER_CLOCK`` would) that the test sets and advances (:class:`ServiceClock`): the service runs end to
end (HTTP, auth, idempotency, ledger, read models, databases) and its store is a training store. Tokens are minted
and checked on the real clock (PyJWT), which is why tokens stay valid.

Expected figures are worked out here from the amounts the tests send and DOMAIN.md's rules (``floor_rate``), never
by calling the ledger's own money functions.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.auth import mint
from api.http.problems import STORE_ERRORS, ApiError
from store.settings import Settings
from ledger.uscc import make_uscc

PROBLEM_JSON = "application/problem+json"
ANSWERED = "ledger.answered_requests:AnsweredRequest.Answered"  # stored data, pinned in ledger/stored_names.py
PROBLEM_MEMBERS = ("type", "title", "status", "detail", "code")
FOSHAN, DONGGUAN, SHENZHEN = "440600", "441900", "440300"
YEAR = 2020
START = datetime(2020, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Guangdong, fiscal year 2020

# The programme of the tests (figures chosen so that rounding down shows): 50 % of application-service fees up to
# 99,999.99 RMB, 30 % of device-access fees up to 50,000 RMB, 40 % of network renovation up to 30,000 RMB.
ITEMS = (
    {"item_id": "APP-ERP", "name": "ERP/MES 上云", "fee_category": "APPLICATION_SERVICE", "rate": "0.50",
     "cap_fen": 9_999_999},
    {"item_id": "DEV-ACCESS", "name": "设备上云", "fee_category": "DEVICE_ACCESS", "rate": "0.30", "cap_fen": 5_000_000},
    {"item_id": "NET-RENO", "name": "企业内网改造", "fee_category": "NETWORK_RENOVATION", "rate": "0.40",
     "cap_fen": 3_000_000},
)
ITEM = {i["item_id"]: i for i in ITEMS}
CITY_QUOTAS = {FOSHAN: (50_000_000, "0.33"), DONGGUAN: (30_000_000, "0.35")}
CARRIER_RATES = {"CHINA_TELECOM": "0.30", "CHINA_MOBILE": "0.35", "CHINA_UNICOM": "0.32"}
PROVIDER_QUOTA_FEN = 300_000_000
REVENUE_OK_FEN = 1_200_000_000  # 12,000,000 RMB: above the 10,000,000 RMB threshold


def floor_rate(amount_fen: int, rate: str) -> int:
    """DOMAIN.md: a rate times an amount, rounded down to the fen (worked out independently of ledger.money)."""
    return int((Decimal(amount_fen) * Decimal(rate)).to_integral_value(rounding=ROUND_FLOOR))


def split(amount_fen: int, city_share: str) -> tuple[int, int]:
    """(city, province) portions: the city's is rounded down, the province pays the rest."""
    city = floor_rate(amount_fen, city_share)
    return city, amount_fen - city


def iso(moment: datetime) -> str:
    return moment.isoformat()


# -- settings and the service's clock ---------------------------------------------------------------------------------
def api_settings(settings: Settings) -> Settings:
    """Small pools (PostgreSQL allows 100 connections) and read-your-writes queries on both stores."""
    return settings.model_copy(update={"postgres_pool_size": 3, "postgres_max_overflow": 6,
                                       "read_models_in_process": True})


class ServiceClock:
    """The time the service records commands at (and the default ``as_of``) while a request of its client runs."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


class TrainingClockOf:
    """The service's training clock (``store.clock.Clock``) reading a test's :class:`ServiceClock`."""

    training = True

    def __init__(self, clock: ServiceClock) -> None:
        self.clock = clock
        self.started_at = clock.now

    def now(self) -> datetime:
        return self.clock.now


@contextmanager
def patched_clock(start: datetime = START) -> Iterator[ServiceClock]:
    """A test clock for the services :func:`running_api` starts (module- or function-scoped fixtures alike)."""
    yield ServiceClock(start)


# -- tokens and requests ----------------------------------------------------------------------------------------------
def bearer(settings: Settings, role: str, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(settings, role, **kwargs)}"}


AUTO = object()  # a fresh Idempotency-Key


def assert_problem(resp, status: int, code: str | None = None, *, instance: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem: content type, the members, status in the body equal to the HTTP status, and a code."""
    assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.text}"
    assert resp.headers["content-type"].split(";")[0].strip() == PROBLEM_JSON, resp.headers["content-type"]
    body = resp.json()
    missing = [m for m in PROBLEM_MEMBERS if m not in body]
    assert not missing, f"problem lacks {missing}: {body}"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"].startswith("https://") and body["code"].lower().replace("_", "-") in body["type"]
    if code is not None:
        assert body["code"] == code, body
    if instance is not None:
        assert body.get("instance") == instance, body
    return body


def ok(resp, status: int = 200) -> Any:
    assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.text}"
    assert resp.headers["content-type"].startswith("application/json")
    return resp.json()


@dataclass
class Party:
    id: str
    uscc: str


@dataclass
class Api:
    """A TestClient on a real app, with the service's clock, tokens per role and the programme set up over HTTP."""

    client: TestClient
    settings: Settings
    clock: ServiceClock
    _serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    # -- plumbing ------------------------------------------------------------------------------------------------
    def auth(self, role: str) -> dict[str, str]:
        if role not in self._tokens:
            self._tokens[role] = bearer(self.settings, role)
        return dict(self._tokens[role])

    def headers(self, role: str | None, key: Any = AUTO) -> dict[str, str]:
        headers = {} if role is None else self.auth(role)
        if key is AUTO:
            key = f"test-{uuid.uuid4()}"
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(self, path: str, body: Any = None, *, role: str | None = "province", key: Any = AUTO, **kwargs: Any):
        return self.client.post(path, json=body, headers=self.headers(role, key), **kwargs)

    def get(self, path: str, *, role: str | None = "auditor", **params: Any):
        clean = {k: v for k, v in params.items() if v is not None}
        return self.client.get(path, params=clean, headers=self.headers(role, None))

    def event_count(self) -> int:
        """The ledger's events in the store, read from its own recorder (not from a projection): every event but the
        records of answered idempotency keys (``answered_count``), which a refused request with a key adds."""
        return self._count(lambda topic: topic != ANSWERED)

    def answered_count(self) -> int:
        """Answers recorded under idempotency keys (``AnsweredRequest``)."""
        return self._count(lambda topic: topic == ANSWERED)

    def _count(self, counted) -> int:
        recorder = self.client.app.state.backend.ledger.recorder
        last = recorder.max_notification_id() or 0
        return sum(1 for n in recorder.select_notifications(1, last + 1) if counted(n.topic))

    def serial(self) -> int:
        return next(self._serial)

    def new_uscc(self, city: str = FOSHAN) -> str:
        return make_uscc(f"91{city}MA{self.serial():07d}")

    # -- the programme, over HTTP ------------------------------------------------------------------------------------
    def setup_year(self, year: int = YEAR, *, city_quotas: dict[str, tuple[int, str]] = CITY_QUOTAS) -> dict[str, Any]:
        out = {"carrier_rates": ok(self.post("/v1/carrier-rates", {"year": year, "rates": CARRIER_RATES}))}
        out["catalogue"] = ok(self.post("/v1/catalogues", {"year": year, "items": list(ITEMS),
                                                           "redemption_deadline": f"{year + 1}-02-08"}), 201)
        for city, (amount, share) in city_quotas.items():
            out[f"quota_{city}"] = ok(self.post("/v1/city-quotas", {"city": city, "year": year, "amount_fen": amount,
                                                                    "city_share": share}))
        return out

    def register(self, city: str = FOSHAN, *, carrier: str = "CHINA_MOBILE") -> Party:
        uscc = self.new_uscc(city)
        body = {"uscc": uscc, "name": f"Factory {self.serial()}", "city": city, "carrier": carrier,
                "established_on": "2010-06-01"}
        return Party(ok(self.post("/v1/enterprises", body), 201)["id"], uscc)

    def decide(self, enterprise: Party, *, year: int = YEAR, revenue_fen: int = REVENUE_OK_FEN) -> dict[str, Any]:
        body = {"year": year, "prior_year_revenue_fen": revenue_fen, "serious_misuse_5y": False,
                "effective_at": iso(self.clock.now)}
        return ok(self.post(f"/v1/enterprises/{enterprise.id}/eligibility", body))

    def eligible_enterprise(self, city: str = FOSHAN) -> Party:
        enterprise = self.register(city)
        assert self.decide(enterprise)["granted"] is True
        return enterprise

    def admit(self, *, kind: str = "PLATFORM") -> Party:
        uscc = self.new_uscc("440100")
        body = {"uscc": uscc, "name": f"Cloud Platform {self.serial()}", "kind": kind}
        return Party(ok(self.post("/v1/providers", body), 201)["id"], uscc)

    def assess(self, provider: Party, *, passed: bool = True, area: str = "NETWORK") -> dict[str, Any]:
        body = {"area": area, "passed": passed, "assessor": "国家级信息安全评测机构", "report_ref": f"RPT-{self.serial()}",
                "effective_at": iso(self.clock.now)}
        return ok(self.post(f"/v1/providers/{provider.id}/assessments", body))

    def provider_quota(self, provider: Party, amount_fen: int = PROVIDER_QUOTA_FEN, year: int = YEAR) -> dict:
        return ok(self.post(f"/v1/providers/{provider.id}/quotas", {"year": year, "amount_fen": amount_fen}))

    def whitelisted_provider(self) -> Party:
        provider = self.admit()
        assert self.assess(provider)["status"] == "WHITELISTED"
        self.provider_quota(provider)
        return provider

    def issue(self, enterprise: Party, item_id: str = "APP-ERP", *, year: int = YEAR, key: Any = AUTO):
        return self.post("/v1/vouchers", {"enterprise_id": enterprise.id, "year": year, "item_id": item_id}, key=key)

    def claim_body(self, provider: Party, *, eligible_fee_fen: int, fee_category: str = "APPLICATION_SERVICE",
                   contract_amount_fen: int | None = None, contract_no: str | None = None,
                   invoice_nos: list[str] | None = None) -> dict[str, Any]:
        n = self.serial()
        contract = contract_amount_fen or eligible_fee_fen
        return {"provider_id": provider.id, "fee_category": fee_category, "eligible_fee_fen": eligible_fee_fen,
                "contract_no": contract_no or f"HT-{n:06d}", "contract_date": iso(self.clock.now - timedelta(days=30)),
                "contract_amount_fen": contract, "invoice_nos": invoice_nos or [f"INV-{n:06d}"],
                "payment_proven_fen": contract, "payment_proof_ref": f"BANK-{n:06d}",
                "acceptance_report_ref": f"ACC-{n:06d}", "accepted_at": iso(self.clock.now - timedelta(days=1)),
                "no_other_funding": True}

    def claim(self, voucher_id: str, body: dict[str, Any], *, role: str = "province", key: Any = AUTO):
        return self.post(f"/v1/vouchers/{voucher_id}/claims", body, role=role, key=key)

    def approve(self, voucher_id: str, claim_id: str, *, key: Any = AUTO):
        return self.post(f"/v1/vouchers/{voucher_id}/claims/{claim_id}/approval", None, key=key)

    def reject(self, voucher_id: str, claim_id: str, reason: str = "invoice does not match the contract"):
        return self.post(f"/v1/vouchers/{voucher_id}/claims/{claim_id}/rejection", {"reason": reason})

    def reverse(self, voucher_id: str, claim_id: str, reason: str = "failed spot check"):
        return self.post(f"/v1/vouchers/{voucher_id}/claims/{claim_id}/reversal",
                         {"reason": reason, "effective_at": iso(self.clock.now)})

    def open_batch(self, provider: Party, period: str = "2020-03") -> str:
        return ok(self.post("/v1/settlement-batches", {"provider_id": provider.id, "period": period}), 201)["id"]

    def add_to_batch(self, batch_id: str, voucher_id: str, claim_id: str):
        return self.post(f"/v1/settlement-batches/{batch_id}/claims", {"voucher_id": voucher_id, "claim_id": claim_id})

    def pay(self, batch_id: str):
        return self.post(f"/v1/settlement-batches/{batch_id}/payment", {"effective_at": iso(self.clock.now)})


@contextmanager
def running_api(settings: Settings, clock: ServiceClock) -> Iterator[Api]:
    """A real app on ``settings`` behind a TestClient (lifespan run: ledger and read models opened and closed)."""
    with TestClient(create_app(settings, clock=TrainingClockOf(clock)), raise_server_exceptions=False) as client:
        _opened(client.app.state.backend)
        yield Api(client=client, settings=settings, clock=clock)


def _opened(backend, within_s: float = 30.0) -> None:
    """Wait until the service has opened its store, as its next request would. On a machine loaded by two test
    processes the first connection can take longer than the pool's one-second wait: the service then starts
    answering 503 and opens on a later request (api/http/app.py, Backend), but a test that reads the backend
    directly (``Api.event_count``) would find nothing opened. A store that stays down is left to the test."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            backend.opened()
            return
        except (*STORE_ERRORS, ApiError):
            if time.monotonic() > deadline:
                return
            time.sleep(0.2)


def store_env(settings: Settings) -> dict[str, str]:
    """The environment that points the command line (``voucher-ledger ...`` in a subprocess) at ``settings``' store."""
    if settings.store == "sqlite":
        return {"VOUCHER_LEDGER_STORE": "sqlite", "VOUCHER_LEDGER_SQLITE_PATH": str(settings.sqlite_path)}
    return {"VOUCHER_LEDGER_STORE": "postgres",
            "VOUCHER_LEDGER_POSTGRES_URL": settings.environment()["VOUCHER_LEDGER_POSTGRES_URL"],
            "VOUCHER_LEDGER_POSTGRES_SCHEMA": settings.postgres_schema}


def store_params():
    """The two stores, as conftest parametrises them (module-scoped fixtures need their own parametrisation)."""
    from tests.conftest import STORES

    return STORES


def module_store_settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A fresh store (SQLite file or PostgreSQL schema) for a module-scoped fixture parametrised by store."""
    from tests.conftest import settings_for

    return api_settings(settings_for(request.param, request, tmp_path_factory.mktemp(f"api-{request.param}")))


@contextmanager
def api_ready_for_claims(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """For a module-scoped fixture parametrised by store: a real app on a fresh store whose year is set up with room
    in Foshan's quota (share 0.33), a whitelisted provider (``api.provider``) and, a day later, a voucher of an
    eligible Foshan enterprise (``api.voucher``); the clock stands a day after its issue."""
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year(city_quotas={FOSHAN: (1_000_000_000, "0.33")})
        api.provider = api.whitelisted_provider()
        clock.advance(days=1)
        api.voucher = ok(api.issue(api.eligible_enterprise()), 201)["voucher_id"]
        clock.advance(days=1)
        yield api


def app_routes(app) -> list[tuple[str, str, Any]]:
    """(method, full path, route) for every route the app serves, HEAD aside. FastAPI ≥ 0.16x keeps included routers
    unflattened in ``app.routes``; ``iter_route_contexts`` walks them (older versions list the routes directly)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        contexts = [(route, route.path, route) for route in app.routes]
    else:
        contexts = [(c, c.path, c.original_route) for c in iter_route_contexts(app.routes)]
    return [(method, path, route) for context, path, route in contexts
            for method in sorted(set(getattr(context, "methods", None) or ()) - {"HEAD"})]


class TcpProxy:
    """A TCP forwarder in front of PostgreSQL that a test can cut and restore: to the app, a real database outage
    (refused connections, pooled connections dropped), with nothing in the app replaced."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        import socket

        self.upstream = (upstream_host, upstream_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server = None
        self._sockets: list = []
        self._lock = threading.Lock()
        self._held_until = 0.0

    def start(self) -> TcpProxy:
        import socket

        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client) -> None:
        import socket

        time.sleep(max(0.0, self._held_until - time.monotonic()))
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets += [client, upstream]
        for source, target in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def hold(self, seconds: float) -> TcpProxy:
        """A slow server: a connection made in the next ``seconds`` reaches PostgreSQL only when they are over."""
        self._held_until = time.monotonic() + seconds
        return self

    @staticmethod
    def _pump(source, target) -> None:
        import socket

        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """The outage: nothing listens any more, and every open connection is cut."""
        import socket

        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
            self._server = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
