"""`voucher-ledger import KIND FILE` and `voucher-ledger import --template KIND`: the province's registers from
spreadsheets (``importer/``), with a progress bar and a row-level error report as CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from importer.kinds import KINDS
from importer.report import as_csv, refusal_sentence, report_paths, write_reports
from importer.run import ImportInterrupted, kind_named, run_import
from importer.templates import template_csv, template_xlsx
from api.cli.commanding import opened_on_service_clock
from api.cli.paths import output_file

console = Console(stderr=True)

HELP = (
    "Import a register: each row becomes a command of the ledger, decided by its rules.\n\n"
    f"KIND is one of: {', '.join(KINDS)}. FILE is CSV (UTF-8 or GB18030) or XLSX (its first sheet); its header "
    "names the columns in Chinese or English, as `voucher-ledger import --template KIND` writes them.\n\n"
    "A file is all or nothing: every row is decided first, and if any row is refused nothing is written and each "
    "refusal is listed in FILE.errors.csv and FILE.errors.xlsx (row, column, code, problem in Chinese, message; a "
    "run in which every row passes removes an earlier run's). --dry-run stops after deciding; --partial writes the "
    "rows that pass and reports the others.\n\n"
    "Importing the same file again changes nothing: each row's identity is the file's SHA-256 and its row number, "
    "kept in its events' correlation id import:<sha256>:<row>. A row is recorded now (the service clock) by --actor. "
    "Only a training store takes a row's recorded_at and recorded_by (a register exported from one, loaded again), "
    "between the store's latest recorded time and now, in file order; elsewhere a row that fills them is refused."
)


class _Bar:
    def __init__(self, progress: Progress) -> None:
        self.progress, self.task = progress, None

    def phase(self, name: str, total: int) -> None:
        label = {"checking": "checking every row", "deciding": "deciding every row", "writing": "writing",
                 "committing": "committing"}.get(name, name)
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.task = self.progress.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)


def _write_template(kind: str, out: Path | None) -> None:
    spec = kind_named(kind)
    path = output_file(out or Path(f"{kind}.xlsx"), "--out")
    path.write_bytes(template_csv(spec) if path.suffix.lower() == ".csv" else template_xlsx(spec))
    console.print(f"template for {kind} ({spec.zh}: {spec.summary}) written to {path}")


def register(app: typer.Typer) -> None:
    @app.command("import", help=HELP)
    def import_file(
        kind: str = typer.Argument(None, help=f"one of: {', '.join(KINDS)}"),
        file: Path = typer.Argument(None, exists=True, dir_okay=False, help="the CSV or XLSX file"),
        template: str = typer.Option(None, "--template", metavar="KIND", help="write a blank template of KIND"),
        out: Path = typer.Option(None, "--out", help="where --template writes (.xlsx or .csv; default KIND.xlsx)"),
        dry_run: bool = typer.Option(False, "--dry-run", help="decide every row and write nothing"),
        partial: bool = typer.Option(False, "--partial", help="write the rows that pass; report the others"),
        report: Path = typer.Option(None, "--report", help="stem of the error reports (default: FILE)"),
        actor: str = typer.Option("province:import", help="who records the rows (the province or one of its offices)"),
    ) -> None:
        try:
            if template is not None:
                _write_template(template, out)
                return
            if kind is None or file is None:
                console.print("[red]give KIND and FILE[/] (or --template KIND); see --help")
                raise typer.Exit(2)
            kind_named(kind)
        except ValueError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
        if actor.split(":", 1)[0] != "province":  # as over HTTP: only the province imports
            console.print(f"[red]--actor {actor}[/]: only the province (province or province:<office>) imports")
            raise typer.Exit(2)
        if dry_run and partial:
            console.print("[red]--dry-run decides every row: it cannot also be --partial[/]")
            raise typer.Exit(2)
        # Before any row is written: with --partial the good rows would be in, and the report of the others lost.
        for path in report_paths(report or file):
            output_file(path, "--report" if report else "error report", "" if report else " (--report STEM puts it "
                        "elsewhere)")
        ledger, clock = opened_on_service_clock()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn())
        try:
            with Progress(*columns, console=console) as progress:
                result = run_import(ledger, kind, file.read_bytes(), file_name=file.name, actor=actor,
                                    now=clock.now(), dry_run=dry_run, partial=partial, progress=_Bar(progress))
        except ImportInterrupted as exc:
            console.print(f"[red]{exc.code}[/]: {exc}")
            raise typer.Exit(1) from None
        finally:
            ledger.close()
        summary = result.summary()
        console.print_json(data=summary)
        if result.errors:
            try:
                csv_path, xlsx_path = write_reports(result.errors, report or file)
            except OSError as exc:  # checked writable above, yet it failed (a full disk): the refusals are not lost
                console.print(f"[red]cannot write the error report ({exc})[/]; the refused rows:")
                console.out(as_csv(result.errors).decode("utf-8-sig"), highlight=False)
                raise typer.Exit(1) from None
            console.print(f"[red]{refusal_sentence(result)}[/]: see {csv_path} and {xlsx_path}")
            raise typer.Exit(1)
        if not result.refused_before:
            # Every row passed: a report left beside the file by an earlier run (before it was corrected) would say
            # rows were refused and nothing written, of a file now imported.
            for path in report_paths(report or file):
                path.unlink(missing_ok=True)
        if result.already_imported == result.rows and result.rows:
            console.print("this file was imported before: nothing changed")
            if result.refused_before:
                console.print(f"[yellow]{len(result.refused_before)} row(s) of it were refused then and not written "
                              f"(rows {', '.join(map(str, result.refused_before[:20]))}"
                              f"{', …' if len(result.refused_before) > 20 else ''}): correct them in a new file")
