"""One-time sign-in links (`voucher-ledger console-link --role ...`).

The link carries a short-lived token for the console's audience only, in the URL's fragment (never sent to a server
or written to its log), signed with the service's link key (``api/http/console/sessions.py``; whoever runs
``console-link`` holds the service's configuration). The console exchanges it once for a console session of the same
role and subject, which only the console's parts accept, so it works as well under an identity provider's JWKS in
production as in development. The API refuses the link token itself (signed with another key, for another
audience). A link's use is recorded in the ledger under its id (``ledger/console_sign_ins.py``), so a second use is
refused by whichever API process it reaches, also after a restart.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from api.http.auth import ISSUER, parse_role
from api.http.console.sessions import ALGORITHM, derived_key
from api.http.problems import ApiError
from store.settings import Settings

AUDIENCE = "voucher-ledger-console-link"
LINK_TTL_S = 600


def link_token(settings: Settings, role: str, *, subject: str | None = None) -> str:
    parse_role(role)
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject or role, "role": role, "iat": now,
              "exp": now + timedelta(seconds=LINK_TTL_S), "jti": uuid.uuid4().hex}
    return jwt.encode(claims, derived_key(settings, "console-link"), algorithm=ALGORITHM)


def console_link(settings: Settings, role: str, *, base_url: str, subject: str | None = None) -> str:
    return f"{base_url.rstrip('/')}/console/#link={link_token(settings, role, subject=subject)}"


def checked_link(settings: Settings, token: str) -> dict[str, Any]:
    """The claims of a sign-in link signed with this service's link key, or 401; its one use is the caller's to
    record (``UseSignInLink``)."""
    try:
        claims = jwt.decode(token, derived_key(settings, "console-link"), algorithms=[ALGORITHM], issuer=ISSUER,
                            audience=AUDIENCE, options={"require": ["exp", "sub", "role", "iss", "aud", "jti"]})
        parse_role(str(claims["role"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "UNAUTHENTICATED", f"the sign-in link is not valid: {exc}") from None
    return claims
