"""Fail fast while the store is down, recover alone when it is back: a circuit breaker in front of PostgreSQL.

The first request that meets an outage trips it (``api/http/problems.py``). While it is open every request that
needs the store answers 503 ``STORE_UNAVAILABLE`` at once, without waiting on the pool, and a probe thread tries a
fresh connection every ``store_probe_interval_s``. When one succeeds the service's pools are thrown away
(``on_back``) and the next request opens new ones: the library's pool would otherwise wait out its reconnect back-off
(1, 2, 4, 8, 16 s) before it tried again. SQLite has no server to lose: a locked file is not an outage.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from api.http.problems import ApiError


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class Outage:
    def __init__(self, probe: Callable[[], None], on_back: Callable[[], None], *, interval_s: float,
                 enabled: bool = True, on_refused: Callable[[], None] | None = None) -> None:
        self.probe, self.on_back, self.interval_s, self.enabled = probe, on_back, interval_s, enabled
        # Each request answered 503 while open is a request the store failed (metrics' store_errors), as the one
        # that tripped it was: counted there alone, an outage of any length showed as one error.
        self.on_refused = on_refused
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.down_since: datetime | None = None
        self.reason = ""
        self.recovered_at: datetime | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def trip(self, error: BaseException) -> None:
        """The store failed a request as an outage does: answer 503 at once until the probe reaches it again."""
        if not self.enabled:
            return
        with self._lock:
            self.reason = first_line(error)
            if self.down_since is not None:
                return
            self.down_since = datetime.now(UTC)
        threading.Thread(target=self._watch, name="store-outage-probe", daemon=True).start()

    def refuse_while_down(self) -> None:
        if self.down_since is not None:
            if self.on_refused is not None:
                self.on_refused()
            raise ApiError(503, "STORE_UNAVAILABLE", "the ledger's database is unavailable; retry later",
                           down_since=self.down_since.isoformat())

    def close(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.probe()
            except Exception as error:  # noqa: BLE001 - still down: say why on /readyz, try again
                self.reason = first_line(error)
                continue
            try:
                self.on_back()
            finally:
                with self._lock:
                    self.down_since, self.recovered_at = None, datetime.now(UTC)
            return
