"""The publicity list (公示) on its own: its window in working days, who may object when, rulings and closing, and
what it answers settlement. Calendar: 2026-03-13 is a Friday; three working days after it end on Wednesday 18 March,
24:00 in Guangdong = 2026-03-18T16:00Z."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from ledger.errors import LedgerError
from ledger.publicity import EntryStatus, PublicityList, objection_window_ends
from ledger.recording import By

PUBLISHED = datetime(2026, 3, 13, 2, tzinfo=UTC)
ENDS = datetime(2026, 3, 18, 16, tzinfo=UTC)
MONDAY_TO_FRIDAY = lambda day: day.weekday() < 5  # noqa: E731 -- March 2026 has no holiday and no make-up day


def by(at: datetime) -> By:
    return By(actor="province:ops", at=at)


def code(action) -> str:
    with pytest.raises(LedgerError) as caught:
        action()
    return caught.value.code


@pytest.fixture
def listed():
    claims = [uuid4(), uuid4()]
    entries = [{"claim_id": str(c), "voucher_id": str(uuid4()), "provider_id": str(uuid4()),
                "enterprise_id": str(uuid4()), "city": "440600", "amount_fen": 100} for c in claims]
    return PublicityList.publish(by(PUBLISHED), year=2026, period="2026-03", objection_working_days=3,
                                 entries=entries, is_working_day=MONDAY_TO_FRIDAY), claims


def test_the_window_ends_at_midnight_after_three_working_days(listed):
    publicity, _ = listed
    assert publicity.window_ends_at == ENDS


def test_a_one_working_day_window_ends_at_midnight_after_the_next_working_day():
    # The fewest working days a year may configure (objection_working_days ≥ 1): published on a Friday, objections
    # run through Monday, 24:00 in Guangdong (2026-03-16T16:00Z), not from the moment of publication.
    assert objection_window_ends(PUBLISHED, 1, MONDAY_TO_FRIDAY) == datetime(2026, 3, 16, 16, tzinfo=UTC)


def test_an_objection_holds_a_claim_until_a_ruling_and_none_is_taken_after_the_window(listed):
    publicity, (objected, clean) = listed
    assert publicity.lodge_objection(by(ENDS - timedelta(microseconds=1)), claim_id=objected, objector="某人",
                                     reason="虚报") == 1
    assert code(lambda: publicity.lodge_objection(by(ENDS), claim_id=clean, objector="某人", reason="x")) \
        == "OBJECTION_WINDOW_CLOSED"
    assert publicity.refusal(objected).code == "CLAIM_UNDER_OBJECTION"
    assert publicity.refusal(clean).code == "PUBLICITY_NOT_CLOSED"
    # the window is open until its last microsecond: closing then would end it while an objection can still come
    assert code(lambda: publicity.close(by(ENDS - timedelta(microseconds=1)))) == "PUBLICITY_WINDOW_OPEN"
    publicity.close(by(ENDS))
    assert publicity.closed_counts == (1, 1)
    assert publicity.refusal(clean) is None and publicity.refusal(objected).code == "CLAIM_UNDER_OBJECTION"
    publicity.rule(by(ENDS), claim_id=objected, sustained=False, reason="不成立")
    assert publicity.refusal(objected) is None and publicity.entries[objected]["status"] == EntryStatus.UPHELD
    assert code(lambda: publicity.rule(by(ENDS), claim_id=objected, sustained=True, reason="x")) == \
        "INVALID_TRANSITION"  # nothing waits for a ruling any more
    assert code(lambda: publicity.close(by(ENDS))) == "INVALID_TRANSITION"
    assert publicity.refusal(uuid4()).code == "CLAIM_NOT_PUBLICISED"


def test_an_objection_records_who_and_why(listed):
    publicity, (claim, _) = listed
    assert code(lambda: publicity.lodge_objection(by(PUBLISHED), claim_id=claim, objector=" ", reason="x")) == \
        "INVALID_INPUT"
    publicity.lodge_objection(by(PUBLISHED), claim_id=claim, objector="佛山市某企业", reason="合同虚高")
    assert (publicity.objections[0]["objector"], publicity.objections[0]["reason"]) == ("佛山市某企业", "合同虚高")


def test_a_claim_reversed_on_a_sustained_objection_takes_no_further_objection(listed):
    # Its publicity ended in the reversal: a later objection, still inside the window, would list it as held again.
    publicity, (claim, _) = listed
    publicity.lodge_objection(by(PUBLISHED), claim_id=claim, objector="某人", reason="虚报")
    publicity.rule(by(PUBLISHED), claim_id=claim, sustained=True, reason="查实")
    assert code(lambda: publicity.lodge_objection(by(PUBLISHED), claim_id=claim, objector="另一人", reason="x")) == \
        "INVALID_TRANSITION"
    assert publicity.entries[claim]["status"] == EntryStatus.SUSTAINED and len(publicity.objections) == 1
