"""The identity provider's public keys fetched from its JWKS URL (``VOUCHER_LEDGER_JWKS_URL``), kept in memory.

The set is fetched on first need, with ``jwks_timeout_s``; it is fetched again when it is older than
``jwks_max_age_s``, and when a token names a ``kid`` the set does not hold (the provider has rotated in a new key) —
but at most once every ``jwks_refetch_min_s``, so a flood of tokens with made-up ``kid``s cannot make the service
hammer the provider. When a fetch fails the last good set keeps serving (the provider may be briefly down; a key
rotated out is refused once a fetch succeeds again); with no good set yet, every provider token is refused with the
reason (:class:`JwksUnavailable`). Fetching blocks the request that needs it, up to the timeout: one request per
refresh, the others wait on the lock or use the set at hand. A request that may fetch is moved off the event loop
(``may_fetch``; api/http/auth.py), so a slow provider never stalls the requests that need no fetch.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from functools import lru_cache

import jwt

from api.http.jwks import JwksFile, JwksUnavailable, VerifyingKey, jwks_file, parse_jwks
from store.settings import Settings

log = logging.getLogger("voucher_ledger.api")
MAX_JWKS_BYTES = 1_048_576  # a key set is a few kilobytes; more is not one


class JwksUrl:
    def __init__(self, url: str, *, timeout_s: float, max_age_s: float, refetch_min_s: float) -> None:
        self.url, self.timeout_s, self.max_age_s, self.refetch_min_s = url, timeout_s, max_age_s, refetch_min_s
        self._lock = threading.Lock()
        self._keys: dict[str, VerifyingKey] | None = None
        self._fetched_at = float("-inf")  # last good fetch (monotonic)
        self._tried_at = float("-inf")  # last attempt, good or not
        self._failure = ""
        self.fetches = 0  # attempts, for the tests and the logs

    def key(self, kid: str) -> VerifyingKey | None:
        keys = self.keys()
        if kid not in keys and self._may_try():
            keys = self._refresh(kid)
        return keys.get(kid)

    def keys(self) -> dict[str, VerifyingKey]:
        if (self._keys is None or time.monotonic() - self._fetched_at > self.max_age_s) and self._may_try():
            return self._refresh(None)
        if self._keys is None:
            raise JwksUnavailable(self._failure or f"{self.url} not fetched yet")
        return self._keys

    def may_fetch(self, *, new_token: bool) -> bool:
        """Whether checking a token now might go to the network: the set is missing or stale, or the token is one not
        verified before (its kid may be new) — and an attempt is due."""
        stale = self._keys is None or time.monotonic() - self._fetched_at > self.max_age_s
        return (stale or new_token) and self._may_try()

    def _may_try(self) -> bool:
        return time.monotonic() - self._tried_at >= self.refetch_min_s

    def _refresh(self, kid: str | None) -> dict[str, VerifyingKey]:
        with self._lock:
            # another request may have fetched while this one waited for the lock
            if not (kid is not None and self._keys is not None and kid in self._keys) and self._may_try():
                self._fetch()
            if self._keys is None:
                raise JwksUnavailable(self._failure)
            return self._keys

    def _fetch(self) -> None:
        self._tried_at = time.monotonic()
        self.fetches += 1
        try:
            request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310 - configured URL
                body = answer.read(MAX_JWKS_BYTES + 1)
            if len(body) > MAX_JWKS_BYTES:
                raise ValueError(f"larger than {MAX_JWKS_BYTES} bytes")
            keys = parse_jwks(body.decode("utf-8"))
        except (OSError, ValueError, jwt.PyJWKError, json.JSONDecodeError) as exc:
            reason = getattr(exc, "reason", None) or exc
            self._failure = f"cannot fetch {self.url}: {reason}"
            if self._keys is None:
                log.error("JWKS: %s (no key set yet: identity-provider tokens are refused)", self._failure)
            else:
                log.warning("JWKS: %s (serving the set fetched %.0f s ago)", self._failure,
                            time.monotonic() - self._fetched_at)
            return
        self._keys, self._fetched_at, self._failure = keys, time.monotonic(), ""
        log.info("JWKS %s fetched: keys %s", self.url, ", ".join(sorted(keys)) or "none")


@lru_cache(maxsize=8)
def jwks_url(url: str, timeout_s: float, max_age_s: float, refetch_min_s: float) -> JwksUrl:
    """The one reader of ``url`` in this process (its cache is shared by every request)."""
    return JwksUrl(url, timeout_s=timeout_s, max_age_s=max_age_s, refetch_min_s=refetch_min_s)


def key_set(settings: Settings) -> JwksUrl | JwksFile | None:
    """The identity provider's key set the settings name (a URL, or a file), or None: HS256 only."""
    if settings.jwks_url:
        return jwks_url(settings.jwks_url, settings.jwks_timeout_s, settings.jwks_max_age_s,
                        settings.jwks_refetch_min_s)
    if settings.jwks_path is not None:
        return jwks_file(settings.jwks_path)
    return None
