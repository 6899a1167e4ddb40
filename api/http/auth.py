"""Bearer tokens (JWT) and the roles of the programme.

Two kinds of token: an identity provider's, signed with a private key whose public half is in its JWKS
(``VOUCHER_LEDGER_JWKS_PATH``, api/http/jwks.py, or ``VOUCHER_LEDGER_JWKS_URL``, api/http/jwks_url.py: EdDSA, ES256 or
RS256, the key picked by ``kid``, checked against the configured ``iss`` and ``aud``); and HS256 tokens signed with the
shared key (``voucher-ledger token``), for
development, refused in production once a JWKS is configured. The token's header only routes it: each path passes
PyJWT the one algorithm its key may use, so a token cannot downgrade itself (alg ``none``, or HS256 "signed" with a
public key).

Roles: ``province`` (every command), ``auditor`` (reads everything, writes nothing), ``city:<code>`` (reads its own
city's data), ``enterprise:<uscc>`` (reads its own vouchers, claims on them), ``provider:<uscc>`` (reads its own
receivables and batches). PyJWT does the signing and checking; only the role grammar is ours.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from fastapi import Request
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.http.jwks import JwksUnavailable
from api.http.jwks_url import JwksUrl, key_set
from api.http.problems import ApiError
from store.settings import Settings
from ledger import ids
from ledger.errors import LedgerError
from ledger.parties import CITIES
from ledger.uscc import validate_uscc

ALGORITHM = "HS256"
ISSUER = "voucher-ledger"
KINDS = ("province", "auditor", "city", "enterprise", "provider")


@dataclass(frozen=True)
class Principal:
    role: str  # as written in the token, e.g. "city:440600"
    kind: str  # province | auditor | city | enterprise | provider
    scope: str | None  # the city code or USCC the role is limited to
    subject: str  # who: recorded as the actor of every command

    @property
    def party_id(self) -> str | None:
        """The enterprise or provider id the role is limited to."""
        if self.kind == "enterprise":
            return str(ids.enterprise_id(self.scope))
        if self.kind == "provider":
            return str(ids.provider_id(self.scope))
        return None


def parse_role(role: str) -> tuple[str, str | None]:
    """'city:440600' -> ('city', '440600'); refuses unknown kinds, cities and invalid USCCs."""
    kind, _, scope = role.partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown role {role!r}: one of province, auditor, city:<code>, enterprise:<uscc>, provider:<uscc>")
    if kind in ("province", "auditor"):
        if scope:
            raise ValueError(f"role {kind} takes no scope")
        return kind, None
    if not scope:
        raise ValueError(f"role {kind} needs a scope: {kind}:<{'code' if kind == 'city' else 'uscc'}>")
    if kind == "city" and scope not in CITIES:
        raise ValueError(f"unknown city code {scope!r}")
    if kind in ("enterprise", "provider"):
        try:
            scope = validate_uscc(scope)
        except LedgerError as exc:
            raise ValueError(exc.detail) from None
    return kind, scope


def mint(settings: Settings, role: str, *, subject: str | None = None, now: datetime | None = None,
         ttl_s: int | None = None) -> str:
    """An HS256 token signed with the shared key (development, tests, the demo)."""
    return jwt.encode(claims_for(settings, role, ISSUER, subject=subject, now=now, ttl_s=ttl_s),
                      settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def claims_for(settings: Settings, role: str, issuer: str, *, subject: str | None = None,
               now: datetime | None = None, ttl_s: int | None = None) -> dict[str, object]:
    """The claims of a token minted here (HS256, or with a local private key: api/http/signing_keys.py)."""
    parse_role(role)
    now = now or datetime.now(UTC)
    claims: dict[str, object] = {"iss": issuer, "sub": subject or role, settings.jwt_role_claim: role, "iat": now,
                                 "exp": now + timedelta(seconds=ttl_s or settings.token_ttl_s)}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return claims


def authenticate(settings: Settings, authorization: str | None) -> Principal:
    return _authenticated(settings, authorization)[0]


def _authenticated(settings: Settings, authorization: str | None) -> tuple[Principal, float, tuple[str, Any] | None]:
    """The caller, when its token expires (epoch seconds), and the JWKS key that verified it (kid, key), if any."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHENTICATED", "send 'Authorization: Bearer <token>' (voucher-ledger token --role ROLE)")
    try:
        claims, key = _verified_claims(settings, token.strip())
        role = claims[settings.jwt_role_claim]
        if not isinstance(role, str):
            raise ValueError(f"the {settings.jwt_role_claim!r} claim is not a string")
        kind, scope = parse_role(role)
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "UNAUTHENTICATED", f"the bearer token is not valid: {exc}") from None
    return Principal(role=role, kind=kind, scope=scope, subject=str(claims["sub"])), float(claims["exp"]), key


