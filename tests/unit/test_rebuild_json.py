"""A rebuild's JSON (orjson) reads and writes exactly what the stdlib did: ``EventDecoder`` gives the library's
``Mapper.to_domain_event`` (or its error) for any state, and ``facts_of`` writes the stdlib encoder's text, for the
values orjson reads or writes otherwise than the stdlib (big integers, floats, NaN, surrogates, subclasses) too.
Every event of a simulated history: tests/integration/test_projections.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from ledger.application import VoucherLedger
from ledger.lean_transcoder import LeanJSONTranscoder
from ledger.voucher import Voucher
from projections import audit_facts
from projections.audit_facts import facts_of
from projections.reading import EventDecoder, fast_uuid
from tests.support.assertions import typed
from tests.unit.builders import uid


def _mapper() -> Mapper:
    transcoder = LeanJSONTranscoder()
    VoucherLedger.register_transcodings(VoucherLedger.__new__(VoucherLedger), transcoder)
    return Mapper(transcoder=transcoder)


TOPIC = get_topic(Voucher.Issued)
ID, OTHER = uid("voucher"), uid("other")
TIMESTAMP = '"timestamp":{"_type_":"datetime_iso","_data_":"2019-06-03T02:00:00+00:00"}'
STATES = [
    "{" + TIMESTAMP + ',"actor":"province:ops","cap_fen":100000}',
    "{" + TIMESTAMP + f',"ids":[{{"_type_":"uuid_hex","_data_":"{OTHER.hex}"}},'
    f'[{{"_type_":"uuid_hex","_data_":"{OTHER}"}}]],"rates":{{"A":{{"_type_":"decimal_str","_data_":"0.30"}}}},'
    '"items":[{"on":{"_type_":"date_iso","_data_":"2019-01-02"},"n":[1,"1",true,null]}],"name":"云平台 \\"甲\\"\\n é"}',
    '{"not_a_tag":{"_type_":"uuid_hex"},"three":{"_type_":"uuid_hex","_data_":"x","z":1},"e":{},"l":[]}',
    '{"big":123456789012345678901234567890,"small":-9223372036854775809,"in":[18446744073709551616]}',
    '{"f":0.5,"g":[1e16,-0.0],"h":{"i":5e-324}}',
    '{"nan":NaN,"inf":-Infinity,"huge":1e400}',
    '{"lone":"\\ud800"}',
    '{"a":1,"a":2}',
    '{"t":{"_type_":"uuid_hex","_data_":"not hex"}}',
    '{"t":{"_type_":"nowhere","_data_":"1"}}',
    '{"_type_":"uuid_hex","_data_":"' + OTHER.hex + '"}',
    "[1]",
    "",
    "{} x",
]


def _outcome(decode: Any) -> Any:
    try:
        event = decode()
    except Exception as error:  # the library wraps the error of decoding: the same error, within
        cause = error.__cause__ if type(error).__name__ == "MapperDeserialisationError" else error
        return type(cause), str(cause)
    return type(event), typed(vars(event))


@pytest.mark.parametrize("state", [*[s.encode() for s in STATES], b"\xff{}", b'{"x":"\xed\xa0\x80"}'])
@pytest.mark.parametrize("originator_id", [ID, str(ID), ID.hex])
def test_any_state_decodes_as_the_library_decodes_it(state: bytes, originator_id: UUID | str) -> None:
    mapper = _mapper()
    ours = _outcome(lambda: EventDecoder(mapper)(TOPIC, originator_id, 3, state))
    assert ours == _outcome(lambda: mapper.to_domain_event(StoredEvent(originator_id, 3, TOPIC, state)))


class Plain(Enum):
    A = 1


class Number(IntEnum):
    A = 1


class Word(StrEnum):
    A = "a"


class Event:
    """An event whose facts are its ``claim_id`` (set in ``audit_facts._OWN`` below)."""

    def __init__(self, value: Any):
        self.claim_id = value


VALUES = [
    uid("a"), "云 \"甲\"\n\\\x00\x1f\x7f\u2028é😀", 0, -2**63, 2**64 - 1, 2**64, -10**30, True, None, 0.5, 1e16,
    float("nan"), float("-inf"), "\ud800", Decimal("1.20"), Decimal("NaN"), date(2019, 1, 2),
    datetime(2019, 1, 2, 3, 4, tzinfo=UTC), [uid("a"), (uid("b"), 1, [])], (uid("a"),),
    {"k": [Decimal("0.30"), {"d": date(2020, 2, 8)}], "e": {}}, {1: "int key", None: "null key"}, Number.A, Word.A,
    [Number.A, Word.A], Plain.A, {"set": set()}, b"bytes",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_facts_are_the_stdlib_encoders_text(value: Any) -> None:
    audit_facts._OWN[Event] = ("claim_id",)
    stdlib = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=audit_facts._tagged).encode
    try:
        expected = stdlib({"claim_id": value})
    except TypeError as error:
        with pytest.raises(type(error), match=str(error)):
            facts_of("Voucher.Claimed", Event(value))
        return
    assert facts_of("Voucher.Claimed", Event(value)) == expected  # so rows written before read the same


@pytest.mark.parametrize("text", [str(ID), ID.hex, ID.hex.upper(), str(ID).upper(), "0x" + "f" * 30, "0" * 32])
def test_a_decoded_id_is_the_uuid_of_its_text_and_remembers_that_text(text: str) -> None:
    """The log reader's ids (``KnownText``) answer ``str`` from memory: the same text, value, hash, order, repr and
    pickle as ``UUID(text)``."""
    import pickle

    expected, ours = UUID(text), fast_uuid(text)
    assert isinstance(ours, UUID) and ours == expected and hash(ours) == hash(expected)
    assert (str(ours), repr(ours), ours.hex, ours.int) == (str(expected), repr(expected), expected.hex, expected.int)
    assert not ours < expected and not ours > expected
    assert type(pickle.loads(pickle.dumps(ours))) is UUID and pickle.loads(pickle.dumps(ours)) == expected
