"""Idempotency keys: a repeated POST with the same key and body gets the first response and changes nothing.

The first request with a key claims it (an INSERT that the primary key makes exclusive) before running the command,
and stores its response after; a concurrent repeat waits for that response instead of running the command again.
The same key with a different body is refused (409 ``IDEMPOTENCY_KEY_REUSED``). Keys are stored in the read-model
database (``vl_idempotency_keys``), so they survive restarts. Refusals by the ledger (4xx) are stored too: a repeat
gets the same refusal. A failure of the service itself (5xx, also a ledger that is not ready to take the command)
releases the key, so the caller may retry with it.

Known limit: the command's events and the stored response are two transactions. If the process dies between them,
the key stays "in progress" and repeats get ``IDEMPOTENCY_KEY_IN_PROGRESS`` rather than the lost response.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from fastapi.responses import JSONResponse
from psycopg import IntegrityError as PostgresIntegrityError

from api.http.problems import ApiError, ledger_problem
from ledger.errors import LedgerError
from projections.view import ReadModelView

WAIT_S = 10.0
MAX_KEY_LENGTH = 200


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, db: ReadModelView) -> None:
        self.db = db

    def run(self, *, subject: str, key: str, fingerprint: str, instance: str,
            execute: Callable[[], JSONResponse]) -> JSONResponse:
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ApiError(422, "INVALID_INPUT", f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        if not self._claim(subject, key, fingerprint):
            return self._replay(subject, key, fingerprint)
        try:
            response = execute()
        except LedgerError as refusal:
            response = ledger_problem(refusal, instance=instance)
        except BaseException:
            self._release(subject, key)
            raise
        if response.status_code >= 500:  # the ledger was not ready (EVIDENCE_KEYS_NOT_DERIVED): retry with the key
            self._release(subject, key)
            return response
        self._store(subject, key, response)
        return response

    def _claim(self, subject: str, key: str, fingerprint: str) -> bool:
        try:
            with self.db.transaction(commit=True) as curs:
                self.db.execute(curs, "INSERT INTO vl_idempotency_keys (subject, idempotency_key, request_hash, "
                                      "created_at) VALUES (?, ?, ?, ?)",
                                (subject, key, fingerprint, datetime.now(UTC).isoformat()))
        except (StoreIntegrityError, PostgresIntegrityError):
            return False
        return True

    def _replay(self, subject: str, key: str, fingerprint: str) -> JSONResponse:
        deadline = time.monotonic() + WAIT_S
        while True:
            row = self.db.fetchone("SELECT request_hash, status, response FROM vl_idempotency_keys "
                                   "WHERE subject = ? AND idempotency_key = ?", (subject, key))
            if row is None:  # released by a failed first attempt: the caller may try again
                raise ApiError(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "the first request with this key failed; retry")
            if row[0] != fingerprint:
                raise ApiError(409, "IDEMPOTENCY_KEY_REUSED",
                               "this Idempotency-Key was used with a different request; use a new key")
            if row[1] is not None:
                response = JSONResponse(json.loads(row[2]), status_code=int(row[1]))
                if int(row[1]) >= 400:
                    response.headers["content-type"] = "application/problem+json"
                response.headers["Idempotent-Replayed"] = "true"
                return response
            if time.monotonic() > deadline:
                raise ApiError(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "a request with this key is still running")
            time.sleep(0.05)

    def _store(self, subject: str, key: str, response: JSONResponse) -> None:
        with self.db.transaction(commit=True) as curs:
            self.db.execute(curs, "UPDATE vl_idempotency_keys SET status = ?, response = ? "
                                  "WHERE subject = ? AND idempotency_key = ?",
                            (response.status_code, bytes(response.body).decode(), subject, key))

    def _release(self, subject: str, key: str) -> None:
        with self.db.transaction(commit=True) as curs:
            self.db.execute(curs, "DELETE FROM vl_idempotency_keys WHERE subject = ? AND idempotency_key = ?",
                            (subject, key))
