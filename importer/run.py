"""Running an import: read the file, turn each row into command values, decide them by the ledger's rules, write.

A file is all or nothing by default: every row is decided first in a unit of work that is then thrown away (the
check), and only if no row is refused are the rows decided again and written. ``dry_run`` stops after the check;
``partial`` skips it and writes the rows that pass, reporting the others (they are not retried by a re-import).

Rows are written in chunks through a unit of work (``writer/unit_of_work.py``), each chunk in one transaction with
its ``ImportedRows`` record (``ledger/provenance.py``), whose id follows from the file's SHA-256 and the chunk's
first row. So the same file imported again finds its records and changes nothing, and an import interrupted between
chunks continues where it stopped. Every event a row causes carries ``import:<sha256>:<row>`` as its correlation
id, and is recorded at the row's ``recorded_at`` (the source system's time) when the file has one, else at ``now``.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from importer.columns import Column, MissingValue, match_header
from importer.kinds import KINDS, Kind, Refused, Row, Step
from importer.preload import covered, preload
from importer.reading import UnreadableFile, read_table
from importer.report import RowError, errors_of
from ledger.errors import LedgerError
from ledger.provenance import ImportedRows, imported_rows_id, row_correlation_id
from ledger.recording import By
from writer.unit_of_work_scope import unit_of_work

CHUNK_ROWS = 2_000  # rows per transaction: large enough to amortise a commit, small enough to keep memory flat


class Progress:
    """What a run reports as it goes (the CLI draws a bar); this one reports nothing."""

    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    format: str = ""
    rows: int = 0  # data rows in the file
    already_imported: int = 0  # rows an earlier import of this file wrote: skipped
    decided: int = 0  # rows decided by this run
    written: int = 0  # rows written by this run
    dry_run: bool = False
    partial: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> dict[str, Any]:
        return {"kind": self.kind, "file_name": self.file_name, "sha256": self.sha256, "format": self.format,
                "rows": self.rows, "already_imported": self.already_imported, "decided": self.decided,
                "written": self.written, "refused_rows": self.refused_rows, "dry_run": self.dry_run,
                "partial": self.partial}


@dataclass(frozen=True)
class _Chunk:
    first_row: int
    last_row: int
    steps: list[Step]


class ImportInterrupted(RuntimeError):
    code = "IMPORT_INTERRUPTED"


def kind_named(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown import kind {name!r}; one of: {', '.join(KINDS)}") from None


def run_import(app: Any, kind_name: str, data: bytes, *, file_name: str, actor: str, now: datetime,
               dry_run: bool = False, partial: bool = False, progress: Progress | None = None,
               chunk_rows: int = CHUNK_ROWS) -> ImportResult:
    kind = kind_named(kind_name)
    progress = progress or Progress()
    sha256 = hashlib.sha256(data).hexdigest()
    result = ImportResult(kind.name, file_name, sha256, dry_run=dry_run, partial=partial)
    try:
        table = read_table(data)
    except UnreadableFile as exc:
        result.errors.append(RowError(1, "", exc.code, str(exc)))
        return result
    result.format, result.rows = table.format, len(table.rows)
    positions = _header(table.header, kind, result.errors)
    if result.errors:
        return result
    numbers = [number for number, _ in table.rows]
    done = _imported_prefix(app, sha256, numbers)
    result.already_imported = done
    rows, by_row = _parse(table.rows[done:], positions, kind, sha256, actor, now, result.errors)
    steps: list[Step] = []
    for planned in kind.plan(rows, sha256):
        if isinstance(planned, Refused):
            result.errors.extend(errors_of(planned.row, planned.error, _keys(kind), planned.column))
        else:
            steps.append(planned)
    chunks = _chunks(numbers[done:], steps, chunk_rows)
    result.decided = len(numbers) - done
    if not partial:
        _decide(app, kind, chunks, by_row, result.errors, progress, write=None)
        if result.errors or dry_run:
            return result
    elif dry_run:
        raise ValueError("a dry run decides every row: it cannot also be partial")
    meta = {"sha256": sha256, "kind": kind.name, "file_name": file_name}
    marker_by = By(actor=actor, at=now, correlation_id=f"import:{sha256}")
    _write(app, kind, chunks, by_row, result, progress, meta, marker_by, numbers)
    return result


def _keys(kind: Kind) -> list[str]:
    return [c.key for c in kind.all_columns]


def _header(header: list[Any], kind: Kind, errors: list[RowError]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        column = match_header(cell, kind.all_columns)
        if column is None:
            errors.append(RowError(1, str(cell), "UNKNOWN_COLUMN",
                                   f"{cell!r} is not a column of {kind.name} files: {', '.join(_keys(kind))}"))
        elif column.key in positions:
            errors.append(RowError(1, column.key, "DUPLICATE_COLUMN", f"{column.key} appears twice in the header"))
        else:
            positions[column.key] = index
    for column in kind.all_columns:
        if column.required and column.key not in positions:
            errors.append(RowError(1, column.key, "MISSING_COLUMN", f"{column.header} is required in the header"))
    return positions


def _parse(table_rows: list[tuple[int, list[Any]]], positions: dict[str, int], kind: Kind, sha256: str, actor: str,
           now: datetime, errors: list[RowError]) -> tuple[list[Row], dict[int, By]]:
    rows, by_row = [], {}
    columns: list[tuple[Column, int | None]] = [(c, positions.get(c.key)) for c in kind.all_columns]
    for number, cells in table_rows:
        values: dict[str, Any] = {}
        ok = True
        for column, index in columns:
            cell = cells[index] if index is not None and index < len(cells) else None
            try:
                values[column.key] = column.value(cell)
            except (LedgerError, MissingValue) as error:
                errors.append(RowError(number, column.key, error.code, error.detail))
                ok = False
        if ok:
            by_row[number] = By(actor=values["recorded_by"] or actor, at=values["recorded_at"] or now,
                                correlation_id=row_correlation_id(sha256, number))
        rows.append(Row(number, values, ok))
    return rows, by_row


def _chunks(numbers: list[int], steps: list[Step], size: int) -> list[_Chunk]:
    chunks, i = [], 0
    for start in range(0, len(numbers), size):
        first, last = numbers[start], numbers[min(start + size, len(numbers)) - 1]
        j = i
        while j < len(steps) and steps[j].row <= last:
            j += 1
        chunks.append(_Chunk(first, last, steps[i:j]))
        i = j
    return chunks


def _imported_prefix(app: Any, sha256: str, numbers: list[int]) -> int:
    """How many of the file's rows (from the first) earlier imports of it wrote: their records chain by first row."""
    i = 0
    while i < len(numbers):
        try:
            record = app.repository.get(imported_rows_id(sha256, numbers[i]))
        except AggregateNotFoundError:
            break
        while i < len(numbers) and numbers[i] <= record.last_row:
            i += 1
    return i


