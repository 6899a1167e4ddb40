"""Commands of the security whitelist's consequences: assessments, and claims held after a late-recorded suspension.

A failed assessment suspends its provider from its *effective* time. When the ledger learns of it later (recorded
on 10 March, effective 1 March), claims were made or approved against that provider in between, while it was — as we
now know — suspended (and some were even paid). Those claims are flagged in the same transaction as the suspension; the unsettled ones are held
from settlement until the province releases or reverses each (DOMAIN.md, Whitelist).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.claims import ClaimStatus
from ledger.commands.base import LedgerApplicationBase
from ledger.commands.vouchers import ClaimChange
from ledger.fiscal_time import shanghai_text
from ledger.provider import Provider
from ledger.quotas import ProviderQuota
from ledger.recording import By
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher
from ledger.whitelist_status import newly_suspended

LIVE = (ClaimStatus.CLAIMED, ClaimStatus.APPROVED, ClaimStatus.SETTLED)


class WhitelistCommands(LedgerApplicationBase):
    def record_assessment(
        self,
        by: By,
        *,
        provider_id: UUID,
        area: str,
        kind: str,
        passed: bool,
        assessor: str,
        report_ref: str,
        effective_at: datetime,
    ) -> str:
        """Record a security assessment or spot check; returns the provider's whitelist status after it.

        A suspension with an earlier effective time than its recording flags the claims it covers, atomically."""

        def run() -> str:
            provider = self.provider(provider_id)
            before = list(provider.results)
            provider.record_assessment(
                by, area=area, kind=kind, passed=passed, assessor=assessor, report_ref=report_ref,
                effective_at=effective_at,
            )
            # Only the times newly suspended are news: the rest was flagged, or known, before. Claims from the
            # recording on were made knowing it (and are refused).
            windows = [(since, by.at if until is None else min(until, by.at))
                       for since, until in newly_suspended(before, provider.results)]
            changed = self._flag_claims_in(by, provider, windows)
            self._save(provider, *changed)
            return provider.status

        return self._run(run)

    def release_claim(self, by: By, *, voucher_id: UUID, claim_id: UUID, reason: str) -> ClaimChange:
        """The province reviewed a held claim and lets it be settled (its provider must still be payable then)."""

        def run() -> ClaimChange:
            voucher = self.voucher(voucher_id)
            voucher.release_claim(by, claim_id=claim_id, reason=reason)
            self._save(voucher)
            return ClaimChange(voucher_id, claim_id, voucher.claim(claim_id).status.value)

        return self._run(run)

    def _flag_claims_in(self, by: By, provider: Provider, windows: list[tuple[datetime, datetime]]) -> list[object]:
        """Flag every live claim against ``provider`` made, approved or paid inside one of the ``windows`` ([since,
        until), in effective order) and not held already; take held ones out of their unpaid batch. Returns the
        changed vouchers and batches."""
        windows = [(since, until) for since, until in windows if since < until]
        if not windows:
            return []
        vouchers: dict[UUID, Voucher] = {}
        batches: dict[UUID, SettlementBatch] = {}
        for voucher_id, claim_id in self._claims_against(provider.id, windows[-1][1]):
            voucher = vouchers.get(voucher_id) or self.voucher(voucher_id)
            claim = voucher.claims.get(claim_id)
            if claim is None or claim.status not in LIVE or claim.held:
                continue
            since = next((since for since, until in windows if any(
                _inside(moment, since, until) for moment in (claim.claimed_at, claim.approved_at, claim.settled_at))),
                None)
            if since is None:
                continue
            reason = f"provider {provider.uscc} suspended from {shanghai_text(since)} (recorded {shanghai_text(by.at)})"
            batch_id = claim.batch_id if claim.status is ClaimStatus.APPROVED else None
            voucher.flag_claim(by, claim_id=claim_id, suspended_from=since, reason=reason)
            vouchers[voucher_id] = voucher
            if batch_id is not None:  # the batch records that the line left it, so it never lists it twice
                batch = batches.get(batch_id) or self.batch(batch_id)
                batch.withdraw(by, claim_id=claim_id, reason=reason)
                batches[batch_id] = batch
        return [*vouchers.values(), *batches.values()]

    def _claims_against(self, provider_id: UUID, until: datetime) -> list[tuple[UUID, UUID]]:
        """(voucher id, claim id) of the claims made against the provider before ``until`` whose quota hold was not
        given back, read from the provider's yearly quotas (the one record that lists every claim against it).

        A claim on a voucher of year Y holds the provider's quota of year Y and may be approved or paid years later,
        so every programme year begun by ``until`` is read (a quota never set has no events). Reads the whole history,
        including claims staged in the same unit of work (group commit, simulator)."""
        found: dict[UUID, UUID] = {}
        for year in self.years_until(until):
            for event in self._history(ids.provider_quota_id(provider_id, year)):
                if isinstance(event, ProviderQuota.Used) and event.claim_id is not None and event.timestamp < until:
                    found[event.claim_id] = event.ref
                elif isinstance(event, ProviderQuota.Returned) and event.claim_id is not None:
                    found.pop(event.claim_id, None)
        return [(voucher_id, claim_id) for claim_id, voucher_id in found.items()]


def _inside(moment: datetime | None, since: datetime, until: datetime) -> bool:
    return moment is not None and since <= moment < until
