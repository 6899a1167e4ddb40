"""A console sign-in link used (``voucher-ledger console-link``; api/http/console/links.py): recorded once per link.

A link is good for one sign-in. Its use is recorded in the ledger under an id derived from the link's id, so the
store's unique index refuses a second use whichever API process (or restart) it reaches; the record also says who
signed in to the console, as whom, and when.
"""

from __future__ import annotations

from datetime import datetime

from ledger import ids
from ledger.fiscal_time import require_aware
from ledger.recording import By, LedgerAggregate


class ConsoleSignIn(LedgerAggregate):
    read_after_write = False  # written once; only its existence is asked again

    class LinkUsed(LedgerAggregate.Created):
        role: str  # the role the link signs in as (e.g. city:440600)
        subject: str
        link_expires_at: datetime

        def apply(self, s: ConsoleSignIn) -> None:
            s.role, s.subject, s.link_expires_at = self.role, self.subject, self.link_expires_at

    @classmethod
    def use(cls, by: By, *, link_id: str, role: str, subject: str, link_expires_at: datetime) -> ConsoleSignIn:
        return cls._start(cls.LinkUsed, ids.console_sign_in_id(link_id), by, role=role, subject=subject,
                          link_expires_at=require_aware(link_expires_at, "the link's expiry"))
