"""Provenance of imported rows: the record that a run of rows of one file was written, saved with them.

An import (``importer/``) commits a file's rows in chunks; each chunk's transaction also creates one ``ImportedRows``
record whose id follows from the file's SHA-256 and the chunk's first row. Importing the same file again finds the
record and skips the rows it covers, so a repeat changes nothing; a second creation of the same id (two imports of
one file at once) is refused by the store's unique index in the transaction that would have written the rows twice.
Every event the rows themselves caused carries ``import:<sha256>:<row>`` as its correlation id.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from ledger.ids import NAMESPACE
from ledger.recording import By, LedgerAggregate


def imported_rows_id(sha256: str, first_row: int) -> UUID:
    return uuid5(NAMESPACE, f"imported-rows|{sha256}|{first_row}")


def row_correlation_id(sha256: str, row: int) -> str:
    """The correlation id of every event caused by one row of an imported file: the row's identity."""
    return f"import:{sha256}:{row}"


class ImportedRows(LedgerAggregate):
    read_after_write = False  # written once; a later import reads it from the store

    class Recorded(LedgerAggregate.Created):
        sha256: str  # of the file's bytes
        kind: str  # what the rows were (enterprises, claims, ...)
        file_name: str
        first_row: int  # spreadsheet row numbers (the header is row 1), inclusive
        last_row: int
        written_rows: int  # rows whose commands were recorded
        refused_rows: list[int]  # rows decided and refused (written only when the import allowed partial files)

        def apply(self, record: ImportedRows) -> None:
            record.sha256, record.kind, record.file_name = self.sha256, self.kind, self.file_name
            record.first_row, record.last_row = self.first_row, self.last_row
            record.written_rows, record.refused_rows = self.written_rows, list(self.refused_rows)

    @classmethod
    def record(cls, by: By, *, sha256: str, kind: str, file_name: str, first_row: int, last_row: int,
               written_rows: int, refused_rows: list[int]) -> ImportedRows:
        return cls._start(cls.Recorded, imported_rows_id(sha256, first_row), by, sha256=sha256, kind=kind,
                          file_name=file_name, first_row=first_row, last_row=last_row, written_rows=written_rows,
                          refused_rows=list(refused_rows))
