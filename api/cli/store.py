"""`voucher-ledger config | events`: the configured store's settings and its latest events."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from api.cli.options import limit_option
from store.opening import open_ledger
from store.settings import get_settings

console = Console()


def register(app: typer.Typer) -> None:
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
    def events(limit: int = limit_option(20, "how many of the latest events")) -> None:
        """List the latest events of the configured store, in global order."""
        ledger = open_ledger()
        try:
            last = ledger.recorder.max_notification_id() or 0
            start = max(1, last - limit + 1)
            for n in ledger.recorder.select_notifications(start, limit):
                console.print(f"{n.id:>8}  {n.topic}")
        finally:
            ledger.close()
