"""The HTTP service as production runs it: ``voucher-ledger serve`` in its own process, on a store prepared in the
test's process, driven by real HTTP clients — so that a test can kill it (SIGKILL, nothing flushed, nothing closed)
or run two of them on one store.

The service records commands on the real clock (``api/http/dependencies.py``), so the store is prepared with
vouchers redeemable now: a 2021 programme year (opened as data, after the default 2018-2020 years) whose redemption
deadline is in 2099, set up through the ledger application with explicit times (as ``bench/benchmarks/http_claims.py``
does). A catalogue cannot name a deadline of its own: the year's is its vouchers'. Each planned claim has its own
Idempotency-Key, contract and invoice number, and a fee whose subsidy (0.50 × fee, rounded down: DOMAIN.md) is
worked out here, not by the ledger.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from api.http.auth import mint
from ledger.money import WAN_YUAN
from ledger.voucher import Voucher
from projections.runner import close_projections, open_projections
from store.opening import open_ledger
from store.settings import Settings
from tests.support.scenario import FOSHAN, World

WAIT_S = 60  # a bound for slow shared machines, never a figure that an assert depends on
REDEEMABLE_UNTIL = date(2099, 12, 31)
YEAR = 2021  # the first year after the default programme's, opened with that deadline
SUBJECT = "served-api-test"
REPLAYED = "idempotent-replayed"


def small_pools(settings: Settings) -> Settings:
    """The shared PostgreSQL allows 100 connections: a served process keeps to a few."""
    return settings.model_copy(update={"postgres_pool_size": 2, "postgres_max_overflow": 2})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServedApi:
    """``voucher-ledger serve`` (one uvicorn process) on ``settings``' store; its output in ``log_path``."""

    settings: Settings
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    workers: bool = False  # serve's own `follow` children (api/cli/supervisor.py): off unless a test asks for them

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")}
        env.update(self.settings.environment())  # secrets in clear, for the child only
        env.update({"VOUCHER_LEDGER_API_HOST": "127.0.0.1", "VOUCHER_LEDGER_API_PORT": str(self.port),
                    "VOUCHER_LEDGER_API_WORKERS": "1",
                    "VOUCHER_LEDGER_API_PROJECTION_WORKERS": "true" if self.workers else "false"})
        return env

    def start(self) -> ServedApi:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve"], env=self.environment(),
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT_S
        while True:
            assert self.proc.poll() is None, f"voucher-ledger serve exited ({self.proc.returncode}):\n{self.log()}"
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"voucher-ledger serve not ready within {WAIT_S} s:\n{self.log()}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the process dies mid-request, nothing is closed or flushed."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(WAIT_S)

    def stop(self) -> None:
        """SIGINT, as Ctrl-C; SIGKILL if it does not exit."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(WAIT_S)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


# -- the store and the claims --------------------------------------------------------------------------------------
def subsidy(fee_fen: int) -> int:
    """0.50 of an application-service fee, rounded down to the fen (DOMAIN.md), for fees under the item's cap."""
    return fee_fen // 2


@dataclass(frozen=True)
class PlannedClaim:
    key: str
    voucher_id: UUID
    fee_fen: int
    contract_no: str
    body: dict[str, Any]

    @property
    def path(self) -> str:
        return f"/v1/vouchers/{self.voucher_id}/claims"


def prepare_claims(settings: Settings, *, vouchers: int, claims: int, tag: str, providers: int = 1
                   ) -> list[PlannedClaim]:
    """A 2021 year redeemable until 2099, ``providers`` whitelisted providers, ``vouchers`` application-service
    vouchers and ``claims`` planned claims going round them both (odd fees, so that rounding down shows); the read
    models migrated, so that the served processes do not race each other over it."""
    app = open_ledger(settings)
    try:
        world = World(app=app, now=datetime(YEAR, 3, 1, 9, 0, tzinfo=UTC), year=YEAR)
        world.setup_year(YEAR, city_quotas={FOSHAN: (100_000 * WAN_YUAN, "0.40")},
                         redemption_deadline=REDEEMABLE_UNTIL)
        provider_ids = [world.provider(quota_fen=100_000 * WAN_YUAN) for _ in range(providers)]
        voucher_ids = [world.issue(world.eligible_enterprise()).voucher_id for _ in range(vouchers)]
        signed, accepted = world.now - timedelta(days=30), world.now - timedelta(days=1)
    finally:
        app.close()
    close_projections(open_projections(settings))
    planned = []
    for n in range(claims):
        fee = 20_001 + 2 * n  # 0.50 × an odd fee: half a fen rounded away
        contract_no = f"HT-{tag}-{n:05d}"
        body = {"provider_id": str(provider_ids[n % providers]), "fee_category": "APPLICATION_SERVICE", "eligible_fee_fen": fee,
                "contract_no": contract_no, "contract_date": signed.isoformat(), "contract_amount_fen": fee,
                "invoice_nos": [f"INV-{tag}-{n:05d}"], "payment_proven_fen": fee, "payment_proof_ref": f"BANK-{n}",
                "acceptance_report_ref": f"ACC-{n}", "accepted_at": accepted.isoformat(), "no_other_funding": True}
        planned.append(PlannedClaim(f"{tag}-{n}", voucher_ids[n % vouchers], fee, contract_no, body))
    return planned


