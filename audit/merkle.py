"""RFC 6962 / RFC 9162 Merkle tree hashes and inclusion proofs over leaf hashes.

Leaves arrive already hashed (``SHA-256(0x00 || encoding)``, see ``audit.hash_chain``); an interior node is
``SHA-256(0x01 || left || right)``. The prefixes keep a leaf from ever passing for a node (second-preimage attacks).
Pairing nodes level by level and carrying an odd last node up unchanged gives exactly RFC 6962's tree (split at
the largest power of two below n), without recursion; ``tests/integration/test_tamper_evidence.py`` checks it against the
RFC's recursive definition.
"""

from __future__ import annotations

import hashlib


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _up(level: list[bytes]) -> list[bytes]:
    sha256 = hashlib.sha256
    pairs = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        pairs.append(level[-1])
    return pairs


def merkle_root(leaves: list[bytes]) -> bytes:
    """The tree hash of ``leaves`` (RFC 6962 MTH); the empty tree hashes to SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = leaves
    while len(level) > 1:
        level = _up(level)
    return level[0]


def audit_path(leaves: list[bytes], index: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` (RFC 6962 PATH): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path, level = [], leaves
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):  # an odd last node has no sibling here: it is carried up as it is
            path.append(level[sibling])
        level, index = _up(level), index // 2
    return path


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """The root that ``path`` proves ``leaf`` (at ``index`` of ``size``) belongs to; None if the path cannot fit.

    RFC 9162, section 2.1.3.2, step by step."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None
