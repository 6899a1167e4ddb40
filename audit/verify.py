"""Checking the event store against a signed digest, and naming the first event that differs.

Two passes. The first hashes every covered event (position <= the digest's last) into the same checkpoints the
digest holds and compares them block by block: a block whose Merkle root matches is unchanged, event for event,
so the common case is one streaming pass at hashing speed. Only if a block differs does the second pass re-read the
store from that block on and walk it beside the digest's per-event records (its ``.leaves`` file), by position:

- ALTERED    a position holds different bytes than when the digest was taken;
- MISSING    a position the digest has is gone from the store;
- REORDERED  a position holds an unchanged event that the digest has at another position;
- INSERTED   a position the digest does not have, at or below its last position (a gap filled in afterwards).

Events after the digest's last position are *not covered yet*: counted, never reported as tampering. Without the
leaves file the difference is reported per block (kind BLOCK), which proves tampering but cannot name the event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from audit.digest import Digest, Leaves
from audit.hash_chain import BLOCK_SIZE, ChainScan, Checkpoint, decode, leaf_hash, with_position
from audit.source import NO_LIMIT, EventSource

ALTERED, MISSING, REORDERED, INSERTED, BLOCK = "ALTERED", "MISSING", "REORDERED", "INSERTED", "BLOCK"


@dataclass(frozen=True)
class Finding:
    kind: str
    position: int
    originator_id: UUID | None
    version: int | None
    detail: str

    def __str__(self) -> str:
        event = f" ({self.originator_id} v{self.version})" if self.originator_id else ""
        return f"{self.kind} at position {self.position}{event}: {self.detail}"


@dataclass
class VerifyResult:
    digest: Digest | None
    checked: int  # events hashed from the store (those covered by the digest, or all without one)
    head: bytes  # chain value after the last of them
    checkpoints: list[Checkpoint]
    not_covered: int = 0  # events recorded after the digest was taken
    findings: list[Finding] = field(default_factory=list)  # in position order, at most ``max_findings``
    total_findings: int = 0
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
           max_findings: int = 100) -> VerifyResult:
    """Recompute the chain and checkpoints (up to the digest's last position) and compare them with ``digest``."""
    started = time.perf_counter()
    upto = digest.last_position if digest else NO_LIMIT
    scan = ChainScan(block_size=digest.block_size if digest else BLOCK_SIZE, progress=progress)
    scan.run(source.rows(upto=upto))
    result = VerifyResult(digest, scan.events, scan.head, scan.checkpoints)
    if digest is not None:
        result.not_covered = source.stats(after=upto)[0]
        block = first_different_block(scan.checkpoints, digest.checkpoints)
        if block is not None:
            leaves = digest.load_leaves()
            found = (_locate(source, digest, leaves, block) if leaves is not None
                     else _blocks(scan.checkpoints, digest.checkpoints, block))
            for finding in found:
                result.total_findings += 1
                if len(result.findings) < max_findings:
                    result.findings.append(finding)
    result.seconds = time.perf_counter() - started
    return result


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
    for position, enc in source.rows(after=after, upto=digest.last_position):
        while i < n and leaves.position(i) < position:
            found.append(explain.missing(i))
            i += 1
        leaf = leaf_hash(enc)
        if i < n and leaves.position(i) == position:
            if leaf != leaves.leaf(i):
                found.append(explain.changed(position, enc, i))
            i += 1
        else:
            found.append(explain.inserted(position, enc, digest.last_position))
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

    def inserted(self, position: int, enc: bytes, last: int) -> Finding:
        _, oid, version, _, _ = decode(enc)
        j = self.moved_from(enc, oid, version, None)
        if j is not None:
            return Finding(REORDERED, position, oid, version,
                           f"moved here from position {self.leaves.position(j)}, a gap when the digest was taken")
        return Finding(INSERTED, position, oid, version,
                       f"not in the digest, which covers every position up to {last}: written into a gap since")

    def missing(self, i: int) -> Finding:
        position, oid, version, _ = self.leaves[i]
        return Finding(MISSING, position, oid, version, "in the digest but gone from the store")
