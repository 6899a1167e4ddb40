"""A fixed-size Bloom filter of aggregate ids: "certainly never created here" in constant memory.

Used by a unit of work that starts on an empty store and is its only writer (the simulator): an id the filter has
never seen cannot exist in the store, so the create-only checks (one voucher per item, one claim per contract and
invoice, ...) need no query for it. A "maybe" still asks the store. Ids are uuid5/uuid4 — already uniformly
distributed bits — so the bit positions are read straight from the id rather than hashed again. Hand-written
because it is twenty lines; no maintained package gives a flat bit array keyed by UUIDs any simpler.
"""

from __future__ import annotations

from uuid import UUID


class IdFilter:
    def __init__(self, bits: int = 2**27) -> None:  # 16 MiB: ~1e-4 false positives at 2 million ids
        if bits & (bits - 1):
            raise ValueError("the filter size must be a power of two")
        self._mask = bits - 1
        self._bits = bytearray(bits // 8)

    def _positions(self, aggregate_id: UUID) -> tuple[int, int, int]:
        value = aggregate_id.int
        return value & self._mask, (value >> 42) & self._mask, (value >> 84) & self._mask

    def add(self, aggregate_id: UUID) -> None:
        for position in self._positions(aggregate_id):
            self._bits[position >> 3] |= 1 << (position & 7)

    def __contains__(self, aggregate_id: UUID) -> bool:
        return all(self._bits[p >> 3] & (1 << (p & 7)) for p in self._positions(aggregate_id))
