"""The web console at /console/: read-only pages for auditors, officials and dispute handlers (issue 15).

Pages are shells (header, pickers, sign-in) served without a token; their figures come from fragments under
/console/parts/ that need the bearer token (kept in sessionStorage, sent by fetch) and are rendered from the API's
own query functions, so each role sees exactly what the API lets it read. Everything is served from here: no CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.http.console import pages, parts

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    app.include_router(pages.router)
    app.include_router(parts.router)
    app.state.schema_refusals = (*getattr(app.state, "schema_refusals", ()), parts.schema_refusal)
