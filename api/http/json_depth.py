"""How deep a JSON request body nests, scanned as it arrives, before any parser sees it (the check that refuses one
nested deeper than ``api_max_json_depth``: ``api/http/body_checks.py``).

Python's parser recurses once per level (a body of 100,000 ``[`` costs a RecursionError deep in the stack, and a
model of nested objects recurses again in validation). Here each chunk of the body is scanned without recursion or
buffering: brackets outside strings counted, strings and their escapes skipped.
"""

from __future__ import annotations

import re

_STRUCTURE = re.compile(rb'["\\\[\]{}]')
_OPEN, _CLOSE, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


class DepthScanner:
    """How deep a JSON text nests, fed in chunks; says when it passes ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit, self.depth, self.in_string, self._skip = limit, 0, False, 0

    def feed(self, chunk: bytes, *, last: bool = False) -> bool:
        """False once the text has gone deeper than the limit. ``last``: no chunk follows, so the state after this
        one is not needed: if even every bracket in it opening (inside strings too) stays within the limit, it is not
        scanned at all (a request's body arrives whole, mostly; scanning it cost ~20 µs, counting ~1)."""
        if last and self.depth + chunk.count(b"[") + chunk.count(b"{") <= self.limit:
            return True
        skip_to = self._skip  # an escape's second byte may start this chunk
        for match in _STRUCTURE.finditer(chunk):
            at = match.start()
            if at < skip_to:
                continue
            byte = chunk[at]
            if self.in_string:
                if byte == _BACKSLASH:
                    skip_to = at + 2
                elif byte == _QUOTE:
                    self.in_string = False
            elif byte == _QUOTE:
                self.in_string = True
            elif byte in _OPEN:
                self.depth += 1
                if self.depth > self.limit:
                    return False
            elif byte in _CLOSE:
                self.depth -= 1
        self._skip = max(0, skip_to - len(chunk))
        return True


def is_json(scope: dict) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return True  # FastAPI parses a body without a content type as JSON
