"""The console's pages: shells with the header (pickers, language, sign-in) and a place for the figures, which the
page's script fetches from /console/parts/ with the bearer token. A shell carries no data, so it needs no token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from api.http.auth import Principal, parse_role
from api.http.console import links, moments
from api.http.console.sessions import session_token
from api.http.dependencies import Call
from api.http.problems import ApiError
from ledger.commands import values as v
from ledger.errors import AlreadyExistsError
from api.http.console.rendering import keep, page
from api.http.models.fields import CITY_PATTERN
from api.http.console.parts import DISPUTE_KEY
from api.http.party_ids import ID_OR_USCC_PATTERN

router = APIRouter(prefix="/console", include_in_schema=False)
# A page is a shell whose key only builds its part's address: any key of these characters (what the "open" box
# takes) is a page, whose part answers what is wrong with it in the page's words. The API's own patterns are the
# part's; here they made a key typed wrong an English JSON problem instead of a page.
PAGE_KEY = r"^[0-9A-Za-z-]{1,64}$"


def _shell(request: Request, view: str, part: str) -> HTMLResponse:
    params = request.query_params
    return page(request, "shell.html", view=view, part=part + keep(request),
                as_of_date=moments.picker_date(params.get("as_of")),
                known_at_date=moments.picker_date(params.get("known_at")))


@router.get("/", response_class=HTMLResponse)
@router.get("/overview", response_class=HTMLResponse)
def overview(request: Request):
    return _shell(request, "overview", "/console/parts/overview")


@router.get("/cities/{city}", response_class=HTMLResponse)
def city(request: Request, city: Annotated[str, Path(pattern=PAGE_KEY)]):
    return _shell(request, "city_page", f"/console/parts/cities/{city}")


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise(request: Request, enterprise_id: Annotated[str, Path(pattern=PAGE_KEY)]):
    return _shell(request, "enterprise", f"/console/parts/enterprises/{enterprise_id}")


@router.get("/vouchers/{voucher_id}", response_class=HTMLResponse)
def voucher(request: Request, voucher_id: Annotated[str, Path(pattern=PAGE_KEY)]):
    return _shell(request, "voucher", f"/console/parts/vouchers/{voucher_id}")


@router.get("/providers/{provider_id}", response_class=HTMLResponse)
def provider(request: Request, provider_id: Annotated[str, Path(pattern=PAGE_KEY)]):
    return _shell(request, "provider", f"/console/parts/providers/{provider_id}")


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch(request: Request, batch_id: Annotated[str, Path(pattern=PAGE_KEY)]):
    return _shell(request, "batch", f"/console/parts/batches/{batch_id}")


@router.get("/disputes/{entity_kind}/{entity_id}", response_class=HTMLResponse)
def dispute(request: Request, entity_kind: Literal["voucher", "provider", "city", "batch"],
            entity_id: Annotated[str, Path(pattern=DISPUTE_KEY)]):
    return _shell(request, "dispute", f"/console/parts/disputes/{entity_kind}/{entity_id}")


@router.get("/trial-balance", response_class=HTMLResponse)
def trial_balance(request: Request):
    return _shell(request, "trial_balance", "/console/parts/trial-balance")


@router.get("/events", response_class=HTMLResponse)
def events(request: Request):
    return _shell(request, "events", "/console/parts/events")


@router.get("/journal-lines", response_class=HTMLResponse)
def journal_lines(request: Request):
    return _shell(request, "journal_lines", "/console/parts/journal-lines")


@router.get("/explain/spend/{city}", response_class=HTMLResponse)
def explain_spend(request: Request, city: Annotated[str, Path(pattern=CITY_PATTERN)]):
    return _shell(request, "explain", f"/console/parts/explain/spend/{city}")


@router.get("/explain/vouchers/{voucher_id}", response_class=HTMLResponse)
def explain_voucher(request: Request, voucher_id: UUID):
    return _shell(request, "explain", f"/console/parts/explain/vouchers/{voucher_id}")


@router.get("/explain/providers/{provider_id}", response_class=HTMLResponse)
def explain_provider(request: Request, provider_id: Annotated[str, Path(pattern=ID_OR_USCC_PATTERN)]):
    return _shell(request, "explain", f"/console/parts/explain/providers/{provider_id}")


@router.get("/explain/journal-lines", response_class=HTMLResponse)
def explain_account(request: Request):
    return _shell(request, "explain", "/console/parts/explain/journal-lines")


PAGES = {"voucher": "vouchers", "provider": "providers", "batch": "batches", "enterprise": "enterprises"}


@router.get("/open")
def open_page(request: Request, kind: Literal["voucher", "provider", "batch", "enterprise"],
              key: Annotated[str, Query(pattern=PAGE_KEY)]):
    """The header's "open" box: a voucher, enterprise or provider (id or USCC) or batch, at the same times."""
    rest = keep(request, kind=None, key=None)
    return RedirectResponse(f"/console/{PAGES[kind]}/{key.strip()}{rest}", status_code=303)


class ConsoleSession(BaseModel):
    token: str


@router.post("/session")
async def session(request: Request, link: Annotated[str, Body(embed=True, max_length=4096)]):
    """A one-time link exchanged for a console session (api/http/console/links.py); its use is recorded, once."""
    settings = request.app.state.settings
    claims = links.checked_link(settings, link)
    role, subject = str(claims["role"]), str(claims["sub"])
    kind, scope = parse_role(role)
    used = v.UseSignInLink(link_id=str(claims["jti"]), role=role, subject=subject,
                           link_expires_at=datetime.fromtimestamp(float(claims["exp"]), UTC))
    try:
        answer = await Call(request, Principal(role=role, kind=kind, scope=scope, subject=subject), None).send(
            None, used, lambda _: ConsoleSession(token=session_token(settings, role, subject)))
    except AlreadyExistsError:
        raise ApiError(401, "UNAUTHENTICATED", "the sign-in link was used already: ask for a new one") from None
    answer.headers["Cache-Control"] = "no-store"
    return answer