def token(settings: Settings) -> str:
    return mint(settings, "province", subject=SUBJECT)


@dataclass
class Sent:
    claim: PlannedClaim
    status: int | None = None  # None: no answer (the connection failed or was cut)
    body: Any = None
    replayed: bool = False
    error: str | None = None

    @property
    def code(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        problem = self.body.get("code") if isinstance(self.body, dict) else None
        return f"{self.status} {problem}" if problem and self.status >= 400 else str(self.status)


def send_all(urls: list[str], bearer: str, planned: list[PlannedClaim], *, threads: int = 8,
             after_each: Callable[[Sent], None] = lambda _: None) -> list[Sent]:
    """POST every planned claim with its key from ``threads`` threads (claim i from thread i mod threads, each with
    its own keep-alive connection to ``urls[thread mod len(urls)]``); every answer, in plan order."""
    answers: list[Sent | None] = [None] * len(planned)
    start = threading.Barrier(threads)

    def run(t: int) -> None:
        headers = {"Authorization": f"Bearer {bearer}"}
        with httpx.Client(base_url=urls[t % len(urls)], headers=headers, timeout=WAIT_S) as client:
            start.wait()
            for i in range(t, len(planned), threads):
                claim = planned[i]
                try:
                    response = client.post(claim.path, json=claim.body, headers={"Idempotency-Key": claim.key})
                except httpx.TransportError as error:
                    sent = Sent(claim, error=type(error).__name__)
                else:
                    sent = Sent(claim, response.status_code, response.json(), response.headers.get(REPLAYED) == "true")
                answers[i] = sent
                after_each(sent)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(a is not None for a in answers)
    return answers  # type: ignore[return-value]


def tally(answers: list[Sent]) -> Counter[str]:
    return Counter(a.code for a in answers)


def recorded_claims(settings: Settings, voucher_ids: set[UUID]) -> dict[UUID, list[Voucher.Claimed]]:
    """Each voucher's Voucher.Claimed events, read from the store."""
    app = open_ledger(settings)
    try:
        return {v: [e for e in app.events.get(v) if isinstance(e, Voucher.Claimed)] for v in voucher_ids}
    finally:
        app.close()


def assert_each_claim_recorded_once(settings: Settings, planned: list[PlannedClaim],
                                    final: dict[str, Sent]) -> None:
    """The store holds exactly one Voucher.Claimed per planned claim (by its contract number), with the claim id its
    key answered and the subsidy worked out from its fee; each voucher's claims add up to nothing else."""
    recorded = recorded_claims(settings, {c.voucher_id for c in planned})
    by_contract: dict[str, list[Voucher.Claimed]] = {}
    for events in recorded.values():
        for event in events:
            by_contract.setdefault(event.contract_no, []).append(event)
    assert sorted(by_contract) == sorted(c.contract_no for c in planned)
    for claim in planned:
        [event] = by_contract[claim.contract_no]  # exactly one
        assert event.originator_id == claim.voucher_id
        assert str(event.claim_id) == final[claim.key].body["claim_id"]
        assert event.amount_fen == subsidy(claim.fee_fen) == final[claim.key].body["amount_fen"]
    for voucher_id, events in recorded.items():
        assert sum(e.amount_fen for e in events) == sum(subsidy(c.fee_fen) for c in planned
                                                        if c.voucher_id == voucher_id)


UNTIL_S = 60  # a bound for slow shared machines, never a figure an assert depends on


def until(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it gives something true, and return that; fail after UNTIL_S with ``what``."""
    deadline = time.monotonic() + UNTIL_S
    while not (found := condition()):
        assert time.monotonic() < deadline, f"not within {UNTIL_S} s: {what}"
        time.sleep(0.1)
    return found
