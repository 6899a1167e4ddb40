"""What every command shares: loading aggregates with typed not-found errors, and bounded retries on conflicts.

Rules that span aggregates hold because every command saves all the aggregates it changed in **one**
``Application.save`` (one transaction). If another writer changed one of them first, the store refuses the whole
save with a version conflict; the command is then re-run from fresh state — a bounded number of times, after which
the caller gets ``ConcurrentUpdateError`` and nothing was written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from typing import ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    JSONTranscoder,
    RecordConflictError,
    Transcoder,
    Transcoding,
)

from ledger.commands.store_access import DirectStoreAccess, StoreAccess
from ledger.errors import ConcurrentUpdateError, NotFoundError
from ledger.lean_transcoder import LeanJSONTranscoder

T = TypeVar("T")
A = TypeVar("A")


class DateAsISO(Transcoding):
    """The library's JSON transcoder has no ``datetime.date`` transcoding; our events carry dates."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class LedgerApplicationBase(Application):
    # Retries are bounded so that a hot spot surfaces as a clear error instead of a hang.
    MAX_COMMAND_ATTEMPTS = "MAX_COMMAND_ATTEMPTS"
    default_attempts: ClassVar[int] = 12

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.direct_store_access: StoreAccess = DirectStoreAccess(self)
        # Where the command running in this thread reads and saves: the store directly, unless a writer
        # (``writer.unit_of_work_scope``) routes this thread's commands to its unit of work.
        self.current_store_access: Callable[[], StoreAccess] = lambda: self.direct_store_access
        self.max_attempts = int(self.env.get(self.MAX_COMMAND_ATTEMPTS) or self.default_attempts)

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON, encoded at less cost (``ledger/lean_transcoder.py``), unless the environment names
        another transcoder (``TRANSCODER_TOPIC``)."""
        transcoder = self.factory.transcoder()
        if type(transcoder) is JSONTranscoder:
            transcoder = LeanJSONTranscoder()
        if isinstance(transcoder, JSONTranscoder):
            self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- where commands read and save: see ledger/commands/store_access.py ------------------------------------------
    def _get(self, aggregate_id: UUID) -> object:
        return self.current_store_access().get(aggregate_id)

    def _save(self, *aggregates: object) -> None:
        """Save a command's changed aggregates together: committed in one transaction, or staged in the unit of work
        that routes this thread's commands (which commits them with its batch)."""
        self.current_store_access().save(*aggregates)

    def stored(self, aggregate_id: UUID) -> bool:
        """Is there any stored event of this aggregate? (One indexed read; nothing is decoded.)"""
        return self.direct_store_access.exists(aggregate_id)

    def _load(self, aggregate_id: UUID, kind: type[A], missing: type[NotFoundError], what: str) -> A:
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            raise missing(f"no {what} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise missing(f"{aggregate_id} is not a {what}")
        return aggregate

    def _find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """The aggregate if it exists (and is of that kind), else None."""
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def _history(self, aggregate_id: UUID) -> list[object]:
        """Every event of an aggregate: those committed, then those staged in the active unit of work."""
        return self.current_store_access().history(aggregate_id)

    def _exists(self, aggregate_id: UUID) -> bool:
        return self.current_store_access().exists(aggregate_id)

    def _run(self, decide_and_save: Callable[[], T]) -> T:
        """Run a command; on a version conflict, re-run it from fresh state, at most ``max_attempts`` times."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return decide_and_save()
            except RecordConflictError:
                if attempt == self.max_attempts:
                    break
                # Jittered backoff spreads contenders out; the randomness is in the application, not the domain.
                time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
        raise ConcurrentUpdateError(
            f"the command met a concurrent change {self.max_attempts} times and was not applied; try again"
        )

