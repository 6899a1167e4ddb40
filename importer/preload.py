"""Reading a chunk's aggregates in one round trip, so that deciding it asks the store nothing row by row.

A command names what it reads (``Command.reads``); the ids it may *create* or look up as keys (an invoice's key, a
voucher id, an enterprise id) follow from its fields too, listed here. The importer reads all of them for a chunk of
rows at once (``writer.library_internals.load_many``) and caches those that exist in its unit of work; whatever the
read did not find does not exist, so the unit of work may answer "absent" without asking again
(``optimistic_creates``: a writer that created one meanwhile makes the commit fail, and the chunk is decided again
with every check on).

:class:`ReadAhead` reads the next chunk's aggregates while this one is decided, so that the server answers on its own
core instead of the import waiting for it at every chunk. What it reads is what the unit of work had not cached when
the read was sent; whatever this chunk then caches (loads or changes) stays, as the read's copy is only adopted where
nothing is cached (``UnitOfWork.adopt``), and what it left uncached it did not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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


class ReadAhead:
    """:func:`preload` for a sequence of chunks, each chunk's read sent while the one before it is decided. Use as
    a context manager; :meth:`ready` before deciding chunk ``i`` (0, 1, 2, ... in order)."""

    def __init__(self, app: Any, uow: UnitOfWork, chunks: Sequence[Iterable[Command]]) -> None:
        self.app, self.uow, self.chunks = app, uow, chunks
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read-ahead")
        self._next: Future[list[Any]] | None = None
        self._next_wanted: list[UUID] | None = None

    def ready(self, i: int) -> None:
        """Cache chunk ``i``'s aggregates, then send chunk ``i + 1``'s read. What the read ahead did not cover is
        read now: the first chunk's, and any record the unit of work let go of since (it drops write-once records
        once committed, ``UnitOfWork.seal``), whose existence the store must answer for."""
        wanted = self._next_wanted if self._next_wanted is not None else _wanted(self.chunks[i])
        if self._next is not None:
            self.uow.adopt(self._next.result())
        self._next = self._next_wanted = None
        missing = self.uow.uncached(wanted)
        if missing:
            self.uow.adopt(library_internals.load_many(self.app, missing))
        if i + 1 < len(self.chunks):
            self._next_wanted = _wanted(self.chunks[i + 1])
            missing = self.uow.uncached(self._next_wanted)
            if missing:
                self._next = self._reader.submit(library_internals.load_many, self.app, missing)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self._reader.shutdown(wait=True)  # a read still running ends before the unit of work is dropped


def _wanted(commands: Iterable[Command]) -> list[UUID]:
    wanted: list[UUID] = []
    for command in commands:
        wanted.extend(command.reads)
        wanted.extend(looked_up(command))
    return wanted


# Commands whose existence checks are all covered by ``reads`` and :func:`looked_up` (or that make none): only these
# are decided with "absent unless read"; any other (a command added later) asks the store as usual.
COVERED = (v.SubmitClaim, v.IssueVoucher, v.RegisterEnterprise, v.AdmitProvider, v.OpenBatch, v.PublishCatalogue,
           v.DecideEligibility, v.SetCarrierRates, v.SetCityQuota, v.SetProviderQuota, v.RecordAssessment,
           v.EliminateProvider, v.ApproveClaim, v.RejectClaim, v.ReverseClaim, v.ReleaseClaim, v.AddToBatch,
           v.PayBatch, v.ExpireVoucher, v.RevokeVoucher)


def covered(command: Command) -> bool:
    return isinstance(command, COVERED)
