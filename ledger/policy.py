"""The policy a programme year runs under (DOMAIN.md, "Programme years": a programme is a policy with its years).

A store records one :class:`ledger.programme.Programme`, the policy it was opened with (the 2018-2020 one by
default). A successor year may run under a successor policy, with its own name, document number and date: the
province records it with the year (``ProgrammeYear.Opened``), a later year opened without one carries it on, and
contracts of the year are covered from its date unless the year says otherwise. A year with none runs under the
store's programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ledger.errors import InvalidInputError


@dataclass(frozen=True)
class Policy:
    name: str
    document_number: str
    policy_date: date  # the policy's own date: contracts before it are not covered

    @classmethod
    def checked(cls, *, name: object, document_number: object, policy_date: object) -> Policy:
        texts = {}
        for what, text in (("name", name), ("document number", document_number)):
            if not isinstance(text, str) or not text.strip():
                raise InvalidInputError(f"a policy needs its {what}")
            texts[what] = text.strip()
        if not isinstance(policy_date, date) or isinstance(policy_date, datetime):
            raise InvalidInputError(f"the policy date must be a date, got {policy_date!r}")
        return cls(name=texts["name"], document_number=texts["document number"], policy_date=policy_date)

    def as_record(self) -> dict[str, str]:
        # Stored inside the year's event: plain text, the date as ISO-8601.
        return {"name": self.name, "document_number": self.document_number,
                "policy_date": self.policy_date.isoformat()}

    @classmethod
    def from_record(cls, r: Mapping[str, Any] | None) -> Policy | None:
        if r is None:
            return None
        return cls(name=r["name"], document_number=r["document_number"],
                   policy_date=date.fromisoformat(r["policy_date"]))
