"""Console sign-in links are good once (``ledger/console_sign_ins.py``)."""

from __future__ import annotations

from datetime import datetime

from ledger import ids
from ledger.commands.base import LedgerApplicationBase
from ledger.console_sign_ins import ConsoleSignIn
from ledger.errors import AlreadyExistsError, InvalidInputError
from ledger.recording import By


class ConsoleSignInCommands(LedgerApplicationBase):
    def use_sign_in_link(self, by: By, *, link_id: str, role: str, subject: str, link_expires_at: datetime) -> None:
        """Record a sign-in link's one use; a link used before is refused (``ALREADY_EXISTS``)."""
        if not isinstance(link_id, str) or not link_id.strip():
            raise InvalidInputError("a sign-in link has an id")

        def run() -> None:
            if self._exists(ids.console_sign_in_id(link_id)):
                raise AlreadyExistsError("the sign-in link was used already")
            self._save(ConsoleSignIn.use(by, link_id=link_id, role=role, subject=subject,
                                         link_expires_at=link_expires_at))

        self._run(run)
