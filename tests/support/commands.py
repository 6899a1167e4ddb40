"""Test-only command values: a script run where a command would be decided, to inject a fault mid-command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.commands.values import Command


@dataclass(frozen=True)
class Scripted(Command):
    """Decided by running ``script(ledger, by)``; ``hint`` is what it says it reads (for the writer's batch read)."""

    script: Callable[[Any, Any], Any]
    hint: tuple[UUID, ...] = ()

    @property
    def reads(self) -> tuple[UUID, ...]:
        return self.hint

    def decide(self, ledger: Any, by: Any) -> Any:
        return self.script(ledger, by)
