"""Reading a chunk's aggregates in one round trip, so that deciding it asks the store nothing row by row.

A command names what it reads (``Command.reads``); the ids it may *create* or look up as keys (an invoice's key, a
voucher id, an enterprise id) follow from its fields too, listed here. The importer reads all of them for a chunk of
rows at once (``writer.library_internals.load_many``) and caches those that exist in its unit of work; whatever the
read did not find does not exist, so the unit of work may answer "absent" without asking again
(``optimistic_creates``: a writer that created one meanwhile makes the commit fail, and the chunk is decided again
with every check on).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.commands import values as v
from ledger.commands.values import Command
from writer import library_internals
from writer.unit_of_work import UnitOfWork


def looked_up(command: Command) -> tuple[UUID, ...]:
    """Ids the command checks for existence or creates, beyond ``reads``."""
    if isinstance(command, v.SubmitClaim):
        contract_no, invoice_nos = command.evidence.key_numbers()
        keys = tuple(ids.invoice_key_id(no) for no in invoice_nos)
        if contract_no and isinstance(command.provider_id, UUID):
            keys += (ids.contract_key_id(command.provider_id, contract_no),)
        return keys
    if isinstance(command, v.IssueVoucher) and isinstance(command.item_id, str):
        return (ids.voucher_id(command.enterprise_id, command.year, command.item_id.strip()),)
    if isinstance(command, v.RegisterEnterprise) and isinstance(command.uscc, str):
        return (ids.enterprise_id(command.uscc),)
    if isinstance(command, v.AdmitProvider) and isinstance(command.uscc, str):
        return (ids.provider_id(command.uscc),)
    if isinstance(command, v.OpenBatch):
        return (command.batch_id,)
    if isinstance(command, v.PublishCatalogue):
        return (ids.catalogue_id(command.year),)
    return ()


def preload(app: Any, uow: UnitOfWork, commands: Iterable[Command]) -> None:
    """Read every aggregate these commands will read or look up that the unit of work has not cached, in one
    round trip, and cache those that exist."""
    wanted: list[UUID] = []
    for command in commands:
        wanted.extend(command.reads)
        wanted.extend(looked_up(command))
    missing = uow.uncached(wanted)
    if missing:
        uow.adopt(library_internals.load_many(app, missing))


# Commands whose existence checks are all covered by ``reads`` and :func:`looked_up` (or that make none): only these
# are decided with "absent unless read"; any other (a command added later) asks the store as usual.
COVERED = (v.SubmitClaim, v.IssueVoucher, v.RegisterEnterprise, v.AdmitProvider, v.OpenBatch, v.PublishCatalogue,
           v.DecideEligibility, v.SetCarrierRates, v.SetCityQuota, v.SetProviderQuota, v.RecordAssessment,
           v.EliminateProvider, v.ApproveClaim, v.RejectClaim, v.ReverseClaim, v.ReleaseClaim, v.AddToBatch,
           v.PayBatch, v.ExpireVoucher, v.RevokeVoucher)


def covered(command: Command) -> bool:
    return isinstance(command, COVERED)
