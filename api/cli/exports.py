"""`voucher-ledger export | replay`: every figure as of a time to CSV and XLSX, and projections rebuilt as known at T.

Both show a progress bar, and both can be interrupted (Ctrl-C) and re-run with the same arguments to go on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from api.cli.paths import output_folder
from api.cli.projections import _events_bar
from api.cli.times import parse_as_of, parse_moment
from store.settings import get_settings
from store.opening import open_ledger
from projections.times import to_us

console = Console()
TIME_HELP = "ISO-8601 time with offset, e.g. 2020-12-31T23:59:59+08:00"


class Language(StrEnum):
    zh = "zh"
    en = "en"


def _time(text: str | None, what: str, parse: Callable[[str | None, str], datetime | None] = parse_as_of) -> int | None:
    """An as-of or known-at time (a future one refused, as the API does); ``parse_moment`` for ``--until``."""
    moment = parse(text, what)
    return None if moment is None else to_us(moment)


def register(app: typer.Typer) -> None:
    @app.command()
    def export(
        out: Path = typer.Argument(..., help="directory to write into (created in a folder that exists; re-run with "
                                             "it to resume)"),
        as_of: str = typer.Option(None, help=f"figures as of this time (default now); {TIME_HELP}"),
        known_at: str = typer.Option(None, help="as known at this time (default now, fixed at the first run)"),
        force: bool = typer.Option(False, help="start again even if the directory holds a finished export"),
        lang: Language = typer.Option(None, "--lang", help="zh: Chinese headers, sheet and city names (the default "
                                                           "for a new export); en: the column keys, English names"),
    ) -> None:
        """Write the events, the audit trail and every figure as of a time to CSV and XLSX, with a manifest."""
        from audit.export import ExportMismatchError
        from audit.export import export as run_export

        output_folder(out, "OUT")  # a file there, or a missing folder above it: one line, not a traceback
        as_of_us = _time(as_of, "--as-of")  # None: now, or the pinned time of the export being resumed
        settings = get_settings()
        ledger = open_ledger(settings)
        try:
            result = run_export(ledger, settings, out, as_of_us=as_of_us, known_at_us=_time(known_at, "--known-at"),
                                lang=lang and lang.value, force=force, bar=_events_bar)
        except ExportMismatchError as e:
            console.print(f"[red]{e}[/]")
            raise typer.Exit(2) from None
        finally:
            ledger.close()
        m = result.manifest
        done = ("already exported (pass --force to do it again)" if result.already_done
                else "resumed and finished" if result.resumed else "exported")
        console.print(f"{done}: {m['event_count']:,} events "
                      f"(last position {m['last_position']:,}), {m['audit_trail_rows']:,} audit-trail rows, "
                      f"figures as of {m['as_of']} known at {m['known_at']}, headed in "
                      f"{'Chinese' if m['lang'] == 'zh' else 'English'} → {out}")

    @app.command()
    def replay(
        until: str = typer.Option(..., help=f"replay the events recorded at or before this time; {TIME_HELP}"),
        target: str = typer.Option(None, help="PostgreSQL schema or SQLite file to build into "
                                              "(default: <schema>_replay or <file>.replay.sqlite3)"),
        fresh: bool = typer.Option(False, help="empty the target first (otherwise a replay there goes on)"),
    ) -> None:
        """Rebuild every projection from the events recorded at or before --until into a separate store."""
        from audit.replay import ReplayTargetError
        from audit.replay import replay as run_replay

        until_us = _time(until, "--until", parse_moment)
        settings = get_settings()
        ledger = open_ledger(settings)
        try:
            total = ledger.recorder.max_notification_id() or 0
            with _events_bar(total, f"replay until {until}") as advance:
                report = run_replay(ledger, settings, until_us, target=target, fresh=fresh, progress=advance)
        except ReplayTargetError as e:
            console.print(f"[red]{e}[/]")
            raise typer.Exit(2) from None
        finally:
            ledger.close()
        console.print(f"{report.target}: {report.applied:,} of {report.read:,} events read were recorded by {until} "
                      f"and applied; position {report.position:,}")
