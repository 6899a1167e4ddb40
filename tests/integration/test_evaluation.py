"""The resource pool's annual evaluation, DOMAIN.md "Resource pool evaluation (三(三))".

Enterprises rate the service of a provider they claimed on (1-5, once per claim) and may complain; the province
records spot checks. Once a year the province evaluates every provider from that year's ratings, complaints and spot
checks by the year's configured formula (default 2018-2020 figures, ``ledger/default_programme.py``): 20 points a
star (an unrated provider 70), 5 off a complaint, 20 off a failed spot check; 90 and above promoted, below 60
eliminated for the next year; the next year's quota is its kind's cap x 1.2 from 90, x 1.0 from 75, x 0.8 from 60.
Every figure below is worked out by hand from those rules. A year is evaluated once it is over: 2019 vouchers are
redeemable until 8 February 2020, so 2019 is evaluated from 9 February 2020 (Asia/Shanghai) on. Every test runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from ledger import default_programme, ids
from ledger.commands import values as v
from ledger.errors import LedgerError
from ledger.evaluation import ProviderReview
from ledger.money import WAN_YUAN
from projections.read_models import ReadModels

PROVINCE = "province:ops"
AFTER_2019 = datetime(2020, 2, 10, 9, 0, tzinfo=UTC)  # 2019's redemption deadline (8 February 2020) has passed


def rate(world, receipt, score, *, by_enterprise=None, comment=""):
    return world.app.handle(v.RateService(voucher_id=receipt.voucher_id, claim_id=receipt.claim_id, score=score,
                                          comment=comment, on_behalf_of=by_enterprise), world.by("enterprise"))


def complain(world, receipt, reason, *, by_enterprise=None):
    return world.app.handle(v.FileComplaint(voucher_id=receipt.voucher_id, claim_id=receipt.claim_id,
                                            complaint_id=uuid4(), reason=reason, on_behalf_of=by_enterprise),
                            world.by("enterprise"))


def evaluate(world, year, *providers):
    return world.app.handle(v.EvaluateResourcePool(year=year, provider_ids=tuple(providers)), world.by(PROVINCE))


def assert_refused(world, code, attempt):
    """Refused with ``code``, and nothing stored."""
    before = world.app.recorder.max_notification_id()
    with pytest.raises(LedgerError) as refused:
        attempt()
    assert refused.value.code == code
    assert world.app.recorder.max_notification_id() == before


def claims_on(world, provider_id, count):
    """``count`` claims by one enterprise on one voucher, each 1,000,000 fen of fee (500,000 fen subsidy)."""
    enterprise = world.eligible_enterprise()
    voucher_id = world.issue(enterprise).voucher_id
    return enterprise, [world.claim(voucher_id, provider_id, eligible_fee_fen=1_000_000) for _ in range(count)]


def evaluated_event(world, provider_id, year):
    events = world.app.repository.event_store.get(ids.provider_review_id(provider_id, year))
    return next(e for e in events if isinstance(e, ProviderReview.Evaluated))


@pytest.fixture
def pool(world):
    """A 2019 pool: a carrier rated 5 and 5; a platform rated 2 and 3 with one complaint; a platform rated 5, 4, 4
    that failed one spot check (and passed its re-check); a platform nobody rated."""
    good = world.provider(kind="CARRIER")
    _, (g1, g2) = claims_on(world, good, 2)
    poor = world.provider(kind="PLATFORM")
    poor_client, (p1, p2) = claims_on(world, poor, 2)
    mid = world.provider(kind="PLATFORM")
    _, (m1, m2, m3) = claims_on(world, mid, 3)
    unrated = world.provider(kind="SERVICE")
    for receipt, score in ((g1, 5), (g2, 5), (p1, 2), (p2, 3), (m1, 5), (m2, 4), (m3, 4)):
        rate(world, receipt, score)
    complain(world, p1, "验收后系统多次宕机，服务商未及时响应")
    world.advance(days=30)
    assert world.assess(mid, passed=False, kind="SPOT_CHECK") == "SUSPENDED"
    world.advance(days=20)
    assert world.assess(mid, passed=True, kind="SPOT_CHECK") == "WHITELISTED"
    return {"good": good, "poor": poor, "mid": mid, "unrated": unrated, "poor_client": poor_client, "p1": p1}


def test_the_years_evaluation_scores_each_provider_by_the_configured_formula(world, pool):
    world.now = AFTER_2019
    answered = evaluate(world, 2019, *(pool[k] for k in ("good", "poor", "mid", "unrated")))
    results = {r.provider_id: r for r in answered}
    # read back from the stored events, each re-derivable from its own inputs and formula
    assert world.app.evaluation_results(2019) == answered
    assert all(r.rules.score(r.inputs) == r.score for r in answered)
    assert world.app.evaluation_results(2020) is None

    # good: (5 + 5) x 20 / 2 = 100, promoted; 2020 carrier cap 8,000,000 RMB x 1.2
    assert results[pool["good"]].score == Decimal("100.00") and results[pool["good"]].outcome == "PROMOTED"
    assert results[pool["good"]].quota_set_fen == 960 * WAN_YUAN
    # poor: (2 + 3) x 20 / 2 = 50, one complaint: 45 < 60, eliminated; its 2020 quota 0
    assert results[pool["poor"]].score == Decimal("45.00") and results[pool["poor"]].outcome == "ELIMINATED"
    assert results[pool["poor"]].quota_set_fen == 0
    # mid: (5 + 4 + 4) x 20 / 3 = 86.666... → 86.67, one failed spot check: 66.67, retained; 5,000,000 RMB x 0.8
    assert results[pool["mid"]].score == Decimal("66.67") and results[pool["mid"]].outcome == "RETAINED"
    assert results[pool["mid"]].quota_set_fen == 400 * WAN_YUAN
    # unrated: 70, retained; 5,000,000 RMB x 0.8
    assert results[pool["unrated"]].score == Decimal("70.00") and results[pool["unrated"]].outcome == "RETAINED"
    assert world.app.provider_quota(pool["unrated"], 2020).amount_fen == 400 * WAN_YUAN

    # One event per provider, with every input, the year's formula and lines, and what followed.
    mid = evaluated_event(world, pool["mid"], 2019)
    assert (mid.ratings, mid.rating_points, mid.average_rating, mid.complaints) == (3, 13, Decimal("4.33"), 0)
    assert (mid.spot_checks_passed, mid.spot_checks_failed) == (1, 1)
    assert mid.rules["formula"] == "pool-evaluation-2018-v1"
    assert (mid.rules["promotion_line"], mid.rules["elimination_line"]) == (90, 60)
    assert (mid.next_year, mid.kind, mid.cap_fen, mid.quota_factor) == (2020, "PLATFORM", 500 * WAN_YUAN,
                                                                         Decimal("0.8"))
    unrated = evaluated_event(world, pool["unrated"], 2019)
    assert (unrated.ratings, unrated.average_rating, unrated.score) == (0, None, Decimal("70.00"))


def test_a_provider_rated_below_the_elimination_line_cannot_be_claimed_on_next_year(world, pool, store_settings):
    world.now = AFTER_2019
    evaluate(world, 2019, pool["good"], pool["poor"], pool["mid"], pool["unrated"])
    assert world.app.provider(pool["poor"]).is_eliminated(2020)
    assert world.app.provider_quota(pool["poor"], 2020).amount_fen == 0
    # the provider's audit trail tells it, in Chinese, with the formula and lines
    read = ReadModels(store_settings, world.app, in_process=True)
    try:
        trail = [row["summary_zh"] for row in read.audit_trail("provider", pool["poor"], as_of=world.now)]
    finally:
        read.close()
    assert any(text.startswith("资源池年度评价：45.00 分（下一年度淘汰出资源池") and "淘汰线 60" in text
               for text in trail), trail
    assert "2020 年度评价 45.00，淘汰出资源池" in trail

    world.year, world.now = 2020, datetime(2020, 3, 2, 9, 0, tzinfo=UTC)
    world.setup_year(2020)
    voucher_id = world.issue(world.eligible_enterprise()).voucher_id
    assert_refused(world, "PROVIDER_ELIMINATED",
                   lambda: world.claim(voucher_id, pool["poor"], eligible_fee_fen=1_000_000))
    # the promoted carrier takes 2020 claims on the quota the evaluation set: 9,600,000 RMB less 500,000 fen
    world.claim(voucher_id, pool["good"], eligible_fee_fen=1_000_000)
    assert world.app.provider_quota(pool["good"], 2020).remaining_fen == 960 * WAN_YUAN - 500_000


def test_the_evaluation_runs_once_a_year_and_closes_that_years_ratings(world, pool):
    voucher_id = world.issue(world.eligible_enterprise()).voucher_id
    # claims made before 2019's redemption deadline, rated after it but before the run: still 2019's to rate
    world.now = datetime(2020, 2, 8, 15, 0, tzinfo=UTC)  # 23:00 on 8 February in Guangdong, the deadline's last hour
    late = {provider: world.claim(voucher_id, provider, eligible_fee_fen=1_000_000)
            for provider in (pool["good"], pool["mid"])}
    world.now = AFTER_2019
    rate(world, late[pool["good"]], 4)
    (good, _) = sorted(evaluate(world, 2019, pool["good"], pool["poor"]), key=lambda r: r.provider_id != pool["good"])
    assert (good.inputs.ratings, good.inputs.rating_points) == (3, 14)  # 5, 5 and the late 4
    assert_refused(world, "YEAR_ALREADY_EVALUATED", lambda: evaluate(world, 2019, pool["mid"]))
    assert_refused(world, "YEAR_ALREADY_EVALUATED", lambda: complain(world, pool["p1"], "评价之后的投诉"))
    # once run, the year's ratings are closed, whether the run named the provider or not
    assert_refused(world, "YEAR_ALREADY_EVALUATED", lambda: rate(world, late[pool["mid"]], 5))


def test_a_year_is_not_evaluated_before_its_redemption_deadline_has_passed(world, pool):
    """Found by a black-box review: on 7 December 2026 the 2026 evaluation ran, and closed the ratings and complaints
    of 2026 claims although 2026 vouchers are redeemable until 8 February 2027. 2019's run waits for 9 February 2020,
    00:00 in Guangdong; until then nothing is recorded and the year's claims are still rated."""
    providers = (pool["good"], pool["poor"])
    for moment in (datetime(2019, 12, 31, 9, 0, tzinfo=UTC),  # issuance closed, vouchers still redeemable
                   datetime(2020, 2, 8, 15, 59, 59, 999_999, tzinfo=UTC)):  # the deadline's last microsecond
        world.now = moment
        assert_refused(world, "YEAR_NOT_OVER", lambda: evaluate(world, 2019, *providers))
    assert world.app.evaluation_results(2019) is None
    complain(world, pool["p1"], "截止日前的投诉")  # the year's feedback is still open
    world.now = datetime(2020, 2, 8, 16, 0, tzinfo=UTC)  # 9 February 2020, 00:00 in Guangdong
    results = evaluate(world, 2019, *providers)
    assert {r.provider_id: r.inputs.complaints for r in results}[pool["poor"]] == 2


