"""`voucher-ledger`: the command-line entry point for every operation of the ledger."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from api.cli import (
    evidence,
    evidence_keys,
    exports,
    journal,
    projections,
    queries,
    recovery,
    service,
)
from store.settings import Settings, get_settings
from store.opening import open_ledger

app = typer.Typer(help="Event-sourced ledger of Guangdong's 2018-2020 cloud service vouchers (服务券).", no_args_is_help=True)
console = Console()

DEFAULT_WALKTHROUGH_DB = Path("var/walkthrough.sqlite3")


@app.command()
def walkthrough(
    db: Path = typer.Option(DEFAULT_WALKTHROUGH_DB, help="SQLite file to write the walk-through into"),
    replace: bool = typer.Option(False, help="replace DB if it exists (always done for the default file)"),
) -> None:
    """Run a realistic, narrated 2020 programme on the embedded SQLite store."""
    from api.cli.walkthrough import Walkthrough

    if db.exists():
        if db != DEFAULT_WALKTHROUGH_DB and not replace:
            console.print(f"[red]{db} exists[/]: pass --replace to overwrite it, or choose another --db")
            raise typer.Exit(2)
        db.unlink()
    settings = Settings(store="sqlite", sqlite_path=db)
    console.print(f"Recording into {settings.describe_store()}\n")
    ledger = open_ledger(settings)
    try:
        Walkthrough(ledger, console).run()
    finally:
        ledger.close()


@app.command()
def simulate(
    events: int = typer.Option(1_000_000, help="about how many events to generate (the scale follows from it)"),
    seed: int = typer.Option(1, help="the same seed gives the same history, on SQLite and PostgreSQL alike"),
    flush_events: int = typer.Option(3_000, help="events per transaction"),
    cache_size: int = typer.Option(0, help="aggregates kept in memory (0: sized to the scale; smaller is slower)"),
) -> None:
    """Generate a realistic 2018-2020 programme into the configured (empty) store, through the real commands."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from simulator import Scale
    from simulator import simulate as run_simulation

    settings = get_settings()
    ledger = open_ledger(settings)
    try:
        if ledger.recorder.max_notification_id():
            console.print(f"[red]{settings.describe_store()} already holds events[/]: the simulator writes into an "
                          "empty store (choose another VOUCHER_LEDGER_SQLITE_PATH, database or schema)")
            raise typer.Exit(2)
        scale = Scale.for_events(events)
        console.print(f"Simulating {scale.enterprises:,} enterprises, {scale.platforms} platforms and "
                      f"{scale.services} service providers (seed {seed}) into {settings.describe_store()}")
        columns = (TextColumn("events"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("events", total=events, rate="")

            def advanced(count: int) -> None:
                task_state = progress.tasks[0]
                progress.update(task, advance=count,
                                rate=f"{task_state.completed / max(task_state.elapsed or 1e-9, 1e-9):,.0f}/s")

            report = run_simulation(ledger, events=events, seed=seed, flush_events=flush_events,
                                    cache_size=cache_size or None, progress=advanced)
            progress.update(task, total=report.events, completed=report.events)
        console.print(f"{report.events:,} events from {report.commands:,} commands in {report.seconds:,.1f} s "
                      f"= [bold]{report.events_per_second:,.0f} events/s[/]; peak RSS {report.peak_rss_mib:,.0f} MiB")
        table = Table(title="refused by the ledger's rules")
        table.add_column("code")
        table.add_column("count", justify="right")
        for code, count in report.refusals.items():
            table.add_row(code, f"{count:,}")
        console.print(table)
    finally:
        ledger.close()


@app.command("config")
def show_config() -> None:
    """Show the effective configuration (from VOUCHER_LEDGER_* environment variables)."""
    settings = get_settings()
    table = Table(title=f"store: {settings.describe_store()}")
    table.add_column("setting")
    table.add_column("value")
    for variable, shown in settings.shown().items():
        table.add_row(variable, shown)
    console.print(table)


@app.command()
def events(limit: int = typer.Option(20, help="how many of the latest events")) -> None:
    """List the latest events of the configured store, in global order."""
    ledger = open_ledger()
    try:
        last = ledger.recorder.max_notification_id() or 0
        start = max(1, last - limit + 1)
        for n in ledger.recorder.select_notifications(start, limit):
            console.print(f"{n.id:>8}  {n.topic}")
    finally:
        ledger.close()


projections.register(app)
service.register(app)
evidence.register(app)
evidence_keys.register(app)
exports.register(app)
journal.register(app)
queries.register(app)
recovery.register(app)
