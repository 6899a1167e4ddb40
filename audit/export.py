"""``export``: the events, the audit trail and every figure as of a time, as known at a time, to CSV and XLSX.

An export directory holds, when finished::

    events.csv, audit_trail.csv        every event / audit-trail row in effect by as_of and known at known_at
    <figure>.csv                       one per figure (audit/figures.py), yuan and fen columns, totals row last
    figures.xlsx                       one sheet per figure (not the events: they outgrow a sheet's 1,048,576 rows)
    manifest.json                      as_of, known_at, event count, last position, every file's SHA-256,
                                       the language and every file's column keys

The files are in Simplified Chinese unless asked for in English (``audit/export_words.py``): headers, sheet names,
totals rows and city names; ids, codes, times and amounts are the same in both, and every CSV starts with a BOM so
that Excel reads its Chinese as UTF-8. ``export.state.json`` is written first and pins what the export covers
(as_of, known_at — "now" is fixed at the first run —, the last position then, and the language). Re-running with
the same directory goes on from where a run stopped: finished files are kept, a stream file continues from its
checkpoint (audit/streams.py). A finished export (its manifest written) is left alone unless ``force``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from store.settings import Settings
from audit import export_words as words
from audit.figures import COLUMNS, FIGURES, all_figures
from audit.streams import (
    AUDIT_COLUMNS,
    EVENT_COLUMNS,
    PAGE_SIZE,
    Advance,
    Window,
    audit_pages,
    count_rows,
    event_pages,
    shanghai_text,
    utc_text,
    write_stream,
)
from audit.tables import Figure, add_sheet, figure_csv, header_keys
from audit.xlsx_bytes import save_workbook
from ledger.application import VoucherLedger
from projections.runner import InProcessProjections, close_projections, open_projections
from projections.times import to_us
from projections.view import ReadModelView

STATE, MANIFEST, WORKBOOK = "export.state.json", "manifest.json", "figures.xlsx"
EVENTS, AUDIT = "events.csv", "audit_trail.csv"
FIGURE_NAMES = (*(f.__name__ for f in FIGURES), "trial_balance")
Bar = Callable[[int, str], AbstractContextManager[Advance]]  # (total, label) -> advance(count)
# The files' format, in the state and the manifest. 1 (unnamed): English headers, no BOM. 2: the headers, sheet names
# and city names of a language (Chinese unless asked), a BOM on every CSV, the manifest's language and column keys.
# 3: each code column followed by its name (<key>_name), and effective times in Asia/Shanghai beside UTC: an export
# begun in format 2 is not resumed into 3 (its finished files would lack the new columns the manifest lists).
FORMAT = 3


class ExportMismatchError(ValueError):
    """The directory holds an export of another as_of / known_at / language or format: finish it, pass force, or
    choose another one."""


@dataclass(frozen=True)
class ExportResult:
    manifest: dict[str, Any]
    already_done: bool
    resumed: bool


@contextmanager
def no_bar(total: int, label: str):
    yield lambda count: None


def export(app: VoucherLedger, settings: Settings, out: Path, *, as_of_us: int | None = None,
           known_at_us: int | None = None, lang: str | None = None,
           force: bool = False, bar: Bar = no_bar, page_size: int = PAGE_SIZE) -> ExportResult:
    """``lang``: "zh" (the default for a new export) or "en"; None when resuming: the language it was begun in."""
    if lang is not None:
        words.check_language(lang)
    out.mkdir(parents=True, exist_ok=True)
    if force:
        _remove_export(out)
    state = _pinned(app, out, as_of_us, known_at_us, lang)
    lang = state["lang"]
    resumed = state.pop("resumed")
    if (out / MANIFEST).exists():
        return ExportResult(json.loads((out / MANIFEST).read_text()), already_done=True, resumed=False)
    window = Window(state["as_of_us"], state["known_at_us"], state["stop"])
    projections = open_projections(settings)
    try:
        InProcessProjections(app, projections).refresh(bar)  # the views reach at least the pinned last position
        db = projections[0].view  # every view reaches the same read-model tables
        if not (out / WORKBOOK).exists():
            _write_figures(db, out, window, lang, bar)
        events = _stream(out / EVENTS, _header(EVENTS, EVENT_COLUMNS, lang),
                         lambda s: event_pages(app, window, s, page_size), bar, window)
        trail = _stream(out / AUDIT, _header(AUDIT, AUDIT_COLUMNS, lang),
                        lambda s: audit_pages(db, window, s, page_size), bar, window)
    finally:
        close_projections(projections)
    manifest = _manifest(settings, out, state, events, trail)
    _atomic_write(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
    return ExportResult(manifest, already_done=False, resumed=resumed)


def _pinned(app: VoucherLedger, out: Path, as_of_us: int | None, known_at_us: int | None,
            lang: str | None) -> dict[str, Any]:
    """What the export covers: read back when resuming (None: as pinned), else pinned now (None: now, Chinese)."""
    path = out / STATE
    if path.exists():
        state = json.loads(path.read_text())
        if state.get("format") != FORMAT:  # its finished files are in another format: resuming would mix two
            raise ExportMismatchError(f"{out} holds an unfinished export begun by an earlier version of "
                                      "voucher-ledger: pass --force to start again, or choose another directory")
        if any(asked is not None and asked != state[key]
               for asked, key in ((as_of_us, "as_of_us"), (known_at_us, "known_at_us"), (lang, "lang"))):
            raise ExportMismatchError(
                f"{out} holds an export as of {utc_text(state['as_of_us'])} known at "
                f"{utc_text(state['known_at_us'])} in --lang {state['lang']}: re-run with those to finish it, pass "
                "--force to start again, or choose another directory")
        return {**state, "resumed": True}
    now_us = to_us(datetime.now(UTC))
    state = {"format": FORMAT, "lang": lang or "zh", "as_of_us": now_us if as_of_us is None else as_of_us,
             "known_at_us": now_us if known_at_us is None else known_at_us,
             "stop": app.recorder.max_notification_id() or 0, "started_at": datetime.now(UTC).isoformat()}
    _atomic_write(path, json.dumps(state, indent=2).encode("utf-8"))
    return {**state, "resumed": False}


def _remove_export(out: Path) -> None:
    names = [STATE, MANIFEST, WORKBOOK, EVENTS, AUDIT, *(f"{n}.csv" for n in FIGURE_NAMES)]
    for name in names:
        for suffix in ("", ".partial", ".checkpoint", ".checkpoint.tmp", ".tmp"):
            (out / f"{name}{suffix}").unlink(missing_ok=True)


def _header(name: str, columns: tuple[str, ...], lang: str) -> list[str]:
    return [words.header(name.removesuffix(".csv"), key, lang) for key in columns]


def _write_figures(db: ReadModelView, out: Path, window: Window, lang: str, bar: Bar) -> list[Figure]:
    with bar(len(FIGURES) + 1, "figures") as advance:  # and the trial balance
        figures = all_figures(db, window.as_of_us, window.known_at_us, advance)
    for figure in figures:
        _atomic_write(out / f"{figure.name}.csv", figure_csv(figure, lang))
    workbook = Workbook(write_only=True)
    w = words.ABOUT[lang]
    about = workbook.create_sheet(w["sheet"])
    for row in ((w["as_of"], utc_text(window.as_of_us)), (w["as_of_shanghai"], shanghai_text(window.as_of_us)),
                (w["known_at"], utc_text(window.known_at_us)),
                (w["known_at_shanghai"], shanghai_text(window.known_at_us)), (w["positions"], window.stop),
                (w["amounts"], w["amounts_note"]), (w["events"], w["events_note"].format(events=EVENTS, audit=AUDIT)),
                (w["figures"], w["title"], w["file"]),
                *((words.sheet_name(f.name, lang), words.title(f.name, f.title, lang), f"{f.name}.csv")
                  for f in figures)):
        about.append(row)
    for figure in figures:
        add_sheet(workbook, figure, lang)
    scratch = out / f"{WORKBOOK}.tmp"
    # dated by the figures' known-at time, not the clock: the same figures give the same bytes (and SHA-256)
    save_workbook(workbook, scratch, datetime.fromtimestamp(window.known_at_us / 1_000_000, UTC))
    os.replace(scratch, out / WORKBOOK)  # written last: its presence means every figure is done
    return figures


def _stream(path: Path, header: tuple[str, ...], pages: Any, bar: Bar, window: Window) -> tuple[int, int]:
    if path.exists():
        return count_rows(path)
    with bar(window.stop, path.name) as advance:
        written = write_stream(path, header, pages, advance)
    return written.rows, written.last_position


def _manifest(settings: Settings, out: Path, state: dict[str, Any], events: tuple[int, int],
              trail: tuple[int, int]) -> dict[str, Any]:
    present = [n for n in FIGURE_NAMES if (out / f"{n}.csv").exists()]
    files = [EVENTS, AUDIT, *(f"{n}.csv" for n in present), WORKBOOK]
    return {
        "format": FORMAT, "lang": state["lang"],
        "as_of": utc_text(state["as_of_us"]), "as_of_us": state["as_of_us"],
        "known_at": utc_text(state["known_at_us"]), "known_at_us": state["known_at_us"],
        "started_at": state["started_at"], "store": settings.describe_store(), "positions_up_to": state["stop"],
        "event_count": events[0], "last_position": events[1], "audit_trail_rows": trail[0],
        # counted from the files, so a resumed export's manifest has the same shape as an uninterrupted one's
        "figures": {name: _figure_rows(out / f"{name}.csv") for name in present},
        "trial_balance": "included",  # always one of the figures; the key stays so that manifest readers keep working
        "files": {name: {"bytes": (out / name).stat().st_size, "sha256": _sha256(out / name)} for name in files},
        # Each CSV's columns by key, in the header's order (the same in every language): read a Chinese file by key.
        "columns": {EVENTS: list(EVENT_COLUMNS), AUDIT: list(AUDIT_COLUMNS),
                    **{f"{n}.csv": header_keys(COLUMNS[n]) for n in present}},
        "sheets": {n: words.sheet_name(n, state["lang"]) for n in present},
    }


def _figure_rows(path: Path) -> int:
    """Rows of a figure's CSV: every record but its header and its totals row."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f)) - 2


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_bytes(data)
    os.replace(scratch, path)
