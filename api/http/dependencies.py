"""What a route needs, as FastAPI dependencies: the caller, the ledger, the read models, and a `By` for commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.http import request_id
from api.http.auth import Principal, current_principal, require_kind
from api.http.clock import service_now
from api.http.idempotency import MAX_KEY_LENGTH, IdempotencyKeys, request_hash
from api.http.models.fields import within_years
from api.http.problems import REPLAYED, ApiError
from ledger.answered_requests import Replayed
from ledger.application import VoucherLedger
from ledger.commands.values import Command
from ledger.control_characters import has_control_character
from ledger.fiscal_time import shanghai_text
from ledger.recording import By
from projections.read_models import ReadModels
from writer.answered_once import IdempotencyKey, answer_once


@dataclass
class Call:
    request: Request
    principal: Principal
    idempotency_key: str | None
    key_required: bool = False  # set by the ``keyed_call`` dependency, which the OpenAPI document declares

    @property
    def backend(self) -> Any:
        return self.request.app.state.backend.opened()  # 503 (problem+json) while the database is down

    @property
    def ledger(self) -> VoucherLedger:
        return self.backend.ledger

    @property
    def read(self) -> ReadModels:
        return self.backend.read_models

    def by(self) -> By:
        """The command's actor and recorded time (the service's clock; the domain reads none), and its correlation id:
        the caller's X-Correlation-ID, else its Idempotency-Key, else the request's id (``api/http/request_id.py``)."""
        given = self.request.headers.get("x-correlation-id")
        if given is not None and (has_control_character(given) or len(given) > MAX_KEY_LENGTH):
            raise ApiError(422, "INVALID_INPUT", f"X-Correlation-ID must be at most {MAX_KEY_LENGTH} characters "
                                                 "and hold no control character: every event of the command records it")
        correlation = given or self.idempotency_key or request_id.current()
        return By(actor=self.principal.subject, at=self.request.app.state.clock.now(), correlation_id=correlation)

    def allow(self, *kinds: str, what: str) -> None:
        require_kind(self.principal, kinds, what)

    def respond(self, body: BaseModel | None, command: Command, answer: Callable[[Any], BaseModel], *,
                status: int = 200) -> Response:
        """Send a command value and answer with ``answer(result)``, from a route run in the thread pool; with an
        Idempotency-Key, at most once per key. The clock is read here, on the request's side; the writer decides.

        For a route whose ``answer`` reads the store again (an award's whole record after a step of its lifecycle):
        that read blocks, so it must not run on the event loop. A route whose answer is built from the command's
        result alone is ``async`` and uses :meth:`send`."""
        by, key = self.by(), self._key(body)
        if isinstance(key, Response):
            return key
        writer = self.backend.writer
        result = writer.execute(command, by, key=key) if writer is not None else self._decide(command, by, key)
        return _answered(result, answer, status)

    async def send(self, body: BaseModel | None, command: Command, answer: Callable[[Any], BaseModel], *,
                   status: int = 200) -> Response:
        """``respond`` for an async route: the writer's future is awaited on the event loop, so a request costs no
        hop through the thread pool (without the writer, the command runs in the pool)."""
        by, key = self.by(), self._key(body)
        if isinstance(key, Response):
            return key
        handover = self.backend.handover
        if handover is not None:
            result = await handover.send(command, by, key)
        else:
            result = await run_in_threadpool(self._decide, command, by, key)
        return _answered(result, answer, status)

    def perform(self, body: BaseModel | None, action: Callable[[By], Any], answer: Callable[[Any], BaseModel], *,
                status: int = 200) -> Response:
        """Run ``action(by)``, an operation that sends several commands (the year-end expiry run), and answer with
        ``answer(result)``. Its commands commit one by one, so no key's answer can commit with them; such an
        operation is idempotent by itself (a second run finds nothing left to do and changes nothing), so an
        Idempotency-Key is accepted but not kept."""
        return _answered(action(self.by()), answer, status)

    def _key(self, body: BaseModel | None) -> IdempotencyKey | Response | None:
        if self.idempotency_key is None:
            if self.key_required:
                raise ApiError(400, "IDEMPOTENCY_KEY_REQUIRED", "this request moves money: send an Idempotency-Key header")
            return None
        return self.key_for(None if body is None else body.model_dump(mode="json"))

    def key_for(self, content: Any) -> IdempotencyKey | Response:
        """The call's Idempotency-Key (which it has) to answer under, or the answer an earlier version kept for it;
        ``content`` (plain data) is what tells two requests on this path apart: the same key with other content is
        refused (``IDEMPOTENCY_KEY_REUSED``)."""
        assert self.idempotency_key is not None
        fingerprint = request_hash(self.request.method, self.request.url.path, content)
        keys: IdempotencyKeys = self.backend.idempotency
        # Keys are scoped to the caller's role and subject: two tokens with the same subject but different roles
        # (or several province tokens minted without --subject) must not see each other's stored answers.
        scope = f"{self.principal.role}|{self.principal.subject}"
        return keys.key_for(subject=scope, key=self.idempotency_key, fingerprint=fingerprint)

    def _decide(self, command: Command, by: By, key: IdempotencyKey | None) -> Any:
        """Without a writer: the command alone, or with its key's answer in one transaction."""
        return self.ledger.handle(command, by) if key is None else answer_once(self.ledger, command, by, key)


def _answered(result: Any, answer: Callable[[Any], BaseModel], status: int) -> Response:
    """The answer serialised once, by pydantic; a replayed one says so."""
    replayed = isinstance(result, Replayed)
    model = answer(result.value if replayed else result)
    response = Response(model.model_dump_json(), status_code=status, media_type="application/json")
    if replayed:
        response.headers[REPLAYED] = "true"
    return response


# The three dependencies below take the request alone and read the token and the Idempotency-Key header from it:
# FastAPI solves every declared parameter and sub-dependency of a route on every request, and those of a money route
# were a fifth of its framework cost (bench/README.md, "Fewer parameters to solve"). What they read is declared in the
# OpenAPI document by ``api/http/openapi.py`` instead (the bearer scheme; the header, required where it is).
IDEMPOTENCY_KEY = "idempotency-key"


def idempotency_key(request: Request) -> str | None:
    """The request's one Idempotency-Key. Two are refused: which of them a proxy passes on is not known here, and a
    retry answered under the other would run the command again. A control character is refused as in a body: the key
    is the events' correlation id, and PostgreSQL text cannot hold a NUL byte (every read model would stop there)."""
    keys = request.headers.getlist(IDEMPOTENCY_KEY)
    if len(keys) > 1:
        raise ApiError(422, "INVALID_INPUT", "send one Idempotency-Key header, not several")
    if keys and has_control_character(keys[0]):
        raise ApiError(422, "INVALID_INPUT", "Idempotency-Key holds a control character, which cannot be recorded")
    return keys[0] if keys else None


async def call(request: Request) -> Call:
    """A command that honours an Idempotency-Key (optional: a repeated POST with one gets the first response)."""
    return Call(request, await current_principal(request), idempotency_key(request))


async def keyed_call(request: Request) -> Call:
    """A command that creates or moves money: without an Idempotency-Key it is refused (400
    IDEMPOTENCY_KEY_REQUIRED, not FastAPI's 422), and the OpenAPI document declares the header required."""
    return Call(request, await current_principal(request), idempotency_key(request), key_required=True)


def known_at_or_now(known_at: datetime | None) -> datetime | None:
    """``known_at`` checked like ``as_of``; None stays None (as known now: every fact recorded so far)."""
    return None if known_at is None else checked_moment(known_at, "known_at")


def as_of_or_now(as_of: datetime | None, name: str = "as_of") -> datetime:
    """``as_of`` checked (``checked_moment``); None is now, on the service's clock."""
    return service_now() if as_of is None else checked_moment(as_of, name)


def checked_moment(moment: datetime, name: str) -> datetime:
    """A time a figure is asked as of (or known at): with an offset (NAIVE_DATETIME), in the years the service
    computes with (INVALID_INPUT), and not after now on the service's clock (AS_OF_IN_FUTURE). Every as-of answer,
    the API's and the console's, reads its times here.

    A figure as of a future time would be a guess, not a record: facts with effect by then may yet be recorded (a
    claim, a settlement, the year's expiry run), so it is refused rather than answered as of now under another name.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ApiError(422, "NAIVE_DATETIME", f"{name} needs a UTC offset, e.g. 2020-03-05T00:00:00+08:00")
    try:
        within_years(moment)
    except ValueError as exc:
        raise ApiError(422, "INVALID_INPUT", str(exc)) from None
    now = service_now()
    if moment > now:
        raise ApiError(422, "AS_OF_IN_FUTURE", f"{name} {shanghai_text(moment)} is after now "
                                               f"({shanghai_text(now)}): the ledger answers as of the past and the "
                                               "present only")
    return moment


async def query_call(request: Request) -> Call:
    return Call(request, await current_principal(request), None)
