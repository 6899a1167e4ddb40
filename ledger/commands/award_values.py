"""The award commands as values (``ledger/commands/values.py`` re-exports them beside every other command)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger import ids
from ledger.commands.command import Command


@dataclass(frozen=True)
class DefineAwardProgramme(Command):
    """A year's award programme of one kind, with its rules (``ledger/award_programmes.py``)."""

    handler = "define_award_programme"
    year: int
    kind: str
    name: str
    applicants: tuple[str, ...]
    amount_rule: str
    amount_fen: int | None = None
    rate: object = None
    cap_fen: int | None = None
    max_selected: int | None = None
    city_share: object = None

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.programme_year_id(self.year), ids.award_programme_id(self.year, self.kind))


@dataclass(frozen=True)
class ApplyForAward(Command):
    """An application: an enterprise or provider as itself (``applicant_id``), a government by its city (and county);
    ``contracts``: (provider USCC, contract no.) of the project the award would fund."""

    handler = "apply_for_award"
    award_id: UUID
    year: int
    kind: str
    applicant_kind: str
    project: str
    applicant_id: UUID | None = None
    applicant_name: str | None = None
    city: str | None = None
    county: str | None = None
    contracts: tuple[tuple[str, str], ...] = ()
    base_fen: int | None = None

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.award_programme_id(self.year, self.kind), *((self.applicant_id,) if self.applicant_id else ()))


@dataclass(frozen=True)
class _OnAnAward(Command):
    award_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.award_id,)


@dataclass(frozen=True)
class RecommendAward(_OnAnAward):
    """The application's city recommends it to the province (``city``: the city acting)."""

    handler = "recommend_award"
    city: str
    opinion: str = ""


@dataclass(frozen=True)
class RefuseAward(_OnAnAward):
    """Refused with the reason: by its city (``city``) before recommending, or by the province (``city`` None)."""

    handler = "refuse_award"
    reason: str
    city: str | None = None


@dataclass(frozen=True)
class SelectAward(_OnAnAward):
    handler = "select_award"


@dataclass(frozen=True)
class RecommendAwardNationally(_OnAnAward):
    handler = "recommend_award_nationally"
    note: str = ""


@dataclass(frozen=True)
class WithdrawAwardTitle(_OnAnAward):
    """End a selected award's title: its place under a cap at any time is freed (money untouched)."""

    handler = "withdraw_award_title"
    reason: str


@dataclass(frozen=True)
class GrantAward(_OnAnAward):
    """Grant by the programme's rule; ``amount_fen`` only where the province decides it case by case (一事一议)."""

    handler = "grant_award"
    amount_fen: int | None = None


@dataclass(frozen=True)
class OpenAwardBatch(Command):
    handler = "open_award_batch"
    batch_id: UUID
    period: str


@dataclass(frozen=True)
class AddAwardToBatch(Command):
    handler = "add_award_to_batch"
    batch_id: UUID
    award_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id, self.award_id)


@dataclass(frozen=True)
class PayAwardBatch(Command):
    handler = "pay_award_batch"
    batch_id: UUID
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


@dataclass(frozen=True)
class RecoverAward(_OnAnAward):
    handler = "recover_award"
    reason: str
    effective_at: datetime


@dataclass(frozen=True)
class CollectAwardRecovery(_OnAnAward):
    handler = "collect_award_recovery"
    amount_fen: int
    bank_reference: str
    effective_at: datetime


@dataclass(frozen=True)
class WriteOffAwardRecovery(_OnAnAward):
    handler = "write_off_award_recovery"
    reason: str
    effective_at: datetime
