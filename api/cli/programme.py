"""`voucher-ledger programme show` and `programme open-year`: the programme's policy and years, and the province
opening a successor year (the same command as ``POST /v1/programme/years``), recorded at the service clock's time.
`programme calendar` records a calendar year's holiday arrangement (``POST /v1/programme/working-calendars``, or its
revision with ``--reason``) and `programme show-calendar` prints it: the objection windows count working days on it."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console

from api.cli.commanding import ACTOR_HELP, record, show as show_answer
from ledger.commands import values as v
from ledger.errors import LedgerError
from ledger.policy import Policy
from ledger.programme import YearRules
from ledger.recording import By
from store.clock import service_clock
from store.opening import open_ledger
from store.settings import get_settings

console = Console()
group = typer.Typer(help="The programme: its policy and years (show), and opening a year (open-year).",
                    no_args_is_help=True)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]{option} {text!r}[/] is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _caps(given: list[str] | None) -> tuple[tuple[str, int], ...] | None:
    """``--provider-cap PLATFORM=800000000`` as (kind, fen) pairs; the kinds and amounts are the ledger's to check."""
    if not given:
        return None
    caps = []
    for text in given:
        kind, _, fen = text.partition("=")
        if not fen.strip().isdigit():
            console.print(f"[red]--provider-cap {text!r}[/]: write a provider kind and its cap in fen, e.g. "
                          "PLATFORM=800000000")
            raise typer.Exit(2)
        caps.append((kind.strip().upper(), int(fen)))
    return tuple(caps)


def _policy(name: str | None, document_number: str | None, day: date | None) -> Policy | None:
    if name is None and document_number is None and day is None:
        return None
    try:
        return Policy.checked(name=name, document_number=document_number, policy_date=day)
    except LedgerError as exc:
        console.print(f"[red]{exc.code}[/]: {exc.detail} (--policy-name, --policy-document-number, --policy-date)")
        raise typer.Exit(2) from None


def _year(rules: YearRules, now) -> dict:
    return {**{k: (str(x) if not isinstance(x, int | list | dict | type(None)) else x)
               for k, x in rules.as_record().items()}, "phase": rules.phase(now).value, "open": rules.is_open(now)}


@group.command("show")
def show() -> None:
    """The programme, its years with their figures, which are open now, and whether this store is a training one."""
    settings = get_settings()
    clock = service_clock(settings)
    ledger = open_ledger(settings, clock=clock)
    try:
        programme, mark, now = ledger.programme(), ledger.training_mark(), clock.now()
        years = [_year(rules, now) for rules in ledger.programme_years()]
    finally:
        ledger.close()
    console.print_json(json.dumps({
        "name": programme.name, "document_number": programme.document_number,
        "policy_date": programme.policy_date.isoformat(), "now": now.isoformat(),
        "training": clock.training or mark is not None,
        "training_clock_started_at": mark.clock_started_at.isoformat() if mark else None,
        "years": years, "open_years": [y["year"] for y in years if y["open"]],
    }, ensure_ascii=False))


