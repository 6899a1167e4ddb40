"""Assessments recorded out of effective order (DOMAIN.md, Whitelist; "as of T, known at K").

The status at an effective time t is decided, in each area, by the result with the latest effective time at or before
t among the assessments known — not by the one recorded last. So a pass recorded late with an effective time before
a failure does not lift that failure, and a failure recorded late with an effective time before a pass already
recorded suspends the provider only until that pass. The Provider aggregate (claims refused, payments held) and the
whitelist read model (as of T, known now and known then; history and its reasons; the audit figure) answer alike,
and a rebuild of the read model gives the rows the live projection wrote. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from audit import figures
from ledger.errors import LedgerError
from ledger.provider import Provider
from ledger.voucher import Voucher
from projections.check import check
from projections.times import to_us
from tests.support.projection_helpers import lean, rows
from tests.support.scenario import World

US = timedelta(microseconds=1)
P, W, S = "PENDING_ASSESSMENT", "WHITELISTED", "SUSPENDED"


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2019, 3, d, hour, tzinfo=UTC)


def assess(world: World, provider: UUID, *, passed: bool, effective_at: datetime, recorded_at: datetime) -> str:
    world.now = recorded_at
    return world.app.record_assessment(world.by("assessor:cnitsec"), provider_id=provider, area="NETWORK",
                                       kind="ASSESSMENT", passed=passed, assessor="国家级信息安全评测机构",
                                       report_ref=f"RPT-{world.serial()}", effective_at=effective_at)


def refusal(call) -> str | None:
    try:
        call()
    except LedgerError as error:
        return error.code
    return None


@pytest.fixture
def read(world: World, store_settings):
    from projections.read_models import ReadModels

    models = ReadModels(store_settings, world.app, in_process=True)
    yield models
    models.close()


def aggregate_as_known_at(world: World, provider: UUID, known_at: datetime | None) -> Provider:
    if known_at is None:
        return world.app.provider(provider)
    version = max(e.originator_version for e in world.app.events.get(provider) if e.timestamp <= known_at)
    return world.app.repository.get(provider, version=version)


def statuses(world: World, read, provider: UUID, moments: list[datetime], known_at: datetime | None) -> list[str]:
    """The status at each moment, known at ``known_at``, asked of the aggregate and of every read-model answer; they
    must agree (the test fails naming the first that does not)."""
    aggregate = aggregate_as_known_at(world, provider, known_at)
    found = []
    for moment in moments:
        decided = aggregate.status_at(moment)
        receivable = read.provider_receivable(provider, moment, known_at)["status"]
        listed = {p["provider_id"]: p["status"] for p in read.whitelist(moment, known_at, limit=1000)}
        exported = figures.whitelist(read.db, to_us(moment), None if known_at is None else to_us(known_at))
        in_figure = {row[0]: row[4] for row in exported.rows}
        history = [row for row in read.whitelist_history(provider, moment, known_at) if row["status"] is not None]
        answers = {"aggregate": decided, "provider_receivable": receivable, "whitelist": listed[str(provider)],
                   "figure": in_figure[str(provider)], "history": history[-1]["status"]}
        assert len(set(answers.values())) == 1, (moment, known_at, answers)
        found.append(decided)
    return found


def status_rows(read, provider: UUID, known_at: datetime | None = None) -> list[tuple]:
    far = datetime(2030, 1, 1, tzinfo=UTC)
    return [(row["effective_us"], row["status"], row["reason"], row["reason_zh"])
            for row in read.whitelist_history(provider, far, known_at) if row["status"] is not None][1:]


def listed_now(read, store_settings, provider: UUID) -> tuple:
    """The provider's current status and since when, as the providers list shows them (vl_providers)."""
    read.refresh()
    [found] = rows(store_settings, "SELECT status, status_since_us FROM vl_providers WHERE provider_id = ?",
                   (str(provider),))
    return tuple(found)


def flags(world: World, voucher: UUID) -> dict:
    return {e.claim_id: e.held for e in world.app.events.get(voucher) if isinstance(e, Voucher.ClaimFlagged)}


# -- a pass effective before a failure, recorded after it ------------------------------------------------------------
D1, D2, D3 = day(2), day(10), day(15)
R1, R2 = day(20, 3), day(25, 3)


