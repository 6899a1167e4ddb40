"""The simulator's commands (`voucher-ledger simulate`, `voucher-ledger demo`) and the whole `voucher-ledger` command
line: the ledger's own commands (``api.cli.build``) plus these. It is composed here, on top, because the simulator
drives the ledger through its commands and the API; the ledger's layers never import it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from api.cli import build
from api.cli.service import serve_api
from simulator.store import open_simulation_store
from store.settings import get_settings

DEMO_DB = Path("var/demo.sqlite3")

console = Console()


def register(app: typer.Typer) -> None:
    @app.command()
    def simulate(
        events: int = typer.Option(1_000_000, help="about how many events to generate (the scale follows from it)"),
        seed: int = typer.Option(1, help="the same seed gives the same history, on SQLite and PostgreSQL alike"),
        flush_events: int = typer.Option(3_000, help="events per transaction"),
        cache_size: int = typer.Option(0, help="aggregates kept in memory (0: sized to the scale; smaller is slower)"),
    ) -> None:
        """Generate a realistic 2018-2020 programme into the configured (empty) store, through the real commands."""
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        from simulator import Scale
        from simulator import simulate as run_simulation

        settings = get_settings()
        # Refused before anything is recorded (its training mark included): a store with more than its set-up, or
        # with real history (api.cli prints why, exit 2).
        ledger = open_simulation_store(settings, empty=True)
        try:
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
                          f"= [bold]{report.events_per_second:,.0f} events/s[/]; "
                          f"peak RSS {report.peak_rss_mib:,.0f} MiB")
            table = Table(title="refused by the ledger's rules")
            table.add_column("code")
            table.add_column("count", justify="right")
            for code, count in report.refusals.items():
                table.add_row(code, f"{count:,}")
            console.print(table)
        finally:
            ledger.close()


def register_demo(app: typer.Typer) -> None:
    @app.command()
    def demo(events: int = typer.Option(100_000, help="size of the simulated programme (about a minute at 100,000)"),
             seed: int = typer.Option(1, help="simulator seed"),
             host: str = typer.Option(None, help="address to serve on (default VOUCHER_LEDGER_API_HOST, 127.0.0.1)"),
             port: int = typer.Option(None, help="port to serve on (default VOUCHER_LEDGER_API_PORT, 8000)"),
             serve: bool = typer.Option(True, "--serve/--no-serve", help="start the API after filling the store")) -> None:
        """Fill an embedded SQLite store with a simulated 2018-2020 programme up to a morning of its last year, print
        tokens and example requests that write and read, and serve it on a training clock that starts there."""
        from simulator.demo import prepare_demo

        settings = get_settings()
        update = {"store": "sqlite", "sqlite_path": DEMO_DB, "api_host": host or settings.api_host,
                  "api_port": port or settings.api_port}
        served = prepare_demo(settings.model_copy(update=update), events=events, seed=seed, console=console)
        if serve:
            serve_api(served)


app = build()
register(app)
register_demo(app)
