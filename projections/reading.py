"""Reading the global sequence for projections: pages of (position, topic, domain event), each event decoded once.

Every way of applying events to projections — ``follow`` keeping up, a rebuild, ``check``, ``replay --until`` —
reads the log through :func:`pages`, and whatever projections are fed from one page share its decoded events.

Two costs of the library's path are avoided, without changing what a projection receives (the same domain event
objects, equal attribute by attribute: tests/integration/test_projections.py):

* the rows come back as tuples of the five columns needed (the library builds a dict per row, then a
  ``Notification``: more than the read itself on PostgreSQL);
* the state is parsed by ``orjson`` (a C parser several times the stdlib's speed, no Python call per object), then
  its ``{"_type_": .., "_data_": ..}`` values are replaced, innermost first as the library's object hook does, by
  a walk that looks only into dicts and lists; ids and times (``uuid_hex``, ``datetime_iso``, most of those
  values) are built directly, without a lookup of the transcoding and ``UUID.__init__``'s general parsing, and
  every other value goes through the transcoder's own transcodings. What orjson reads otherwise than the stdlib
  (integers beyond 64 bits, which it reads as floats; NaN, infinities, lone surrogates and bad UTF-8, which it
  refuses) is read by the stdlib decoder instead, so the result, or the error, is the library's: any state holding
  a float takes that path (the ledger's events hold none: money is in integer fen).

A store whose mapper compresses or encrypts falls back to the library's ``Mapper.to_domain_event``.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent, TranscodingNotRegisteredError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import resolve_topic
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

Page = list[tuple[int, str, Any]]  # (position, topic, domain event), in position order

_new = object.__new__
_from_iso = datetime.fromisoformat
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown  # read once: an enum member's attribute access is a Python-level descriptor call
_loads = orjson.loads


class _Inexact(Exception):
    """A float in orjson's reading: it may be an integer of more than 64 bits, which the stdlib reads exactly."""


class KnownText(UUID):
    """A decoded id that remembers its text. Projections write every id as text, and ``str(uuid)`` is Python code
    (128 bits formatted into five groups) that a rebuild ran several times per event: a tenth of its CPU. It is equal
    to, hashes, orders and prints as the ``UUID`` it is, is named like it (so ``repr`` and error messages read as the
    library's decoding would write them), and pickles as one."""

    __slots__ = ("_text",)

    def __str__(self) -> str:
        return self._text

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return UUID, (self._text,)


KnownText.__name__ = KnownText.__qualname__ = "UUID"


def fast_uuid(text: str) -> UUID:
    """``UUID(text)`` for the 32-hex or 36-character forms, without ``UUID.__init__``'s general parsing."""
    digits = text.replace("-", "") if len(text) == 36 else text
    if len(digits) != 32:
        return UUID(text)  # any other form: the library's own parsing (and its errors)
    value = _new(KnownText)
    number = int(digits, 16)
    _set(value, "int", number)
    _set(value, "is_safe", _UNKNOWN)
    hex_ = "%032x" % number  # UUID.__str__'s own formatting, once per id (the decoder keeps recent ids)
    _set(value, "_text", f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}")
    return value


# Ids decoded lately, by their text: the same voucher, claim or provider id recurs in event after event, and a dict
# lookup is a tenth of building the UUID again. Emptied when full, so it never holds more than this many.
RECENT_IDS = 20_000


