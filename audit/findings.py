"""What `verify` reports: one finding per event, aggregate version or snapshot that the store should not hold."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

# Against a digest's per-event records (audit/verify.py):
ALTERED, MISSING, REORDERED = "ALTERED", "MISSING", "REORDERED"
BLOCK = "BLOCK"  # a block of the digest differs, without its leaves file to name the event
# With or without a digest:
INSERTED = "INSERTED"  # a row outside the signed chain: in a gap filled later, at a position <= 0, or at a repeated one
VERSION = "VERSION"  # an aggregate's versions are not 1, 2, 3, ... in position order (audit/structure.py)
SNAPSHOT = "SNAPSHOT"  # a stored snapshot is not what its aggregate's events replay to (audit/snapshots.py)


@dataclass(frozen=True)
class Finding:
    kind: str
    position: int | None  # None: no stored row to point at (a missing version, a snapshot)
    originator_id: UUID | None
    version: int | None
    detail: str

    def __str__(self) -> str:
        event = f" ({self.originator_id} v{self.version})" if self.originator_id else ""
        where = f" at position {self.position}" if self.position is not None else ""
        return f"{self.kind}{where}{event}: {self.detail}"

    @property
    def order(self) -> tuple[int, int]:
        """Sort key: by position, those without one last."""
        return (0, self.position) if self.position is not None else (1, 0)