def test_an_evaluation_needs_the_next_year_opened_and_names_the_pool(world, pool):
    world.now = datetime(2021, 1, 10, 9, 0, tzinfo=UTC)
    assert_refused(world, "YEAR_NOT_IN_PROGRAMME", lambda: evaluate(world, 2020, pool["good"]))
    assert_refused(world, "INVALID_INPUT", lambda: evaluate(world, 2019))
    assert_refused(world, "PROVIDER_NOT_FOUND", lambda: evaluate(world, 2019, pool["good"], uuid4()))


def test_a_claim_is_rated_once(world):
    provider = world.provider()
    _, (receipt,) = claims_on(world, provider, 1)
    rate(world, receipt, 4, comment="响应及时")
    assert_refused(world, "ALREADY_RATED", lambda: rate(world, receipt, 1))
    _, (other,) = claims_on(world, provider, 1)
    for outside in (0, 6):  # a rating is 1-5: no zero stars, which would count as a rating and pull the average down
        assert_refused(world, "INVALID_INPUT", lambda: rate(world, other, outside))
    review = world.app.repository.get(ids.provider_review_id(provider, 2019))
    assert (review.ratings, review.rating_points) == (1, 4)


def test_an_enterprise_rates_and_complains_only_on_its_own_claims(world):
    provider = world.provider()
    owner, (receipt,) = claims_on(world, provider, 1)
    stranger = world.eligible_enterprise()
    assert_refused(world, "VOUCHER_NOT_FOUND", lambda: rate(world, receipt, 1, by_enterprise=stranger))
    assert_refused(world, "VOUCHER_NOT_FOUND", lambda: complain(world, receipt, "不是我的兑付", by_enterprise=stranger))
    rate(world, receipt, 5, by_enterprise=owner)
    complain(world, receipt, "发票开具延迟", by_enterprise=owner)
    review = world.app.repository.get(ids.provider_review_id(provider, 2019))
    assert (review.ratings, review.rating_points, review.complaints) == (1, 5, 1)


