"""The request's id: the caller's ``X-Request-ID`` when it is a sane token, else one made here.

It is echoed on every answer (header and every problem+json), logged on the request's access line, and becomes the
correlation id of the events a request records when the caller named none (``api/http/dependencies.py``). The id
lives in a context variable: each request runs in its own task, so it stays set for the exception handlers that
answer after the middleware has returned.
"""

from __future__ import annotations

import os
import random
import re
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")  # goes into logs and headers: no spaces, no control characters
_current: ContextVar[str | None] = ContextVar("voucher_ledger_request_id", default=None)
# An id must be unique, not secret: 128 random bits from a generator seeded by the OS (again in a forked child),
# without a system call per request as ``uuid4`` makes (the event loop shares its interpreter lock with the writer).
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)


def from_caller(value: str | None) -> str:
    """The caller's id if it is usable, else a new one (a caller's id is never trusted blindly into a log line)."""
    if value and _SANE.fullmatch(value):
        return value
    return f"{_ids.getrandbits(128):032x}"


def set_current(request_id: str) -> None:
    _current.set(request_id)


def current() -> str | None:
    """The id of the request being answered (None outside one)."""
    return _current.get()
