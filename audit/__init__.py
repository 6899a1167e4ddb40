"""Auditors' tools over the event store: tamper evidence (hash chain, Merkle roots, signed digests), exports and
replays as of a time. They read the store and the read models; they never write events."""