def _verified_claims(settings: Settings, token: str) -> tuple[dict[str, object], tuple[str, Any] | None]:
    header = jwt.get_unverified_header(token)
    required = ["exp", "sub", settings.jwt_role_claim, "iss"] + (["aud"] if settings.jwt_audience else [])
    if header.get("alg") == ALGORITHM:
        if not settings.accepts_hs256():
            raise ValueError("HS256 tokens are not accepted in production: use a token of the identity provider")
        return jwt.decode(token, settings.jwt_secret.get_secret_value(), algorithms=[ALGORITHM], issuer=ISSUER,
                          audience=settings.jwt_audience, options={"require": required}), None
    keys = key_set(settings)
    if keys is None:
        raise ValueError(f"only HS256 tokens are accepted here, not {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ValueError("the token names no key (kid)")
    try:
        key = keys.key(kid)
    except JwksUnavailable as exc:
        raise ValueError(f"the service's key set cannot be read ({exc})") from None
    if key is None:
        raise ValueError(f"unknown or rotated-out key {kid!r}")
    return jwt.decode(token, key.key, algorithms=[key.algorithm], issuer=settings.jwt_issuer,
                      audience=settings.jwt_audience, options={"require": required}), (kid, key)


class VerifiedTokens:
    """Tokens one app has verified, by their text, until they expire or for ``max_age_s`` at most.

    A client sends the same token with every request, and checking its signature and claims again (PyJWT) was the
    costliest single step of a claim's HTTP handling (bench/README.md, "Where a claim's CPU goes"). A token verified
    by a key of the JWKS is taken from here only while the key set still holds that very key under its kid (for a
    file one ``stat`` tells, as on the uncached path), so a key rotated out is refused at once. A refused token is not kept.
    """

    def __init__(self, max_entries: int = 4096, max_age_s: float = 60.0) -> None:
        self.max_entries, self.max_age_s = max_entries, max_age_s
        self._entries: dict[str, tuple[Principal, float, tuple[str, Any] | None]] = {}

    def holds(self, authorization: str | None) -> bool:
        return authorization is not None and authorization in self._entries

    def authenticate(self, settings: Settings, authorization: str | None) -> Principal:
        now = time.time()
        if authorization is not None and (hit := self._entries.get(authorization)) is not None:
            principal, until, key = hit
            if now < until and (key is None or _still_in_key_set(settings, *key)):
                return principal
            self._entries.pop(authorization, None)
        principal, expires, key = _authenticated(settings, authorization)
        if len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries), None), None)  # the oldest entry
        self._entries[authorization or ""] = (principal, min(expires, now + self.max_age_s), key)
        return principal


def _still_in_key_set(settings: Settings, kid: str, key: Any) -> bool:
    try:
        keys = key_set(settings)
        return keys is not None and keys.key(kid) is key
    except JwksUnavailable:
        return False


# The bearer scheme as the OpenAPI document declares it (so /docs can send a token: api/http/openapi.py); checking
# stays ours, so that a missing or bad token gets our problem+json answer.
bearer_scheme = HTTPBearer(auto_error=False, description="a token from `voucher-ledger token --role ROLE`")


async def current_principal(request: Request) -> Principal:
    # async: checking a known token does no I/O, and a plain def would cost a hand-off to the thread pool on every
    # request; a check that may fetch the identity provider's key set runs in the pool, never on the event loop
    """The caller, from the Authorization header (verified once per token: VerifiedTokens)."""
    settings, authorization = request.app.state.settings, request.headers.get("authorization")
    tokens = getattr(request.app.state, "verified_tokens", None)
    check = authenticate if tokens is None else tokens.authenticate
    keys = key_set(settings) if settings.jwks_url else None  # only a URL can make a check wait on the network
    if isinstance(keys, JwksUrl) and keys.may_fetch(new_token=tokens is None or not tokens.holds(authorization)):
        return await run_in_threadpool(check, settings, authorization)
    return check(settings, authorization)


def forbid(principal: Principal, what: str) -> ApiError:
    return ApiError(403, "FORBIDDEN", f"role {principal.role} may not {what}")


def require_kind(principal: Principal, kinds: tuple[str, ...], what: str) -> None:
    if principal.kind not in kinds:
        raise forbid(principal, what)