@group.command("open-year")
def open_year(
    year: int = typer.Argument(..., help="the year to open, e.g. 2026"),
    redemption_deadline: str = typer.Option(..., help="its vouchers are redeemable until the end of this day"),
    issuance_opens: str = typer.Option(None, help="first day vouchers are issued (default: 1 January)"),
    issuance_closes: str = typer.Option(None, help="last day vouchers are issued (default: 31 December)"),
    revenue_threshold_fen: int = typer.Option(None, help="prior-year revenue at least this (default: last year's)"),
    min_payment_ratio: str = typer.Option(None, help="payment proven at least this share, e.g. 0.90"),
    covered: list[str] = typer.Option(None, "--covered", help="a covered fee category (repeat; default: last year's)"),
    applications_open: str = typer.Option(None, help="first day of the published application window"),
    applications_close: str = typer.Option(None, help="last day of the published application window"),
    publicity_required: bool = typer.Option(None, "--publicity-required/--no-publicity-required",
                                            help="pay claims only after their publicity (公示); default: last year's"),
    objection_working_days: int = typer.Option(None, help="the publicity objection window in working days"),
    contracts_from: str = typer.Option(None, help="contracts signed before this day are not covered (default: the "
                                       "policy's date)"),
    established_years: int = typer.Option(None, help="an enterprise established at least this many years "
                                          "(default: last year's)"),
    misuse_lookback_years: int = typer.Option(None, help="no serious misuse of fiscal funds in these last years "
                                              "(default: last year's)"),
    provider_cap: list[str] = typer.Option(None, "--provider-cap", help="a default provider quota, KIND=FEN "
                                           "(repeat for each kind; default: last year's caps)"),
    policy_name: str = typer.Option(None, help="a successor policy the year runs under: its name (with "
                                    "--policy-document-number and --policy-date; default: last year's policy)"),
    policy_document_number: str = typer.Option(None, help="the successor policy's document number (文号)"),
    policy_date: str = typer.Option(None, help="the successor policy's date: contracts are covered from it"),
    actor: str = typer.Option("province", help="who opens it (the province), e.g. province:planning"),
) -> None:
    """Open a programme year with no code change; what is not given is the latest earlier year's figure."""
    if actor.split(":", 1)[0] != "province":
        console.print(f"[red]--actor {actor}[/]: only the province opens programme years")
        raise typer.Exit(2)
    command = v.OpenProgrammeYear(
        year=year, redemption_deadline=_day(redemption_deadline, "--redemption-deadline"),
        issuance_opens=_day(issuance_opens, "--issuance-opens"),
        issuance_closes=_day(issuance_closes, "--issuance-closes"), revenue_threshold_fen=revenue_threshold_fen,
        min_payment_ratio=min_payment_ratio, covered_fee_categories=tuple(covered) if covered else None,
        applications_open=_day(applications_open, "--applications-open"),
        applications_close=_day(applications_close, "--applications-close"),
        publicity_required=publicity_required, objection_working_days=objection_working_days,
        contracts_from=_day(contracts_from, "--contracts-from"), established_years=established_years,
        misuse_lookback_years=misuse_lookback_years, provider_caps_fen=_caps(provider_cap),
        policy=_policy(policy_name, policy_document_number, _day(policy_date, "--policy-date")))
    settings = get_settings()
    clock = service_clock(settings)
    ledger = open_ledger(settings, clock=clock)
    try:
        rules = ledger.handle(command, By(actor=actor, at=clock.now()))
        now = clock.now()
    except LedgerError as exc:
        console.print(f"[red]{exc.code}[/]: {exc.detail}")
        raise typer.Exit(1) from None
    finally:
        ledger.close()
    console.print_json(json.dumps(_year(rules, now), ensure_ascii=False))


@group.command("calendar")
def working_calendar(
    year: int = typer.Argument(..., help="the calendar year, e.g. 2021"),
    off: list[str] = typer.Option([], "--off", help="a day off (放假), YYYY-MM-DD or FIRST..LAST (repeat)"),
    work: list[str] = typer.Option([], "--work", help="a Saturday or Sunday worked in exchange (调休上班) (repeat)"),
    notice: str = typer.Option(..., help="the notice of the arrangement, e.g. 国办发明电〔2020〕27号"),
    reason: str = typer.Option(None, help="revise the year's recorded arrangement, for this reason"),
    actor: str = typer.Option("province", help=ACTOR_HELP),
) -> None:
    """Record a year's holiday arrangement as the State Council published it (or, with --reason, correct it)."""
    days_off, workdays = _days(off, "--off"), _days(work, "--work")
    if reason is None:
        record(actor, v.PublishWorkingCalendar(year=year, days_off=days_off, workdays=workdays, notice=notice))
    else:
        record(actor, v.ReviseWorkingCalendar(year=year, days_off=days_off, workdays=workdays, notice=notice,
                                              reason=reason))


@group.command("show-calendar")
def show_calendar(year: int = typer.Argument(..., help="the calendar year")) -> None:
    """The year's holiday arrangement as recorded now (exit 1 WORKING_CALENDAR_NOT_FOUND when none is)."""
    ledger = open_ledger(get_settings())
    try:
        found = ledger.working_calendar(year)
    except LedgerError as exc:
        console.print(f"[red]{exc.code}[/]: {exc.detail}")
        raise typer.Exit(1) from None
    finally:
        ledger.close()
    show_answer({"year": found.year, "days_off": sorted(found.days_off), "workdays": sorted(found.workdays),
                 "notice": found.notice, "revisions": found.revisions})


def _days(texts: list[str], option: str) -> tuple[date, ...]:
    """Each day, and each FIRST..LAST range day by day (a holiday is a run of days in the notice)."""
    days: list[date] = []
    for text in texts:
        first, _, last = text.partition("..")
        start, end = _day(first, option), _day(last or first, option)
        days.extend(date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1))  # type: ignore[union-attr]
    return tuple(days)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="programme")
