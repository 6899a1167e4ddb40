"""The ledger application: every command of the programme, on one event store.

Persistence is chosen by the environment the caller passes (``api.settings.Settings.eventsourcing_env``):
SQLite for the embedded default, PostgreSQL for production. Nothing here reads a clock or opens a connection itself.
"""

from __future__ import annotations

from typing import ClassVar

from ledger.commands.programme import ProgrammeCommands
from ledger.commands.whitelist import WhitelistCommands
from ledger.quotas import CityQuota, ProviderQuota


class VoucherLedger(WhitelistCommands, ProgrammeCommands):
    name = "VoucherLedger"  # PostgreSQL table: voucherledger_events (stored data: never rename)

    # Quotas collect one event per voucher or claim; snapshots keep loading them cheap.
    snapshotting_intervals: ClassVar = {CityQuota: 100, ProviderQuota: 100}
