"""Inclusion proofs: one event, and the Merkle audit path that ties it to a checkpoint root of a signed digest.

A proof carries the event itself (its columns), so anyone holding the digest and the auditor's public key can check
it without the database: encode the event, hash it into a leaf, climb the audit path, compare with the signed root.
The path is built from the digest's leaves file when it is there (then a change elsewhere in the store cannot spoil
the proof of an unchanged event); without it, from the store's own block of events, which only proves anything
while that whole block is unchanged.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from audit.digest import Digest, Leaves
from audit.hash_chain import decode, encode, leaf_hash
from audit.merkle import audit_path, root_from_path
from audit.source import EventSource


class ProofError(RuntimeError):
    """No proof can be made: the position is not covered by the digest, or not in the store."""


@dataclass(frozen=True)
class InclusionProof:
    position: int
    originator_id: str
    version: int
    topic: str | None
    state: str | None  # base64 of the stored bytes
    block: int
    index: int  # of the leaf in its block's tree
    tree_size: int
    path: list[str]  # hex sibling hashes, leaf to root
    root: str  # the signed checkpoint root the path should reach
    digest_chain_head: str  # which digest the proof is for

    def encoding(self) -> bytes:
        state = None if self.state is None else base64.b64decode(self.state)
        return encode(self.position, UUID(self.originator_id).bytes, self.version, self.topic, state)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InclusionProof:
        return cls(**data)


def make_proof(source: EventSource, digest: Digest, leaves: Leaves | None, position: int) -> InclusionProof:
    """The proof that the event now stored at ``position`` is the one ``digest`` covers (check it with
    :func:`check_proof`: a proof is made for a changed event too, and fails its check)."""
    if position <= 0:  # the sequence starts at 1: such a row is outside the chain (verify names it INSERTED)
        raise ProofError(f"position {position} is outside the signed chain, which starts at position 1")
    if position > digest.last_position:
        raise ProofError(f"position {position} is not covered yet: the digest ends at {digest.last_position}")
    stored = next(iter(source.rows(after=position - 1, upto=position)), None)
    if stored is None:
        raise ProofError(f"the store holds no event at position {position}")
    checkpoints, size = digest.checkpoints, digest.block_size
    if leaves is not None:
        index = leaves.index_of(position)
        if index is None:
            raise ProofError(f"position {position} is not in the digest (it was a gap when the digest was taken)")
        block, at = divmod(index, size)
        block_leaves = leaves.block(block, size)
    else:  # locate the block by the signed checkpoints, then rebuild its leaves from the store
        block = next(c.block for c in checkpoints if c.last_position >= position)
        after = checkpoints[block - 1].last_position if block else 0
        rows = list(source.rows(after=after, upto=checkpoints[block].last_position))
        block_leaves = [leaf_hash(enc) for _, enc in rows]
        at = [p for p, _ in rows].index(position)
    _, oid, version, topic, state = decode(stored[1])
    return InclusionProof(
        position=position, originator_id=str(oid), version=version, topic=topic,
        state=None if state is None else base64.b64encode(state).decode(),
        block=block, index=at, tree_size=len(block_leaves), path=[h.hex() for h in audit_path(block_leaves, at)],
        root=checkpoints[block].root.hex(), digest_chain_head=digest.chain_head.hex(),
    )


def check_proof(proof: InclusionProof, digest: Digest) -> bool:
    """True if the proof's event is covered by ``digest`` (already signature-checked): its leaf climbs the path
    to the signed root of its block."""
    checkpoints = digest.checkpoints
    if proof.digest_chain_head != digest.chain_head.hex() or not 0 <= proof.block < len(checkpoints):
        return False
    expected = checkpoints[proof.block].events - (checkpoints[proof.block - 1].events if proof.block else 0)
    if proof.tree_size != expected:
        return False
    root = root_from_path(leaf_hash(proof.encoding()), proof.index, proof.tree_size,
                          [bytes.fromhex(h) for h in proof.path])
    return root == checkpoints[proof.block].root
