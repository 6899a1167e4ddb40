"""A store written on a training clock is a training store for ever (DOMAIN.md, "Programme years").

The mark is an event, recorded once, when a training clock first opens a new store, as its first event: it survives
every copy and export of the store, and the hash chain covers it. A production service refuses to open a marked
store; so a training clock never marks a store that already holds real history (``store.opening`` refuses it).
"""

from __future__ import annotations

from datetime import datetime

from ledger import ids
from ledger.fiscal_time import require_aware
from ledger.recording import By, LedgerAggregate


class TrainingMark(LedgerAggregate):
    class Marked(LedgerAggregate.Created):
        clock_started_at: datetime  # where the training clock started (its recorded times run on from there)
        real_started_at: datetime | None  # the real time it started there (None: a clock that stands still)

        def apply(self, m: TrainingMark) -> None:
            m.clock_started_at, m.real_started_at = self.clock_started_at, self.real_started_at

    @classmethod
    def mark(cls, by: By, *, clock_started_at: datetime, real_started_at: datetime | None) -> TrainingMark:
        return cls._start(cls.Marked, ids.training_mark_id(), by,
                          clock_started_at=require_aware(clock_started_at, "training clock start"),
                          real_started_at=None if real_started_at is None else require_aware(real_started_at))
