"""The base of every command value (``ledger/commands/values.py`` says what a command value is)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
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
        return {name: getattr(self, name) for name in _field_names(type(self))}

    def decide(self, ledger: Any, by: Any) -> Any:
        """Run this command on ``ledger`` (a ``VoucherLedger``) as ``by``; returns the handler's result."""
        return getattr(ledger, self.handler)(by, **self.arguments())


@cache  # a class's fields never change; ``fields()`` filters them anew on every call (once per command decided)
def _field_names(command_class: type[Command]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(command_class))
