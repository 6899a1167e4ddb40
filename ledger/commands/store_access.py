"""Where a command reads the aggregates it decides on and saves the ones it changed.

The commands know only this interface, so that the same command runs against the store directly (one transaction
per command, :class:`DirectStoreAccess`) or inside a unit of work that decides many commands in memory and commits
them together (``writer.unit_of_work.UnitOfWork``). The ledger never imports the writer: the writer implements this.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application


class StoreAccess(Protocol):
    def get(self, aggregate_id: UUID) -> Any:
        """The aggregate as the command must see it; raises the library's ``AggregateNotFoundError``."""

    def exists(self, aggregate_id: UUID) -> bool:
        """Does any event of this aggregate exist (for create-only checks)?"""

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of the aggregate, in order, including those not yet committed (for the rare command that
        reads raw history)."""

    def save(self, *aggregates: Any) -> None:
        """Save the command's changed aggregates together: all of them or none (``None`` entries are skipped)."""


class DirectStoreAccess:
    """The application's own store: each command's changes in one transaction of their own, at once."""

    def __init__(self, app: Application) -> None:
        self.app = app

    def get(self, aggregate_id: UUID) -> Any:
        return self.app.repository.get(aggregate_id)

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))  # one indexed read; nothing decoded

    def history(self, aggregate_id: UUID) -> list[Any]:
        return list(self.app.events.get(aggregate_id))

    def save(self, *aggregates: Any) -> None:
        self.app.save(*aggregates)
