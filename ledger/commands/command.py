"""The base of every command value (``ledger/commands/values.py`` says what a command value is)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar
from uuid import UUID


@dataclass(frozen=True)
class Command:
    handler: ClassVar[str]

    @property
    def reads(self) -> tuple[UUID, ...]:
        return ()

    def arguments(self) -> dict[str, Any]:
        """The fields as keyword arguments (shallow: a nested value such as ``ClaimEvidence`` stays itself)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def decide(self, ledger: Any, by: Any) -> Any:
        """Run this command on ``ledger`` (a ``VoucherLedger``) as ``by``; returns the handler's result."""
        return getattr(ledger, self.handler)(by, **self.arguments())