def test_a_pass_recorded_after_a_failure_but_effective_before_it_does_not_lift_it(world, read, store_settings):
    provider = world.provider(whitelisted=False)
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    assert assess(world, provider, passed=True, effective_at=D1, recorded_at=day(2, 3)) == W
    world.now = day(5)
    approved = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)  # before the failure: not flagged
    assert assess(world, provider, passed=False, effective_at=D3, recorded_at=R1) == S
    assert assess(world, provider, passed=True, effective_at=D2, recorded_at=R2) == S  # D3's failure is the latest

    # The aggregate: no new claim after D3, and approved claims stay held from settlement.
    world.now = day(26)
    assert refusal(lambda: world.claim(voucher, provider, eligible_fee_fen=1_000_000)) == "PROVIDER_SUSPENDED"
    batch = world.app.open_batch(world.by(), batch_id=uuid4(), provider_id=provider, period="2019-03")
    assert refusal(lambda: world.app.add_to_batch(world.by(), batch_id=batch, voucher_id=voucher,
                                                  claim_id=approved.claim_id)) == "PROVIDER_SUSPENDED"
    assert flags(world, voucher) == {}

    moments = [D1 - US, D1, D2, D2 + (D3 - D2) / 2, D3 - US, D3, R1, R2, day(26)]
    known_now = [P, W, W, W, W, S, S, S, S]
    assert statuses(world, read, provider, moments, None) == known_now
    assert statuses(world, read, provider, moments, R1) == known_now  # the pass at D2 changed nothing
    assert statuses(world, read, provider, moments, R1 - US) == [P, W, W, W, W, W, W, W, W]
    assert status_rows(read, provider) == [(to_us(D1), W, "entered the whitelist", "列入白名单"),
                                           (to_us(D3), S, "failed assessment of NETWORK", "网络安全评估不通过")]
    assert listed_now(read, store_settings, provider) == (S, to_us(D3))
    assert check(world.app, lean(store_settings), ["whitelist"]) == []


# -- the mirror: a failure effective before a pass, recorded after it ------------------------------------------------
def test_a_failure_recorded_after_a_pass_but_effective_before_it_suspends_only_until_that_pass(world, read,
                                                                                              store_settings):
    f2, p3, r1, r2 = day(8), day(12), day(14, 3), day(20, 3)
    provider = world.provider(whitelisted=False)
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    assess(world, provider, passed=True, effective_at=D1, recorded_at=day(2, 3))
    world.now = day(10)
    inside = world.claim(voucher, provider, eligible_fee_fen=1_000_000)  # made inside [f2, p3)
    assert assess(world, provider, passed=True, effective_at=p3, recorded_at=r1) == W
    world.now = day(16)
    after = world.approved_claim(voucher, provider, eligible_fee_fen=1_000_000)  # made after the pass at p3
    assert assess(world, provider, passed=False, effective_at=f2, recorded_at=r2) == W  # p3's pass is the latest

    # Only the claim made while, as now known, suspended is flagged; the provider takes claims and is paid again.
    assert flags(world, voucher) == {inside.claim_id: True}
    world.now = day(21)
    assert refusal(lambda: world.claim(voucher, provider, eligible_fee_fen=1_000_000)) is None
    assert world.paid_batch(provider, [after], period="2019-03").settled_claims == (after.claim_id,)

    moments = [D1, f2 - US, f2, p3 - US, p3, r1, r2, day(21)]
    assert statuses(world, read, provider, moments, None) == [W, W, S, S, W, W, W, W]
    assert statuses(world, read, provider, moments, r2 - US) == [W] * len(moments)  # before the failure was known
    assert status_rows(read, provider) == [
        (to_us(D1), W, "entered the whitelist", "列入白名单"),
        (to_us(f2), S, "failed assessment of NETWORK", "网络安全评估不通过"),
        (to_us(p3), W, "reinstated", "复评通过，恢复白名单资格")]
    assert status_rows(read, provider, known_at=r1) == [(to_us(D1), W, "entered the whitelist", "列入白名单")]
    assert listed_now(read, store_settings, provider) == (W, to_us(p3))
    assert check(world.app, lean(store_settings), ["whitelist"]) == []


def test_two_results_with_one_effective_time_are_ordered_by_recording(world, read):
    provider = world.provider(whitelisted=False)
    assess(world, provider, passed=True, effective_at=D1, recorded_at=day(2, 3))
    assert assess(world, provider, passed=False, effective_at=D3, recorded_at=R1) == S
    assert assess(world, provider, passed=True, effective_at=D3, recorded_at=R2) == W  # the same time, recorded later
    moments = [D3 - US, D3, day(26)]
    assert statuses(world, read, provider, moments, None) == [W, W, W]
    assert statuses(world, read, provider, moments, R1) == [W, S, S]
    assert [row[1:3] for row in status_rows(read, provider)] == [(W, "entered the whitelist")]


# -- a store written before the rule was fixed -----------------------------------------------------------------------
def test_announcements_recorded_by_the_earlier_rule_do_not_decide_the_status(world, read, store_settings):
    """Before the fix the pass recorded at R2 announced a reinstatement effective D2 (Provider.Whitelisted): such a
    store must read by the rule too, in the aggregate and in the read model (live and rebuilt)."""
    provider = world.provider(whitelisted=False)
    assess(world, provider, passed=True, effective_at=D1, recorded_at=day(2, 3))
    assess(world, provider, passed=False, effective_at=D3, recorded_at=R1)
    assess(world, provider, passed=True, effective_at=D2, recorded_at=R2)
    legacy = world.app.provider(provider)
    legacy._record(Provider.Whitelisted, world.by("assessor:cnitsec", at=R2), reinstated=True, effective_at=D2)
    world.app.save(legacy)

    assert world.app.provider(provider).status == S
    assert statuses(world, read, provider, [D2, D3, day(26)], None) == [W, S, S]
    assert [row[:2] for row in status_rows(read, provider)] == [(to_us(D1), W), (to_us(D3), S)]
    assert listed_now(read, store_settings, provider) == (S, to_us(D3))
    assert check(world.app, lean(store_settings), ["whitelist"]) == []
