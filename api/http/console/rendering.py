"""The console's Jinja2 templates, with the helpers every template uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from api.http.console import i18n, moments
from projections import whitelist_reasons
from projections.audit_summaries import reason_shown
from projections.award_flows import AWARD_PREFIX

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals.update(yuan=moments.yuan, shown=moments.shown, last_day=moments.last_day,
                             percent=moments.percent)
# The browser itself refuses anything from elsewhere: scripts, styles, images, fonts and requests from this service
# only. Inline style attributes carry the bars' widths; no inline script is allowed.
HEADERS = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                      "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
           "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def keep(request: Request, **changes: str | None) -> str:
    """The request's query string with ``changes`` (None drops a parameter): links keep as_of, known_at and lang."""
    query = {k: v for k, v in request.query_params.items() if v}
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    return ("?" + urlencode(query)) if query else ""


def _context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    lang = i18n.language(request.query_params.get("lang"))
    return {**context, "request": request, "lang": lang, "w": i18n.words(lang), "q": keep(request),
            "keep": lambda **c: keep(request, **c), "city": lambda code: i18n.city_name(code, lang),
            "reason": lambda text: reason_shown(text, lang),
            "actor": lambda who: i18n.actor_shown(who, lang),
            "whitelist_reason": lambda row: (row["reason_zh"] if lang == "zh" and row.get("reason_zh")
                                             else whitelist_reasons.reason_en(row["reason"])),
            "category": lambda code: _category(i18n.words(lang), code)}


def _category(w: dict[str, str], code: str | None) -> str:
    """A movement's category as the city page names its row: a fee category, or an award's programme, which the
    read models store in the same column as ``AWARD:<kind>`` (projections/award_flows.py)."""
    if not code:
        return ""
    kind = code.removeprefix(AWARD_PREFIX)
    return w.get(kind, code)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, _context(request, context), status_code=status,
                                      headers=HEADERS)


def html(request: Request, template: str, **context: Any) -> str:
    """The fragment a page would show, as text (what an export is cut from)."""
    return TEMPLATES.get_template(template).render(_context(request, context))
