"""Effective times in order (DOMAIN.md "Money and time"): a fact is recorded once it has happened, and a payment is
made after what it pays was approved. Found by a black-box review: a batch "paid 2030-01-01" recorded in 2020 was
accepted, and the read models (by effective time) then called it unpaid while the claims (by event) were settled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.errors import LedgerError
from ledger.recording import By
from tests.unit.builders import NOW, Desk, assess, by, later, provider, uid


def refused(code: str, call, *args, **kwargs) -> LedgerError:
    with pytest.raises(LedgerError) as excinfo:
        call(*args, **kwargs)
    assert excinfo.value.code == code, excinfo.value
    return excinfo.value


def test_a_fact_dated_after_the_time_it_is_recorded_is_refused_and_changes_nothing():
    p = provider()
    version = p.version
    refused("EFFECTIVE_IN_FUTURE", assess, p, "DATA", passed=False, at=NOW + timedelta(days=30), recorded=NOW)
    assert p.version == version and p.status == "WHITELISTED"  # not suspended from a date that has not come
    assess(p, "DATA", passed=False, at=NOW, recorded=NOW)  # the same fact, dated when it is recorded: taken
    assert p.status == "SUSPENDED"


def test_a_payment_dated_after_it_is_recorded_is_refused():
    desk = Desk()
    desk.claim()
    v, claim_id, batch_id = desk.voucher, uid("claim-1"), uid("batch-1")
    v.approve(by(), claim_id=claim_id)
    v.add_to_batch(by(), claim_id=claim_id, batch_id=batch_id, provider_id=desk.provider.id)
    error = refused("EFFECTIVE_IN_FUTURE", v.settle, by(NOW), claim_id=claim_id, batch_id=batch_id,
                    effective_at=NOW + timedelta(microseconds=1))
    assert "2020-11-02T10:00:00+08:00" in str(error)  # the ledger's time, as Guangdong reads it
    assert v.claim(claim_id).status == "APPROVED"
    v.settle(by(NOW), claim_id=claim_id, batch_id=batch_id, effective_at=NOW)  # paid the moment it is recorded
    assert v.claim(claim_id).status == "SETTLED"


def test_a_payment_dated_before_the_claims_approval_is_refused_but_one_recorded_late_is_not():
    desk = Desk()
    desk.claim()
    v, claim_id, batch_id = desk.voucher, uid("claim-1"), uid("batch-1")
    approved = later(days=2)
    v.approve(by(approved), claim_id=claim_id)
    v.add_to_batch(by(approved), claim_id=claim_id, batch_id=batch_id, provider_id=desk.provider.id)
    refused("PAID_BEFORE_APPROVAL", v.settle, by(later(days=30)), claim_id=claim_id, batch_id=batch_id,
            effective_at=approved - timedelta(microseconds=1))
    assert v.claim(claim_id).status == "APPROVED"
    # The bank's statement, learned four weeks later, shows the money left the day after the approval: taken.
    v.settle(by(later(days=30)), claim_id=claim_id, batch_id=batch_id, effective_at=approved + timedelta(days=1))
    assert v.claim(claim_id).settled_at == approved + timedelta(days=1)


def test_every_event_is_held_to_it_not_only_the_payments():
    """The rule sits where every event is recorded (``LedgerAggregate._record``/``_start``), so a new command with an
    effective time cannot forget it: a creation event is checked as well as a later one."""
    from ledger.recording import LedgerAggregate

    class Probe(LedgerAggregate):
        class Started(LedgerAggregate.Created):
            effective_at: object

        class Moved(LedgerAggregate.Event):
            effective_at: object

            def apply(self, aggregate: Probe) -> None:
                pass

    at = By("province:ops", NOW)
    refused("EFFECTIVE_IN_FUTURE", Probe._start, Probe.Started, uid("probe"), at, effective_at=later(seconds=1))
    probe = Probe._start(Probe.Started, uid("probe"), at, effective_at=NOW)
    refused("EFFECTIVE_IN_FUTURE", probe._record, Probe.Moved, at, effective_at=later(seconds=1))
    probe._record(Probe.Moved, at, effective_at=NOW - timedelta(days=400))  # learned late: taken
    assert probe.version == 2
