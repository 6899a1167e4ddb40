"""Text the ledger records holds no control character but a tab or a line break.

PostgreSQL text cannot hold a NUL byte: one recorded in an event (a name, an actor, a correlation id) stops every read
model that stores that field at the event, and each read of the service fails from then on. The other control
characters are invisible in every answer and export. The API's schema refuses them in bodies
(``api/http/models/fields.py``); the ledger refuses them where text reaches it by another way (headers, a token's
subject, import files).
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # one regular expression scan: cheap on every command


def has_control_character(text: str) -> bool:
    return CONTROL.search(text) is not None
