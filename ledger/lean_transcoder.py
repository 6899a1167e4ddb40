"""The events' JSON, byte for byte as the library's ``JSONTranscoder`` writes it, with less CPU per event.

Every event is encoded once on its way to the store, so this cost is paid by every writer (a bulk import encodes
four events per claim row: bench/README.md, "Bulk import"). The library's ``json.JSONEncoder`` calls back into
Python for every id and time. Here ``orjson`` (a C writer that calls no Python per value) writes the state, once its
ids, times, dates and decimals are replaced by their ``{"_type_":..., "_data_":...}`` objects, in one walk that only
looks into dicts and lists. orjson writes strings, 64-bit integers, booleans and null byte for byte as the stdlib
does (every code point checked in ``tests/unit/test_lean_transcoder.py``), with the same separators and no ASCII
escaping, so stored events do not change and decoding is the library's.

Anything orjson would write otherwise or refuse (a float, a larger integer, a subclass, a key that is not a string,
an unpaired surrogate) sends the whole state the stdlib's way, so bytes and errors stay the library's: one C encoder
built once, with no circular-reference memo (an event's state is a tree of plain values: it cannot refer to itself),
whose ``default`` does the transcoding's lookup and nothing else.

The same id and time objects recur in the events of one command (a claim's id and its recorded time are in all four
of its events) and formatting them is most of an event's cost (an aware time's ``isoformat`` alone is a sixth), so
the last few thousand transcoded objects are remembered by identity. An entry holds its object, so its ``id`` cannot
be reused while remembered; only immutable types (the library's and the ledger's transcodings: UUID, times, dates,
Decimal) are remembered.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from json import encoder as json_encoder
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

_make_encoder = getattr(json_encoder, "c_make_encoder", None)
REMEMBERED = 4096  # transcoded objects remembered by identity; forgotten all at once when full
_IMMUTABLE_TYPES = frozenset((UUID, datetime, date, Decimal))
ORJSON_PLAIN = frozenset((str, int, bool, type(None)))  # what orjson writes as the stdlib does (ints: up to 64 bits)
_dumps = orjson.dumps


class OrjsonUnusual(Exception):
    """A value orjson would write otherwise than the stdlib encoder: the whole tree goes the stdlib's way."""


# What sends a tree written through orjson the stdlib's way: a value found unusual by the walk before it, one orjson
# refuses (an integer beyond 64 bits, a key that is not a string, a lone surrogate), or a tree nested deeper than
# the walk's recursion (two Python frames a level) where the stdlib's C encoder still goes.
ORJSON_FALLBACK = (OrjsonUnusual, orjson.JSONEncodeError, RecursionError)


class LeanJSONTranscoder(JSONTranscoder):
    def __init__(self) -> None:
        super().__init__()
        self._encode_tree = None
        self._remembered: dict[int, tuple[Any, dict[str, Any]]] = {}
        if _make_encoder is not None:  # without the C accelerator, the library's own path
            self._encode_tree = _make_encoder(
                None, self._transcoded, json_encoder.encode_basestring, None, ":", ",", False, False, True)

    def encode(self, obj: Any) -> bytes:
        if type(obj) is dict:
            try:
                return _dumps({key: value if type(value) in ORJSON_PLAIN else self._stored(value)
                               for key, value in obj.items()})
            except ORJSON_FALLBACK:
                pass
        if self._encode_tree is None or isinstance(obj, str):
            return super().encode(obj)
        return "".join(self._encode_tree(obj, 0)).encode("utf8")

    def _stored(self, value: Any) -> Any:
        """``value`` with every id, time, date and decimal replaced by its transcoded object, at any depth, as a new
        value (an event's lists are its own); anything but those and JSON's own is OrjsonUnusual."""
        kind = type(value)
        if kind in ORJSON_PLAIN:
            return value
        if kind is list or kind is tuple:
            return [self._stored(item) for item in value]
        if kind is dict:
            return {key: self._stored(item) for key, item in value.items()}
        if kind in self.types:
            transcoded = self._transcoded(value)
            data = transcoded["_data_"]
            return transcoded if type(data) is str else {"_type_": transcoded["_type_"], "_data_": self._stored(data)}
        raise OrjsonUnusual

    def _transcoded(self, o: Any) -> dict[str, Any]:
        remembered = self._remembered.get(id(o))
        if remembered is not None and remembered[0] is o:
            return remembered[1]
        transcoding = self.types.get(type(o))
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Object of type {type(o)} is not serializable. Please define and register a custom transcoding for "
                "this type.")
        transcoded = {"_type_": transcoding.name, "_data_": transcoding.encode(o)}
        if type(o) in _IMMUTABLE_TYPES:
            if len(self._remembered) >= REMEMBERED:
                self._remembered = {}
            self._remembered[id(o)] = (o, transcoded)
        return transcoded
