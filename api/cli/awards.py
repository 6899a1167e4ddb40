"""`voucher-ledger awards ...`: awards (二, 三) on the command line, the same commands as the routes under ``/v1/awards``
and ``/v1/award-batches``, with the same role rules: an applicant applies for itself (``--actor enterprise:<uscc>``,
``provider:<uscc>`` or ``city:<code>``), a city recommends or declines only its own city's applications, the province
defines programmes, selects, grants, pays and recovers."""

from __future__ import annotations

from uuid import UUID, uuid4

import typer

from api.cli.commanding import ACTOR_HELP, console, opened_on_service_clock, record, refused, show
from api.cli.times import parse_moment
from ledger import ids
from ledger.commands import values as v
from ledger.commands.command import Command
from ledger.errors import LedgerError
from ledger.recording import By

group = typer.Typer(help="Awards (奖补): programmes, applications, recommendation, selection, grants, payment, "
                         "recovery.", no_args_is_help=True)


def _as(actor: str, command: Command) -> None:
    """Decide ``command`` as ``actor`` (whatever role; the command itself carries what the role may do)."""
    ledger, clock = opened_on_service_clock()
    try:
        show({"result": ledger.handle(command, By(actor=actor, at=clock.now()))})
    except LedgerError as exc:
        raise refused(exc) from None
    finally:
        ledger.close()


def _role(actor: str, *kinds: str) -> tuple[str, str]:
    kind, _, scope = actor.partition(":")
    if kind not in kinds or (kind != "province" and not scope):
        console.print(f"[red]--actor {actor}[/]: one of {', '.join(k + ('' if k == 'province' else ':<...>') for k in kinds)}")
        raise typer.Exit(2)
    return kind, scope


def _moment(text: str, option: str):
    moment = parse_moment(text, option)
    if moment is None:
        console.print(f"[red]{option}[/] is required")
        raise typer.Exit(2)
    return moment


@group.command("define-programme")
def define_programme(
    year: int = typer.Argument(...), kind: str = typer.Argument(..., help="BENCHMARK_PROJECT, DEMONSTRATION_BASE, "
                                                                         "FINANCE_PILOT, KEY_PLATFORM, INNOVATION_CENTRE"),
    name: str = typer.Option(...), applicants: list[str] = typer.Option(..., "--applicant", help="ENTERPRISE, "
                                                                       "PROVIDER, CITY_GOVERNMENT, COUNTY_GOVERNMENT"),
    rule: str = typer.Option(..., help="FIXED, RATE, CASE_BY_CASE or TITLE"),
    amount_fen: int = typer.Option(None), rate: str = typer.Option(None), cap_fen: int = typer.Option(None),
    max_selected: int = typer.Option(None, help="at most this many selected at any time"),
    city_share: str = typer.Option(None, help="default: the city's configured share of the year"),
    actor: str = typer.Option("province:ops", help=ACTOR_HELP),
) -> None:
    """Define a year's award programme of one kind (never edited)."""
    record(actor, v.DefineAwardProgramme(year=year, kind=kind, name=name, applicants=tuple(applicants),
                                         amount_rule=rule, amount_fen=amount_fen, rate=rate, cap_fen=cap_fen,
                                         max_selected=max_selected, city_share=city_share))


@group.command("apply")
def apply(
    year: int = typer.Argument(...), kind: str = typer.Argument(...), project: str = typer.Option(...),
    actor: str = typer.Option(..., help="the applicant: enterprise:<uscc>, provider:<uscc> or city:<code>"),
    city: str = typer.Option(None, help="a provider names its project's city"),
    county: str = typer.Option(None, help="a city applies for this county's government"),
    contracts: list[str] = typer.Option([], "--contract", help="PROVIDER_USCC:CONTRACT_NO of the project (repeat)"),
    base_fen: int = typer.Option(None, help="the base of a RATE award (e.g. R&D spend)"),
) -> None:
    """Apply for an award, for oneself; prints the award's id."""
    role, scope = _role(actor, "enterprise", "provider", "city")
    named = tuple(tuple(c.split(":", 1)) for c in contracts)
    if any(len(c) != 2 for c in named):
        console.print("[red]--contract[/]: give PROVIDER_USCC:CONTRACT_NO")
        raise typer.Exit(2)
    if role == "city":
        applicant = {"applicant_kind": "COUNTY_GOVERNMENT" if county else "CITY_GOVERNMENT", "city": scope,
                     "county": county}
    else:
        party = ids.enterprise_id(scope) if role == "enterprise" else ids.provider_id(scope)
        applicant = {"applicant_kind": role.upper(), "applicant_id": party,
                     "city": city if role == "provider" else None}
    _as(actor, v.ApplyForAward(award_id=uuid4(), year=year, kind=kind, project=project, contracts=named,
                               base_fen=base_fen, **applicant))


