"""Checks of the whole events table that need no digest: every row inside the signed chain, every aggregate whole.

The chain (audit/hash_chain.py) and the read models read positions 1, 2, 3, ... as the sequence hands them out, but a
command loads an aggregate's events by its id, whatever their positions. A row the service never writes — at a
position <= 0, or at a position another event already holds — would change decisions while the chain and the
projections never saw it: each is reported INSERTED (the database refuses the first since migration 0014, and its
unique index the second, but whoever can switch those off can write them). Each aggregate's versions must run 1, 2,
3, ... with increasing positions: a version missing, stored twice, or stored before its predecessor (written into a
gap afterwards) is reported as VERSION, naming the aggregate and the version.
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.findings import INSERTED, VERSION, Finding
from audit.hash_chain import decode
from audit.source import BEFORE_ALL, EventSource


def outside_chain(source: EventSource) -> Iterator[Finding]:
    """Every stored row at a position <= 0: the sequence starts at 1, so none of them was written by the service."""
    for position, enc in source.rows(after=BEFORE_ALL, upto=0):
        _, oid, version, topic, _ = decode(enc)
        yield Finding(INSERTED, position, oid, version,
                      f"{topic} at a position <= 0, outside the signed chain: the service's positions come from the "
                      "sequence, which starts at 1")


def repeated_position(position: int, enc: bytes) -> Finding:
    _, oid, version, topic, _ = decode(enc)
    return Finding(INSERTED, position, oid, version,
                   f"{topic} at a position another event holds: the sequence gives each position once")


def version_breaks(source: EventSource) -> Iterator[Finding]:
    """Every event that does not follow its aggregate's previous version, in one sorted pass of the database."""
    for oid, version, position, before, before_at in source.version_breaks():
        if before is None:
            detail = f"the aggregate's first stored version is {version}: {_versions(1, version - 1)} missing"
        elif version == before:
            detail = f"version {version} is stored twice (also at position {before_at})"
        elif version > before + 1:
            detail = f"follows version {before}: {_versions(before + 1, version - 1)} missing"
        else:
            detail = (f"its position is before version {before}'s ({before_at}): it was put there after version "
                      f"{before} was written")
        yield Finding(VERSION, position, oid, version, detail)


def _versions(first: int, last: int) -> str:
    return f"version {first}" if first == last else f"versions {first}..{last}"
