"""From a file's bytes to the steps an import decides: the header matched to the kind's columns, each cell read,
each row's ``By`` (its recorded time and actor as ``importer/recorded.py`` rules, its provenance as correlation
id), the rows an earlier import of the same file wrote left out, and the steps grouped in chunks of rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from importer.columns import MissingValue, match_header
from importer.kinds import Kind, Refused, Row, Step
from importer.reading import UnreadableFile, read_table
from importer.recorded import NotRecordable, Recording
from importer.report import (CELL_WITHOUT_COLUMN, DUPLICATE_COLUMN, MISSING_COLUMN, ROWS_ON_ANOTHER_SHEET,
                             UNKNOWN_COLUMN, ImportResult, RowError, errors_of)
from ledger.errors import LedgerError
from ledger.provenance import imported_rows_id, row_correlation_id
from ledger.recording import By


@dataclass(frozen=True)
class Chunk:
    first_row: int
    last_row: int
    steps: list[Step]
    recorded_at: datetime  # of its ImportedRows record: the latest recorded time of its rows and the rows before


def prepare(app: Any, kind: Kind, data: bytes, result: ImportResult, recording: Recording, chunk_rows: int
             ) -> tuple[list[int], list[Chunk], dict[int, By]] | None:
    """The rows not imported before, as steps in chunks, and each row's ``By``; None if the file cannot be read.
    The parsed cells are dropped on return: the command values hold what is decided."""
    try:
        table = read_table(data)
    except UnreadableFile as exc:
        result.errors.append(RowError(1, "", exc.code, str(exc)))
        return None
    result.format, result.rows = table.format, len(table.rows)
    positions = _header(table.header, kind, result.errors)
    for sheet, header in table.other_sheets.items():
        if any(match_header(cell, kind.all_columns) for cell in header):
            result.errors.append(RowError(1, "", ROWS_ON_ANOTHER_SHEET, (
                f"sheet {sheet!r} is headed with {kind.name} columns too, but only the first sheet is read: put "
                "the rows on the first sheet, or import each sheet as a file of its own")))
    if result.errors:
        return None
    numbers = [number for number, _ in table.rows]
    done = result.already_imported = imported_prefix(app, result.sha256, numbers, result.refused_before)
    rows, by_row = _parse(table.rows[done:], positions, kind, result.sha256, recording, result.errors)
    steps: list[Step] = []
    for planned in kind.plan(rows, result.sha256):
        if isinstance(planned, Refused):
            result.errors.extend(errors_of(planned.row, planned.error, column_keys(kind), planned.column))
        else:
            steps.append(planned)
    result.decided = len(numbers) - done
    return numbers, _chunks(numbers[done:], steps, chunk_rows, by_row, recording.start()), by_row


def column_keys(kind: Kind) -> list[str]:
    return [c.key for c in kind.all_columns]


def _header(header: list[Any], kind: Kind, errors: list[RowError]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        column = match_header(cell, kind.all_columns)
        if column is None:
            errors.append(RowError(1, str(cell), UNKNOWN_COLUMN,
                                   f"{cell!r} is not a column of {kind.name} files ({kind.zh}): "
                                   f"{', '.join(c.header for c in kind.all_columns)}"))
        elif column.key in positions:
            errors.append(RowError(1, column.key, DUPLICATE_COLUMN, f"{column.key} appears twice in the header"))
        else:
            positions[column.key] = index
    for column in kind.all_columns:
        if column.required and column.key not in positions:
            errors.append(RowError(1, column.key, MISSING_COLUMN, f"{column.header} is required in the header"))
    return positions


# A register repeats most of its cells row after row (year, item, dates, amounts, categories): each column remembers
# what its texts parsed to, until it has seen this many different ones (then it is a column of unique numbers, and
# parses each cell as it comes). Only text cells are remembered: a spreadsheet's 1, 1.0 and True are equal keys
# that parse differently.
DISTINCT_CELLS = 512


def _parse(table_rows: list[tuple[int, list[Any]]], positions: dict[str, int], kind: Kind, sha256: str,
           recording: Recording, errors: list[RowError]) -> tuple[list[Row], dict[int, By]]:
    rows, by_row = [], {}
    # A column the header lacks reads as an empty cell at an index past every row's end.
    columns: list[tuple[str, Callable[[Any], Any], int, dict[str, Any]]] = [
        (c.key, c.value, positions.get(c.key, 1 << 30), {}) for c in kind.all_columns]
    # A cell under no header belongs to no column; dropped unseen it could hide half a value (5,000,000 unquoted
    # in a hand-edited CSV reads as 5 followed by two cells "000"), so its row is refused.
    end = max(positions.values(), default=-1) + 1
    taken = set(positions.values())
    unheaded = [i for i in range(end) if i not in taken]
    for number, cells in table_rows:
        values: dict[str, Any] = {}
        width = len(cells)
        ok = _headed(number, cells, unheaded, end, errors) if width > end or unheaded else True
        for key, value, index, seen in columns:
            cell = cells[index] if index < width else None
            if cell.__class__ is str and cell in seen:
                values[key] = seen[cell]
                continue
            try:
                values[key] = parsed = value(cell)
            except (LedgerError, MissingValue) as error:
                errors.append(RowError(number, key, error.code, error.detail))
                ok = False
                continue
            if cell.__class__ is str and len(seen) < DISTINCT_CELLS:
                seen[cell] = parsed
        if ok:
            try:
                by_row[number] = recording.by(values["recorded_at"], values["recorded_by"],
                                              row_correlation_id(sha256, number))
            except NotRecordable as refusal:
                errors.extend(RowError(number, column, code, message) for code, column, message in refusal.problems)
                ok = False
        rows.append(Row(number, values, ok))
    return rows, by_row


def _headed(number: int, cells: list[Any], unheaded: list[int], end: int, errors: list[RowError]) -> bool:
    stray = [i for i in (*unheaded, *range(end, len(cells))) if i < len(cells) and not _empty(cells[i])]
    for i in stray:
        letter = _letter(i)
        errors.append(RowError(number, letter, CELL_WITHOUT_COLUMN,
                               f"cell {letter}{number} holds {cells[i]!r} but column {letter} has no header: a value "
                               "with commas must be quoted in a CSV file (or the header names a column of the file)"))
    return not stray


def _letter(index: int) -> str:
    """A spreadsheet's name of the column at ``index`` (0: A, 26: AA): a clerk opens a CSV file in Excel too."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _chunks(numbers: list[int], steps: list[Step], size: int, by_row: dict[int, By], start: datetime
            ) -> list[Chunk]:
    chunks, i, recorded_at = [], 0, start
    for begin in range(0, len(numbers), size):
        end = min(begin + size, len(numbers))
        first, last = numbers[begin], numbers[end - 1]
        j = i
        while j < len(steps) and steps[j].row <= last:
            j += 1
        for number in numbers[begin:end]:
            by = by_row.get(number)
            if by is not None and by.at > recorded_at:
                recorded_at = by.at
        chunks.append(Chunk(first, last, steps[i:j], recorded_at))
        i = j
    return chunks


def imported_prefix(app: Any, sha256: str, numbers: list[int], refused: list[int] | None = None) -> int:
    """How many of the file's rows (from the first) earlier imports of it covered: their records chain by first row.
    ``refused``, if given, gets the rows of those that an earlier partial import refused (they are not retried)."""
    i = 0
    while i < len(numbers):
        try:
            record = app.repository.get(imported_rows_id(sha256, numbers[i]))
        except AggregateNotFoundError:
            break
        if refused is not None:
            refused.extend(record.refused_rows)
        while i < len(numbers) and numbers[i] <= record.last_row:
            i += 1
    return i
