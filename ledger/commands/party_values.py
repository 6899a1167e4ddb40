"""Command values about the parties: enterprises and their eligibility, providers, their quotas and assessments.
(``ledger/commands/values.py`` says what a command value is.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from ledger import ids
from ledger.commands.command import Command


# -- parties ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterEnterprise(Command):
    handler = "register_enterprise"
    uscc: str
    name: str
    city: str
    carrier: str
    established_on: date


@dataclass(frozen=True)
class DecideEligibility(Command):
    handler = "decide_eligibility"
    enterprise_id: UUID
    year: int
    prior_year_revenue_fen: int
    serious_misuse_5y: bool
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.enterprise_id,)


@dataclass(frozen=True)
class CorrectEligibility(Command):
    """Supersede a year's decision with one judged from corrected facts, for ``reason``; issued vouchers are left as
    they are (see ``VoucherLedger.correct_eligibility``)."""

    handler = "correct_eligibility"
    enterprise_id: UUID
    year: int
    prior_year_revenue_fen: int
    serious_misuse_5y: bool
    effective_at: datetime
    reason: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.enterprise_id,)


@dataclass(frozen=True)
class AdmitProvider(Command):
    handler = "admit_provider"
    uscc: str
    name: str
    kind: str


@dataclass(frozen=True)
class SetProviderQuota(Command):
    handler = "set_provider_quota"
    provider_id: UUID
    year: int
    amount_fen: int

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


@dataclass(frozen=True)
class ReviseProviderQuota(Command):
    """Revise a quota already set; never below what claims hold."""

    handler = "revise_provider_quota"
    provider_id: UUID
    year: int
    amount_fen: int

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id, ids.provider_quota_id(self.provider_id, self.year))


@dataclass(frozen=True)
class EliminateProvider(Command):
    handler = "eliminate_provider"
    provider_id: UUID
    year: int
    rating: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


@dataclass(frozen=True)
class RecordAssessment(Command):
    handler = "record_assessment"
    provider_id: UUID
    area: str
    kind: str
    passed: bool
    assessor: str
    report_ref: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


# -- console access -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UseSignInLink(Command):
    """A console sign-in link exchanged for a session: good once (``ledger/console_sign_ins.py``)."""

    handler = "use_sign_in_link"
    link_id: str
    role: str
    subject: str
    link_expires_at: datetime
