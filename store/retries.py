"""How long a failed PostgreSQL statement is retried: within a time budget, not ten times over.

The library retries every statement that fails with its ``OperationalError``/``InterfaceError`` ten times, 0.2 s
apart, and each attempt may wait the pool's timeout for a connection: while the server is down one request took
10 × (connect timeout + 0.2 s) before its 503. Here the ledger's own recorder classes (subclasses, named by
``store.postgres_recorder.LedgerPostgresFactory`` and ``projections.view.PostgresView``) retry the same methods only
while the time spent leaves room for one more attempt inside ``store_down_answer_s`` (:func:`set_budget`, from the
settings when a store is opened), and the pool waits at most half the budget (``Settings.eventsourcing_env``): a
stale pooled connection is still replaced by a retry, an outage answers within the budget. The library's classes
are left as they are.

Written against eventsourcing 9.5.6 (pinned): its ``retry`` decorator keeps the undecorated method as
``__wrapped__``; after an upgrade check that the methods below still carry it (a test does).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from eventsourcing import postgres
from eventsourcing.persistence import InterfaceError, OperationalError

WAIT_S = 0.05  # between attempts: a stale connection is replaced at once, nothing is gained by waiting longer
MARGIN = 0.9  # of the budget, for the statement's request to answer once the statement has failed
_budget = {"total_s": 2.0, "attempt_s": 1.0, "opening_s": 5.0}


def set_budget(total_s: float, attempt_s: float, opening_s: float) -> None:
    """Every later statement answers within about ``total_s``; one attempt waits at most ``attempt_s``; opening a
    store waits up to ``opening_s`` for its first connection (:func:`while_opening`)."""
    _budget.update(total_s=total_s, attempt_s=attempt_s, opening_s=opening_s)


def within_budget(method: Callable[..., Any]) -> Callable[..., Any]:
    inner = getattr(method, "__wrapped__", method)

    @wraps(inner)
    def retrying(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        while True:
            try:
                return inner(*args, **kwargs)
            except (InterfaceError, OperationalError):
                # another attempt only if it fits: it may wait a whole attempt for a connection
                if time.monotonic() - started + WAIT_S + _budget["attempt_s"] > MARGIN * _budget["total_s"]:
                    raise
                time.sleep(WAIT_S)

    retrying.__wrapped__ = inner  # type: ignore[attr-defined]
    return retrying


def while_opening(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` retried for up to the opening budget (the settings' ``postgres_connect_timeout_s``). A process's
    first connection is made while its store opens, by a pool that has only just started connecting: on a loaded
    server that takes longer than a request's one-second wait, and a process failed to start for it (a CI run's
    opening, "couldn't get a connection after 1.00 sec"). A request's budget is not for a process's start; an
    unreachable server still fails the opening, after the connect timeout."""

    @wraps(method)
    def retrying(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + _budget["opening_s"]
        while True:
            try:
                return method(*args, **kwargs)
            except (InterfaceError, OperationalError):
                if time.monotonic() + WAIT_S > deadline:
                    raise
                time.sleep(WAIT_S)

    return retrying


class BudgetedAggregateRecorder(postgres.PostgresAggregateRecorder):
    """The library's aggregate recorder (snapshots), its statements retried within the budget."""

    insert_events = within_budget(postgres.PostgresAggregateRecorder.insert_events)
    select_events = within_budget(postgres.PostgresAggregateRecorder.select_events)


class BudgetedApplicationRecorder(postgres.PostgresApplicationRecorder):
    """The library's application recorder, its statements retried within the budget (the ledger's subclass,
    ``store.postgres_recorder``, writes and reads events its own way, each retried the same)."""

    insert_events = within_budget(postgres.PostgresApplicationRecorder.insert_events)
    select_events = within_budget(postgres.PostgresApplicationRecorder.select_events)
    select_notifications = within_budget(postgres.PostgresApplicationRecorder.select_notifications)
    max_notification_id = within_budget(postgres.PostgresApplicationRecorder.max_notification_id)


class BudgetedTrackingRecorder(postgres.PostgresTrackingRecorder):
    """The library's tracking recorder (the projections' positions), its statements retried within the budget."""

    insert_tracking = within_budget(postgres.PostgresTrackingRecorder.insert_tracking)
    max_tracking_id = within_budget(postgres.PostgresTrackingRecorder.max_tracking_id)
    has_tracking_id = within_budget(postgres.PostgresTrackingRecorder.has_tracking_id)


# Every library method that carries the library's ten retries, and the class of ours that replaces them: a test
# checks the list is complete against the installed library.
BUDGETED = {
    postgres.PostgresAggregateRecorder: BudgetedAggregateRecorder,
    postgres.PostgresApplicationRecorder: BudgetedApplicationRecorder,
    postgres.PostgresTrackingRecorder: BudgetedTrackingRecorder,
}
