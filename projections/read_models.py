"""The read side in one object: open the views, keep them current (embedded mode), answer as-of queries.

With the embedded SQLite store the projections run in-process: every query first applies the events written since
the last one, so a command's result is visible to the next query (read-your-writes). With PostgreSQL in production
``voucher-ledger follow`` workers keep them up, and queries read what the workers have committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from api.settings import Settings
from ledger.application import VoucherLedger
from projections import queries
from projections.runner import InProcessProjections, close_projections, open_projections
from projections.times import to_us


class ReadModels:
    def __init__(self, settings: Settings, app: VoucherLedger | None = None, *, in_process: bool | None = None):
        self.projections = open_projections(settings)
        self.db = self.projections[0].view  # every view reaches the same read-model tables
        if in_process is None:
            in_process = settings.read_models_in_process
        if in_process is None:
            in_process = settings.store == "sqlite"
        self._in_process = InProcessProjections(app, self.projections) if in_process and app is not None else None

    def refresh(self) -> None:
        if self._in_process is not None:
            self._in_process.refresh()

    def close(self) -> None:
        close_projections(self.projections)

    def _ask(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.refresh()
        with self.db.reading():  # a query's statements see one snapshot, in one transaction
            return query(self.db, *args, **kwargs)

    def voucher_balance(self, voucher_id: UUID | str, as_of: datetime) -> dict[str, Any] | None:
        return self._ask(queries.voucher_balance, str(voucher_id), to_us(as_of))

    def enterprise_totals(self, enterprise_id: UUID | str, as_of: datetime) -> list[dict[str, Any]]:
        return self._ask(queries.enterprise_totals, str(enterprise_id), to_us(as_of))

    def city_spend(self, city: str, as_of: datetime, **filters: Any) -> dict[str, Any]:
        return self._ask(queries.city_spend, city, to_us(as_of), **filters)

    def provider_receivable(self, provider_id: UUID | str, as_of: datetime) -> dict[str, Any]:
        return self._ask(queries.provider_receivable, str(provider_id), to_us(as_of))

    def whitelist(self, as_of: datetime, **page: Any) -> list[dict[str, Any]]:
        return self._ask(queries.whitelist, to_us(as_of), **page)

    def whitelist_history(self, provider_id: UUID | str, as_of: datetime) -> list[dict[str, Any]]:
        return self._ask(queries.whitelist_history, str(provider_id), to_us(as_of))

    def audit_trail(self, entity_kind: str, entity_id: UUID | str, until: datetime, **page: Any) -> list[dict[str, Any]]:
        return self._ask(queries.audit_trail, entity_kind, str(entity_id), to_us(until), **page)

    def settlement_batch(self, batch_id: UUID | str, as_of: datetime) -> dict[str, Any] | None:
        return self._ask(queries.settlement_batch, str(batch_id), to_us(as_of))

    def provider_batches(self, provider_id: UUID | str, as_of: datetime) -> list[dict[str, Any]]:
        return self._ask(queries.provider_batches, str(provider_id), to_us(as_of))

    def event_feed(self, as_of: datetime, **filters: Any) -> list[dict[str, Any]]:
        return self._ask(queries.event_feed, as_of_us=to_us(as_of), **filters)
