"""The long parts of an export, written as resumable CSV streams: the events and the audit trail.

A stream is written to ``<file>.partial`` a page at a time; after each page it is flushed to disk and a checkpoint
(``<file>.checkpoint``: the last position read and the file's length then) replaces the previous one. Interrupted
anywhere, the next run cuts the partial file back to the checkpoint's length — dropping rows written after it — and
reads on from its position; at the end the file is renamed into place and the checkpoint removed. A page is only
ever counted once, so the resumed file is byte for byte the one an uninterrupted run writes. The header, written
first, carries the BOM and the export's language (``audit/tables.py``); the rows are the same in every language.

Which events: those *known* at ``known_at`` (recorded at or before it) that are *in effect* by ``as_of`` (their
effective time, or their recorded time when they report none, at or before it), among positions up to ``stop``
(the last position when the export started). That is the bitemporal rule of every figure, applied to events.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from ledger.application import VoucherLedger
from ledger.fiscal_time import SHANGHAI
from psycopg.sql import SQL

from audit.tables import csv_bytes
from projections.audit_facts import render
from projections.bitemporal import counted, counts
from projections.times import from_us, to_us
from projections.view import ReadModelView

PAGE_SIZE = 2_000
# Every time in UTC and in Asia/Shanghai, whose dates are the programme's (a fiscal year, a deadline day).
EVENT_COLUMNS = ("position", "originator_id", "originator_version", "topic", "recorded_utc", "recorded_shanghai",
                 "effective_utc", "effective_shanghai", "state_json")
AUDIT_COLUMNS = ("position", "entity_kind", "entity_id", "event_type", "recorded_utc", "recorded_shanghai",
                 "effective_utc", "effective_shanghai", "actor", "correlation_id", "reason", "summary_zh", "summary_en",
                 "originator_id", "originator_version")
Page = tuple[int, list[tuple]]  # (the last position read, the rows of that page)
Advance = Callable[[int], None]


@dataclass(frozen=True)
class Window:
    """What an export covers: rows in effect by ``as_of_us`` and known at ``known_at_us``, positions ≤ ``stop``."""

    as_of_us: int
    known_at_us: int
    stop: int

    def counts(self, recorded_us: int, effective_us: int | None) -> bool:
        return counts(self.as_of_us, self.known_at_us, effective_us, recorded_us)


@dataclass(frozen=True)
class Written:
    rows: int
    last_position: int  # of the last row written (0: none)


def utc_text(us: int | None) -> str:
    return "" if us is None else from_us(us).isoformat(timespec="microseconds")


def shanghai_text(us: int | None) -> str:
    return "" if us is None else from_us(us).astimezone(SHANGHAI).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def decoded_state(app: VoucherLedger, notification: Notification) -> dict[str, Any]:
    """The stored state as the library's mapper decodes it (decrypted, decompressed, transcoded)."""
    mapper, state = app.mapper, notification.state
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return mapper.transcoder.decode(state)


def event_pages(app: VoucherLedger, window: Window, start: int, page_size: int = PAGE_SIZE) -> Iterator[Page]:
    while start < window.stop:
        page = app.recorder.select_notifications(start, page_size, stop=window.stop, inclusive_of_start=False)
        last = page[-1].id if len(page) == page_size else window.stop
        rows = []
        for n in page:
            state = decoded_state(app, n)
            recorded = to_us(state["timestamp"])
            effective = state.get("effective_at")
            effective_us = to_us(effective) if isinstance(effective, datetime) else None
            if window.counts(recorded, effective_us):
                rows.append((n.id, str(n.originator_id), n.originator_version, n.topic, utc_text(recorded),
                             shanghai_text(recorded), utc_text(effective_us), shanghai_text(effective_us),
                             json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                        default=_plain)))
        yield last, rows
        start = last


def audit_pages(db: ReadModelView, window: Window, start: int, page_size: int = PAGE_SIZE) -> Iterator[Page]:
    """The audit trail view (one row per event per entity it touched), a range of positions at a time."""
    while start < window.stop:
        last = min(start + page_size, window.stop)
        when = counted(window.as_of_us, window.known_at_us, effective_or_recorded=True)
        found = db.fetchall(
            SQL("SELECT position, entity_kind, entity_id, event_type, recorded_us, effective_us, actor, correlation_id, "
                "reason, facts, originator_id, originator_version FROM vl_audit_trail "
                "WHERE position > ? AND position <= ? AND {} ORDER BY position, entity_kind, entity_id").format(when.sql),
            (start, last, *when.params),
        )
        yield last, [(p, kind, entity, event, utc_text(rec), shanghai_text(rec), utc_text(eff), shanghai_text(eff),
                      actor, correlation, reason, *render(event, facts), originator, version)
                     for p, kind, entity, event, rec, eff, actor, correlation, reason, facts, originator, version
                     in found]
        start = last


def _checkpoint_path(final: Path) -> Path:
    return final.with_name(final.name + ".checkpoint")


def _partial_path(final: Path) -> Path:
    return final.with_name(final.name + ".partial")


def _save_checkpoint(final: Path, state: dict[str, int]) -> None:
    path = _checkpoint_path(final)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(state))
    os.replace(scratch, path)


def write_stream(final: Path, header: Sequence[str], pages: Callable[[int], Iterator[Page]],
                 advance: Advance) -> Written:
    """Write (or go on writing) ``final`` from ``pages(start)``; ``advance(positions)`` after every page."""
    partial, checkpoint = _partial_path(final), _checkpoint_path(final)
    if checkpoint.exists() and partial.exists():
        state = json.loads(checkpoint.read_text())
    else:
        partial.write_bytes(csv_bytes([header], starts_file=True))
        state = {"position": 0, "bytes": partial.stat().st_size, "rows": 0, "last_row_position": 0}
        _save_checkpoint(final, state)
    if state["position"]:
        advance(state["position"])
    with partial.open("r+b") as out:
        out.truncate(state["bytes"])  # rows written after the last checkpoint are written again below
        out.seek(state["bytes"])
        for position, rows in pages(state["position"]):
            out.write(csv_bytes(rows))
            out.flush()
            os.fsync(out.fileno())
            advance(position - state["position"])
            state = {"position": position, "bytes": out.tell(), "rows": state["rows"] + len(rows),
                     "last_row_position": rows[-1][0] if rows else state["last_row_position"]}
            _save_checkpoint(final, state)
    os.replace(partial, final)
    checkpoint.unlink()
    return Written(state["rows"], state["last_row_position"])


def count_rows(path: Path) -> tuple[int, int]:
    """(rows, last position) of a finished stream file, read back (for an export resumed after it was done)."""
    rows, last = 0, 0
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            rows, last = rows + 1, int(row[0])
    return rows, last