class EventDecoder:
    """The domain event a stored event decodes to, as ``Mapper.to_domain_event`` builds it."""

    def __init__(self, mapper: Mapper[Any]):
        self.mapper = mapper
        self.plain = not (mapper.cipher or mapper.compressor)
        self._names = dict(mapper.transcoder.names)  # type: ignore[attr-defined]
        self._json = json.JSONDecoder(object_hook=self._object)
        self._classes: dict[str, tuple[type, int]] = {}
        self._ids: dict[str, UUID] = {}

    def _id(self, text: str) -> UUID:
        found = self._ids.get(text)
        if found is None:
            if len(self._ids) >= RECENT_IDS:
                self._ids.clear()
            found = self._ids[text] = fast_uuid(text)
        return found

    def __call__(self, topic: str, originator_id: Any, version: int, state: bytes) -> Any:
        if not self.plain:
            return self.mapper.to_domain_event(StoredEvent(originator_id, version, topic, state))
        found = self._classes.get(topic)
        if found is None:
            cls = resolve_topic(topic)
            found = self._classes[topic] = (cls, getattr(cls, "class_version", 1))
        cls, class_version = found
        event_state = self._state(state)
        event_state["originator_id"] = originator_id if type(originator_id) is UUID else self._id(originator_id)
        event_state["originator_version"] = version
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        event = _new(cls)
        _set(event, "__dict__", event_state)
        return event

    def _state(self, state: bytes) -> Any:
        try:
            value = _loads(state)
            return self._dict(value) if type(value) is dict else self._value(value)
        except (orjson.JSONDecodeError, _Inexact):  # what orjson reads otherwise: the stdlib's reading (or error)
            return self._json.decode(state.decode("utf8"))

    def _dict(self, value: dict[str, Any]) -> Any:
        """A parsed object as the library's object hook leaves it: the value it tags, or itself with its values
        decoded (in place)."""
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            name, data = value["_type_"], value["_data_"]
            if type(data) is str:
                if name == "uuid_hex":
                    found = self._ids.get(data)  # the commonest case looked up here, without a call
                    return found if found is not None else self._id(data)
                if name == "datetime_iso":
                    return _from_iso(data)
            return self._transcoded(self._value(name), self._value(data))
        return self._inside(value, value.items())  # replacing a key's value keeps the dict's size: safe to go on

    def _list(self, value: list[Any]) -> list[Any]:
        return self._inside(value, enumerate(value))

    def _inside(self, value: Any, items: Iterable[tuple[Any, Any]]) -> Any:
        """``value`` (a dict or a list, whose ``items`` these are) with the tagged values in it decoded, in place."""
        for key, item in items:
            kind = type(item)
            if kind is dict:
                value[key] = self._dict(item)
            elif kind is list:
                self._list(item)
            elif kind is float:
                raise _Inexact
        return value

    def _value(self, value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            return self._dict(value)
        if kind is list:
            return self._list(value)
        if kind is float:
            raise _Inexact
        return value

    def _object(self, value: dict[str, Any]) -> Any:
        """The stdlib decoder's object hook: the library's, with its two commonest transcodings (ids, times) done
        without a lookup."""
        if len(value) != 2 or "_type_" not in value or "_data_" not in value:
            return value
        name, data = value["_type_"], value["_data_"]
        if name == "uuid_hex" and type(data) is str:
            return self._id(data)
        if name == "datetime_iso" and type(data) is str:
            return _from_iso(data)
        return self._transcoded(name, data)

    def _transcoded(self, name: str, data: Any) -> Any:
        transcoding = self._names.get(name)
        if transcoding is None:  # the library's error, in its words
            raise TranscodingNotRegisteredError(f"Data serialized with name '{name}' is not deserializable. "
                                                "Please register a custom transcoding for this type.")
        return transcoding.decode(data)


class LogReader:
    """Pages of the application's global sequence, read as tuples and decoded once."""

    def __init__(self, app: Any):
        self.app = app
        self.recorder = app.recorder
        self.decode = EventDecoder(app.mapper)
        self.postgres = isinstance(self.recorder, PostgresApplicationRecorder)
        if self.postgres:
            self._select = SQL(
                "SELECT notification_id, originator_id::text, originator_version, topic, state FROM {}.{} "
                "WHERE notification_id > %s AND notification_id <= %s AND topic = ANY(%s) "
                "ORDER BY notification_id LIMIT %s").format(
                Identifier(self.recorder.datastore.schema), Identifier(self.recorder.events_table_name)).as_string()

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def pages(self, start: int, stop: int, topics: Sequence[str], page_size: int) -> Iterator[tuple[int, Page]]:
        """(last position covered, page) for every page after ``start`` up to ``stop``, selecting ``topics``.

        After a full page the next one is read on a second thread while the caller decodes and applies this one:
        the server's half of reading a page (a tenth of a rebuild's time) then costs no wall time."""
        topics = sorted(set(topics))
        if not topics or start >= stop:
            return
        rows = self._rows(start, stop, topics, page_size)
        ahead: ThreadPoolExecutor | None = None  # started at the first full page: most catch-ups are one page
        try:
            while True:
                last = rows[-1][0] if len(rows) == page_size else stop  # a short page: nothing else up to stop
                following = None
                if last < stop:
                    ahead = ahead or ThreadPoolExecutor(1, thread_name_prefix="log-reader")
                    following = ahead.submit(self._rows, last, stop, topics, page_size)
                decode = self.decode
                yield last, [(position, topic, decode(topic, oid, version, state))
                             for position, oid, version, topic, state in rows]
                if following is None:
                    return
                rows = following.result()
        finally:
            if ahead is not None:
                ahead.shutdown(wait=True)

    def _rows(self, start: int, stop: int, topics: list[str], limit: int) -> list[tuple]:
        if self.postgres:
            with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
                curs.execute(self._select, (start, stop, topics, limit), prepare=True)
                return curs.fetchall()
        statement = SQL(
            "SELECT rowid, originator_id, originator_version, topic, state FROM {} "
            "WHERE rowid > ? AND rowid <= ? AND topic IN ({}) ORDER BY rowid LIMIT ?").format(
            Identifier(self.recorder.events_table_name), SQL(",").join([SQL("?")] * len(topics))).as_string()
        with self.recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (start, stop, *topics, limit))
            return [tuple(row) for row in curs.fetchall()]
