"""The ledger's event encoder writes exactly the library's JSON (stored events must not change), and refuses what
the library refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from ledger import lean_transcoder
from ledger.application import VoucherLedger
from ledger.lean_transcoder import LeanJSONTranscoder
from ledger.recording import By
from tests.unit.builders import NOW, Desk, by, uid

STATES = [
    {},
    {"timestamp": datetime(2019, 6, 3, 2, 0, tzinfo=UTC), "actor": "province:ops", "claim_id": uid("claim"),
     "amount_fen": 50_000, "class_version": 2},
    {"name": "云平台 \"甲\"\n\\ é", "on": date(2020, 2, 8), "rate": Decimal("0.35"), "none": None, "yes": True,
     "nested": {"ids": [uid("a"), uid("b")], "at": datetime(2020, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))},
     "items": [[1, "x"], (2, "y")], "float": 0.5, "big": 10**20, "empty": [], "1": "numeric key"},
    # Each below holds one value that orjson would write otherwise than the stdlib, or refuse: the stdlib's way.
    {"at": NOW, "nested": [{"deep": (0.1,)}]},
    {"at": NOW, 7: "an integer key"},
    {"at": NOW, "over_64_bits": [2**64]},
    {"at": NOW, "under_64_bits": -2**63 - 1},
    {"at": NOW, "limits": [2**64 - 1, -2**63, True, False, None]},
    {"at": NOW, "kind": Enum("Kind", {"A": "a"}, type=str).A},
    {"at": NOW, "tree": {"ids": [{"id": uid("c"), "on": [date(2020, 2, 29)]}], "rate": Decimal("-0.0")}},
]


def _library() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    VoucherLedger.register_transcodings(VoucherLedger.__new__(VoucherLedger), transcoder)
    return transcoder


def _lean() -> LeanJSONTranscoder:
    transcoder = LeanJSONTranscoder()
    VoucherLedger.register_transcodings(VoucherLedger.__new__(VoucherLedger), transcoder)
    return transcoder


@pytest.mark.parametrize("state", STATES)
def test_same_bytes_as_the_library(state: dict) -> None:
    assert _lean().encode(state) == _library().encode(state)


def test_same_bytes_for_real_events() -> None:
    desk = Desk()
    desk.claim()
    aggregates = [desk.voucher, desk.provider, desk.quota, *desk.invoice_keys.values(), *desk.contract_keys.values()]
    events = [event for aggregate in aggregates for event in aggregate.collect_events()]
    assert len(events) >= 6
    library, lean = _library(), _lean()
    for event in events:
        state = dict(vars(event))
        assert lean.encode(state) == library.encode(state)
        assert lean.decode(lean.encode(state)) == state


def test_every_character_is_written_as_the_library_writes_it() -> None:
    """orjson writes the strings: every code point, escaped or not, gives the library's bytes (lone surrogates are
    refused by both: UTF-8 has no form for them)."""
    text = "".join(map(chr, (*range(0xD800), *range(0xE000, 0x110000))))
    state = {"text": text, "at": NOW, text[:300]: uid("key")}
    assert _lean().encode(state) == _library().encode(state)
    for refused in ({"text": "\ud800"}, {"\udfff": 1}):
        with pytest.raises(UnicodeEncodeError):
            _library().encode(refused)
        with pytest.raises(UnicodeEncodeError):
            _lean().encode(refused)


def test_a_deeply_nested_state_is_written_as_the_library_writes_it() -> None:
    """The walk before orjson recurses in Python (two frames a level): past its depth the stdlib's C encoder, which
    the library uses, still writes the state."""
    deep: object = [uid("leaf"), "leaf"]
    for _ in range(700):
        deep = [deep]
    assert _lean().encode({"deep": deep}) == _library().encode({"deep": deep})


def test_an_unregistered_type_is_refused_as_by_the_library() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        _library().encode({"by": By(actor="x", at=NOW)})
    with pytest.raises(TranscodingNotRegisteredError):
        _lean().encode({"by": by()})


def test_a_bare_string_encodes_as_the_library_does() -> None:
    assert _lean().encode("é\"") == _library().encode("é\"") == '"é\\""'.encode()


def test_the_ledger_uses_it() -> None:
    app = VoucherLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        assert isinstance(app.mapper.transcoder, LeanJSONTranscoder)
        assert app.mapper.transcoder.decode(app.mapper.transcoder.encode({"id": UUID(int=7)})) == {"id": UUID(int=7)}
    finally:
        app.close()


def test_objects_remembered_by_identity_are_never_confused_with_later_ones() -> None:
    """Transcoded ids and times are remembered by identity: a new object at a freed object's address is encoded as
    itself, and the memory is bounded."""
    library, lean = _library(), _lean()
    for n in range(3 * lean_transcoder.REMEMBERED):
        state = {"id": UUID(int=n), "at": datetime(2019, 1, 1, tzinfo=UTC) + timedelta(seconds=n), "same": uid("x")}
        assert lean.encode(state) == library.encode(state)
        assert len(lean._remembered) <= lean_transcoder.REMEMBERED
