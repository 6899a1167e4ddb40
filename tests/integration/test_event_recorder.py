"""The events table's write and read paths as the ledger uses them, on both stores: what goes in comes back byte for
byte, in order, whichever way the PostgreSQL recorder sends it (one message for small batches, a binary INSERT for
large ones); a batch with a clashing record writes nothing; several aggregates read at once equal each read alone."""

import uuid

import pytest
from eventsourcing.persistence import RecordConflictError, StoredEvent

from tests.support.assertions import last_event_id
from writer.library_internals import load_many

# Topics and states that a hand-rendered SQL literal would get wrong: quotes, backslashes, braces, commas, non-ASCII,
# and bytes that are not UTF-8.
AWKWARD = [("x.y:It's", b'{"a": 1}'), ('x.y:say "hi"', b"\x00\xff\x01"), ("x.y:back\\slash", b"\\x41"),
           ("x.y:{brace},comma", b"'; DROP TABLE t; --"), ("x.y:服务券", "服务券".encode()), ("x.y:%s %(a)s", b""),
           ("x.y:empty", b"")]


def stored_batch(n: int) -> list[StoredEvent]:
    events = []
    for i in range(n):
        topic, state = AWKWARD[i % len(AWKWARD)]
        events.append(StoredEvent(uuid.uuid4(), 1 + i % 3, topic, state + str(i).encode() if state else b""))
    return events


def one_message_limit(recorder) -> int:
    return getattr(recorder, "ONE_MESSAGE_MAX_EVENTS", 256)


@pytest.mark.parametrize("size", ["small", "large"])
def test_what_is_written_is_read_back_exactly_and_in_order(ledger, size):
    recorder = ledger.recorder
    n = 7 if size == "small" else one_message_limit(recorder) + 5  # either side of the one-message limit
    before = last_event_id(ledger)
    batch = stored_batch(n)
    ids = recorder.insert_events(batch)
    assert list(ids) == list(range(before + 1, before + n + 1))  # one per event, in the order given
    for event in batch:
        [read] = recorder.select_events(event.originator_id)
        assert read == event
    notified = recorder.select_notifications(before + 1, n)
    assert [(x.originator_id, x.originator_version, x.topic, x.state) for x in notified] == [
        (e.originator_id, e.originator_version, e.topic, e.state) for e in batch]


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_batch_with_a_clashing_record_writes_nothing_and_the_store_goes_on(ledger, size):
    recorder = ledger.recorder
    first = stored_batch(3)
    recorder.insert_events(first)
    before = last_event_id(ledger)
    n = 2 if size == "small" else one_message_limit(recorder) + 5  # either side of the one-message limit
    clash = [*stored_batch(n), StoredEvent(first[1].originator_id, first[1].originator_version, "x.y:Again", b"{}")]
    with pytest.raises(RecordConflictError):
        recorder.insert_events(clash)
    assert recorder.select_events(clash[0].originator_id) == []  # nothing of that batch, not even its first events
    assert recorder.select_events(first[1].originator_id) == [first[1]]
    later = stored_batch(1)
    assert len(recorder.insert_events(later)) == 1  # and the store takes the next batch
    assert last_event_id(ledger) > before


def test_reading_several_vouchers_at_once_equals_reading_each(world):
    app = world.app
    platform = world.provider()
    vouchers = [world.issue(world.eligible_enterprise()).voucher_id for _ in range(3)]
    world.advance(days=5)
    for i, voucher_id in enumerate(vouchers):
        for _ in range(i):  # 0, 1 and 2 claims: histories of different lengths
            world.claim(voucher_id, platform, eligible_fee_fen=1_000_000)
    unknown = uuid.uuid4()
    loaded = {a.id: a for a in load_many(app, [*vouchers, unknown])}
    assert set(loaded) == set(vouchers)  # an id with no events is left out
    for voucher_id in vouchers:
        alone = app.voucher(voucher_id)
        assert (loaded[voucher_id].version, loaded[voucher_id].balance_fen, loaded[voucher_id].held_fen) == (
            alone.version, alone.balance_fen, alone.held_fen)
        assert vars(loaded[voucher_id]) == vars(alone)
