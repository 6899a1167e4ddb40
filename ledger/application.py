"""The ledger application: every command of the programme, on one event store.

Persistence is chosen by the environment the caller passes (``store.settings.Settings.eventsourcing_env``):
SQLite for the embedded default, PostgreSQL for production. Nothing here reads a clock or opens a connection itself.
"""

from __future__ import annotations

from typing import ClassVar

from eventsourcing.application import Repository
from eventsourcing.utils import strtobool

from ledger.commands.programme import ProgrammeCommands
from ledger.commands.whitelist import WhitelistCommands
from ledger.quotas import CityQuota, ProviderQuota
from ledger.stored_names import APPLICATION_NAME


class VoucherLedger(WhitelistCommands, ProgrammeCommands):
    name = APPLICATION_NAME  # stored data: names the PostgreSQL tables and the projections' tracking rows

    # Quotas collect one event per voucher or claim; snapshots keep loading them cheap.
    snapshotting_intervals: ClassVar = {CityQuota: 100, ProviderQuota: 100}
    TRUST_SNAPSHOTS = "TRUST_SNAPSHOTS"

    def construct_repository(self) -> Repository:
        """Without trust in snapshots (env ``TRUST_SNAPSHOTS=n``) every load replays all the aggregate's events:
        snapshots are still taken, for whoever trusts them, but a stored one never decides a command."""
        repository = super().construct_repository()
        if not strtobool(self.env.get(self.TRUST_SNAPSHOTS, "y")):
            repository.snapshot_store = None
        return repository
