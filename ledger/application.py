"""The ledger application: every command of the programme, on one event store.

Commands arrive as values (``ledger/commands/values.py``) at one entry point, ``handle(command, by)``. The methods
that decide them live in flat handler modules under ``ledger/commands/`` — one per area, each on the shared base
(loading, saving, retries) and none on another — and meet only here.

Persistence is chosen by the environment the caller passes (``store.settings.Settings.eventsourcing_env``):
SQLite for the embedded default, PostgreSQL for production. Nothing here reads a clock or opens a connection itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.application import Repository
from eventsourcing.utils import strtobool

from ledger.commands.award_payments import AwardPaymentCommands
from ledger.commands.awards import AwardCommands
from ledger.commands.console_sign_ins import ConsoleSignInCommands
from ledger.commands.corrections import CorrectionCommands
from ledger.commands.evaluation import EvaluationCommands
from ledger.commands.evidence import EvidenceKeyCommands
from ledger.commands.evidence_guard import EvidenceKeysGuard
from ledger.commands.funding import FundingCommands
from ledger.commands.parties import PartyCommands
from ledger.commands.programme import ProgrammeCommands
from ledger.commands.publicity import PublicityCommands
from ledger.commands.settlement import SettlementCommands
from ledger.commands.values import Command
from ledger.commands.vouchers import VoucherCommands
from ledger.commands.whitelist import WhitelistCommands
from ledger.commands.working_calendars import WorkingCalendarCommands
from ledger.commands.years import ProgrammeYearCommands
from ledger.errors import InvalidInputError
from ledger.evaluation import ProviderReview
from ledger.quotas import CityQuota, ProviderQuota
from ledger.recording import By
from ledger.stored_names import APPLICATION_NAME


class VoucherLedger(PartyCommands, ProgrammeCommands, VoucherCommands, SettlementCommands, WhitelistCommands,
                    CorrectionCommands, EvaluationCommands, EvidenceKeyCommands, EvidenceKeysGuard,
                    ProgrammeYearCommands, PublicityCommands, AwardCommands, AwardPaymentCommands, FundingCommands,
                    ConsoleSignInCommands, WorkingCalendarCommands):
    name = APPLICATION_NAME  # stored data: names the PostgreSQL tables and the projections' tracking rows

    # Quotas collect one event per voucher or claim; snapshots keep loading them cheap.
    snapshotting_intervals: ClassVar = {CityQuota: 100, ProviderQuota: 100, ProviderReview: 100}
    TRUST_SNAPSHOTS = "TRUST_SNAPSHOTS"

    def handle(self, command: Command, by: By) -> Any:
        """Decide one command as ``by`` and save what it changed; returns the command's result (see its handler)."""
        if not isinstance(command, Command):
            raise InvalidInputError(f"not a command: {type(command).__name__}")
        return command.decide(self, by)

    def construct_repository(self) -> Repository:
        """Without trust in snapshots (env ``TRUST_SNAPSHOTS=n``) every load replays all the aggregate's events:
        snapshots are still taken, for whoever trusts them, but a stored one never decides a command."""
        repository = super().construct_repository()
        if not strtobool(self.env.get(self.TRUST_SNAPSHOTS, "y")):
            repository.snapshot_store = None
        return repository
