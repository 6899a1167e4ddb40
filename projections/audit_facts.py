"""The audit trail stores each event's *facts* (the fields its summary lines read) and renders the Chinese and English
lines when they are read: rendering is a pure function of the event, and a rebuild should not pay for text that
only a few rows will ever show (``projections/audit_summaries.py`` holds the lines).

The facts are a JSON object of the event's own fields that its summary template names — found once per event type
by reading the template's code (and the code of the module's helpers it calls, such as ``_split(e)``), never by
running it — with ids, times, dates and decimals tagged so that they come back as the same Python values, and so
as the same text. ``orjson`` writes them (a rebuild writes facts for every event): the same text the stdlib encoder
wrote for the values events hold — JSON's own, compact, non-ASCII as is — and the stdlib encoder still writes any
other (a float, an integer beyond 64 bits, a subclass), so the text, or the error, is what it always was.

Rows projected before migration 0020 hold their two lines instead, as ``~<length of the Chinese line>~<zh><en>``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from types import CodeType, FunctionType
from typing import Any
from uuid import UUID

import orjson

from ledger.lean_transcoder import ORJSON_FALLBACK, ORJSON_PLAIN, OrjsonUnusual
from projections.audit_summaries import NAMELESS, NAMELESS_LEGACY, SUMMARIES, summarise
from projections.reading import KnownText, fast_uuid

_TAGS: dict[type, tuple[str, Callable[[Any], str]]] = {
    UUID: ("$uuid", lambda u: u.hex), datetime: ("$datetime", datetime.isoformat), date: ("$date", date.isoformat),
    Decimal: ("$decimal", str),
}
_TAGS[KnownText] = _TAGS[UUID]  # the log reader's ids (projections/reading.py)
_UNTAG: dict[str, Callable[[str], Any]] = {
    "$uuid": fast_uuid, "$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$decimal": Decimal,
}
LEGACY = "~"  # first character of a row that holds its rendered lines (see the module's docstring)


def _names(code: CodeType, scope: dict[str, Any], seen: set[int]) -> set[str]:
    """Every name ``code`` reads, with those of nested code (comprehensions) and of the module functions it calls."""
    if id(code) in seen:
        return set()
    seen.add(id(code))
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            found |= _names(const, scope, seen)
    for name in code.co_names:
        helper = scope.get(name)
        if isinstance(helper, FunctionType):
            found |= _names(helper.__code__, helper.__globals__, seen)
    return found


def _fields(template: Callable[[Any], tuple[str, str]]) -> tuple[str, ...]:
    return tuple(sorted(_names(template.__code__, template.__globals__, set())))  # type: ignore[attr-defined]


# Per event type, the names its lines may read (named or not); an event's facts are those of its fields among them.
FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(sorted({*_fields(template), *(_fields(NAMELESS[kind]) if kind in NAMELESS else ())}))
    for kind, template in SUMMARIES.items()
}
WITHHELD = "withheld"  # the actor of an event whose lines are nameless: who entered it would name the person


def _tagged(value: Any) -> dict[str, str]:
    tag = _TAGS.get(type(value))
    if tag is None:
        raise TypeError(f"an audit fact of type {type(value).__name__} has no stored form")
    return {tag[0]: tag[1](value)}


def _untagged(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        (key, data), = value.items()
        untag = _UNTAG.get(key)
        if untag is not None:
            return untag(data)
    return value


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged).encode
_decode = json.JSONDecoder(object_hook=_untagged).decode
_dumps = orjson.dumps

def _stored(value: Any) -> Any:
    """``value`` with its ids, times, dates and decimals tagged, at any depth, as a new value (the event's own are
    shared with the other projections); any value but those and JSON's own is OrjsonUnusual."""
    kind = type(value)
    if kind in ORJSON_PLAIN:
        return value
    tag = _TAGS.get(kind)
    if tag is not None:
        return {tag[0]: tag[1](value)}
    if kind is list or kind is tuple:
        return [_stored(item) for item in value]
    if kind is dict:
        return {key: _stored(item) for key, item in value.items()}
    raise OrjsonUnusual



_OWN: dict[type, tuple[str, ...]] = {}  # per event class: the names of FIELDS that are fields of the class


def _own(kind: str, cls: type) -> tuple[str, ...] | None:
    names = FIELDS.get(kind)
    if names is None:
        return None
    fields = {name for klass in cls.__mro__ for name in getattr(klass, "__annotations__", {})}
    return tuple(name for name in names if name in fields)


def facts_of(kind: str, event: Any) -> str | None:
    """The stored facts of an event whose type is ``kind`` (None: its type has no lines of its own)."""
    cls = type(event)
    names = _OWN[cls] if cls in _OWN else _OWN.setdefault(cls, _own(kind, cls))  # type: ignore[arg-type]
    if names is None:
        return None
    state = event.__dict__
    facts = {}
    try:
        for name in names:
            if name in state:
                value = state[name]
                facts[name] = value if type(value) in ORJSON_PLAIN else _stored(value)
        return _dumps(facts).decode()
    except ORJSON_FALLBACK:  # the stdlib's text (and its error, for a value with no stored form)
        return _encode({name: state[name] for name in names if name in state})


class _Facts:
    """What a summary template reads: attributes, as on the event."""

    def __init__(self, facts: dict[str, Any]):
        self.__dict__ = facts


def render(kind: str, facts: str | None, *, named: bool = True) -> tuple[str, str]:
    """(Chinese, English) for a stored row, the lines ``summarise`` gives for the event itself (``named=False``:
    without the private person it names)."""
    if facts is None:
        return summarise(kind, None, named=named)
    if facts.startswith(LEGACY):
        if not named and kind in NAMELESS:  # its stored lines name the person
            return NAMELESS_LEGACY
        length, _, lines = facts[1:].partition(LEGACY)
        return lines[:int(length)], lines[int(length):]
    return summarise(kind, _Facts(_decode(facts)), named=named)


def with_lines(columns: tuple[str, ...], row: tuple, *, named: bool = True) -> dict[str, Any]:
    """A stored row (``columns`` but the last two, then its facts) as an answer whose last two, ``summary_zh`` and
    ``summary_en``, are its lines. ``named=False``: for a reader who may not know the private person an event names
    (``NAMELESS``), its lines leave the person out, and its actor and correlation id, which tell who entered it, are
    withheld."""
    *stored, facts = row
    item = dict(zip(columns[:-2], stored, strict=True))
    kind = item["event_type"]
    item["summary_zh"], item["summary_en"] = render(kind, facts, named=named)
    if not named and kind in NAMELESS:
        item["actor"] = WITHHELD
        if "correlation_id" in item:
            item["correlation_id"] = None
    return item