def test_a_new_year_copies_the_evaluation_rules_unless_given_and_the_next_years_caps_set_the_quotas(world):
    from ledger.evaluation_rules import EvaluationRules

    world.now = datetime(2020, 12, 20, 9, 0, tzinfo=UTC)
    world.app.handle(v.OpenProgrammeYear(year=2021, redemption_deadline=datetime(2022, 2, 8).date(),
                                         provider_caps_fen=(("PLATFORM", 300 * WAN_YUAN),)), world.by(PROVINCE))
    assert world.app.year_rules(2021).evaluation == world.app.year_rules(2020).evaluation
    stricter = EvaluationRules(formula="pool-evaluation-2021-v2", points_per_star=20, unrated_score=60,
                               complaint_penalty=10, failed_spot_check_penalty=30, promotion_line=95,
                               elimination_line=70, quota_bands=((95, Decimal("1.1")), (70, Decimal("1.0"))))
    world.app.handle(v.OpenProgrammeYear(year=2022, redemption_deadline=datetime(2023, 2, 8).date(),
                                         evaluation=stricter), world.by(PROVINCE))
    assert world.app.year_rules(2022).evaluation == stricter

    world.now = datetime(2021, 2, 10, 9, 0, tzinfo=UTC)  # 2020 is over: its vouchers were redeemable to 8 February 2021
    # 2020 is evaluated by 2020's formula (an unrated provider: 70), its quotas from 2021's caps: 3,000,000 RMB x 0.8
    provider = world.provider(kind="PLATFORM", quota_fen=None)
    (result,) = evaluate(world, 2020, provider)
    assert (result.formula, result.score, result.quota_set_fen) == ("pool-evaluation-2018-v1", Decimal("70.00"),
                                                                    240 * WAN_YUAN)


