"""What a benchmark gets: the scale, the selected stores, a temp folder, the scratch database, progress, and the
simulated ledgers of the run (``bench.simulated.simulated_ledger``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.progress import Tracker
from bench.scale import Scale
from bench.scratch import ScratchDatabase

STORES = ("postgres", "sqlite")


@dataclass
class Context:
    scale: Scale
    stores: tuple[str, ...]
    tmpdir: Path
    postgres_server: str
    tracker: Tracker = field(default_factory=Tracker)
    simulated: dict[tuple[str, int, int], Any] = field(default_factory=dict)  # bench.simulated: (store, size, seed)
    _scratch: ScratchDatabase | None = None

    @property
    def postgres(self) -> ScratchDatabase:
        """The scratch database, created on first use and dropped by :meth:`close`."""
        if self._scratch is None:
            self._scratch = ScratchDatabase(self.postgres_server).create()
        return self._scratch

    def uses(self, store: str) -> bool:
        return store in self.stores

    def sqlite_path(self, stem: str) -> Path:
        return self.tmpdir / f"{stem}.sqlite3"

    def close(self) -> None:
        self.simulated.clear()
        if self._scratch is not None:
            self._scratch.drop()
            self._scratch = None
