"""Checking every stored snapshot against its aggregate's events, replayed to the snapshot's version.

A snapshot is a cache: commands load a quota from its latest snapshot plus the events after it (unless
``VOUCHER_LEDGER_TRUST_SNAPSHOTS=false``), so a snapshot that does not match the events would decide commands that
the events do not justify, while the signed chain, which covers only events, stays clean. Each snapshotted aggregate
is replayed once from its first event; at each snapshot's version the state the events give is taken as a snapshot
would be, encoded and decoded as the store does, and compared with the stored one key by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent

from store.settings import Settings
from store.opening import one_reader, open_ledger
from audit.findings import SNAPSHOT, Finding
from audit.source import EventSource
from ledger.application import VoucherLedger


@dataclass
class SnapshotCheck:
    aggregates: int = 0
    snapshots: int = 0
    findings: list[Finding] = field(default_factory=list)


def check_snapshots(settings: Settings) -> SnapshotCheck:
    """Replay every snapshotted aggregate and name each stored snapshot that differs from its events."""
    check = SnapshotCheck()
    ids = EventSource(settings).snapshotted()
    if not ids:
        return check
    app = open_ledger(one_reader(settings).model_copy(update={"trust_snapshots": False}), prepare=False)
    try:
        for oid in ids:
            snapshots = app.snapshots.recorder.select_events(oid)  # in version order, as stored
            check.aggregates += 1
            check.snapshots += len(snapshots)
            check.findings.extend(_check_aggregate(app, oid, snapshots))
    finally:
        app.close()
    return check


def _check_aggregate(app: VoucherLedger, oid: UUID, snapshots: Sequence[StoredEvent]) -> Iterable[Finding]:
    events = iter(app.recorder.select_events(oid))
    aggregate: Any = None
    for row in snapshots:
        version = row.originator_version
        try:
            snapshot = app.mapper.to_domain_event(row)
        except Exception as exc:  # what the library would fail on when a command loads the aggregate
            yield Finding(SNAPSHOT, None, oid, version, f"the stored snapshot does not decode ({exc!r})")
            continue
        try:
            while aggregate is None or aggregate.version < version:
                stored = next(events, None)
                if stored is None:
                    break
                aggregate = app.mapper.to_domain_event(stored).mutate(aggregate)
        except Exception as exc:  # an event that does not decode or apply: nothing after it can be vouched for
            yield Finding(SNAPSHOT, None, oid, version, f"the aggregate's events do not replay ({exc!r}), so no "
                          "snapshot of it from here on can be checked")
            return
        reached = 0 if aggregate is None else aggregate.version
        if reached != version:
            yield Finding(SNAPSHOT, None, oid, version, f"a snapshot at version {version}, but the aggregate's events "
                          f"reach only version {reached}")
            continue
        try:
            differences = _differences(app, snapshot, aggregate)
        except Exception as exc:  # a forged state of another shape than the aggregate's
            differences = [f"cannot be compared with them ({exc!r})"]
        if differences:
            yield Finding(SNAPSHOT, None, oid, version, "differs from its events replayed: " + "; ".join(differences))


def _differences(app: VoucherLedger, stored: Any, aggregate: Any) -> list[str]:
    """What the stored snapshot says that the replayed aggregate does not (both as the store encodes them)."""
    taken = getattr(type(aggregate), "Snapshot", Snapshot).take(aggregate)  # as the application takes them
    replayed = app.mapper.to_domain_event(app.mapper.to_stored_event(taken))
    found = [] if stored.topic == replayed.topic else [f"class {stored.topic} (events: {replayed.topic})"]
    for key in sorted(stored.state.keys() | replayed.state.keys()):
        mine, theirs = stored.state.get(key, "(absent)"), replayed.state.get(key, "(absent)")
        if mine != theirs:
            found.append(f"{key.lstrip('_')} {mine!r} (events: {theirs!r})")
    return found
