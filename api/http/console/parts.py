"""The figures of each view as an HTML fragment, for the bearer of a token (the page's script fetches them): the
same authentication as the API, console sessions besides (``sessions.console_call``), and what the API refuses is
refused here, said in words."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.http.console import books, disputes, explain, exports, moments, views
from api.http.console.rendering import page
from api.http.console.sessions import console_call
from api.http.dependencies import Call
from api.http.models.fields import CITY_PATTERN, EARLIEST_YEAR, LATEST_YEAR
from api.http.models.journal import Account
from api.http.routes.queries import ProgrammeFilter
from api.http.routes.spend_movements import Stage
from api.http.party_ids import ID_OR_USCC_PATTERN
from api.http.problems import STATUS_OF_KIND, ApiError
from ledger.errors import LedgerError

router = APIRouter(prefix="/console/parts", include_in_schema=False)
Moment = Query(None, max_length=40)
DISPUTE_KEY = f"^(?:{ID_OR_USCC_PATTERN[1:-1]}|{CITY_PATTERN[1:-1]})$"  # a voucher, provider, batch or city
EVENT_TYPE = r"^[A-Za-z]+\.[A-Za-z]+$"  # the API's own pattern for ?event_type=


def _own_page(c: Call) -> str | None:
    """Where a scoped token may look instead of a page it may not see."""
    kind, scope = c.principal.kind, c.principal.scope
    return {"provider": f"/console/providers/{scope}", "enterprise": f"/console/enterprises/{scope}",
            "city": f"/console/cities/{scope}"}.get(kind)


def _render(request: Request, template: str, read, c: Call) -> HTMLResponse:
    at = None
    try:
        params = request.query_params
        wanted = exports.asked(params)
        at = moments.moment(params.get("as_of"), "as_of")
        found = read(at, moments.moment(params.get("known_at"), "known_at"))
    except ApiError as refused:
        return _refused(request, refused.status, refused.code, refused.detail, at, c)
    except LedgerError as refused:  # e.g. a malformed USCC in the path: the API's answer, in the page's words
        return _refused(request, STATUS_OF_KIND.get(refused.kind, 422), refused.code, refused.detail, at, c)
    if wanted is not None:  # one of the page's tables, as a file
        return exports.response(request, template, found, *wanted)
    return page(request, template, **found)


def _refused(request: Request, status: int, code: str, detail: str, as_of, c: Call) -> HTMLResponse:
    """The refusal in the page's words (refused.html): in Chinese by its code, with the code for support; the
    English page keeps the API's detail."""
    return page(request, "refused.html", status=status, code=code, detail=detail, refused_status=status,
                refused_as_of=as_of, own_page=_own_page(c))


@router.get("/overview", response_class=HTMLResponse)
def overview(request: Request, year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
             as_of: str | None = Moment, known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "overview.html", lambda at, known: views.overview(c, at, known, year), c)


@router.get("/cities/{city}", response_class=HTMLResponse)
def city(request: Request, city: Annotated[str, Path(pattern=CITY_PATTERN)],
         year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR), as_of: str | None = Moment,
         known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "city.html", lambda at, known: views.city(c, city, at, known, year), c)


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise(request: Request, enterprise_id: Annotated[str, Path(pattern=ID_OR_USCC_PATTERN)],
               as_of: str | None = Moment, known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "enterprise.html", lambda at, known: views.enterprise(c, enterprise_id, at, known), c)


@router.get("/vouchers/{voucher_id}", response_class=HTMLResponse)
def voucher(request: Request, voucher_id: UUID, as_of: str | None = Moment, known_at: str | None = Moment,
            c: Call = Depends(console_call)):
    return _render(request, "voucher.html", lambda at, known: views.voucher(c, voucher_id, at, known), c)


@router.get("/providers/{provider_id}", response_class=HTMLResponse)
def provider(request: Request, provider_id: Annotated[str, Path(pattern=ID_OR_USCC_PATTERN)],
             as_of: str | None = Moment, known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "provider.html", lambda at, known: views.provider(c, provider_id, at, known), c)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch(request: Request, batch_id: UUID, as_of: str | None = Moment, known_at: str | None = Moment,
          c: Call = Depends(console_call)):
    return _render(request, "batch.html", lambda at, known: views.batch(c, batch_id, at, known), c)


