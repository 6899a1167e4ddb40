"""Opening a unit of work on an application: within the block, the commands run in this thread (or task) read and
save through it instead of the store.

The commands ask ``app.current_store_access()`` where to read and save (ledger/commands/store_access.py); the first
unit of work opened on an application routes that question through a context variable of this module, so that a
unit of work serves only the thread that opened it and the application's other threads keep the store. Callers hand
the writer closures that call the application, so the unit of work cannot be passed to the commands explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

from ledger.commands.base import LedgerApplicationBase
from ledger.commands.store_access import StoreAccess
from ledger.stored_names import SET_UP_TOPICS
from writer.unit_of_work import UnitOfWork

_installing = threading.Lock()


def _routing(app: LedgerApplicationBase) -> ContextVar[StoreAccess]:
    """The context variable that says where this application's commands read and save in this context: the unit of
    work active here, else (its default) the store. Per application, so that another application in the same thread
    is unaffected. The application's ``current_store_access`` becomes its ``get``, a C method: the commands ask it
    ten times a claim, and a Python function in between was a call each time."""
    with _installing:  # two threads opening their first units of work at once must share one routing
        routing = getattr(app.current_store_access, "__self__", None)
        if not isinstance(routing, ContextVar):
            routing = ContextVar(f"unit_of_work_{id(app)}", default=app.direct_store_access)
            app.current_store_access = routing.get
        return routing


SET_UP_LIMIT = 1_000  # a store's set-up is a handful of events; more than this is not an empty store


def set_up_ids(app: LedgerApplicationBase) -> set[UUID]:
    """The aggregates of a store that holds nothing but its set-up (``ledger.stored_names.SET_UP_TOPICS``); any other
    event means the store is not empty, and a sole writer of an empty store cannot start on it."""
    found = app.recorder.select_notifications(1, SET_UP_LIMIT + 1)
    if len(found) > SET_UP_LIMIT or any(n.topic not in SET_UP_TOPICS for n in found):
        raise ValueError("sole_writer_of_empty_store needs an empty store; this one already has events")
    return {n.originator_id for n in found}


@contextmanager
def unit_of_work(app: LedgerApplicationBase, *, cache_size: int = 50_000, sole_writer_of_empty_store: bool = False,
                 factory: type[UnitOfWork] = UnitOfWork) -> Iterator[UnitOfWork]:
    """Within this block (in this thread) commands decide against cached aggregates and stage their events;
    nothing is written until ``uow.flush()``. Unflushed work at the end of the block is flushed. ``factory``: a
    subclass of :class:`UnitOfWork` to use instead (the importer's keeps what it sealed until it commits)."""
    set_up = set_up_ids(app) if sole_writer_of_empty_store else ()
    uow = factory(app, cache_size=cache_size, sole_writer_of_empty_store=sole_writer_of_empty_store)
    uow.known_to_exist(set_up)
    active = _routing(app)
    token = active.set(uow)
    try:
        yield uow
        uow.flush()
    finally:
        active.reset(token)
        uow.close()