@group.command("recommend")
def recommend(award_id: UUID = typer.Argument(...), actor: str = typer.Option(..., help="city:<code>"),
              opinion: str = typer.Option("")) -> None:
    """Its city recommends an application (only its own city's)."""
    _, city = _role(actor, "city")
    _as(actor, v.RecommendAward(award_id=award_id, city=city, opinion=opinion))


@group.command("refuse")
def refuse(award_id: UUID = typer.Argument(...), reason: str = typer.Option(...),
           actor: str = typer.Option("province:ops", help="city:<code> (before recommending) or the province")) -> None:
    """Refuse an application with the reason."""
    role, scope = _role(actor, "province", "city")
    _as(actor, v.RefuseAward(award_id=award_id, reason=reason, city=scope if role == "city" else None))


@group.command("select")
def select(award_id: UUID = typer.Argument(...), actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """The province selects a recommended application (refused when the programme's cap is reached)."""
    record(actor, v.SelectAward(award_id=award_id))


@group.command("recommend-nationally")
def recommend_nationally(award_id: UUID = typer.Argument(...), note: str = typer.Option(""),
                         actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Record that the province recommended a selected award for national status."""
    record(actor, v.RecommendAwardNationally(award_id=award_id, note=note))


@group.command("withdraw-title")
def withdraw_title(award_id: UUID = typer.Argument(...), reason: str = typer.Option(...),
                   actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """End a selected award's title: its place under a cap at any time is freed (money untouched)."""
    record(actor, v.WithdrawAwardTitle(award_id=award_id, reason=reason))


@group.command("grant")
def grant(award_id: UUID = typer.Argument(...), amount_fen: int = typer.Option(None, help="CASE_BY_CASE only"),
          actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Grant a selected award by its programme's rule; prints the amount."""
    record(actor, v.GrantAward(award_id=award_id, amount_fen=amount_fen))


@group.command("open-batch")
def open_batch(period: str = typer.Argument(...), actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Open an award batch; prints its id."""
    record(actor, v.OpenAwardBatch(batch_id=uuid4(), period=period))


@group.command("add-to-batch")
def add_to_batch(batch_id: UUID = typer.Argument(...), award_id: UUID = typer.Argument(...),
                 actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    record(actor, v.AddAwardToBatch(batch_id=batch_id, award_id=award_id))


@group.command("pay-batch")
def pay_batch(batch_id: UUID = typer.Argument(...), effective_at: str = typer.Option(..., help="payment time"),
              actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Pay the award batch once."""
    record(actor, v.PayAwardBatch(batch_id=batch_id, effective_at=_moment(effective_at, "--effective-at")))


@group.command("recover")
def recover(award_id: UUID = typer.Argument(...), reason: str = typer.Option(...),
            effective_at: str = typer.Option(...), actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Recover a paid award (追回); prints the amount due."""
    record(actor, v.RecoverAward(award_id=award_id, reason=reason,
                                 effective_at=_moment(effective_at, "--effective-at")))


@group.command("collect")
def collect(award_id: UUID = typer.Argument(...), amount_fen: int = typer.Option(...),
            bank_reference: str = typer.Option(...), effective_at: str = typer.Option(...),
            actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Record money collected on an award's recovery."""
    record(actor, v.CollectAwardRecovery(award_id=award_id, amount_fen=amount_fen, bank_reference=bank_reference,
                                         effective_at=_moment(effective_at, "--effective-at")))


@group.command("write-off")
def write_off(award_id: UUID = typer.Argument(...), reason: str = typer.Option(...),
              effective_at: str = typer.Option(...), actor: str = typer.Option("province:ops", help=ACTOR_HELP)) -> None:
    """Write off what is still due on an award's recovery."""
    record(actor, v.WriteOffAwardRecovery(award_id=award_id, reason=reason,
                                          effective_at=_moment(effective_at, "--effective-at")))


@group.command("show")
def show_award(award_id: UUID = typer.Argument(...)) -> None:
    """An award as it stands: application, status, money."""
    ledger, _ = opened_on_service_clock()
    try:
        award = ledger.award(award_id)
    except LedgerError as exc:
        raise refused(exc) from None
    finally:
        ledger.close()
    show({key: value for key, value in vars(award).items() if not key.startswith("_")})


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="awards")

