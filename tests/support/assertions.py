"""Assertions shared by the ledger tests."""

import pytest

from ledger.errors import LedgerError


def last_event_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def refused(code: str, app, command, **kwargs) -> None:
    """The command is refused with ``code`` and writes nothing at all."""
    before = last_event_id(app)
    with pytest.raises(LedgerError) as caught:
        command(**kwargs)
    assert caught.value.code == code
    assert last_event_id(app) == before
