"""One projection worker (``voucher-ledger follow NAME``): catch up, keep up, and outlive the database's outages.

Keeping up is catching up again (:func:`projections.runner.catch_up`, pages with one transaction each) whenever
something may have been written: on PostgreSQL when the events table's ``NOTIFY`` arrives (every insert sends one),
and at the latest every ``poll_s``; on SQLite, which has no notifications, every ``poll_s``.

A worker owns nothing in memory that the tables do not hold: its position is its tracking record. So when the
database goes away (connection lost or refused, server shutting down or starting up) the worker closes everything,
waits (doubling from :data:`FIRST_RETRY_S` to at most :data:`MAX_RETRY_S`, each wait logged), opens everything
again and carries on from the tracking record, for as long as the outage lasts. Any other error stops the worker
and is raised to the caller: a retry would only repeat it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from psycopg.sql import SQL, Identifier

from store.settings import Settings
from store.availability import store_unavailable
from store.opening import one_reader, open_ledger, pg_connect
from ledger.application import VoucherLedger
from projections.health import follower_name
from projections.runner import Progress, catch_up, close_projections, open_projections

FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0

Log = Callable[[str], None]


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def follow(settings: Settings, name: str, *, stop: threading.Event, on_caught_up: Callable[[int], None] | None = None,
           progress: Progress | None = None, poll_s: float = 0.5, log: Log = _to_stderr) -> None:
    """Run projection ``name`` until ``stop`` is set, reconnecting after outages; raise any other error.

    ``on_caught_up(events)`` is called each time the worker has caught up after (re)connecting.
    """
    failures = 0
    settings = settings.model_copy(update={"process_kind": "worker"})  # names its connections (store/connections.py)

    def caught_up(events: int) -> None:
        nonlocal failures
        failures = 0  # the next outage starts its waits from the shortest again
        if on_caught_up:
            on_caught_up(events)

    while not stop.is_set():
        try:
            _follow_connected(settings, name, stop=stop, on_caught_up=caught_up, progress=progress, poll_s=poll_s)
            return
        except Exception as exc:
            if not store_unavailable(exc):
                raise
            wait_s = min(MAX_RETRY_S, FIRST_RETRY_S * 2**failures)
            failures += 1
            first_line = (str(exc).strip().splitlines() or [""])[0]
            log(f"{name}: database unavailable ({type(exc).__name__}: {first_line}); "
                f"retry {failures} in {wait_s:.1f} s, from the tracked position")
            stop.wait(wait_s)


def _follow_connected(settings: Settings, name: str, *, stop: threading.Event, on_caught_up: Callable[[int], None],
                      progress: Progress | None, poll_s: float) -> None:
    app = open_ledger(one_reader(settings), prepare=False)
    try:
        projections = open_projections(settings, [name])
        try:
            with _news(settings, app, name) as wait_for_news:  # listening before catching up: no insert goes unnoticed
                on_caught_up(catch_up(app, projections, progress=progress))
                while not stop.is_set():
                    wait_for_news(stop, poll_s)
                    catch_up(app, projections)
        finally:
            close_projections(projections)
    finally:
        app.close()


WaitForNews = Callable[[threading.Event, float], None]


@contextmanager
def _news(settings: Settings, app: VoucherLedger, name: str) -> Iterator[WaitForNews]:
    """A function that returns when events may have been written (or ``stop`` is set, or ``timeout`` passes)."""
    if settings.store != "postgres":
        yield lambda stop, timeout: stop.wait(timeout)  # type: ignore[misc]
        return
    # Named for /readyz: this connection lives exactly as long as the worker follows (projections/health.py).
    with pg_connect(settings, application_name=follower_name(settings, name)) as conn:
        conn.execute(SQL("LISTEN {}").format(Identifier(app.recorder.channel_name)))  # type: ignore[attr-defined]

        def wait(stop: threading.Event, timeout: float) -> None:
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                pass

        yield wait
