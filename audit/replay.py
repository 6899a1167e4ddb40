"""``replay --until T``: rebuild every projection from the events recorded at or before T, into a separate store.

The target is a PostgreSQL schema (default ``<schema>_replay``) or a SQLite file (default ``<file>.replay.sqlite3``)
beside the live one, as ``check`` builds its scratch copy; the live read models are never touched. The target then
answers every query "as known at T", for an auditor to inspect with the same tools (``VOUCHER_LEDGER_SQLITE_PATH`` /
``VOUCHER_LEDGER_POSTGRES_SCHEMA`` pointed at it, or :func:`audit.figures.all_figures` on its view).

What "as of T" means here. The global sequence is in commit order, and recorded times are the ledger's clock when
each command ran, so they are not guaranteed to grow with the position (two writers, a clock set by a caller). The
replay reads the whole sequence and **skips every event recorded after T, keeping on to the end**: exactly the events
a query with ``known_at = T`` counts (``recorded_us <= T``), so the replay and the live read models asked "known at
T" must agree — the test of this module. Stopping at the first event recorded after T would drop earlier-recorded
events committed after it; its only merit, a shorter read, does not matter to an audit.

Resumable: each page commits with its tracking position (the projections' own checkpoint), so re-running continues
from there. The target remembers its T (``vl_replay``); a different T needs ``fresh``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from store.settings import Settings
from store.opening import ensure_postgres_schema
from audit.streams import utc_text
from ledger.application import VoucherLedger
from projections.bulk_load import restore_indexes, without_secondary_indexes
from projections.check import reset_scratch
from projections.runner import REBUILD_PAGE_SIZE, catch_up, close_projections, open_projections
from projections.times import to_us
from projections.view import ReadModelView

Progress = Callable[[int], None]


class ReplayTargetError(ValueError):
    """The target is the live store, or holds a replay until another time."""


@dataclass(frozen=True)
class ReplayReport:
    target: str
    until_us: int
    read: int  # events read (of the projections' topics)
    applied: int  # of those, recorded at or before T
    position: int  # the target's tracking position now


def replay_settings(settings: Settings, target: str | None = None) -> Settings:
    """The target store: a schema name on PostgreSQL, a file path on SQLite (default: beside the live one)."""
    if settings.store == "postgres":
        schema = target or f"{settings.postgres_schema or 'public'}_replay"
        if schema == (settings.postgres_schema or "public"):
            raise ReplayTargetError(f"the replay target {schema} is the live schema")
        return settings.model_copy(update={"postgres_schema": schema})
    path = settings.sqlite_path.with_suffix(".replay.sqlite3") if target is None else Path(target)
    if path.resolve() == settings.sqlite_path.resolve():
        raise ReplayTargetError(f"the replay target {path} is the live SQLite file")
    return settings.model_copy(update={"sqlite_path": path})


def _remember_until(view: ReadModelView, until_us: int) -> None:
    with view.transaction(commit=True) as curs:
        curs.execute("CREATE TABLE IF NOT EXISTS vl_replay (until_us BIGINT NOT NULL)")
    found = view.fetchone("SELECT until_us FROM vl_replay")
    if found is None:
        with view.transaction(commit=True) as curs:
            view.execute(curs, "INSERT INTO vl_replay (until_us) VALUES (?)", (until_us,))
    elif int(found[0]) != until_us:
        raise ReplayTargetError(f"the target holds a replay until {utc_text(int(found[0]))}, not "
                                f"{utc_text(until_us)}: pass --fresh to start it again")


def replay(app: VoucherLedger, settings: Settings, until_us: int, *, target: str | None = None, fresh: bool = False,
           page_size: int = REBUILD_PAGE_SIZE, progress: Progress | None = None) -> ReplayReport:
    """Apply, in order, every event recorded at or before ``until_us`` to fresh projections in the target store."""
    scratch = replay_settings(settings, target)
    if fresh:
        reset_scratch(scratch)
    ensure_postgres_schema(scratch)
    projections = open_projections(scratch)
    try:
        view = projections[0].view
        _remember_until(view, until_us)
        tables = [t for p in projections for t in p.tables]
        restore_indexes(view, tables)  # left by an earlier replay that died
        start = min(p.position for p in projections)
        stop = app.recorder.max_notification_id() or 0
        if progress and start:
            progress(start)
        applied = 0

        def known(event: object) -> bool:
            nonlocal applied
            if to_us(event.timestamp) <= until_us:  # type: ignore[attr-defined]
                applied += 1
                return True
            return False

        with without_secondary_indexes(view, tables) if start < stop else nullcontext():
            read = catch_up(app, projections, until=stop, page_size=page_size, progress=progress, keep=known)
        return ReplayReport(scratch.describe_store(), until_us, read, applied, min(p.position for p in projections))
    finally:
        close_projections(projections)
