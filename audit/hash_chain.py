"""The hash chain over the global event sequence: one leaf hash per stored event, chained in position order.

An event's *encoding* is PostgreSQL's binary COPY tuple of (position int8, originator id uuid, version int8, topic
text, state bytea): a field count, then each field as a 4-byte big-endian length and its bytes (length -1 for NULL).
It is length-prefixed, so no two different events encode alike, and it is exactly what ``COPY ... (FORMAT binary)``
sends, so PostgreSQL is hashed without decoding a row and an auditor can recompute a leaf with ``psql`` alone.
SQLite rows are packed into the same bytes (its originator ids are the uuid's 32 hex digits).

    leaf_i  = SHA-256(0x00 || encoding_i)           (RFC 6962 leaf hash: the Merkle tree uses the same leaves)
    chain_0 = 32 zero bytes;  chain_i = SHA-256(chain_{i-1} || leaf_i)

The position is inside the leaf, so the chain records the exact positions seen: a gap left by a rolled-back insert
is part of the history, and an event later written into it changes every chain value after it.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from audit.merkle import merkle_root

GENESIS = bytes(32)
BLOCK_SIZE = 65_536  # events per checkpoint: a power of two, so every full block is a perfect Merkle tree
FIELDS = 5
# Fixed-size start of an encoding: count, position, originator id, version, then the topic's length.
_HEAD = struct.Struct(">hiqi16siqi")
_INT = struct.Struct(">i")
_BIG = struct.Struct(">q")
# Byte offsets inside an encoding (the first three fields have fixed sizes).
POSITION = slice(6, 14)
ORIGINATOR_ID = slice(18, 34)
VERSION = slice(38, 46)

ALGORITHMS = {
    "encoding": "PostgreSQL binary COPY tuple (position int8, originator_id uuid, originator_version int8, "
                "topic text, state bytea)",
    "leaf": "SHA-256(0x00 || encoding)",
    "chain": "chain_0 = 32 zero bytes; chain_i = SHA-256(chain_(i-1) || leaf_i)",
    "merkle": f"RFC 6962 Merkle tree hash over the leaves of each block of {BLOCK_SIZE} events "
              "(node = SHA-256(0x01 || left || right))",
    "signature": "Ed25519 over the canonical JSON of the digest without its signature (sorted keys, no spaces, UTF-8)",
}


def encode(position: int, originator_id: bytes, version: int, topic: str | None, state: bytes | None) -> bytes:
    """The encoding of one event from its column values (``originator_id``: the uuid's 16 bytes)."""
    t = b"" if topic is None else topic.encode()
    head = _HEAD.pack(FIELDS, 8, position, 16, originator_id, 8, version, -1 if topic is None else len(t))
    tail = _INT.pack(-1) if state is None else _INT.pack(len(state)) + state
    return head + t + tail


def decode(enc: bytes) -> tuple[int, UUID, int, str | None, bytes | None]:
    """Column values back from an encoding (for reports and inclusion proofs, never in the hot loop)."""
    _, _, position, _, oid, _, version, tlen = _HEAD.unpack_from(enc)
    at = _HEAD.size + max(tlen, 0)
    topic = None if tlen < 0 else enc[_HEAD.size:at].decode()
    (slen,) = _INT.unpack_from(enc, at)
    state = None if slen < 0 else bytes(enc[at + 4:at + 4 + slen])
    return position, UUID(bytes=bytes(oid)), version, topic, state


def with_position(enc: bytes, position: int) -> bytes:
    """The same event encoded at another position (to recognise an event that was moved)."""
    return enc[:POSITION.start] + _BIG.pack(position) + enc[POSITION.stop:]


def leaf_hash(enc: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + enc).digest()


@dataclass(frozen=True)
class Checkpoint:
    """The end of one block: how many events so far, the last position, the block's Merkle root, the chain value."""

    block: int
    events: int
    last_position: int
    root: bytes
    chain: bytes


@dataclass
class ChainScan:
    """Hashes a stream of ``(position, encoding)`` in position order into checkpoints and a chain head.

    ``record`` (optional) is given every event's ``(encoding, leaf)``, e.g. to write the digest's leaves file.
    ``repeated`` collects the events whose position is not above the one before: a position held twice.
    """

    block_size: int = BLOCK_SIZE
    record: Callable[[bytes, bytes], None] | None = None
    progress: Callable[[int], None] | None = None
    events: int = 0
    last_position: int = 0
    head: bytes = GENESIS
    checkpoints: list[Checkpoint] = field(default_factory=list)
    repeated: list[tuple[int, bytes]] = field(default_factory=list)

    def run(self, rows: Iterable[tuple[int, bytes]]) -> ChainScan:
        sha256, record, size = hashlib.sha256, self.record, self.block_size
        chain, leaves, position = self.head, [], self.last_position
        previous = position
        for position, enc in rows:  # the hot loop of `verify`: two hashes and an append per event
            if position <= previous:
                self.repeated.append((position, enc))
            previous = position
            leaf = sha256(b"\x00" + enc).digest()
            chain = sha256(chain + leaf).digest()
            leaves.append(leaf)
            if record is not None:
                record(enc, leaf)
            if len(leaves) == size:
                self._close(leaves, position, chain)
                leaves = []
        if leaves:
            self._close(leaves, position, chain)
        self.head, self.last_position = chain, position
        return self

    def _close(self, leaves: list[bytes], position: int, chain: bytes) -> None:
        self.events += len(leaves)
        self.checkpoints.append(Checkpoint(len(self.checkpoints), self.events, position, merkle_root(leaves), chain))
        if self.progress is not None:
            self.progress(len(leaves))

