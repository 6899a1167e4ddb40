"""The read side in one object: open the views, keep them current (embedded mode), answer as-of queries.

With the embedded SQLite store the projections run in-process: every query first applies the events written since
the last one, so a command's result is visible to the next query (read-your-writes). With PostgreSQL in production
``voucher-ledger follow`` workers keep them up, and queries read what the workers have committed. Given a
``catching_up`` progress bar (the command line's), a catch-up of more than a page shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from store.settings import Settings
from ledger.application import VoucherLedger
from projections import (audit_trail_queries, award_queries, eligibility_queries, expiry_queries, journal_queries, late_facts,
                         lists_queries, money_flows_queries, publicity_queries, settlement_batches_queries,
                         spend_movements_queries, whitelist_queries)
from projections.runner import InProcessProjections, ProgressBar, close_projections, open_projections
from projections.times import to_us


class ReadModels:
    def __init__(self, settings: Settings, app: VoucherLedger | None = None, *, in_process: bool | None = None,
                 catching_up: ProgressBar | None = None):
        self.projections = open_projections(settings, queries=True)
        self.db = self.projections[0].view  # every view reaches the same read-model tables
        if in_process is None:
            in_process = settings.read_models_in_process
        if in_process is None:
            in_process = settings.store == "sqlite"
        self._in_process = InProcessProjections(app, self.projections) if in_process and app is not None else None
        self._catching_up = catching_up

    def refresh(self) -> None:
        if self._in_process is not None:
            self._in_process.refresh(self._catching_up)

    def close(self) -> None:
        close_projections(self.projections)

    def _ask(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.refresh()
        with self.db.reading():  # a query's statements see one snapshot, in one transaction
            return query(self.db, *args, **kwargs)

    # Each figure as of ``as_of`` (effective time), known at ``known_at`` (recorded time; None: known now).
    def voucher_balance(self, voucher_id: UUID | str, as_of: datetime,
                        known_at: datetime | None = None) -> dict[str, Any] | None:
        return self._ask(money_flows_queries.voucher_balance, str(voucher_id), to_us(as_of), _us(known_at))

    def enterprise_totals(self, enterprise_id: UUID | str, as_of: datetime,
                          known_at: datetime | None = None) -> list[dict[str, Any]]:
        return self._ask(money_flows_queries.enterprise_totals, str(enterprise_id), to_us(as_of), _us(known_at))

    def eligibility(self, enterprise_id: UUID | str, as_of: datetime,
                    known_at: datetime | None = None) -> list[dict[str, Any]]:
        """Per programme year, the eligibility decision (or the correction superseding it) in effect."""
        return self._ask(eligibility_queries.eligibility, str(enterprise_id), to_us(as_of), _us(known_at))

    def publicity_list(self, list_id: UUID | str, as_of: datetime,
                       known_at: datetime | None = None) -> dict[str, Any] | None:
        """A publicity list (公示) as the public could read it then: its claims, window, objections and rulings."""
        return self._ask(publicity_queries.publicity_list, str(list_id), to_us(as_of), _us(known_at))

    def open_vouchers(self, year: int) -> list[tuple[str, str]]:
        """(voucher id, city) of a programme year's vouchers not yet expired or revoked, as known now."""
        return self._ask(expiry_queries.open_vouchers, year)

    def pool_providers(self) -> list[str]:
        """Every provider admitted to the resource pool, as known now (the providers a year's evaluation names)."""
        return self._ask(whitelist_queries.pool_providers)

    def city_spend(self, city: str, as_of: datetime, known_at: datetime | None = None, **filters: Any) -> dict[str, Any]:
        return self._ask(money_flows_queries.city_spend, city, to_us(as_of), _us(known_at), **filters)

    def city_spend_movements(self, city: str, as_of: datetime, known_at: datetime | None = None,
                             **filters: Any) -> dict[str, Any]:
        """The rows one city spend figure adds up (projections/spend_movements_queries.py)."""
        return self._ask(spend_movements_queries.city_movements, city, to_us(as_of), _us(known_at), **filters)

    def voucher_movements(self, voucher_id: UUID | str, as_of: datetime, known_at: datetime | None = None,
                          **filters: Any) -> list[dict[str, Any]]:
        """The rows one voucher figure adds up (projections/spend_movements_queries.py)."""
        return self._ask(spend_movements_queries.voucher_movements, str(voucher_id), to_us(as_of), _us(known_at),
                         **filters)

    def provider_movements(self, provider_id: UUID | str, as_of: datetime, known_at: datetime | None = None,
                           **filters: Any) -> dict[str, Any]:
        """The rows one provider figure adds up (projections/spend_movements_queries.py)."""
        return self._ask(spend_movements_queries.provider_movements, str(provider_id), to_us(as_of), _us(known_at),
                         **filters)

    def provider_receivable(self, provider_id: UUID | str, as_of: datetime,
                            known_at: datetime | None = None) -> dict[str, Any]:
        return self._ask(money_flows_queries.provider_receivable, str(provider_id), to_us(as_of), _us(known_at))

    def claims_held(self, provider_id: UUID | str, as_of: datetime,
                    known_at: datetime | None = None) -> list[dict[str, Any]]:
        return self._ask(whitelist_queries.claims_held, str(provider_id), to_us(as_of), _us(known_at))

    def whitelist(self, as_of: datetime, known_at: datetime | None = None, **page: Any) -> list[dict[str, Any]]:
        return self._ask(whitelist_queries.whitelist, to_us(as_of), _us(known_at), **page)

    def whitelist_history(self, provider_id: UUID | str, as_of: datetime,
                          known_at: datetime | None = None) -> list[dict[str, Any]]:
        return self._ask(whitelist_queries.whitelist_history, str(provider_id), to_us(as_of), _us(known_at))

    def audit_trail(self, entity_kind: str, entity_id: UUID | str, as_of: datetime, known_at: datetime | None = None,
                    **page: Any) -> list[dict[str, Any]]:
        return self._ask(audit_trail_queries.audit_trail, entity_kind, str(entity_id), to_us(as_of), _us(known_at),
                         **page)

    def settlement_batch(self, batch_id: UUID | str, as_of: datetime,
                         known_at: datetime | None = None) -> dict[str, Any] | None:
        return self._ask(settlement_batches_queries.settlement_batch, str(batch_id), to_us(as_of), _us(known_at))

    def provider_batches(self, provider_id: UUID | str, as_of: datetime,
                         known_at: datetime | None = None) -> list[dict[str, Any]]:
        return self._ask(settlement_batches_queries.provider_batches, str(provider_id), to_us(as_of), _us(known_at))

    def late_facts(self, as_of: datetime, known_at: datetime | None = None, **page: Any) -> dict[str, Any]:
        return self._ask(late_facts.late_facts, to_us(as_of), _us(known_at), **page)

    def trial_balance(self, as_of: datetime, known_at: datetime | None = None, **filters: Any) -> dict[str, Any]:
        """The double-entry journal's trial balance (projections/journal_queries.py)."""
        return self._ask(journal_queries.trial_balance, to_us(as_of), _us(known_at), **filters)

    def journal_lines(self, account: str, as_of: datetime, known_at: datetime | None = None,
                      **page: Any) -> list[dict[str, Any]]:
        """One account's postings, whole entries at a time (projections/journal_queries.py)."""
        return self._ask(journal_queries.journal_lines, account, to_us(as_of), _us(known_at), **page)

    # Lists and lookups, as known now (projections/lists_queries.py).
    def list_page(self, name: str, *, now: datetime | None = None, **page: Any) -> lists_queries.Page:
        """One page of list ``name``; ``now`` (the caller's service clock) is what the vouchers list answers each
        voucher's status as of."""
        return self._ask(lists_queries.page, name, now_us=_us(now), **page)

    def year_quotas(self, year: int, **owners: Any) -> dict[str, list[dict[str, Any]]]:
        return self._ask(lists_queries.year_quotas, year, **owners)

    def awards_applied(self, as_of: datetime, known_at: datetime | None = None, **scope: Any) -> list[dict[str, Any]]:
        """Awards applied for by ``as_of`` (known at ``known_at``): all, or one city's, enterprise's or provider's."""
        return self._ask(award_queries.awards_applied, to_us(as_of), _us(known_at), **scope)

    def applicant_award_totals(self, entity_kind: str, entity_id: UUID | str, as_of: datetime,
                               known_at: datetime | None = None) -> list[dict[str, Any]]:
        return self._ask(award_queries.applicant_award_totals, entity_kind, str(entity_id), to_us(as_of),
                         _us(known_at))

    def event_feed(self, as_of: datetime, **filters: Any) -> list[dict[str, Any]]:
        """The global sequence as recorded by ``as_of`` (the feed is in recorded order: as_of is a "known at")."""
        return self._ask(audit_trail_queries.event_feed, as_of_us=to_us(as_of), **filters)


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)
