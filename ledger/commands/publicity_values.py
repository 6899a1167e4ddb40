"""Command values about publicity (公示): lists, objections and rulings. (``ledger/commands/values.py`` says what a
command value is.)"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ledger import ids
from ledger.commands.command import Command


# -- publicity (公示) ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishClaims(Command):
    """Publish a programme year's approved claims, named by (voucher id, claim id), as the list of ``period``."""

    handler = "publish_claims"
    year: int
    period: str
    claims: tuple[tuple[UUID, UUID], ...]

    @property
    def reads(self) -> tuple[UUID, ...]:
        # The window reads the working calendars of the publication's year and the next; the publication's year is
        # the recorded time's, not known here: the programme year's and the next are the usual ones (a hint only).
        calendars = (ids.working_calendar_id(self.year), ids.working_calendar_id(self.year + 1))
        return (ids.programme_year_id(self.year), *calendars, *dict.fromkeys(voucher for voucher, _ in self.claims))


@dataclass(frozen=True)
class _OnAListedClaim(Command):
    list_id: UUID
    claim_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.list_id,)


@dataclass(frozen=True)
class LodgeObjection(_OnAListedClaim):
    handler = "lodge_objection"
    objector: str
    reason: str


@dataclass(frozen=True)
class UpholdClaim(_OnAListedClaim):
    handler = "uphold_claim"
    reason: str


@dataclass(frozen=True)
class SustainObjection(_OnAListedClaim):
    handler = "sustain_objection"
    reason: str


@dataclass(frozen=True)
class ClosePublicityList(Command):
    handler = "close_publicity_list"
    list_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.list_id,)
