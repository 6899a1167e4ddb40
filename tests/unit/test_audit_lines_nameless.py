"""An objection's audit-trail lines for a reader who may not know who objected (README, "Publicity"): rendered from the
same stored facts, the objector left out, and the actor and correlation id that tell who entered it withheld. A row
stored before its facts were (``~<length>~<lines>``) names the objector in its lines: it says no more than that there
was an objection."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.publicity import PublicityList
from ledger.recording import By
from projections.audit_facts import FIELDS, WITHHELD, facts_of, render, with_lines
from projections.audit_summaries import NAMELESS, SUMMARIES
from tests.unit.builders import uid

AT = datetime(2026, 3, 13, 2, tzinfo=UTC)
KIND = "PublicityList.ObjectionLodged"
OBJECTOR, ENTERED_BY = "李四 13900000000", "enterprise:91441900MA0000006F"
COLUMNS = ("position", "event_type", "actor", "correlation_id", "reason", "summary_zh", "summary_en")


def lodged():
    claim = uid("claim-1")
    listed = PublicityList.publish(By(actor="province:ops", at=AT), year=2026, period="2026-03",
                                   objection_working_days=3, is_working_day=lambda day: day.weekday() < 5,
                                   entries=[{"claim_id": str(claim), "voucher_id": str(uid("voucher-1")),
                                             "provider_id": str(uid("provider-1")),
                                             "enterprise_id": str(uid("enterprise-1")), "city": "440600",
                                             "amount_fen": 100}])
    listed.lodge_objection(By(actor=ENTERED_BY, at=AT, correlation_id="req-1"), claim_id=claim, objector=OBJECTOR,
                           reason="服务未交付")
    return listed.collect_events()[-1], str(claim)[:8]


def test_the_nameless_lines_are_the_named_ones_without_the_objector():
    event, short = lodged()
    facts = facts_of(KIND, event)
    assert render(KIND, facts) == (f"第 1 号异议：{OBJECTOR} 对兑付 {short} 提出异议（服务未交付），暂缓结算",
                                   f"objection no. 1: {OBJECTOR} objects to claim {short} (服务未交付); held from "
                                   "settlement")
    assert render(KIND, facts, named=False) == (f"第 1 号异议：对兑付 {short} 提出异议（服务未交付），暂缓结算",
                                                f"objection no. 1 to claim {short} (服务未交付); held from settlement")


def test_a_nameless_row_withholds_who_entered_it_and_keeps_why():
    event, _ = lodged()
    row = (7, KIND, ENTERED_BY, "req-1", "服务未交付", facts_of(KIND, event))
    assert with_lines(COLUMNS, row)["actor"] == ENTERED_BY
    hidden = with_lines(COLUMNS, row, named=False)
    assert (hidden["actor"], hidden["correlation_id"], hidden["reason"]) == (WITHHELD, None, "服务未交付")
    assert not [v for v in hidden.values() if isinstance(v, str) and ("李四" in v or ENTERED_BY in v)]
    closed = (8, "PublicityList.Closed", "province:ops", "req-2", None, '{"cleared":1,"under_objection":0}')
    other = with_lines(COLUMNS, closed, named=False)
    assert other["actor"] == "province:ops"  # only an event that names a private person hides who entered it


def test_a_legacy_row_names_nobody_to_a_nameless_reader():
    zh, en = f"第 1 号异议：{OBJECTOR} 对兑付 abcdef12 提出异议（x），暂缓结算", f"objection no. 1: {OBJECTOR} objects"
    legacy = f"~{len(zh)}~{zh}{en}"
    assert render(KIND, legacy) == (zh, en)
    assert not [line for line in render(KIND, legacy, named=False) if "李四" in line]


def test_every_nameless_kind_has_named_lines_whose_facts_are_stored():
    """A nameless line is rendered from the facts the named one stored (FIELDS is read from SUMMARIES)."""
    assert set(NAMELESS) <= set(SUMMARIES) and all(kind in FIELDS for kind in NAMELESS)
