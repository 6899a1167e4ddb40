"""`voucher-ledger figure KIND KEY` and `voucher-ledger late-facts`: the read models' answers on the command line.

Every figure is answered as of ``--as-of`` (effective time) and as known at ``--known-at`` (recorded time; default
known now), exactly as the API's queries answer them: both call :class:`projections.read_models.ReadModels`.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any
from uuid import UUID

import typer
from rich.console import Console

from api.cli.commanding import party_id, service_now
from api.cli.options import limit_option
from api.cli.projections import _events_bar, errors
from api.cli.times import parse_as_of
from store.settings import Settings, get_settings
from store.opening import open_ledger
from ledger.application import VoucherLedger
from ledger.errors import LedgerError
from ledger.fiscal_time import shanghai_text
from ledger.parties import check_city
from ledger.recording import created_by
from projections.read_models import ReadModels

console = Console()
AS_OF_HELP = "effective time, ISO-8601 with offset (default now)"
KNOWN_AT_HELP = "recorded time: answer as the ledger knew it then (default: as known now)"


class Figure(StrEnum):
    voucher = "voucher"
    enterprise = "enterprise"
    eligibility = "eligibility"
    provider = "provider"
    city = "city"
    batch = "batch"
    whitelist = "whitelist"


def read_models(settings: Settings, ledger: VoucherLedger) -> ReadModels:
    """The read models, caught up in-process where configured. After a large write that takes a while (13.8 s for
    the first query after 35,000 simulated events), so a long catch-up shows a bar, on standard error: standard
    output stays the answer alone, for whatever parses it."""
    return ReadModels(settings, ledger, catching_up=partial(_events_bar, to=errors))


def ask_read_models(question: Any) -> Any:
    """Open the ledger and its read models, ask, close."""
    return ask_ledger_and_read_models(lambda read, _ledger: question(read))


def ask_ledger_and_read_models(question: Any) -> Any:
    """``question(read_models, ledger)``: for an answer that must also know whether a party exists."""
    settings = get_settings()
    ledger = open_ledger(settings)
    read = read_models(settings, ledger)
    try:
        return question(read, ledger)
    finally:
        read.close()
        ledger.close()


def _registered(load: Any, party: UUID, at: Any, known: Any) -> bool:
    """Whether the enterprise or provider ``load`` finds was registered (admitted) by ``at`` and ``known``, as the
    API's 404 decides (ledger/recording.py ``created_by``): a registration takes effect when recorded."""
    return created_by(load, party, at, known) is not None


def _shown(value: Any) -> str:
    """A value JSON has no form for: a time as Guangdong reads it, in ISO 8601 with its offset
    (``2020-01-14T09:05:36+08:00``, as ``--as-of`` takes it), anything else as its text (ids, decimals)."""
    return shanghai_text(value) if isinstance(value, datetime) else str(value)


def _print(answer: Any) -> None:
    console.print_json(json.dumps(answer, default=_shown, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    @app.command("figure")
    def figure(
        kind: Figure = typer.Argument(..., help="what to answer about"),
        key: str = typer.Argument("", help="its id (voucher, enterprise, provider, batch) or city code"),
        as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
        known_at: str = typer.Option(None, "--known-at", help=KNOWN_AT_HELP),
    ) -> None:
        """A figure as of a time, known at a time, as JSON (amounts in integer fen; *_us: microseconds, UTC)."""
        at = parse_as_of(as_of, "--as-of") or service_now()
        known = parse_as_of(known_at, "--known-at")
        if kind is not Figure.whitelist and not key:
            console.print(f"[red]{kind.value}[/] needs its id (or city code) as the second argument")
            raise typer.Exit(2)
        if kind is Figure.city:
            try:
                check_city(key)
            except LedgerError as exc:
                console.print(f"[red]{exc.code}[/]: {exc.detail}")
                raise typer.Exit(2) from None
        party = None
        if kind in (Figure.enterprise, Figure.eligibility, Figure.provider):  # an id, or its USCC
            party = party_id(key, "provider" if kind is Figure.provider else "enterprise")
            key = str(party)
        questions = {
            Figure.voucher: lambda r, _: r.voucher_balance(key, at, known),
            Figure.enterprise: lambda r, ledger: r.enterprise_totals(key, at, known)
            if _registered(ledger.enterprise, party, at, known) else None,
            Figure.eligibility: lambda r, ledger: r.eligibility(key, at, known)
            if _registered(ledger.enterprise, party, at, known) else None,
            Figure.provider: lambda r, ledger: {**r.provider_receivable(key, at, known),
                                                "claims_held": r.claims_held(key, at, known)}
            if _registered(ledger.provider, party, at, known) else None,
            Figure.city: lambda r, _: r.city_spend(key, at, known),
            Figure.batch: lambda r, _: r.settlement_batch(key, at, known),
            Figure.whitelist: lambda r, _: r.whitelist(at, known, limit=1_000),
        }
        answer = ask_ledger_and_read_models(questions[kind])
        if answer is None:
            console.print(f"[red]no {kind.value} {key}[/] as of {shanghai_text(at)}")
            raise typer.Exit(1)
        _print({"as_of": at, "known_at": known, "answer": answer})

    @app.command("late-facts")
    def late_facts(
        as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
        known_at: str = typer.Option(None, "--known-at", help="default: --as-of (what was learned about it later)"),
        limit: int = limit_option(200, "at most this many facts and figures per kind"),
    ) -> None:
        """Facts recorded after --known-at that take effect by --as-of, and every figure they changed."""
        at = parse_as_of(as_of, "--as-of") or service_now()
        known = parse_as_of(known_at, "--known-at") or at
        _print(ask_read_models(lambda r: r.late_facts(at, known, limit=limit)))
