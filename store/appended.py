"""Telling a listener how many events each committed write of this process appended to the events table.

Events reach the table by more than one way: the recorder's ``insert_events`` (the library's ``Application.save``,
the group-commit writer's and the importer's units of work, the SQLite import's one transaction) and, on PostgreSQL,
an all-or-nothing import's staged transaction (``store/staged_insert.py``), which moves its rows in with one
statement of its own. A count kept by one writer (the group-commit writer's hook) missed every import, so the
count is kept here, where every way ends: after the commit, once per event, nothing for a write that failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

LISTENERS = "_voucher_ledger_appended"  # on the recorder instance: a listener outlives no recorder


def on_appended(recorder: Any, listener: Callable[[int], None]) -> None:
    """Call ``listener(n)`` after each of ``recorder``'s writes commits, ``n`` the events it appended."""
    listeners = recorder.__dict__.get(LISTENERS)
    if listeners is None:
        listeners = recorder.__dict__[LISTENERS] = []
        insert = recorder.insert_events  # the bound method (retries included): one count after the last attempt

        def insert_events(stored_events: Sequence[Any], **kwargs: Any) -> Any:
            ids = insert(stored_events, **kwargs)
            appended(recorder, len(stored_events))
            return ids

        recorder.insert_events = insert_events  # the library's recorder classes are fixed by its factories
    listeners.append(listener)


def appended(recorder: Any, events: int) -> None:
    """``events`` were committed to ``recorder``'s table by a write of this process (a way other than
    ``insert_events`` says so itself)."""
    if events:
        for listener in recorder.__dict__.get(LISTENERS, ()):
            listener(events)
