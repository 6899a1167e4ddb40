"""Checking the event store: the whole events table, against a signed digest if there is one, and its snapshots.

With a digest, the first pass hashes every covered event (0 < position <= the digest's last) into the same
checkpoints the digest holds and compares them block by block: a block whose Merkle root matches is unchanged, event
for event, so the common case is one streaming pass at hashing speed. Only if a block differs does the second pass
re-read the store from that block on and walk it beside the digest's per-event records (its ``.leaves`` file), by
position:

- ALTERED    a position holds different bytes than when the digest was taken;
- MISSING    a position the digest has is gone from the store;
- REORDERED  a position holds an unchanged event that the digest has at another position;
- INSERTED   a position the digest does not have, at or below its last position (a gap filled in afterwards).

Events after the digest's last position are *not covered yet*: counted, and never a finding merely for being new.
Without the leaves file the difference is reported per block (kind BLOCK), which proves tampering but cannot name the
event.

With or without a digest, every stored row is looked at (audit/structure.py): a row outside the chain (position
<= 0, or a position held twice) is INSERTED, an aggregate whose versions are not 1, 2, 3, ... in position order is
named (VERSION); and every stored snapshot is compared with its aggregate's events replayed (SNAPSHOT,
audit/snapshots.py). Each of these is a finding, and any finding fails `voucher-ledger verify`.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from uuid import UUID

from audit.digest import Digest, Leaves
from audit.findings import ALTERED, BLOCK, INSERTED, MISSING, REORDERED, SNAPSHOT, VERSION, Finding
from audit.hash_chain import BLOCK_SIZE, ChainScan, Checkpoint, decode, leaf_hash, with_position
from audit.snapshots import SnapshotCheck, check_snapshots
from audit.source import NO_LIMIT, EventSource
from audit.structure import outside_chain, repeated_position, version_breaks

__all__ = ["ALTERED", "BLOCK", "INSERTED", "MISSING", "REORDERED", "SNAPSHOT", "VERSION", "Finding", "VerifyResult",
           "taken_of_another_store", "verify"]


@dataclass
class VerifyResult:
    digest: Digest | None
    checked: int  # events hashed from the store (those covered by the digest, or all without one)
    head: bytes  # chain value after the last of them
    checkpoints: list[Checkpoint]
    not_covered: int = 0  # events recorded after the digest was taken
    findings: list[Finding] = field(default_factory=list)  # in position order, at most ``max_findings``
    total_findings: int = 0
    snapshots: SnapshotCheck | None = None  # None: snapshots not checked
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.total_findings == 0

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def events_per_second(self) -> float:
        return self.checked / self.seconds if self.seconds else 0.0


def verify(source: EventSource, digest: Digest | None = None, *, progress: Callable[[int], None] | None = None,
           max_findings: int = 100, snapshots: bool = True,
           stage: Callable[[str], None] | None = None) -> VerifyResult:
    """Recompute the chain and checkpoints (up to the digest's last position) and compare them with ``digest``;
    look at every other stored row, every aggregate's versions and (``snapshots``) every stored snapshot.
    ``progress`` is told of events hashed; ``stage`` (optional) what is being checked after the chain."""
    stage = stage or (lambda _: None)
    started = time.perf_counter()
    upto = digest.last_position if digest else NO_LIMIT
    scan = ChainScan(block_size=digest.block_size if digest else BLOCK_SIZE, progress=progress)
    scan.run(source.rows(upto=upto))
    result = VerifyResult(digest, scan.events, scan.head, scan.checkpoints)
    repeated, found = scan.repeated, []
    if digest is not None:
        previous = upto
        for position, enc in source.rows(after=upto):  # not covered yet, but a position held twice is never right
            result.not_covered += 1
            if position <= previous:
                repeated.append((position, enc))
            previous = position
        block = first_different_block(scan.checkpoints, digest.checkpoints)
        if block is not None:
            leaves = digest.load_leaves()
            found = (_locate(source, digest, leaves, block) if leaves is not None
                     else _blocks(scan.checkpoints, digest.checkpoints, block))
    kept = _FirstFindings(max_findings)
    kept.add(found)
    named = {f.position for f in found}  # the digest's records already say which event at a position is the stranger
    kept.add(repeated_position(position, enc) for position, enc in repeated if position not in named)
    stage("rows outside the chain, and every aggregate's versions")
    kept.add(outside_chain(source))
    kept.add(version_breaks(source))
    if snapshots:
        stage("every snapshot, against its aggregate's events replayed")
        result.snapshots = check_snapshots(source.settings)
        kept.add(result.snapshots.findings)
    result.findings, result.total_findings = kept.in_order(), kept.total
    result.seconds = time.perf_counter() - started
    return result


def taken_of_another_store(source: EventSource, digest: Digest) -> bool:
    """Whether ``digest`` was taken of another store than ``source``, so that comparing them proves nothing.

    Two things name a store: where it is (``identity()``: host, database and table, or the SQLite file) and its first
    event (the digest's ``first_event``: position, id, version and leaf hash). A store copied or restored elsewhere
    keeps its first event, so it is still checked against the digest; at the same place a different first event is
    a rewritten history, and checked (TAMPERED). Only where both differ is the digest another store's. Ids are
    derived from names, so the leaf (stored bytes and time included), not the id, tells stores apart. A digest that
    names no first event (signed before it was recorded, without its leaves file) cannot tell, and is checked."""
    if digest.body.get("store") == source.identity():
        return False
    signed = digest.first_event
    if signed is None:
        return False
    first = source.first()
    return first is None or (first[0], leaf_hash(first[1])) != (signed[0], signed[3])


class _FirstFindings:
    """The first ``limit`` findings by position (ties: as they came), and how many there were in all: a forged
    store may hold millions, and only a screenful is shown."""

    def __init__(self, limit: int) -> None:
        self.limit, self.total = limit, 0
        self._heap: list[tuple[int, int, int, Finding]] = []  # keys negated: the root is the last finding kept

    def add(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.total += 1
            rank, position = finding.order
            entry = (-rank, -position, -self.total, finding)  # unique keys: findings themselves are never compared
            if len(self._heap) < self.limit:
                heapq.heappush(self._heap, entry)
            elif self._heap and entry > self._heap[0]:
                heapq.heapreplace(self._heap, entry)

    def in_order(self) -> list[Finding]:
        return [entry[3] for entry in sorted(self._heap, reverse=True)]


def first_different_block(recomputed: list[Checkpoint], signed: list[Checkpoint]) -> int | None:
    for block in range(max(len(recomputed), len(signed))):
        if block >= len(recomputed) or block >= len(signed) or recomputed[block] != signed[block]:
            return block
    return None


def _blocks(recomputed: list[Checkpoint], signed: list[Checkpoint], first: int) -> list[Finding]:
    """Without per-event records: every block from the first different one whose checkpoint differs."""
    found = []
    for block in range(first, len(signed)):
        if block >= len(recomputed) or recomputed[block] != signed[block]:
            after = signed[block - 1].last_position if block else 0
            found.append(Finding(BLOCK, after + 1, None, None,
                                 f"block {block} (positions {after + 1}..{signed[block].last_position}) differs from "
                                 "the digest; keep the digest's .leaves file beside it to name the event"))
    return found or [Finding(BLOCK, signed[-1].last_position if signed else 0, None, None,
                             "the store holds more covered events than the digest")]


def _locate(source: EventSource, digest: Digest, leaves: Leaves, block: int) -> list[Finding]:
    """Walk the store and the digest's records side by side by position, from the first block that differs."""
    start = block * digest.block_size  # every event before it matched, one for one
    after = leaves.position(start - 1) if start else 0
    explain = _Explainer(leaves)
    found, i, n = [], start, len(leaves)
    for position, rows in groupby(source.rows(after=after, upto=digest.last_position), key=itemgetter(0)):
        encs = [enc for _, enc in rows]  # one, unless the position is held twice
        while i < n and leaves.position(i) < position:
            found.append(explain.missing(i))
            i += 1
        beside = i < n and leaves.position(i) == position
        if beside:
            leaf = leaves.leaf(i)
            same = next((k for k, enc in enumerate(encs) if leaf_hash(enc) == leaf), None)
            if same is None:
                found.append(explain.changed(position, encs[0], i))
                same = 0
            del encs[same]  # the event the digest has here; any other at this position was put beside it
            i += 1
        found.extend(explain.inserted(position, enc, digest.last_position, beside) for enc in encs)
    found.extend(explain.missing(j) for j in range(i, n))
    return found


class _Explainer:
    """Words for a difference; recognises a moved event by finding its (id, version) in the digest elsewhere."""

    def __init__(self, leaves: Leaves) -> None:
        self.leaves = leaves
        self._by_event: dict[tuple[UUID, int], int] | None = None

    def moved_from(self, enc: bytes, oid: UUID, version: int, here: int | None) -> int | None:
        if self._by_event is None:
            self._by_event = self.leaves.by_event()
        j = self._by_event.get((oid, version))
        if j is None or j == here:
            return None
        return j if leaf_hash(with_position(enc, self.leaves.position(j))) == self.leaves.leaf(j) else None

    def changed(self, position: int, enc: bytes, i: int) -> Finding:
        _, oid, version, _, _ = decode(enc)
        j = self.moved_from(enc, oid, version, i)
        if j is not None:
            return Finding(REORDERED, position, oid, version,
                           f"holds an event the digest has at position {self.leaves.position(j)}")
        _, was_oid, was_version, _ = self.leaves[i]
        was = "" if (was_oid, was_version) == (oid, version) else f" (the digest has {was_oid} v{was_version} here)"
        return Finding(ALTERED, position, oid, version, f"stored bytes differ from the digest{was}")

    def inserted(self, position: int, enc: bytes, last: int, beside: bool) -> Finding:
        _, oid, version, _, _ = decode(enc)
        j = self.moved_from(enc, oid, version, None)
        if j is not None:
            return Finding(REORDERED, position, oid, version,
                           f"moved here from position {self.leaves.position(j)}, a gap when the digest was taken")
        if beside:
            return Finding(INSERTED, position, oid, version,
                           "not in the digest, which has another event at this position: put beside it since")
        return Finding(INSERTED, position, oid, version,
                       f"not in the digest, which covers every position up to {last}: written into a gap since")

    def missing(self, i: int) -> Finding:
        position, oid, version, _ = self.leaves[i]
        return Finding(MISSING, position, oid, version, "in the digest but gone from the store")
