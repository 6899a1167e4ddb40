"""What the province's command-line operations share: who records them, sending one command value to the ledger at
the service's clock, printing its answer as JSON (exit 1 with the ledger's code when it refuses), and naming an
enterprise or provider by id or by USCC."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import typer
from rich.console import Console

from ledger import ids
from ledger.commands.values import Command
from ledger.errors import LedgerError
from ledger.recording import By
from ledger.uscc import validate_uscc
from ledger.application import VoucherLedger
from store.clock import Clock, TrainingClock, service_clock
from store.opening import open_ledger
from store.settings import get_settings

console = Console()
ACTOR_HELP = "who records it (the province or one of its offices), e.g. province:ops"


def province_actor(actor: str) -> str:
    """As over HTTP, only the province runs these operations."""
    if actor.split(":", 1)[0] != "province":
        console.print(f"[red]--actor {actor}[/]: only the province (province or province:<office>) records this")
        raise typer.Exit(2)
    return actor


def refused(exc: LedgerError) -> typer.Exit:
    console.print(f"[red]{exc.code}[/]: {exc.detail}")
    return typer.Exit(1)


def opened_on_service_clock() -> tuple[VoucherLedger, Clock]:
    """The ledger on the configured store and the service's clock, continued from the store's training clock when
    ``VOUCHER_LEDGER_CLOCK`` names it (``store.opening``): what a command records is on that one clock."""
    settings = get_settings()
    clock = service_clock(settings)
    return open_ledger(settings, clock=clock), clock


def service_now() -> datetime:
    """The service's clock now: the default ``--as-of`` of the command line's answers, as of the API's."""
    clock = service_clock(get_settings())
    if isinstance(clock, TrainingClock):  # continued from the store's training clock, which opening it reads
        ledger, clock = opened_on_service_clock()
        ledger.close()
    return clock.now()


def record(actor: str, command: Command) -> Any:
    """Decide ``command`` as ``actor`` now (the service's clock), print the answer as JSON and return it."""
    actor = province_actor(actor)
    ledger, clock = opened_on_service_clock()
    by = By(actor=actor, at=clock.now())
    try:
        result = ledger.handle(command, by)
    except LedgerError as exc:
        raise refused(exc) from None
    finally:
        ledger.close()
    show(result)
    return result


def show(result: Any) -> None:
    """Print a command's answer as JSON: dataclasses (at any depth, e.g. ``{"result": AwardState(...)}``) as objects,
    ids and times as text."""
    console.print_json(json.dumps(result, default=_jsonable, ensure_ascii=False))


def _jsonable(value: Any) -> Any:
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else str(value)


def party_id(text: str, kind: str) -> UUID:
    """An enterprise or provider named by its id, or by its USCC (ids derive from USCCs)."""
    try:
        return UUID(text)
    except ValueError:
        pass
    try:
        uscc = validate_uscc(text)
    except LedgerError as exc:
        console.print(f"[red]{text!r}[/] is neither an id nor a valid USCC: {exc.detail}")
        raise typer.Exit(2) from None
    return ids.enterprise_id(uscc) if kind == "enterprise" else ids.provider_id(uscc)