def _decide(app: Any, kind: Kind, chunks: list[_Chunk], by_row: dict[int, By], errors: list[RowError],
            progress: Progress, *, write: Callable[[Any, _Chunk, set[int]], None] | None,
            optimistic: bool = True) -> None:
    """Decide every chunk's steps in one unit of work; ``write(uow, chunk, refused_rows)`` stages and commits each
    chunk, else (the check) nothing is ever committed and the unit of work is discarded at the end."""
    progress.phase("writing" if write else "checking", sum(len(c.steps) for c in chunks))
    keys = _keys(kind)
    # The check keeps every aggregate it touched: nothing it decided is in the store, so nothing may be evicted.
    with unit_of_work(app, cache_size=100_000 if write else 1 << 62) as uow:
        if write is None:
            uow.encode_staged = lambda: None  # type: ignore[method-assign]  # never stored: encoding is wasted
        try:
            for chunk in chunks:
                preload(app, uow, [step.command for step in chunk.steps])
                refused: set[int] = set()
                for step in chunk.steps:
                    if step.row in refused:
                        progress.advance()
                        continue  # a row whose earlier step was refused goes no further
                    uow.optimistic_creates = optimistic and covered(step.command)
                    try:
                        uow.run(lambda s=step: app.handle(s.command, by_row[s.row]))
                    except LedgerError as error:
                        errors.extend(errors_of(step.row, error, keys))
                        refused.add(step.row)
                    progress.advance()
                if write is not None:
                    write(uow, chunk, refused)
        finally:
            if write is None:
                uow.discard()


def _write(app: Any, kind: Kind, chunks: list[_Chunk], by_row: dict[int, By], result: ImportResult,
           progress: Progress, meta: dict[str, Any], marker_by: By, numbers: list[int]) -> None:
    """Decide and commit chunk after chunk (each commit overlapping the next chunk's decisions). A commit that
    fails (another writer changed a record, or created one this import assumed absent) wrote nothing of its chunk:
    what is left is decided once more with every check on; a second failure stops the import, which a re-run
    continues."""
    def commit(uow: Any, chunk: _Chunk, refused: set[int]) -> None:
        uow.save(ImportedRows.record(marker_by, first_row=chunk.first_row, last_row=chunk.last_row,
                                     written_rows=_rows_in(numbers, chunk) - len(refused),
                                     refused_rows=sorted(refused), **meta))
        uow.flush(background=True)

    start = result.already_imported
    for attempt in (1, 2):
        try:
            _decide(app, kind, chunks, by_row, result.errors, progress, write=commit, optimistic=attempt == 1)
            break
        except LedgerError:
            raise
        except Exception as failure:  # noqa: BLE001 - a failed commit: nothing of its chunk was written
            done = _imported_prefix(app, result.sha256, numbers)
            first_left = numbers[done] if done < len(numbers) else None
            chunks = [c for c in chunks if first_left is not None and c.first_row >= first_left]
            result.errors = [e for e in result.errors if first_left is None or e.row < first_left]
            if attempt == 2 or not chunks:
                result.written = _written(result, numbers, done, start)
                raise ImportInterrupted(
                    f"the import stopped after row {numbers[done - 1] if done else 1}: {failure}; rows up to there "
                    "are written; import the same file again to continue") from failure
    result.written = _written(result, numbers, len(numbers), start)


def _rows_in(numbers: list[int], chunk: _Chunk) -> int:
    return bisect_right(numbers, chunk.last_row) - bisect_left(numbers, chunk.first_row)


def _written(result: ImportResult, numbers: list[int], done: int, start: int) -> int:
    refused = {e.row for e in result.errors}
    return sum(1 for n in numbers[start:done] if n not in refused)
