"""Every place the writer reaches past eventsourcing's public API, each with its reason; nowhere else does.

Written against eventsourcing 9.5.6 (pinned in pyproject.toml): after an upgrade, re-read ``Application.save``,
``EventStore.put``, ``Application._record``/``_notify``, ``Repository.get``/``project_aggregate`` and
``Aggregate.pending_events``/``collect_events`` and adjust this module; nothing else should need it. The figures
behind "faster" are in bench/README.md ("Group commit").
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from operator import attrgetter
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, Recording
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Notification, StoredEvent


def encode(app: Application, events: Sequence[Any]) -> list[StoredEvent]:
    """The events as the store keeps them, as ``EventStore.put`` encodes them before inserting.

    Why: the unit of work encodes each command's events as the command runs, so that an event that cannot be
    stored fails its own command, and so that the thread that commits only waits on the database."""
    return list(map(app.mapper.to_stored_event, events))


def save_without_checks(app: Application, events: Sequence[Any], snapshots: Sequence[Any] = (), *,
                        stored: Sequence[StoredEvent] | None = None) -> None:
    """Write ``events`` (in this order) in one transaction, then the given snapshots: ``Application.save``'s steps
    in its order, minus two.

    Why: ``Application.save`` checks every object against runtime Protocols with ``isinstance`` (on Python 3.11
    that costs more than encoding and inserting the event: bench/README.md, "The simulator"), and re-reads
    aggregates from the store to snapshot them; the unit of work passes snapshots taken from its in-memory aggregates
    instead (:func:`snapshots_due`). ``stored``: the same events already encoded (:func:`encode`). The encoding step
    of ``EventStore.put`` is skipped when they are; the application keeps no aggregate cache for ``_record`` to fill
    (``AGGREGATE_CACHE_MAXSIZE`` is never set)."""
    stored = encode(app, events) if stored is None else list(stored)
    ids = app.recorder.insert_events(stored)
    if snapshots and app.snapshots is not None:
        app.snapshots.put(list(snapshots))
    # The library's _notify (private) is a no-op; build the recordings only for a subclass that overrides it.
    if type(app)._notify is not Application._notify:
        app._notify([Recording(e, Notification(id=n, originator_id=s.originator_id, topic=s.topic,
                                               originator_version=s.originator_version, state=s.state))
                     for e, s, n in zip(events, stored, ids or [], strict=bool(ids))])


def snapshots_due(app: Application, aggregates: Sequence[Any], first_versions: dict[UUID, int]) -> list[Any]:
    """Snapshots of the aggregates whose new events crossed a multiple of their snapshotting interval.

    Why: ``Application.save`` decides this itself and takes each snapshot by reading the aggregate from the store
    again; :func:`save_without_checks` does neither, so the unit of work takes them from the aggregates it holds, at
    exactly the version the batch writes, with the library's rule (``snapshotting_intervals``)."""
    due = []
    for aggregate in aggregates:
        interval = app.snapshotting_intervals.get(type(aggregate)) if app.snapshots is not None else None
        first = first_versions.get(aggregate.id)
        if interval and first is not None and aggregate.version // interval > (first - 1) // interval:
            due.append(getattr(type(aggregate), "Snapshot", Snapshot).take(aggregate))
    return due


def load_many(app: Application, aggregate_ids: Sequence[UUID]) -> list[Any]:
    """Those of these aggregates that exist, each rebuilt from all its events, read in one round trip where the
    store's recorder can (``select_events_of_many``: store/postgres_recorder.py), else one read each.

    Why: the library reads one aggregate per query; the group-commit writer loads the aggregates a batch's commands
    will read at once. It replays events as ``Repository.project_aggregate`` does, without its runtime-Protocol
    assert per event. Snapshots are not read, so this is for aggregates with short histories (a voucher has a few
    events); it is still right for any aggregate, only slower for a long one."""
    select_many = getattr(app.recorder, "select_events_of_many", None)
    if select_many is not None:
        stored = select_many(aggregate_ids)
    else:
        stored = [event for i in aggregate_ids for event in app.recorder.select_events(i)]
    aggregates = []
    to_domain_event = app.mapper.to_domain_event
    for _, events in groupby(stored, key=attrgetter("originator_id")):
        aggregate = None
        for event in events:
            aggregate = to_domain_event(event).mutate(aggregate)
        if aggregate is not None:
            aggregates.append(aggregate)
    return aggregates


# An aggregate's id and pending events, read from the attributes behind the library's ``id`` and ``pending_events``
# properties. Why: the unit of work reads both for every aggregate a command saves or touched (a dozen times a
# claim), and a property is a Python call each time; an attrgetter is not.
aggregate_id_of = attrgetter("_id")
pending_events_of = attrgetter("_pending_events")


def set_pending_events(aggregate: Any, events: list[Any]) -> None:
    """Make ``events`` the aggregate's pending (not yet saved) events.

    Why: undoing a failed command rebuilds an aggregate from the store plus the events earlier commands of the batch
    staged, which must stay pending so that they are committed; the library only appends to its private
    ``_pending_events`` list (through ``trigger_event``) and has no public way to set it."""
    aggregate._pending_events = events
