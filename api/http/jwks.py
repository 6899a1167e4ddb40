"""The identity provider's public keys: a JWKS file (RFC 7517), read again whenever it changes.

A token names its key by ``kid``; a key taken out of the file (rotated out) stops verifying as soon as the file is
read again, which happens on the first request after the change (one ``stat`` per request tells). Each key verifies
only with the algorithm of its type (:data:`ALGORITHMS`), never HS256: a token cannot choose a weaker algorithm than
its key's (alg confusion), whatever its header says.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jwt

log = logging.getLogger("voucher_ledger.api")

# (kty, crv) -> the one algorithm a key of that type verifies. RSA keys: RS256 only (no PS*, no HS*).
ALGORITHMS = {("OKP", "Ed25519"): "EdDSA", ("EC", "P-256"): "ES256", ("RSA", None): "RS256"}


class JwksUnavailable(Exception):
    """The key set could not be read (missing file, not JSON, no usable key), and no earlier reading is at hand."""


@dataclass(frozen=True)
class VerifyingKey:
    kid: str
    algorithm: str
    key: object  # a cryptography public key


def parse_jwks(text: str) -> dict[str, VerifyingKey]:
    """The usable verifying keys by ``kid``: private parts are ignored, keys of other types or uses are skipped."""
    document = json.loads(text)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError('not a JWKS: expected {"keys": [...]}')
    keys: dict[str, VerifyingKey] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or not jwk.get("kid") or jwk.get("use", "sig") != "sig":
            continue
        algorithm = ALGORITHMS.get((jwk.get("kty"), jwk.get("crv") if jwk.get("kty") != "RSA" else None))
        if algorithm is None or jwk.get("alg", algorithm) != algorithm:
            log.warning("JWKS key %r skipped: type %s/%s with alg %s is not accepted", jwk.get("kid"), jwk.get("kty"),
                        jwk.get("crv"), jwk.get("alg"))
            continue
        public = {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
        keys[str(jwk["kid"])] = VerifyingKey(str(jwk["kid"]), algorithm,
                                             jwt.PyJWK(public, algorithm=algorithm).key)
    return keys  # may be empty: every key rotated out refuses every token


class JwksFile:
    """One JWKS file, parsed again when its modification time, size or inode changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._keys: dict[str, VerifyingKey] | None = None
        self._broken: str | None = None

    def key(self, kid: str) -> VerifyingKey | None:
        return self.keys().get(kid)

    def keys(self) -> dict[str, VerifyingKey]:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError as exc:
            return self._stale(f"cannot read {self.path}: {exc.strerror}")
        if stamp != self._seen:
            with self._lock:
                if stamp != self._seen:
                    self._seen = stamp  # a broken file is reported once per change, not once per request
                    try:
                        self._keys = parse_jwks(self.path.read_text(encoding="utf-8"))
                        self._broken = None
                        log.info("JWKS %s read: keys %s", self.path, ", ".join(sorted(self._keys)) or "none")
                    except (OSError, ValueError, jwt.PyJWKError) as exc:
                        self._broken = f"cannot use {self.path}: {exc}"
                        log.error("JWKS: %s", self._broken)
        if self._keys is None:
            raise JwksUnavailable(self._broken or f"{self.path} not read")
        # A broken rewrite keeps the last good keys (a half-written file must not lock everyone out); rotation
        # takes effect with the next good file.
        return self._keys

    def _stale(self, why: str) -> dict[str, VerifyingKey]:
        if self._keys is None:
            raise JwksUnavailable(why)
        return self._keys


@lru_cache(maxsize=8)
def jwks_file(path: Path) -> JwksFile:
    """The one reader of ``path`` in this process (its cache is shared by every request)."""
    return JwksFile(path)
