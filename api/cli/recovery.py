"""`voucher-ledger collect-recovery` and `write-off-recovery`: the province records money collected on a recovery
(追回) raised after a reversed payment, or writes off what is still due, with the reason.

The same commands as the API's (``POST /v1/settlement-batches/{batch}/recoveries/{claim}/collections`` and
``/write-off``), for the finance office working on the store directly; the ledger records them at the service
clock's time (``store.clock``), as ``--actor``. The answer is JSON: the amount, its province/city split and what is still due after it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from uuid import UUID

import typer
from rich.console import Console

from api.cli.times import parse_moment
from store.clock import service_clock
from store.opening import open_ledger
from store.settings import get_settings
from ledger.commands import values as v
from ledger.commands.values import Command
from ledger.errors import LedgerError
from ledger.recording import By

console = Console()
ACTOR_HELP = "who records it (the province's finance office), e.g. province:finance"


def _record(actor: str, command: Command) -> None:
    if actor.split(":", 1)[0] != "province":  # as over HTTP: only the province collects and writes off
        console.print(f"[red]--actor {actor}[/]: only the province (province or province:<office>) records this")
        raise typer.Exit(2)
    clock = service_clock(get_settings())
    ledger = open_ledger(clock=clock)
    try:
        change = ledger.handle(command, By(actor=actor, at=clock.now()))
    except LedgerError as exc:
        console.print(f"[red]{exc.code}[/]: {exc.detail}")
        raise typer.Exit(1) from None
    finally:
        ledger.close()
    console.print_json(json.dumps(asdict(change), default=str))


def _moment(text: str, option: str) -> datetime:
    moment = parse_moment(text, option)
    if moment is None:  # typer requires the option; kept for the type checker
        raise typer.Exit(2)
    return moment


def register(app: typer.Typer) -> None:
    @app.command("collect-recovery")
    def collect_recovery(
        batch_id: UUID = typer.Argument(..., help="the settlement batch that paid the claim"),
        claim_id: UUID = typer.Argument(..., help="the reversed claim whose recovery is collected"),
        amount_fen: int = typer.Option(..., "--amount-fen", help="integer fen received (at most what is due)"),
        bank_reference: str = typer.Option(..., "--bank-reference", help="the bank's reference of the payment"),
        received_at: str = typer.Option(..., "--received-at", help="when the money arrived, ISO-8601 with offset"),
        actor: str = typer.Option("province:finance", help=ACTOR_HELP),
    ) -> None:
        """Record money collected on a recovery; it returns to the province's and the city's budgets."""
        at = _moment(received_at, "--received-at")
        _record(actor, v.CollectRecovery(batch_id=batch_id, claim_id=claim_id, amount_fen=amount_fen,
                                         bank_reference=bank_reference, effective_at=at))

    @app.command("write-off-recovery")
    def write_off_recovery(
        batch_id: UUID = typer.Argument(..., help="the settlement batch that paid the claim"),
        claim_id: UUID = typer.Argument(..., help="the reversed claim whose recovery is written off"),
        reason: str = typer.Option(..., help="why the money will not be collected"),
        effective_at: str = typer.Option(..., "--effective-at", help="when it takes effect, ISO-8601 with offset"),
        actor: str = typer.Option("province:finance", help=ACTOR_HELP),
    ) -> None:
        """Write off what is still due on a recovery, with the reason; the receivable is closed."""
        at = _moment(effective_at, "--effective-at")
        _record(actor, v.WriteOffRecovery(batch_id=batch_id, claim_id=claim_id, reason=reason, effective_at=at))
