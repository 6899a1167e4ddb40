"""Bearer tokens (JWT, HS256, signed with the configured key) and the roles of the programme.

Roles: ``province`` (every command), ``auditor`` (reads everything, writes nothing), ``city:<code>`` (reads its own
city's data), ``enterprise:<uscc>`` (reads its own vouchers, claims on them), ``provider:<uscc>`` (reads its own
receivables and batches). PyJWT does the signing and checking; only the role grammar is ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Request, Security
from fastapi.security import HTTPBearer

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
    parse_role(role)
    now = now or datetime.now(UTC)
    claims = {"iss": ISSUER, "sub": subject or role, "role": role, "iat": now,
              "exp": now + timedelta(seconds=ttl_s or settings.token_ttl_s)}
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def authenticate(settings: Settings, authorization: str | None) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHENTICATED", "send 'Authorization: Bearer <token>' (voucher-ledger token --role ROLE)")
    try:
        claims = jwt.decode(token.strip(), settings.jwt_secret.get_secret_value(), algorithms=[ALGORITHM],
                            issuer=ISSUER, options={"require": ["exp", "sub", "role", "iss"]})
        kind, scope = parse_role(str(claims["role"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "UNAUTHENTICATED", f"the bearer token is not valid: {exc}") from None
    return Principal(role=str(claims["role"]), kind=kind, scope=scope, subject=str(claims["sub"]))


# Declares the bearer scheme in the OpenAPI document (so /docs can send a token); checking stays ours, so that a
# missing or bad token gets our problem+json answer.
bearer_scheme = HTTPBearer(auto_error=False, description="a token from `voucher-ledger token --role ROLE`")


async def current_principal(request: Request, _: object = Security(bearer_scheme)) -> Principal:
    # async: no I/O here, and a plain def would cost a hand-off to the thread pool on every request
    """FastAPI dependency: the caller, from the Authorization header."""
    return authenticate(request.app.state.settings, request.headers.get("authorization"))


def forbid(principal: Principal, what: str) -> ApiError:
    return ApiError(403, "FORBIDDEN", f"role {principal.role} may not {what}")


def require_kind(principal: Principal, kinds: tuple[str, ...], what: str) -> None:
    if principal.kind not in kinds:
        raise forbid(principal, what)
