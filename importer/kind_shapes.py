"""The shape of an import kind: its columns, and the plan that turns its rows into steps (command values); a kind
whose rows are each one command plans with :func:`each_row`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from importer.columns import PROVENANCE_COLUMNS, Column
from ledger.commands.values import Command
from ledger.errors import LedgerError


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet's row number: the header is row 1
    values: dict[str, Any]
    ok: bool = True  # False: a cell could not be read (reported); the row becomes no command


@dataclass(frozen=True)
class Step:
    row: int
    command: Command


@dataclass(frozen=True)
class Refused:
    row: int
    error: Any  # a LedgerError (or the import's own MissingValue): code, detail, violations
    column: str | None = None  # the column the error names, when the plan knows it better than the code does


Planned = Step | Refused
Plan = Callable[[list[Row], str], Iterator[Planned]]


@dataclass(frozen=True)
class Kind:
    name: str
    zh: str
    columns: tuple[Column, ...]
    plan: Plan
    summary: str

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (*self.columns, *PROVENANCE_COLUMNS)


def each_row(build: Callable[[dict[str, Any], str, int], Command]) -> Plan:
    def plan(rows: list[Row], sha256: str) -> Iterator[Planned]:
        for row in rows:
            if not row.ok:
                continue
            try:
                yield Step(row.number, build(row.values, sha256, row.number))
            except LedgerError as error:
                yield Refused(row.number, error)

    return plan
