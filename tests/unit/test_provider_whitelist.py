"""The Provider aggregate in memory: the security whitelist and the resource pool (DOMAIN.md, Whitelist)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.errors import LedgerError
from ledger.provider import Provider
from tests.unit.builders import NOW, assess, by, later, provider

GUANGDONG = ZoneInfo("Asia/Shanghai")


def refusal(check) -> str | None:
    try:
        check()
    except LedgerError as error:
        return error.code
    return None


def events_of(p: Provider, kind: type) -> list:
    return [e for e in p.collect_events() if isinstance(e, kind)]


def test_a_provider_is_not_whitelisted_until_it_passes_an_assessment():
    p = provider(whitelisted=False)
    assert refusal(lambda: p.require_whitelisted(NOW)) == "PROVIDER_NOT_WHITELISTED"
    assess(p, "NETWORK", passed=True, at=NOW)
    assert refusal(lambda: p.require_whitelisted(NOW)) is None


def test_a_failure_suspends_and_only_a_pass_in_every_failing_area_reinstates():
    p = provider()
    assess(p, "DATA", passed=False, at=later(days=1))
    assess(p, "CONTROL", passed=False, at=later(days=2))
    assert refusal(lambda: p.require_whitelisted(later(days=3))) == "PROVIDER_SUSPENDED"
    assert refusal(p.require_payable) == "PROVIDER_SUSPENDED"  # approved claims are held from settlement
    assess(p, "DATA", passed=True, at=later(days=4))
    assert refusal(lambda: p.require_whitelisted(later(days=5))) == "PROVIDER_SUSPENDED"  # CONTROL still fails
    p.collect_events()
    assess(p, "CONTROL", passed=True, at=later(days=6))
    [reinstated] = events_of(p, Provider.Whitelisted)
    assert reinstated.reinstated is True
    assert refusal(lambda: p.require_whitelisted(later(days=7))) is None


def test_a_failure_reported_late_moves_the_suspension_back_to_when_it_took_effect():
    p = provider()
    assess(p, "DATA", passed=False, at=later(days=10))
    assess(p, "NETWORK", passed=False, at=later(days=3), recorded=later(days=12))
    [_, earlier] = events_of(p, Provider.Suspended)
    assert earlier.effective_at == later(days=3) and p.suspended_from == later(days=3)
    assess(p, "APPLICATION", passed=False, at=later(days=11), recorded=later(days=13))
    assert events_of(p, Provider.Suspended) == []  # within the suspension already recorded: nothing to move


def test_elimination_holds_for_its_fiscal_year_in_guangdong_but_does_not_stop_payment():
    p = provider()
    p.eliminate(by(), year=2021, rating="D", effective_at=NOW)
    new_year = datetime(2021, 1, 1, tzinfo=GUANGDONG)  # 2020-12-31 16:00 UTC
    assert refusal(lambda: p.require_whitelisted(new_year)) == "PROVIDER_ELIMINATED"
    assert refusal(lambda: p.require_whitelisted(datetime(2020, 12, 31, 23, 59, 59, tzinfo=GUANGDONG))) is None
    assert refusal(p.require_payable) is None  # the work was done while it was in the pool
    with pytest.raises(LedgerError) as twice:
        p.eliminate(by(), year=2021, rating="D", effective_at=NOW)
    assert twice.value.code == "ALREADY_EXISTS"


def test_an_assessment_records_its_assessor_and_a_known_area():
    p = provider()
    with pytest.raises(LedgerError) as no_assessor:
        p.record_assessment(by(), area="DATA", kind="ASSESSMENT", passed=False, assessor=" ", report_ref="",
                            effective_at=NOW)
    with pytest.raises(LedgerError) as unknown_area:
        assess(p, "PHYSICAL", passed=False, at=NOW)
    assert no_assessor.value.code == unknown_area.value.code == "INVALID_INPUT"
    assert refusal(lambda: p.require_whitelisted(NOW)) is None  # neither refusal suspended it


def test_a_result_recorded_out_of_effective_order_is_read_by_its_effective_time():
    pass_late = provider(whitelisted=False)
    assess(pass_late, "DATA", passed=True, at=later(days=1))
    assess(pass_late, "DATA", passed=False, at=later(days=15), recorded=later(days=20))
    pass_late.collect_events()
    assess(pass_late, "DATA", passed=True, at=later(days=10), recorded=later(days=25))
    assert events_of(pass_late, Provider.Whitelisted) == []  # a pass before the failure announces nothing
    assert refusal(lambda: pass_late.require_whitelisted(later(days=26))) == "PROVIDER_SUSPENDED"
    assert refusal(pass_late.require_payable) == "PROVIDER_SUSPENDED"
    assert refusal(lambda: pass_late.require_whitelisted(later(days=12))) is None  # between the pass and the failure

    fail_late = provider(whitelisted=False)
    assess(fail_late, "DATA", passed=True, at=later(days=1))
    assess(fail_late, "DATA", passed=True, at=later(days=12), recorded=later(days=14))
    fail_late.collect_events()
    assess(fail_late, "DATA", passed=False, at=later(days=8), recorded=later(days=20))
    [suspended] = events_of(fail_late, Provider.Suspended)
    assert suspended.effective_at == later(days=8)
    assert refusal(lambda: fail_late.require_whitelisted(later(days=21))) is None
    assert refusal(lambda: fail_late.require_whitelisted(later(days=9))) == "PROVIDER_SUSPENDED"
    assert (fail_late.status, fail_late.suspended_from) == ("WHITELISTED", None)


def test_a_late_failure_announces_the_suspension_and_the_pass_that_ends_it():
    p = provider(whitelisted=False)
    assess(p, "DATA", passed=True, at=later(days=1))
    assess(p, "DATA", passed=True, at=later(days=12), recorded=later(days=14))
    p.collect_events()
    assess(p, "DATA", passed=False, at=later(days=8), recorded=later(days=20))
    announced = [(type(e).__name__, e.effective_at) for e in p.collect_events()][1:]
    assert announced == [("Suspended", later(days=8)), ("Whitelisted", later(days=12))]
