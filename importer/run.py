"""Running an import: read the file, turn each row into command values, decide them by the ledger's rules, write.

A file is all or nothing by default. Up to ``ONE_TRANSACTION_ROWS`` rows it is decided once, chunk by chunk, what
was decided held (``importer/holding.py``: on PostgreSQL sent to the server as each chunk is sealed, into a
transaction left open; elsewhere in memory), and committed in one transaction only if no row was refused; a
longer file is first decided whole in a unit of work that is thrown away (the check), then decided again and
written in chunks. ``dry_run`` decides and writes nothing; ``partial`` writes the rows that pass, in chunks, and
reports the others (a re-import does not retry them).

Each chunk of rows is written with its ``ImportedRows`` record (``ledger/provenance.py``), whose id follows from the
file's SHA-256 and the chunk's first row: the same file imported again finds its records and changes nothing, and
an import interrupted between chunks continues where it stopped. Every event a row causes carries
``import:<sha256>:<row>`` as its correlation id and is recorded at ``now`` by the caller; only on a training store may
a row's ``recorded_at`` and ``recorded_by`` say otherwise (``importer/recorded.py``), and a chunk's record is then
recorded at its latest row's time, so that what the store knows stays in recorded order. Rows are decided through a
unit of work (``writer/unit_of_work.py``), as the simulator decides its commands, each chunk's aggregates read in one
round trip (``importer/preload.py``).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from importer.fewer_collections import fewer_collections, settled
from importer.holding import HoldingUnitOfWork
from importer.kinds import KINDS, Kind
from importer.plan import Chunk, column_keys, imported_prefix, prepare
from importer.preload import covered, preload
from importer.recorded import Recording
from importer.report import ImportResult, RowError, errors_of
from ledger.errors import LedgerError
from ledger.provenance import ImportedRows
from ledger.recording import By
from writer.unit_of_work import UnitOfWork
from writer.unit_of_work_scope import unit_of_work

CHUNK_ROWS = 2_000  # rows decided, sealed and (unless held) committed together
# Up to this many rows a file is decided once and committed in one transaction (the aggregates it decided stay in
# memory until then, and on SQLite the encoded events too); a longer one is decided twice: checked whole, then
# written in chunks of CHUNK_ROWS.
ONE_TRANSACTION_ROWS = 100_000
# When this share of a file's rows is left to decide, what is held moves into the events table (store/staged_insert.py
# StagedInsert.move_now): the server's move of the rest (~28 µs per claim row) takes about as long as deciding the
# last fifth in Python (~130 µs per row), so the two overlap instead of the import waiting for the move at the end.
EARLY_MOVE_SHARE = 0.2


class Progress:
    """What a run reports as it goes (the CLI draws a bar); this one reports nothing."""

    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


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
    with fewer_collections():
        return _run(app, kind_name, data, file_name=file_name, actor=actor, now=now, dry_run=dry_run,
                    partial=partial, progress=progress, chunk_rows=chunk_rows)


def _run(app: Any, kind_name: str, data: bytes, *, file_name: str, actor: str, now: datetime, dry_run: bool,
         partial: bool, progress: Progress | None, chunk_rows: int) -> ImportResult:
    if dry_run and partial:
        raise ValueError("a dry run decides every row: it cannot also be partial")
    kind = kind_named(kind_name)
    progress = progress or Progress()
    sha256 = hashlib.sha256(data).hexdigest()
    result = ImportResult(kind.name, file_name, sha256, dry_run=dry_run, partial=partial)
    prepared = prepare(app, kind, data, result, Recording(app, actor, now), chunk_rows)
    if prepared is None:
        return result
    numbers, chunks, by_row = prepared
    meta = {"sha256": sha256, "kind": kind.name, "file_name": file_name}
    marker_by = By(actor=actor, at=now, correlation_id=f"import:{sha256}")
    optimistic = True  # "absent unless the chunk's read found it" (importer/preload.py)
    if not (dry_run or partial or result.decided > ONE_TRANSACTION_ROWS):
        if _at_once(app, kind, chunks, by_row, result, progress, meta, marker_by, numbers):
            return result
        # The one commit failed, so nothing was written: another writer changed what this import read, or created
        # what it assumed absent. Check the whole file again with every check asking the store, then write.
        result.errors, optimistic = [], False
    if not partial:
        _decide(app, kind, chunks, by_row, result.errors, progress, write=None, optimistic=optimistic)
        if result.errors or dry_run:
            return result
    _write(app, kind, chunks, by_row, result, progress, meta, marker_by, numbers, optimistic=optimistic)
    return result


def _decide(app: Any, kind: Kind, chunks: list[Chunk], by_row: dict[int, By], errors: list[RowError],
            progress: Progress, *, write: Callable[[Any, Chunk, set[int]], None] | None,
            optimistic: bool = True, factory: type[UnitOfWork] = UnitOfWork) -> None:
    """Decide every chunk's steps in one unit of work; ``write(uow, chunk, refused_rows)`` stages and commits each
    chunk, else (the check) nothing is ever committed and the unit of work is discarded at the end."""
    phase = "checking" if write is None else "deciding" if factory is not UnitOfWork else "writing"
    progress.phase(phase, sum(len(c.steps) for c in chunks))
    keys = column_keys(kind)
    # The check keeps every aggregate it touched: nothing it decided is in the store, so nothing may be evicted.
    unbounded = write is None or factory is not UnitOfWork
    with unit_of_work(app, cache_size=1 << 62 if unbounded else 100_000, factory=factory) as uow:
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
                settled()
        finally:
            if write is None:
                uow.discard()


def _write(app: Any, kind: Kind, chunks: list[Chunk], by_row: dict[int, By], result: ImportResult,
           progress: Progress, meta: dict[str, Any], marker_by: By, numbers: list[int], *, optimistic: bool = True
           ) -> None:
    """Decide and commit chunk after chunk (each commit overlapping the next chunk's decisions). A commit that
    fails (another writer changed a record, or created one this import assumed absent) wrote nothing of its chunk:
    what is left is decided once more with every check on; a second failure stops the import, which a re-run
    continues."""
    def commit(uow: Any, chunk: Chunk, refused: set[int]) -> None:
        uow.save(_marker(marker_by, meta, numbers, chunk, refused))
        uow.flush(background=True)

    start = result.already_imported
    for attempt in (1, 2):
        try:
            _decide(app, kind, chunks, by_row, result.errors, progress, write=commit,
                    optimistic=optimistic and attempt == 1)
            break
        except LedgerError:
            raise
        except Exception as failure:  # noqa: BLE001 - a failed commit: nothing of its chunk was written
            done = imported_prefix(app, result.sha256, numbers)
            first_left = numbers[done] if done < len(numbers) else None
            chunks = [c for c in chunks if first_left is not None and c.first_row >= first_left]
            result.errors = [e for e in result.errors if first_left is None or e.row < first_left]
            if attempt == 2 or not chunks:
                result.written = _written(result, numbers, done, start)
                raise ImportInterrupted(
                    f"the import stopped after row {numbers[done - 1] if done else 1}: {failure}; rows up to there "
                    "are written; import the same file again to continue") from failure
    result.written = _written(result, numbers, len(numbers), start)


def _at_once(app: Any, kind: Kind, chunks: list[Chunk], by_row: dict[int, By], result: ImportResult,
             progress: Progress, meta: dict[str, Any], marker_by: By, numbers: list[int]) -> bool:
    """Decide every row once, holding what is decided; if none is refused, commit it all in one transaction.
    False: the commit failed (nothing was written)."""
    held: list[HoldingUnitOfWork] = []
    total, decided = sum(len(c.steps) for c in chunks), [0]

    def hold(uow: Any, chunk: Chunk, refused: set[int]) -> None:
        held[:] = [uow]
        if not result.errors:
            uow.save(_marker(marker_by, meta, numbers, chunk, refused))
        # After a refusal nothing will be written: keep deciding, to report every row, but hold nothing.
        uow.hold(keep=not result.errors)
        decided[0] += len(chunk.steps)
        if not result.errors and total - decided[0] <= EARLY_MOVE_SHARE * total:
            uow.move_early()  # once; the server moves what is held while the last rows are decided

    try:
        _decide(app, kind, chunks, by_row, result.errors, progress, write=hold, factory=HoldingUnitOfWork)
    except BaseException:
        if held:
            held[0].discard()  # what it holds may be a transaction open on the server
        raise
    if result.errors or not held:
        return True
    progress.phase("committing", 1)
    try:
        held[0].commit_held()
    except LedgerError:
        raise
    except Exception:  # noqa: BLE001 - a failed commit wrote nothing; the caller decides again, every check on
        return False
    finally:
        held[0].discard()
    progress.advance()
    result.written = _written(result, numbers, len(numbers), result.already_imported)
    return True


def _marker(by: By, meta: dict[str, Any], numbers: list[int], chunk: Chunk, refused: set[int]) -> ImportedRows:
    return ImportedRows.record(replace(by, at=chunk.recorded_at), first_row=chunk.first_row, last_row=chunk.last_row,
                               written_rows=_rows_in(numbers, chunk) - len(refused), refused_rows=sorted(refused),
                               **meta)


def _rows_in(numbers: list[int], chunk: Chunk) -> int:
    return bisect_right(numbers, chunk.last_row) - bisect_left(numbers, chunk.first_row)


def _written(result: ImportResult, numbers: list[int], done: int, start: int) -> int:
    refused = {e.row for e in result.errors}
    return sum(1 for n in numbers[start:done] if n not in refused)
