"""`voucher-ledger trial-balance`: the double-entry journal's trial balance as of a time, known at a time."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from api.cli.queries import ask_read_models
from api.cli.commanding import service_now
from api.cli.times import parse_as_of
from ledger.errors import LedgerError
from ledger.fiscal_time import shanghai_text
from ledger.money import yuan_text
from ledger.parties import check_city

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("trial-balance")
    def trial_balance_command(
        as_of: str = typer.Option(None, "--as-of", help="effective time, ISO-8601 with offset (default now)"),
        known_at: str = typer.Option(None, "--known-at", help="only what was recorded by then (default: known now)"),
        city: str = typer.Option(None, help="one city (GB/T 2260 code, e.g. 440600)"),
        year: int = typer.Option(None, help="one programme year"),
    ) -> None:
        """The journal's trial balance: every account's debits, credits and balance; exit 1 unless it sums to 0."""
        at = parse_as_of(as_of, "--as-of") or service_now()
        known = parse_as_of(known_at, "--known-at")
        if city is not None:
            try:
                city = check_city(city)
            except LedgerError as exc:
                console.print(f"[red]--city {city}[/]: {exc}")
                raise typer.Exit(2) from None
        result = ask_read_models(lambda read: read.trial_balance(at, known, city=city, programme_year=year))
        scope = ", ".join(filter(None, (f"city {city}" if city else "", f"programme year {year}" if year else "")))
        table = Table(title=f"trial balance as of {shanghai_text(at)}, known at {shanghai_text(known) if known else 'now'}"
                            + (f" ({scope})" if scope else ""))
        for column in ("account", "debit (yuan)", "credit (yuan)", "balance (yuan)", "balance (fen)",
                       "province (fen)", "city (fen)"):
            table.add_column(column, justify="left" if column == "account" else "right")
        for line in result["accounts"]:
            table.add_row(line["account"], yuan_text(line["debit_fen"]), yuan_text(line["credit_fen"]), yuan_text(line["balance_fen"]),
                          f"{line['balance_fen']:,}", f"{line['province_balance_fen']:,}",
                          f"{line['city_balance_fen']:,}")
        totals = result["totals"]
        table.add_row("TOTAL", yuan_text(totals["debit_fen"]), yuan_text(totals["credit_fen"]), yuan_text(totals["balance_fen"]),
                      f"{totals['balance_fen']:,}", f"{totals['province_balance_fen']:,}",
                      f"{totals['city_balance_fen']:,}", style="bold")
        console.print(table)
        if not result["balanced"]:
            console.print("[red]the journal does not balance[/]: debits differ from credits")
            raise typer.Exit(1)
        console.print("[green]balanced[/]: debits equal credits, in total and per fund source")
