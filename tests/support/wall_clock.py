"""Moving the wall clock that libraries read for their own stamps (openpyxl's document dates, zipfile's entry times):
a file written "a day later" must come out the same bytes when it holds no time of its own."""

from __future__ import annotations

import datetime as clock
import time
from datetime import datetime

import pytest


def a_day_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on ``time.time()`` and ``datetime.now()`` read a day later, by both clocks openpyxl and zipfile read."""
    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(clock, "datetime", type("Later", (clock.datetime,), {
        "now": classmethod(lambda cls, tz=None: datetime.fromtimestamp(later, tz))}))