def test_ratings_decided_in_one_group_commit_batch_are_each_counted_and_a_repeat_refused(world):
    from writer.group_commit import GroupCommitWriter

    provider = world.provider()
    _, receipts = claims_on(world, provider, 3)
    commands = [v.RateService(voucher_id=r.voucher_id, claim_id=r.claim_id, score=s)
                for r, s in zip(receipts, (5, 3, 1), strict=True)]
    writer = GroupCommitWriter(world.app)
    futures = [writer.submit(c, world.by("enterprise")) for c in (*commands, commands[0])]
    with writer:  # queued before the writer starts: decided in one batch, the review created by the first
        outcomes = [f.exception() or f.result() for f in futures]
    assert [getattr(o, "code", None) for o in outcomes] == [None, None, None, "ALREADY_RATED"]
    review = world.app.repository.get(ids.provider_review_id(provider, 2019))
    assert (review.ratings, review.rating_points) == (3, 9)


def test_a_year_stored_in_version_1_is_read_with_the_2018_2020_evaluation(tmp_path):
    """A store written before the evaluation was configured: its years' records have no evaluation rules (SQLite:
    the records are rewritten in place to look like it)."""
    import json
    import sqlite3

    from simulator.store import open_simulation_store
    from store.settings import Settings

    settings = Settings(store="sqlite", sqlite_path=tmp_path / "ledger.sqlite3")
    open_simulation_store(settings).close()
    with sqlite3.connect(settings.sqlite_path) as db:
        rows = db.execute("SELECT rowid, state FROM stored_events WHERE topic = ?",
                          ("ledger.programme:ProgrammeYear.Opened",)).fetchall()
        for rowid, state in rows:
            record = json.loads(state)
            assert record.pop("class_version") == 3 and record.pop("evaluation")
            assert record.pop("policy") is None  # v3's, added after v2: gone from a v1 event too
            db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (json.dumps(record).encode(), rowid))
    assert len(rows) == 3
    app = open_simulation_store(settings)
    try:
        assert [app.year_rules(year).evaluation for year in (2018, 2019, 2020)] == [default_programme.EVALUATION] * 3
    finally:
        app.close()
