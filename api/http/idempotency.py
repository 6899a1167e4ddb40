"""Idempotency keys over HTTP: a repeated POST with the same key and body gets the first answer and changes nothing.

The key, a fingerprint of the request and the answer are recorded in the ledger in the same transaction as the
command's events (``writer/answered_once.py``): a key is absent or answered, never left "in progress" by a crash, and
costs no commit of its own. The same key with a different request is refused (409 ``IDEMPOTENCY_KEY_REUSED``).
Refusals by the rules are answers too: a repeat gets the same refusal (with the replay header, added by the
refusal's handler in ``api/http/problems.py``). A transient refusal (``CONCURRENT_UPDATE``, a
store not ready) is not recorded, so the caller may retry with the key.

Keys answered before answers moved into the ledger sit in the read-model table ``vl_idempotency_keys``; they are
still replayed from there (read only). A key that table holds "in progress" was left by a process that died between
its command and its answer: whether the command committed is unknown, so it keeps answering
``IDEMPOTENCY_KEY_IN_PROGRESS`` and the caller must check (e.g. the voucher's claims) before using a new key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi.responses import JSONResponse

from api.http.problems import REPLAYED, ApiError
from projections.view import ReadModelView
from writer.answered_once import IdempotencyKey

MAX_KEY_LENGTH = 200


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, db: ReadModelView) -> None:
        self.db = db
        # Read once: a store that never had keys in the old table (every store since) costs no read per request.
        self.legacy = db.fetchone("SELECT 1 FROM vl_idempotency_keys LIMIT 1") is not None

    def key_for(self, *, subject: str, key: str, fingerprint: str) -> IdempotencyKey | JSONResponse:
        """The key to decide the command under, or the answer an earlier version kept for it."""
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ApiError(422, "INVALID_INPUT", f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        earlier = self._answered_before_the_ledger_kept_keys(subject, key, fingerprint) if self.legacy else None
        return IdempotencyKey(scope=subject, key=key, fingerprint=fingerprint) if earlier is None else earlier

    def _answered_before_the_ledger_kept_keys(self, subject: str, key: str, fingerprint: str) -> JSONResponse | None:
        row = self.db.fetchone("SELECT request_hash, status, response FROM vl_idempotency_keys "
                               "WHERE subject = ? AND idempotency_key = ?", (subject, key))
        if row is None:
            return None
        if row[0] != fingerprint:
            raise ApiError(409, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request; "
                                                          "use a new key")
        if row[1] is None:
            raise ApiError(409, "IDEMPOTENCY_KEY_IN_PROGRESS",
                           "a request with this key was cut off before its answer was kept; check whether it took "
                           "effect before retrying with a new key")
        response = JSONResponse(json.loads(row[2]), status_code=int(row[1]))
        if int(row[1]) >= 400:
            response.headers["content-type"] = "application/problem+json"
        response.headers[REPLAYED] = "true"
        return response
