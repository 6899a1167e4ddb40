"""Assertions shared by the ledger tests."""

from uuid import UUID

import pytest

from ledger.errors import LedgerError
from store.opening import open_ledger


def last_event_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def refused(code: str, app, command, **kwargs) -> None:
    """The command is refused with ``code`` and writes nothing at all."""
    before = last_event_id(app)
    with pytest.raises(LedgerError) as caught:
        command(**kwargs)
    assert caught.value.code == code
    assert last_event_id(app) == before


def typed(value):
    """``value`` with the type of everything in it, at any depth, to compare (``1 == 1.0 == True``, ``[1] != (1,)``,
    and a decoded event's nested ids, decimals and times must be those types, not their text). An id is a ``UUID``
    with its text: the log reader's ids are a subclass that remembers it (projections/reading.py ``KnownText``)."""
    if isinstance(value, UUID):
        return UUID, repr(value), str(value)
    if isinstance(value, dict):
        return dict, {key: typed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value), [typed(item) for item in value]
    return type(value), repr(value)


def stored_topics(settings) -> list[str]:
    """The topics of every event the store holds, in order: read on the real clock without preparing the store (a
    read that must not write, e.g. to show that a refused open wrote nothing)."""
    app = open_ledger(settings, prepare=False)
    try:
        return [n.topic for n in app.recorder.select_notifications(1, 10_000)]
    finally:
        app.close()
