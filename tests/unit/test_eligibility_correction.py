"""An eligibility correction on the Enterprise aggregate alone (no store): judged by the same rules as a decision,
only for a year already decided, recorded with its reason and the decision it supersedes."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.default_programme import year_rules
from ledger.enterprise import Enterprise
from ledger.errors import LedgerError
from ledger.uscc import make_uscc
from projections.audit_summaries import summarise
from tests.unit.builders import FOSHAN, NOW, by

LINE_FEN = 1_000_000_000  # 10,000,000 RMB (DOMAIN.md, Eligibility)


def decided(revenue_fen: int) -> Enterprise:
    enterprise = Enterprise.register(by(), uscc=make_uscc("91440606MA4UJ0009"), name="佛山某厂", city=FOSHAN,
                                     carrier="CHINA_UNICOM", established_on=date(2012, 1, 1))
    enterprise.record_eligibility(by(), enterprise.check_eligibility(
        rules=year_rules(2020), prior_year_revenue_fen=revenue_fen, serious_misuse_5y=False, effective_at=NOW))
    return enterprise


def test_a_correction_is_judged_by_the_rules_and_supersedes_the_decision():
    enterprise = decided(LINE_FEN - 1)
    assert not enterprise.is_eligible(2020)
    facts = enterprise.check_correction(
        rules=year_rules(2020), prior_year_revenue_fen=LINE_FEN, serious_misuse_5y=False,
                                        effective_at=NOW)
    enterprise.record_correction(by(), facts, reason="  收入更正  ")
    event = enterprise.collect_events()[-1]
    assert isinstance(event, Enterprise.EligibilityCorrected)
    assert (event.granted, event.previously_granted, event.reason, event.reasons) == (True, False, "收入更正", [])
    assert enterprise.is_eligible(2020) and enterprise.refusals[2020] == []
    zh, en = summarise("Enterprise.EligibilityCorrected", event)
    assert zh == "2020 年度资格更正：不通过 → 通过，原因：收入更正（已发放的服务券不受影响）"
    assert en.startswith("eligibility for 2020 corrected: refused -> granted; reason: 收入更正")


def test_a_correction_to_refused_names_every_reason():
    enterprise = decided(LINE_FEN)
    facts = enterprise.check_correction(
        rules=year_rules(2020), prior_year_revenue_fen=LINE_FEN - 1, serious_misuse_5y=True,
                                        effective_at=NOW)
    enterprise.record_correction(by(), facts, reason="审计发现")
    assert not enterprise.is_eligible(2020)
    assert enterprise.refusals[2020] == ["REVENUE_BELOW_THRESHOLD", "SERIOUS_FUNDS_MISUSE"]
    assert enterprise.collect_events()[-1].previously_granted is True


def test_only_a_decided_year_is_corrected_and_only_with_a_reason():
    enterprise = decided(LINE_FEN)
    with pytest.raises(LedgerError) as caught:
        enterprise.check_correction(
        rules=year_rules(2019), prior_year_revenue_fen=LINE_FEN, serious_misuse_5y=False,
                                    effective_at=NOW)
    assert caught.value.code == "ELIGIBILITY_NOT_DECIDED"
    facts = enterprise.check_correction(
        rules=year_rules(2020), prior_year_revenue_fen=LINE_FEN, serious_misuse_5y=False,
                                        effective_at=NOW)
    with pytest.raises(LedgerError) as caught:
        enterprise.record_correction(by(), facts, reason=" ")
    assert caught.value.code == "INVALID_INPUT"
    with pytest.raises(LedgerError) as caught:
        enterprise.check_eligibility(
        rules=year_rules(2020), prior_year_revenue_fen=LINE_FEN, serious_misuse_5y=False,
                                     effective_at=NOW)
    assert caught.value.code == "ELIGIBILITY_ALREADY_DECIDED"
