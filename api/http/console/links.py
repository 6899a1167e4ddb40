"""One-time sign-in links (`voucher-ledger console-link --role ...`).

The link carries a short-lived token for the console's audience only, in the URL's fragment (never sent to a server
or written to its log), signed with the service's link key (``api/http/console/sessions.py``; whoever runs
``console-link`` holds the service's configuration). The console exchanges it once for a console session of the same
role and subject, which only the console's parts accept, so it works as well under an identity provider's JWKS in
production as in development. The API refuses the link token itself (signed with another key, for another
audience). A used link's id is remembered in the process until the link has expired, so a second use is refused.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from api.http.auth import ISSUER, parse_role
from api.http.console.sessions import ALGORITHM, derived_key, session_token
from api.http.problems import ApiError
from store.settings import Settings

AUDIENCE = "voucher-ledger-console-link"
LINK_TTL_S = 600


class UsedLinks:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[str, float] = {}

    def first_use(self, jti: str, expires: float) -> bool:
        with self._lock:
            now = time.time()
            self._used = {k: v for k, v in self._used.items() if v > now}
            if jti in self._used:
                return False
            self._used[jti] = expires
            return True


def link_token(settings: Settings, role: str, *, subject: str | None = None) -> str:
    parse_role(role)
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject or role, "role": role, "iat": now,
              "exp": now + timedelta(seconds=LINK_TTL_S), "jti": uuid.uuid4().hex}
    return jwt.encode(claims, derived_key(settings, "console-link"), algorithm=ALGORITHM)


def console_link(settings: Settings, role: str, *, base_url: str, subject: str | None = None) -> str:
    return f"{base_url.rstrip('/')}/console/#link={link_token(settings, role, subject=subject)}"


def exchange(settings: Settings, used: UsedLinks, token: str) -> str:
    """The console session a link stands for, once."""
    try:
        claims = jwt.decode(token, derived_key(settings, "console-link"), algorithms=[ALGORITHM], issuer=ISSUER,
                            audience=AUDIENCE, options={"require": ["exp", "sub", "role", "iss", "aud", "jti"]})
        parse_role(str(claims["role"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "UNAUTHENTICATED", f"the sign-in link is not valid: {exc}") from None
    if not used.first_use(str(claims["jti"]), float(claims["exp"])):
        raise ApiError(401, "UNAUTHENTICATED", "the sign-in link was used already: ask for a new one")
    return session_token(settings, str(claims["role"]), str(claims["sub"]))
