"""Who records an imported row, and when: the caller, at the service clock's now, except on a training store.

Every event's recorded time is when the ledger learned it (DOMAIN.md), and auditors and disputes ask what was known
at a time T. On a store that is the real record, an import is learned when it runs, from whoever runs it: each row is
recorded at the service clock's now by the caller, and a row whose ``recorded_at`` or ``recorded_by`` cell says
otherwise is refused (so nothing of an all-or-nothing file is written). Taking such a cell would let a file state that
the ledger knew in 2018 what it learned today, or that an auditor recorded what the province did.

A training store (``ledger/training.py``) holds a history that never happened (a simulated programme, a demo, a
register that ``importer/registers.py`` exported being loaded again), and there the cells are the history: they are
honoured, within what keeps "as known at T" true. A row is never recorded after the service clock's now (the ledger
cannot have learned it yet) nor before what the store, or an earlier row of the file, already recorded (that would
change what was known at a time already past; rows may rely on earlier rows, which must then be known first).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.fiscal_time import shanghai_text
from ledger.recording import By

RECORDED_AT_NOT_ALLOWED = "RECORDED_AT_NOT_ALLOWED"
RECORDED_BY_NOT_ALLOWED = "RECORDED_BY_NOT_ALLOWED"
RECORDED_AT_IN_FUTURE = "RECORDED_AT_IN_FUTURE"
RECORDED_AT_OUT_OF_ORDER = "RECORDED_AT_OUT_OF_ORDER"

# The store's latest recorded time is the greatest among its last events: the group-commit writer may commit a few
# commands in another order than their callers read the clock.
LAST_EVENTS = 100


class NotRecordable(Exception):
    """A row's ``recorded_at`` or ``recorded_by`` that this store cannot take; the row is refused. ``problems``:
    (code, column, message), one per cell."""

    def __init__(self, *problems: tuple[str, str, str]) -> None:
        super().__init__(problems[0][2])
        self.problems = problems


class Recording:
    """Gives each row its ``By``, in file order."""

    def __init__(self, app: Any, actor: str, now: datetime) -> None:
        self.app, self.actor, self.now = app, actor, now
        self.training = app.training_mark() is not None
        self.latest: datetime | None = None  # the latest recorded time given to a row so far
        self._store_read, self._store_latest = False, None

    def by(self, recorded_at: datetime | None, recorded_by: str | None, correlation_id: str) -> By:
        if not self.training:
            problems = []
            if recorded_at is not None:
                problems.append((RECORDED_AT_NOT_ALLOWED, "recorded_at", (
                    f"recorded_at {shanghai_text(recorded_at)}: this store records every row when it is imported, at the "
                    "service clock's time (recorded_at is kept only on a training store); leave the cell empty")))
            if recorded_by is not None and recorded_by != self.actor:
                problems.append((RECORDED_BY_NOT_ALLOWED, "recorded_by", (
                    f"recorded_by {recorded_by!r}: this store records every row as imported by {self.actor!r} "
                    "(recorded_by is kept only on a training store); leave the cell empty")))
            if problems:
                raise NotRecordable(*problems)
            return By(actor=self.actor, at=self.now, correlation_id=correlation_id)
        at = self.now if recorded_at is None else self._checked(recorded_at)
        self.latest = at
        return By(actor=recorded_by or self.actor, at=at, correlation_id=correlation_id)

    def start(self) -> datetime:
        """The time of a record about rows that come before any row's own time (a chunk's ``ImportedRows``,
        ``importer/run.py``): the store's latest recorded time once a row's time was checked against it, else now."""
        return self._store_latest if self._store_latest is not None else self.now

    def _checked(self, at: datetime) -> datetime:
        if at > self.now:
            raise NotRecordable((RECORDED_AT_IN_FUTURE, "recorded_at", (
                f"recorded_at {shanghai_text(at)} is after the service clock's now ({shanghai_text(self.now)}): the ledger "
                "cannot have learned it yet")))
        if not self._store_read:
            self._store_read, self._store_latest = True, latest_recorded(self.app)
        floor = max((t for t in (self._store_latest, self.latest) if t is not None), default=None)
        if floor is not None and at < floor:
            raise NotRecordable((RECORDED_AT_OUT_OF_ORDER, "recorded_at", (
                f"recorded_at {shanghai_text(at)} is before {shanghai_text(floor)}, when the ledger (this store, or an "
                "earlier row of the file) already recorded something: recorded then, the row would change what was "
                "known at times already past")))
        return at


def latest_recorded(app: Any) -> datetime | None:
    """The latest recorded time of the store's last events; None for an empty store."""
    last = app.recorder.max_notification_id() or 0
    if not last:
        return None
    page = app.recorder.select_notifications(max(1, last - LAST_EVENTS + 1), LAST_EVENTS)
    return max((app.mapper.to_domain_event(n).timestamp for n in page), default=None)
