"""Command values about the resource pool's evaluation: ratings, complaints and the yearly run.
(``ledger/commands/values.py`` says what a command value is.)"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ledger import ids
from ledger.commands.command import Command
from ledger.commands.voucher_values import _OnAClaim


# -- the resource pool's evaluation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RateService(_OnAClaim):
    """An enterprise's rating (1-5) of the service one of its claims paid for; once per claim. ``on_behalf_of`` as
    in ``SubmitClaim``: another enterprise's voucher is answered as an unknown one."""

    handler = "rate_service"
    score: int
    comment: str = ""
    on_behalf_of: UUID | None = None


@dataclass(frozen=True)
class FileComplaint(_OnAClaim):
    """An enterprise's complaint about the provider of one of its claims."""

    handler = "file_complaint"
    complaint_id: UUID
    reason: str
    on_behalf_of: UUID | None = None


@dataclass(frozen=True)
class EvaluateResourcePool(Command):
    """The year's evaluation over the providers named (the pool, as the caller's read model lists it)."""

    handler = "evaluate_resource_pool"
    year: int
    provider_ids: tuple[UUID, ...]

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.pool_evaluation_id(self.year), *self.provider_ids,
                *(ids.provider_review_id(p, self.year) for p in self.provider_ids),
                *(ids.provider_quota_id(p, self.year + 1) for p in self.provider_ids))
