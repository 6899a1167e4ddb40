"""`voucher-ledger publicity ...`: publicity (公示) on the command line, the same commands as the routes under
``/v1/programme/years/{year}/publicity-lists``: the province publishes a period's approved claims, rules on objections
and closes the list after its window; anyone's objection is recorded with who and why; `show` prints the public list
as of a time."""

from __future__ import annotations

from uuid import UUID

import typer

from api.cli.commanding import ACTOR_HELP, console, opened_on_service_clock, record, refused, service_now, show
from api.cli.queries import AS_OF_HELP, KNOWN_AT_HELP, ask_read_models
from api.cli.times import parse_as_of
from ledger import ids
from ledger.commands import values as v
from ledger.errors import LedgerError
from ledger.fiscal_time import shanghai_text
from ledger.recording import By

group = typer.Typer(help="Publicity (公示) of approved claims before payment: publish, object, rule, close, show.",
                    no_args_is_help=True)


def _pair(text: str) -> tuple[UUID, UUID]:
    try:
        voucher, claim = text.split(":")
        return UUID(voucher), UUID(claim)
    except ValueError:
        console.print(f"[red]--claim {text!r}[/]: give VOUCHER_ID:CLAIM_ID")
        raise typer.Exit(2) from None


@group.command("publish")
def publish(
    year: int = typer.Argument(..., help="the programme year of the claims"),
    period: str = typer.Argument(..., help="the period the list publishes, e.g. 2021-03"),
    claims: list[str] = typer.Option(..., "--claim", help="an approved claim as VOUCHER_ID:CLAIM_ID (repeat)"),
    actor: str = typer.Option("province:ops", help=ACTOR_HELP),
) -> None:
    """Publish the claims as the period's list; prints when its objection window ends."""
    record(actor, v.PublishClaims(year=year, period=period, claims=tuple(_pair(c) for c in claims)))


@group.command("object")
def lodge_objection(
    year: int = typer.Argument(...), period: str = typer.Argument(...),
    claim_id: UUID = typer.Argument(..., help="the listed claim objected to"),
    objector: str = typer.Option(..., help="who objects, as they name themselves"),
    reason: str = typer.Option(..., help="why"),
    actor: str = typer.Option(..., help="who enters it (any role, e.g. enterprise:<uscc> or province:hotline)"),
) -> None:
    """Record an objection during the window; the claim is held from settlement until the province rules."""
    command = v.LodgeObjection(list_id=ids.publicity_list_id(year, period), claim_id=claim_id, objector=objector,
                               reason=reason)
    ledger, clock = opened_on_service_clock()  # lodged on the service's clock, a training store's included
    try:
        show({"objection": ledger.handle(command, By(actor=actor, at=clock.now()))})
    except LedgerError as exc:
        raise refused(exc) from None
    finally:
        ledger.close()


@group.command("rule")
def rule(
    year: int = typer.Argument(...), period: str = typer.Argument(...),
    claim_id: UUID = typer.Argument(..., help="the claim whose objections are ruled on"),
    sustain: bool = typer.Option(..., "--sustain/--uphold", help="sustain the objection (the claim is reversed) "
                                 "or uphold the claim (it goes on)"),
    reason: str = typer.Option(..., help="the ruling's reason (the reversal's reason when sustained)"),
    actor: str = typer.Option("province:ops", help=ACTOR_HELP),
) -> None:
    """The province's ruling on the objections to a claim."""
    kind = v.SustainObjection if sustain else v.UpholdClaim
    record(actor, kind(list_id=ids.publicity_list_id(year, period), claim_id=claim_id, reason=reason))


@group.command("close")
def close(
    year: int = typer.Argument(...), period: str = typer.Argument(...),
    actor: str = typer.Option("province:ops", help=ACTOR_HELP),
) -> None:
    """Close the list after its window; prints how many claims are cleared for payment, how many wait for a ruling."""
    record(actor, v.ClosePublicityList(list_id=ids.publicity_list_id(year, period)))


@group.command("show")
def show_list(
    year: int = typer.Argument(...), period: str = typer.Argument(...),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    known_at: str = typer.Option(None, "--known-at", help=KNOWN_AT_HELP),
) -> None:
    """The public list as of a time: its claims, window, objections (with who lodged them) and rulings."""
    at = parse_as_of(as_of, "--as-of") or service_now()  # the service's clock, as the API and `figure`
    known = parse_as_of(known_at, "--known-at")
    found = ask_read_models(lambda read: read.publicity_list(ids.publicity_list_id(year, period), at, known))
    if found is None:
        console.print(f"[red]PUBLICITY_LIST_NOT_FOUND[/]: no {year} publicity list {period} as of {shanghai_text(at)}")
        raise typer.Exit(1)
    show(found)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="publicity")
