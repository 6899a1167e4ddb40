"""Console sessions: what a one-time sign-in link is exchanged for, good for the console's figures only.

A production service takes its callers' tokens from the identity provider (a JWKS) and refuses HS256 ones, so the
console cannot hand out ordinary bearer tokens of its own. Instead the link and the session are signed by keys the
service alone holds, each derived from ``VOUCHER_LEDGER_JWT_SECRET`` for its one purpose (HMAC-SHA256 of the purpose
under the secret): a link key and a session key, neither of which is the key HS256 callers' tokens are checked with.
Symmetric signing is sound here because the signer and the checker are the same service. A session token carries
the console's own issuer and audience, is accepted by /console/parts/ only (the API checks every token against its
own keys, so it refuses one), and lives ``token_ttl_s``. The console still takes a token pasted in by hand, checked
as the API checks it (an identity provider's token in production).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Request

from api.http.auth import Principal, authenticate, parse_role
from api.http.dependencies import Call
from api.http.problems import ApiError
from store.settings import Settings

ALGORITHM = "HS256"
SESSION = "voucher-ledger-console"  # the session token's issuer and audience
REQUIRED = ["exp", "sub", "role", "iss", "aud"]


def derived_key(settings: Settings, purpose: str) -> bytes:
    """The key of one purpose (``console-link``, ``console-session``), from the service's secret."""
    return hmac.new(settings.jwt_secret.get_secret_value().encode(), purpose.encode(), hashlib.sha256).digest()


def session_token(settings: Settings, role: str, subject: str, *, now: datetime | None = None) -> str:
    parse_role(role)
    now = now or datetime.now(UTC)
    claims = {"iss": SESSION, "aud": SESSION, "sub": subject, "role": role, "iat": now,
              "exp": now + timedelta(seconds=settings.token_ttl_s)}
    return jwt.encode(claims, derived_key(settings, "console-session"), algorithm=ALGORITHM)


def console_principal(settings: Settings, authorization: str | None) -> Principal:
    """The caller of a console part: a console session, or any token the API would take."""
    token = (authorization or "").partition(" ")[2].strip()
    try:
        audience = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        audience = None  # not a JWT: authenticate() says why
    if audience != SESSION:
        return authenticate(settings, authorization)
    try:
        claims = jwt.decode(token, derived_key(settings, "console-session"), algorithms=[ALGORITHM], issuer=SESSION,
                            audience=SESSION, options={"require": REQUIRED})
        kind, scope = parse_role(str(claims["role"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "UNAUTHENTICATED", f"the console session is not valid: {exc}; sign in again") from None
    return Principal(role=str(claims["role"]), kind=kind, scope=scope, subject=str(claims["sub"]))


async def console_call(request: Request) -> Call:
    """FastAPI dependency of the console's parts (``query_call``, with console sessions taken too)."""
    return Call(request, console_principal(request.app.state.settings, request.headers.get("authorization")), None)