@router.get("/disputes/{entity_kind}/{entity_id}", response_class=HTMLResponse)
def dispute(request: Request, entity_kind: Literal["voucher", "provider", "city", "batch"],
            entity_id: Annotated[str, Path(pattern=DISPUTE_KEY)],
            year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR), as_of: str | None = Moment,
            known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "dispute.html",
                   lambda at, known: disputes.dispute(c, entity_kind, entity_id, at, known, year), c)


@router.get("/trial-balance", response_class=HTMLResponse)
def trial_balance(request: Request, city: str | None = Query(None, pattern=CITY_PATTERN),
                  year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR), as_of: str | None = Moment,
                  known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "trial_balance.html",
                   lambda at, known: books.trial_balance(c, at, known, city, year), c)


@router.get("/events", response_class=HTMLResponse)
def events(request: Request, after: int = Query(0, ge=0, le=2**63 - 1),
           type: str | None = Query(None, pattern=EVENT_TYPE, max_length=80), as_of: str | None = Moment,
           known_at: str | None = Moment, c: Call = Depends(console_call)):
    """The feed is the record itself: it goes by the recorded time alone, so as_of is all the time it needs."""
    return _render(request, "events.html", lambda at, known: books.events(c, at, after, type), c)


@router.get("/journal-lines", response_class=HTMLResponse)
def journal_lines(request: Request, account: Account, city: str | None = Query(None, pattern=CITY_PATTERN),
                  year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
                  after: int = Query(0, ge=0, le=2**63 - 1), as_of: str | None = Moment,
                  known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "journal_lines.html",
                   lambda at, known: books.journal_lines(c, account, at, known, city, year, after), c)


@router.get("/explain/spend/{city}", response_class=HTMLResponse)
def explain_spend(request: Request, city: Annotated[str, Path(pattern=CITY_PATTERN)], stage: Stage = "spend",
                  year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR),
                  fee_category: Literal["APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"] | None = None,
                  fund_source: Literal["province", "city"] | None = None, as_of: str | None = Moment,
                  known_at: str | None = Moment, c: Call = Depends(console_call), programme: ProgrammeFilter = None):
    return _render(request, "explain_spend.html", lambda at, known: explain.spend(
        c, city, at, known, stage, year, fee_category, fund_source, programme), c)


@router.get("/explain/journal-lines", response_class=HTMLResponse)
def explain_account(request: Request, account: Account, city: str | None = Query(None, pattern=CITY_PATTERN),
                    year: int | None = Query(None, ge=EARLIEST_YEAR, le=LATEST_YEAR), as_of: str | None = Moment,
                    known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "explain_account.html",
                   lambda at, known: explain.account(c, account, at, known, city, year), c)


@router.get("/explain/vouchers/{voucher_id}", response_class=HTMLResponse)
def explain_voucher(request: Request, voucher_id: UUID,
                    figure: Literal["face_value", "claimed", "approved", "settled", "reversed", "recovered",
                                    "returned", "remaining"] = "remaining",
                    as_of: str | None = Moment, known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "explain_figure.html",
                   lambda at, known: explain.voucher(c, voucher_id, at, known, figure), c)


@router.get("/explain/providers/{provider_id}", response_class=HTMLResponse)
def explain_provider(request: Request, provider_id: Annotated[str, Path(pattern=ID_OR_USCC_PATTERN)],
                     figure: Literal["claimed_pending", "approved_unsettled", "settled", "recoveries_raised",
                                     "recoveries_collected", "recoveries_written_off", "recoveries_due"] = "settled",
                     as_of: str | None = Moment, known_at: str | None = Moment, c: Call = Depends(console_call)):
    return _render(request, "explain_figure.html",
                   lambda at, known: explain.provider(c, provider_id, at, known, figure), c)


def schema_refusal(request: Request, errors: list[dict[str, Any]]) -> Response | None:
    """A part refused by its schema (a path that is no id, ``year=abc``), as parts say the rest: the refusal in the
    page's words, which the page's script shows as it comes; any other request: None (the API's problem+json)."""
    if request.method != "GET" or not request.url.path.startswith("/console/parts/") or "export" in \
            request.query_params:
        return None
    return page(request, "refused.html", status=422, code="INVALID_INPUT", refused_status=422,
                detail="the request does not match the schema: " + "; ".join(
                    f"{'.'.join(e['location'])}: {e['message']}" for e in errors),
                refused_as_of=None, own_page=None)
