"""`voucher-ledger migrate | rebuild | check | follow`: operating the read models (projections)."""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from api.http import log_format
from store.settings import Settings, get_settings
from store.opening import open_ledger
from projections.runner import PROJECTIONS

console = Console()
errors = Console(stderr=True)
NAMES_HELP = f"projections to act on (default: all of {', '.join(PROJECTIONS)})"


def _names(names: list[str] | None) -> list[str]:
    unknown = sorted(set(names or ()) - set(PROJECTIONS))
    if unknown:
        console.print(f"[red]unknown projection(s) {', '.join(unknown)}[/]; known: {', '.join(PROJECTIONS)}")
        raise typer.Exit(2)
    return list(names or PROJECTIONS)


def _last_position(settings: Settings) -> int | None:
    """The ledger's last position (a progress bar's length), or None while the database is unavailable."""
    from store.availability import store_unavailable

    try:
        ledger = open_ledger(settings)
        try:
            return ledger.recorder.max_notification_id() or 0
        finally:
            ledger.close()
    except Exception as exc:
        if store_unavailable(exc):
            return None
        raise


@contextmanager
def _events_bar(total: int | None, label: str, *, to: Console = console) -> Iterator:
    """A bar of ``total`` events; ``to=errors`` keeps a command's standard output for its answer alone."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=to) as progress:
        task = progress.add_task(label, total=total, rate="")
        unit = "figures" if label == "figures" else "events"  # an export's figures step counts figures, not events

        def advance(count: int) -> None:
            state = progress.tasks[0]
            per_s = state.completed / max(state.elapsed or 1e-9, 1e-9)
            progress.update(task, advance=count, rate=f"{per_s:,.0f} {unit}/s")

        yield advance


@contextmanager
def _bars(names: list[str], total: int) -> Iterator:
    """One progress bar per projection; ``advance(name, events)`` is called from the parent as workers report."""
    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        tasks = {name: progress.add_task(name, total=total) for name in names}
        yield lambda name, events: progress.update(tasks[name], advance=events)


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate() -> None:
        """Create what is missing (the event tables, every projection's tracking table) and apply the pending
        read-model migrations (migrations/NNNN_*.sql), in order, and record them: the owner's step before a service
        role is granted the tables (deploy/postgres/roles.sql)."""
        from projections.bulk_load import restore_indexes
        from store.migrations import apply_migrations
        from store.opening import open_ledger
        from projections.runner import close_projections, open_projections

        settings = get_settings()
        open_ledger(settings).close()
        projections = open_projections(settings, migrate=False)
        try:
            done = apply_migrations(projections[0].view)
            restored = restore_indexes(projections[0].view)
        finally:
            close_projections(projections)
        for m in done:
            console.print(f"applied {m.version:04d}_{m.name}")
        if restored:
            console.print(f"restored {restored} index(es) that an interrupted rebuild had dropped")
        console.print(f"{settings.describe_store()}: read models up to date ({len(done)} applied now)")

    @app.command()
    def rebuild(names: list[str] = typer.Argument(None, help=NAMES_HELP),
                processes: bool = typer.Option(None, help="one process per core, the projections dealt among them "
                                               "(default on PostgreSQL, off on SQLite, whose one writer they would "
                                               "queue on)")
                ) -> None:
        """Empty the projections and rebuild them from the first event, in batches, with a progress bar."""
        from projections.parallel import rebuild_in_processes

        settings = get_settings()
        if processes is None:
            processes = settings.store == "postgres"
        chosen = _names(names)
        ledger = open_ledger(settings)
        total = ledger.recorder.max_notification_id() or 0
        ledger.close()
        if processes and len(chosen) > 1:
            with _bars(chosen, total) as advance:
                outcomes = rebuild_in_processes(settings, chosen, progress=advance)
            failed = [o for o in outcomes if o.error]
            for o in failed:
                console.print(f"[red]{o.name} failed[/]: {o.error}")
            if failed:
                raise typer.Exit(1)
            workers = len({o.process for o in outcomes})
            console.print(f"rebuilt {', '.join(chosen)} in {workers} process{'es' if workers > 1 else ''}")
            return
        from projections.runner import close_projections, open_projections
        from projections.runner import rebuild as run_rebuild

        ledger = open_ledger(settings)
        projections = open_projections(settings, chosen)
        try:
            with _events_bar(total, "rebuild") as advance:
                read = run_rebuild(ledger, projections, progress=advance)
            console.print(f"rebuilt {', '.join(p.name for p in projections)} from {read:,} events")
        finally:
            close_projections(projections)
            ledger.close()

    @app.command()
    def check(names: list[str] = typer.Argument(None, help=NAMES_HELP)) -> None:
        """Rebuild into scratch tables and list every row that differs from the live views (exit 1 if any)."""
        from projections.check import check as run_check

        settings = get_settings()
        ledger = open_ledger(settings)
        try:
            total = ledger.recorder.max_notification_id() or 0
            with _events_bar(total, "rebuild into scratch") as advance:
                differences = run_check(ledger, settings, _names(names), progress=advance)
        finally:
            ledger.close()
        if not differences:
            console.print("[green]no difference[/]: every live table equals its rebuild from zero")
            return
        table = Table(title="live views that differ from a rebuild")
        for column in ("table", "rows only live", "rows only rebuilt", "example"):
            table.add_column(column)
        for d in differences:
            side, row = d.examples[0]
            table.add_row(d.table, f"{d.only_live:,}", f"{d.only_rebuilt:,}", f"{side}: {row}")
        console.print(table)
        raise typer.Exit(1)

    @app.command()
    def follow(name: str = typer.Argument(..., help=f"one of {', '.join(PROJECTIONS)}: run one worker per process")) -> None:
        """Run one projection worker: catch up in batches, then keep up until interrupted (Ctrl-C or SIGTERM).

        Database outages are waited out (retries logged to stderr); any other error stops it with exit code 1."""
        from projections.worker import follow as run_follow

        [name] = _names([name])
        settings = get_settings()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        if not log_format.human(settings.log_format, sys.stdout):  # under a supervisor: JSON lines, as the API's
            _follow_logging_json(settings, name, stop)
            return
        try:
            with _events_bar(_last_position(settings), f"{name}: catching up") as advance:
                run_follow(settings, name, stop=stop, progress=advance,
                           on_caught_up=lambda n: console.print(f"{name}: caught up ({n:,} events); keeping up"))
        except Exception as exc:
            traceback.print_exc()
            errors.print(f"{name}: stopped by {type(exc).__name__}: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        console.print(f"{name}: stopped")


def _follow_logging_json(settings: Settings, name: str, stop: threading.Event) -> None:
    """`follow` with one JSON object a line: progress on stdout, retries and the reason it stopped on stderr."""
    from projections.worker import follow as run_follow

    log_format.configure(settings.log_format)  # the store's own log records, as JSON lines too
    out = log_format.stream_logger(settings.log_format, sys.stdout, projection=name)
    err = log_format.stream_logger(settings.log_format, sys.stderr, projection=name)
    try:
        run_follow(settings, name, stop=stop, log=lambda line: err.warning("database unavailable", detail=line),
                   on_caught_up=lambda n: out.info("caught up; keeping up", events=n))
    except Exception as exc:
        err.error("stopped by an error", error=f"{type(exc).__name__}: {exc}", exc_info=True)
        raise typer.Exit(1) from None
    out.info("stopped")
