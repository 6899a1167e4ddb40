"""/docs (Swagger UI) and /redoc served offline: their scripts and styles come from the fastapi-offline package's
files, served by this service, where FastAPI's defaults load them from a CDN (blank on a network without one).

ReDoc's script still shows its maker's logo from a CDN: it is served with that one address pointing at the
console's own icon. Swagger UI's validator badge is turned off (it would send the document to an outside service)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
FILES = Path(fastapi_offline.__file__).parent / "static"
REDOC_JS = "/docs-redoc/redoc.standalone.js"
OUTSIDE_LOGO, OWN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg", "/console/static/favicon.svg"


@cache
def _redoc_script() -> bytes:
    return (FILES / "redoc.standalone.js").read_bytes().replace(OUTSIDE_LOGO.encode(), OWN_LOGO.encode())


def install(app: FastAPI) -> None:
    """Call on an app created with ``docs_url=None, redoc_url=None``."""
    app.mount(ASSETS, StaticFiles(directory=FILES), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - Swagger UI",
                                   oauth2_redirect_url="/docs/oauth2-redirect",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon.png",
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(_redoc_script(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} - ReDoc",
                              redoc_js_url=REDOC_JS, redoc_favicon_url=f"{ASSETS}/favicon.png",
                              with_google_fonts=False)
