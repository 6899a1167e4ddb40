"""The benchmark's own server app: the service's app with two claim-shaped routes that mark the stack's floor and ceiling.

Only ``bench/`` serves these routes (never the product API): ``python -m bench`` runs this app with uvicorn exactly as
``voucher-ledger serve`` runs the service's (``serve_command``), so the three figures of the ``http_claims`` benchmark
share one HTTP stack — server, middleware, FastAPI, token check, body validation — and differ only in what the route
does after that:

* ``POST /bench/ceiling/v1/vouchers/{id}/claims``: validation and token only, no database — what the stack alone allows;
* ``POST /bench/floor/v1/vouchers/{id}/claims``: the same, then one event-shaped row INSERT + COMMIT of its own (as the
  ``baseline_postgres`` row), on an async connection pool — one commit per request, the design group commit beats.

Both answer 201 with a claim receipt serialised as the service's claim route answers (``ClaimReceiptOut``).
"""

from __future__ import annotations

import asyncio
import sys
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import Response
from psycopg_pool import AsyncConnectionPool

from api.http.app import app_from_environment as service_app
from api.http.dependencies import Call, keyed_call
from api.http.models import commands as s
from bench.rows import STATE, TOPIC

FLOOR_TABLE = "bench_http_floor"
FLOOR_POOL = 8  # connections: enough to keep PostgreSQL's group flush busy with 32 callers
CREATE_FLOOR_TABLE = f"""
CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX IF NOT EXISTS {FLOOR_TABLE}_notification_id_idx ON {FLOOR_TABLE} (notification_id ASC);
"""
INSERT = f"INSERT INTO {FLOOR_TABLE} (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %b)"

router = APIRouter()


def _receipt(voucher_id: UUID) -> Response:
    out = s.ClaimReceiptOut(voucher_id=voucher_id, claim_id=uuid4(), amount_fen=0, balance_after_fen=0)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


@router.post("/bench/ceiling/v1/vouchers/{voucher_id}/claims", status_code=201, include_in_schema=False)
async def ceiling(voucher_id: UUID, body: s.ClaimIn, c: Call = Depends(keyed_call)) -> Response:
    c.allow("province", "enterprise", what="submit claims")
    return _receipt(voucher_id)


class _Pool:
    """An async pool on the store's database, opened by the first request (inside the server's event loop)."""

    def __init__(self) -> None:
        self.pool: AsyncConnectionPool | None = None
        self._opening = asyncio.Lock()

    async def get(self, url: str) -> AsyncConnectionPool:
        if self.pool is None:
            async with self._opening:
                if self.pool is None:
                    pool = AsyncConnectionPool(url, min_size=FLOOR_POOL, max_size=FLOOR_POOL, open=False,
                                               kwargs={"autocommit": True})
                    await pool.open(wait=True)
                    self.pool = pool
        return self.pool


_pool = _Pool()


@router.post("/bench/floor/v1/vouchers/{voucher_id}/claims", status_code=201, include_in_schema=False)
async def floor(voucher_id: UUID, body: s.ClaimIn, c: Call = Depends(keyed_call)) -> Response:
    c.allow("province", "enterprise", what="submit claims")
    pool = await _pool.get(c.request.app.state.settings.environment()["VOUCHER_LEDGER_POSTGRES_URL"])
    async with pool.connection() as conn, conn.transaction():  # BEGIN; INSERT; COMMIT - a durable commit each
        await conn.execute(INSERT, (uuid4(), TOPIC, STATE))
    return _receipt(voucher_id)


def app_from_environment() -> FastAPI:
    """uvicorn's factory: the service's app (settings from the environment) with the two bench routes matched first.
    FastAPI tries the routes in order, ~1.4 µs each: last, they paid for ~120 routes (~170 µs a request), the service's
    claims route for 16; first, they pay for none, so the floor and ceiling compare against claims at no advantage
    to claims."""
    return service_app(routers_first=[router])


SERVE = """
import uvicorn
from store.settings import Settings
settings = Settings()
uvicorn.run("bench.http_app:app_from_environment", factory=True, host=settings.api_host, port=settings.api_port,
            workers=settings.api_workers, log_level="info", access_log=False)
"""


def serve_command() -> list[str]:
    """This app served as ``api/cli/service.py`` ``serve_api`` serves the service's (no projection workers)."""
    return [sys.executable, "-c", SERVE]
