"""The programme is data: a store holds its policy and years as events, the rules read a year's recorded figures, a
year nobody opened is refused with its own code, and a successor year is opened with no code change. Expected
figures are DOMAIN.md's ("Programme years", "Eligibility", "Redemption"), written out here, not read from the code."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import ids
from ledger.errors import LedgerError
from ledger.fees import FeeCategory
from ledger.money import WAN_YUAN
from ledger.stored_names import SET_UP_TOPICS
from projections.read_models import ReadModels
from store.clock import FixedClock, TrainingClock
from store.opening import TrainingStoreRefusedError, open_ledger
from store.settings import Settings
from tests.support.scenario import FOSHAN, World

FIXTURE = Path(__file__).parents[1] / "fixtures" / "store_before_evidence_keys.sqlite3.gz"


def refused(world: World, attempt) -> str:
    before = world.app.recorder.max_notification_id()
    with pytest.raises(LedgerError) as excinfo:
        attempt()
    assert world.app.recorder.max_notification_id() == before  # nothing written
    return excinfo.value.code


def test_a_new_store_holds_the_2018_2020_policy_with_domain_figures(ledger):
    programme = ledger.programme()
    assert (programme.document_number, programme.policy_date) == ("粤府〔2018〕23号", date(2018, 3, 20))
    assert programme.years == [2018, 2019, 2020]
    y2020 = ledger.year_rules(2020)
    assert y2020.redemption_deadline == date(2021, 2, 8)
    assert (y2020.applications.opens, y2020.applications.closes) == (date(2020, 5, 25), date(2020, 9, 30))
    assert y2020.revenue_threshold_fen == 10_000_000 * 100  # 10,000,000 RMB in fen
    assert y2020.payment_sufficient(90, 100) and not y2020.payment_sufficient(89, 100)
    assert {c.value for c in y2020.covered_fee_categories} == {"APPLICATION_SERVICE", "DEVICE_ACCESS",
                                                               "NETWORK_RENOVATION"}
    assert (y2020.established_years, y2020.misuse_lookback_years) == (1, 5)
    assert y2020.provider_caps_fen["CARRIER"] == 8_000_000 * 100 and y2020.provider_caps_fen["SERVICE"] == 5_000_000 * 100
    assert all(ledger.year_rules(y).contracts_from == date(2018, 3, 20) for y in (2018, 2019, 2020))


def test_a_year_nobody_opened_is_refused_by_every_command_that_names_it(ledger):
    world = World.with_year(ledger, 2019)
    enterprise = world.enterprise()
    for attempt in (
        lambda: ledger.set_carrier_rates(world.by(), year=2021, rates={"CHINA_MOBILE": "0.30"}),
        lambda: ledger.set_city_quota(world.by(), city=FOSHAN, year=2017, amount_fen=1, city_share="0.3"),
        lambda: ledger.decide_eligibility(world.by(), enterprise_id=enterprise, year=2021,
                                          prior_year_revenue_fen=2_000 * WAN_YUAN, serious_misuse_5y=False,
                                          effective_at=world.now),
        lambda: ledger.issue_voucher(world.by(), enterprise_id=enterprise, year=2021, item_id="APP-ERP"),
    ):
        assert refused(world, attempt) == "YEAR_NOT_IN_PROGRAMME"
    assert refused(world, lambda: ledger.set_city_quota(world.by(), city=FOSHAN, year=1999, amount_fen=1,
                                                        city_share="0.3")) == "INVALID_INPUT"  # not even a year


def test_a_successor_year_is_opened_as_data_and_runs_a_whole_voucher(ledger):
    at = datetime(2026, 3, 2, 1, tzinfo=UTC)  # 09:00 on 2 March 2026 in Guangdong
    world = World(app=ledger, now=at, year=2026)
    rules = ledger.open_year(world.by(), year=2026, redemption_deadline=date(2027, 2, 8))
    assert ledger.programme().years == [2018, 2019, 2020, 2026]
    # What was not given is the latest earlier year's (2020's) figure; issuance is the fiscal year.
    assert (rules.issuance.opens, rules.issuance.closes) == (date(2026, 1, 1), date(2026, 12, 31))
    assert rules.revenue_threshold_fen == 1_000 * WAN_YUAN and rules.applications is None
    assert refused(world, lambda: ledger.open_year(world.by(), year=2026, redemption_deadline=date(2027, 3, 1))) \
        == "YEAR_ALREADY_OPEN"
    world.setup_year(2026)  # carrier rates, catalogue (redeemable until 2027-02-08), city quotas
    assert ledger.catalogue(2026).redemption_deadline == date(2027, 2, 8)
    provider = world.provider()
    voucher = world.issue(world.eligible_enterprise())
    assert voucher.expires_at == datetime(2027, 2, 8, 16, tzinfo=UTC)  # end of 8 February in Guangdong
    receipt = world.approved_claim(voucher.voucher_id, provider, eligible_fee_fen=100_000)
    assert receipt.amount_fen == 50_000  # 50 % of the fee
    world.paid_batch(provider, [receipt], period="2026-03")
    assert ledger.voucher(voucher.voucher_id).claims[receipt.claim_id].status == "SETTLED"


def test_the_rules_read_the_years_recorded_figures(ledger):
    at = datetime(2027, 4, 1, 1, tzinfo=UTC)
    world = World(app=ledger, now=at, year=2027)
    ledger.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8), revenue_threshold_fen=2_000 * WAN_YUAN,
                     min_payment_ratio="0.95", established_years=3,
                     covered_fee_categories=["APPLICATION_SERVICE", "NETWORK_RENOVATION"])
    world.setup_year(2027, items=(("APP-ERP", "ERP 上云", "APPLICATION_SERVICE", "0.50", 10_000_000),))
    # 12,000,000 RMB was enough in 2018-2020; this year asks for 20,000,000 and 3 years since establishment.
    young = world.enterprise(established_on=date(2025, 1, 1))
    decision = ledger.decide_eligibility(world.by(), enterprise_id=young, year=2027,
                                         prior_year_revenue_fen=1_200 * WAN_YUAN, serious_misuse_5y=False,
                                         effective_at=world.now)
    assert set(decision.reasons) == {"REVENUE_BELOW_THRESHOLD", "ESTABLISHED_LESS_THAN_ONE_YEAR"}
    enterprise = world.enterprise(eligible_for=2027, revenue_fen=2_000 * WAN_YUAN)
    provider = world.provider()
    voucher = world.issue(enterprise).voucher_id
    underpaid = world.evidence(contract_amount_fen=1_000_000, paid_fen=940_000)  # 94 %: enough in 2020, not now
    with pytest.raises(LedgerError) as excinfo:
        world.claim(voucher, provider, eligible_fee_fen=1_000_000, evidence=underpaid)
    assert excinfo.value.code == "PAYMENT_INSUFFICIENT"
    with pytest.raises(LedgerError) as excinfo:  # the year covers no device access: not merely another category
        world.claim(voucher, provider, eligible_fee_fen=1_000_000, fee_category="DEVICE_ACCESS")
    assert excinfo.value.code == "CATEGORY_NOT_COVERED"
    assert world.claim(voucher, provider, eligible_fee_fen=1_000_000,
                       evidence=world.evidence(contract_amount_fen=1_000_000, paid_fen=950_000)).amount_fen == 500_000


def test_a_store_written_before_programmes_were_data_gets_the_default_one_once(tmp_path):
    path = tmp_path / "old.sqlite3"
    with gzip.open(FIXTURE) as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    settings = Settings(store="sqlite", sqlite_path=path)
    app = open_ledger(settings)
    try:
        assert app.programme().years == [2018, 2019, 2020]
        events = app.recorder.max_notification_id()
    finally:
        app.close()
    again = open_ledger(settings)
    try:
        assert again.recorder.max_notification_id() == events  # recorded once
        assert again.training_mark() is None  # a real store stays real
    finally:
        again.close()


def test_a_training_clock_marks_its_store_for_ever_and_production_refuses_it(store_settings):
    started = datetime(2020, 10, 15, 1, tzinfo=UTC)
    app = open_ledger(store_settings, clock=TrainingClock(started))
    try:
        mark = app.training_mark()
        assert mark.clock_started_at == started
        first = [n.topic for n in app.recorder.select_notifications(1, 20)]
        assert first[0] == "ledger.training:TrainingMark.Marked" and set(first) <= set(SET_UP_TOPICS)
    finally:
        app.close()
    reopened = open_ledger(store_settings)  # the real clock, not production: it opens, and the store stays marked
    try:
        assert reopened.stored(ids.training_mark_id())
    finally:
        reopened.close()
    production = store_settings.model_copy(update={"production": True, "jwt_secret": "a-real-key"})
    with pytest.raises(TrainingStoreRefusedError):
        open_ledger(production)
    with pytest.raises(ValueError, match="VOUCHER_LEDGER_CLOCK"):
        Settings(production=True, jwt_secret="a-real-key", clock="2020-10-15T09:00:00+08:00")


class RealTime:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_a_training_clock_runs_on_in_real_time_and_continues_from_its_store(store_settings):
    start, real = datetime(2020, 10, 15, 1, tzinfo=UTC), RealTime(datetime(2026, 1, 1, tzinfo=UTC))
    service = TrainingClock(start, real=real)
    app = open_ledger(store_settings, clock=service)  # the service starts the store's training clock
    app.close()
    real.at = datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)
    assert service.now() == datetime(2020, 10, 15, 1, 0, 5, tzinfo=UTC)  # five real seconds later
    real.at = datetime(2026, 1, 1, 1, tzinfo=UTC)
    cli = TrainingClock(start, real=real)  # an hour later, another process with the same setting
    app = open_ledger(store_settings, clock=cli)
    try:
        assert cli.now() == datetime(2020, 10, 15, 2, tzinfo=UTC)  # one clock: it goes on from the store's start
        assert app.recorder.max_notification_id() == len(app.recorder.select_notifications(1, 50))  # nothing new
    finally:
        app.close()
    standing = FixedClock(start)  # a clock that stands still (the simulator's) starts no real-time one
    assert standing.now() == start


def test_a_category_never_covered_is_neither_opened_nor_carried_on(ledger):
    """一(二): a year naming automation equipment or non-cloud software is CATEGORY_NOT_COVERED, nothing written; a year
    a store recorded before that refusal existed is not carried on to a successor opened without its categories."""
    world = World(app=ledger, now=datetime(2026, 3, 2, 1, tzinfo=UTC), year=2026)
    for categories in (["AUTOMATION_EQUIPMENT"], ["APPLICATION_SERVICE", "NON_CLOUD_SOFTWARE"]):
        assert refused(world, lambda: ledger.open_year(world.by(), year=2026, redemption_deadline=date(2027, 2, 8),
                                                       covered_fee_categories=categories)) == "CATEGORY_NOT_COVERED"
    # As such a year was recorded before: its rules written as they are, past YearRules.checked.
    rules = replace(ledger.year_rules(2020), year=2026, redemption_deadline=date(2027, 2, 8),
                    covered_fee_categories=frozenset({FeeCategory.APPLICATION_SERVICE, FeeCategory.AUTOMATION_EQUIPMENT}))

    def record_unchecked() -> None:
        programme = ledger.programme()
        ledger._save(programme, programme.open_year(world.by(), rules))

    ledger._run(record_unchecked)
    assert FeeCategory.AUTOMATION_EQUIPMENT in ledger.year_rules(2026).covered_fee_categories  # it still reads back
    with pytest.raises(LedgerError) as carried:  # the refusal says where the category came from, and what to do
        ledger.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8))
    assert carried.value.code == "CATEGORY_NOT_COVERED"
    assert "2026 lists AUTOMATION_EQUIPMENT" in carried.value.detail and "covered_fee_categories" in carried.value.detail
    given = ledger.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8),
                             covered_fee_categories=["APPLICATION_SERVICE"])
    assert given.covered_fee_categories == {FeeCategory.APPLICATION_SERVICE}


@pytest.mark.parametrize("given, code", [
    ({"min_payment_ratio": "0"}, "INVALID_RATE"),  # switches the payment proof off
    ({"min_payment_ratio": "1.01"}, "INVALID_RATE"),
    ({"applications_open": date(2034, 9, 30), "applications_close": date(2034, 5, 25)}, "INVALID_INPUT"),  # inverted
    ({"applications_open": date(2034, 11, 1), "applications_close": date(2035, 6, 1)}, "INVALID_INPUT"),  # after redemption
    ({"applications_open": date(2034, 11, 1), "applications_close": date(2035, 1, 15)}, "INVALID_INPUT"),  # after issuance
    ({"issuance_opens": date(2034, 12, 31), "issuance_closes": date(2034, 1, 1)}, "INVALID_INPUT"),  # inverted
    ({"issuance_closes": date(2035, 3, 1)}, "INVALID_INPUT"),  # issuing after the vouchers' deadline
    ({"contracts_from": date(2035, 2, 9)}, "INVALID_INPUT"),  # no contract could ever be covered
    ({"contracts_from": date(2018, 3, 19)}, "INVALID_INPUT"),  # the day before the policy's date (2018-03-20)
    ({"objection_working_days": 0}, "INVALID_INPUT"),  # a publicity list nobody could object to
], ids=["ratio-0", "ratio-above-1", "applications-inverted", "applications-after-redemption",
        "applications-after-issuance", "issuance-inverted", "issuance-after-redemption", "contracts-after-redemption",
        "contracts-before-the-policy", "no-objection-days"])
def test_a_year_whose_figures_or_windows_cannot_work_is_refused_and_nothing_written(ledger, given, code):
    """Found by a black-box review: ``open-year 2034 --min-payment-ratio 0`` (DOMAIN.md fixes payment proof at 90 % of
    the contract; a year may configure another share, not none) and an application window closing after the
    redemption deadline were both opened. A year's windows run issuance (applications within it) → redemption."""
    world = World(app=ledger, now=datetime(2034, 3, 2, 1, tzinfo=UTC), year=2034)
    assert refused(world, lambda: ledger.open_year(world.by(), year=2034, redemption_deadline=date(2035, 2, 8),
                                                   **given)) == code
    assert 2034 not in ledger.programme().years


def test_a_year_at_the_edges_of_its_windows_is_opened(ledger):
    world = World(app=ledger, now=datetime(2034, 3, 2, 1, tzinfo=UTC), year=2034)
    rules = ledger.open_year(world.by(), year=2034, redemption_deadline=date(2035, 2, 8), min_payment_ratio="1",
                             applications_open=date(2034, 5, 25), applications_close=date(2034, 12, 31),
                             contracts_from=date(2035, 2, 8), objection_working_days=1)
    assert (rules.min_payment_ratio, rules.applications.closes, rules.contracts_from) == (
        Decimal("1"), date(2034, 12, 31), date(2035, 2, 8))


def test_a_zero_payment_ratio_recorded_before_the_rule_is_not_carried_on(ledger):
    """A year a store recorded with a ratio of 0 (before it was refused) still reads back; a successor opened without
    a ratio would silently inherit it, so it is refused and told to give its own."""
    world = World(app=ledger, now=datetime(2026, 3, 2, 1, tzinfo=UTC), year=2026)
    rules = replace(ledger.year_rules(2020), year=2026, redemption_deadline=date(2027, 2, 8),
                    min_payment_ratio=Decimal("0"))

    def record_unchecked() -> None:
        programme = ledger.programme()
        ledger._save(programme, programme.open_year(world.by(), rules))

    ledger._run(record_unchecked)
    assert ledger.year_rules(2026).min_payment_ratio == 0
    with pytest.raises(LedgerError) as carried:
        ledger.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8))
    assert carried.value.code == "INVALID_RATE" and "2026" in carried.value.detail
    assert "min_payment_ratio" in carried.value.detail
    assert ledger.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8),
                            min_payment_ratio="0.90").min_payment_ratio == Decimal("0.90")


def test_a_successor_year_runs_under_its_own_policy_and_the_old_years_keep_theirs(ledger, store_settings):
    """DOMAIN.md "Programme years": a programme is a policy (name, document number, date) with its years. The province
    records a successor policy with the first year it opens under it: that year's contracts are covered from the new
    policy's date, a later year opened without a policy carries it on, and the 2018-2020 years keep 粤府〔2018〕23号.
    A black-box review found no way to record one: every successor year ran under the 2018 policy and its date."""
    from ledger.policy import Policy

    world = World(app=ledger, now=datetime(2026, 12, 8, 2, tzinfo=UTC), year=2027)
    successor = Policy.checked(name="广东省推动工业企业上云上平台实施方案（2026—2027年）",
                               document_number="粤工信数字〔2026〕88号", policy_date=date(2026, 11, 1))
    rules = ledger.open_year(world.by(), year=2027, issuance_opens=date(2026, 12, 1),
                             redemption_deadline=date(2028, 2, 8), policy=successor)
    assert rules.policy == successor and rules.contracts_from == date(2026, 11, 1)  # the new policy's date
    assert ledger.year_rules(2027).policy == successor  # as recorded, read back
    later = ledger.open_year(world.by(), year=2028, redemption_deadline=date(2029, 2, 8))
    assert later.policy == successor and later.contracts_from == date(2026, 11, 1)  # carried on
    assert all(ledger.year_rules(y).policy is None and ledger.year_rules(y).contracts_from == date(2018, 3, 20)
               for y in (2018, 2019, 2020))  # the old programme's years as they were
    assert ledger.programme().document_number == "粤府〔2018〕23号"
    assert refused(world, lambda: ledger.open_year(world.by(), year=2029, redemption_deadline=date(2030, 2, 8),
                                                   policy=successor, contracts_from=date(2026, 10, 31))) \
        == "INVALID_INPUT"  # never covered from before the year's policy

    world.setup_year(2027)
    provider, voucher = world.provider(), world.issue(world.eligible_enterprise()).voucher_id
    before_policy = world.evidence(contract_amount_fen=100_000, signed_at=datetime(2026, 10, 20, 2, tzinfo=UTC))
    with pytest.raises(LedgerError) as excinfo:
        world.claim(voucher, provider, eligible_fee_fen=100_000, evidence=before_policy)
    assert excinfo.value.code == "CONTRACT_BEFORE_POLICY" and "2026-11-01" in excinfo.value.detail

    read = ReadModels(store_settings, ledger, in_process=True)  # the year's audit line names its policy
    try:
        [line] = [row for row in read.audit_trail("programme_year", str(ids.programme_year_id(2027)), world.now)
                  if row["event_type"] == "ProgrammeYear.Opened"]
    finally:
        read.close()
    assert line["summary_zh"].endswith("；政策依据：广东省推动工业企业上云上平台实施方案（2026—2027年）（粤工信数字〔2026〕88号，"
                                       "2026-11-01）"), line["summary_zh"]
    assert line["summary_en"].endswith("; under 粤工信数字〔2026〕88号 of 2026-11-01"), line["summary_en"]


def test_a_year_recorded_before_years_had_a_policy_runs_under_the_programmes(ledger):
    """ProgrammeYear.Opened v2 (every year stored before a year could name its policy) reads through upcast_v2_v3
    with no policy of its own: the store's programme's."""
    opened = next(iter(ledger.events.get(ids.programme_year_id(2020))))
    stored = ledger.mapper.to_stored_event(opened)
    state = ledger.mapper.transcoder.decode(stored.state)
    assert state.pop("policy") is None
    state["class_version"] = 2
    decoded = ledger.mapper.to_domain_event(replace(stored, state=ledger.mapper.transcoder.encode(state)))
    assert decoded.policy is None and decoded.contracts_from == date(2018, 3, 20)


def test_the_words_of_a_refusal_say_no_figure_of_the_2018_2020_years(ledger, store_settings):
    """A successor year configures its own figures: an enterprise 2 years old refused by a year that asks for 3 was
    told "成立未满一年" (established less than one year), a year looking back 3 years on misuse spoke of five, and an
    import's report named an underpaid claim's rule as 90 % in a year that asks for 95 %. The words name the rule;
    the year's figure is in the message that comes with them."""
    from ledger.words import named

    world = World(app=ledger, now=datetime(2027, 3, 1, 1, tzinfo=UTC), year=2027)
    ledger.open_year(world.by(), year=2027, redemption_deadline=date(2028, 2, 8), established_years=3,
                     misuse_lookback_years=3, min_payment_ratio="0.95")
    young = world.enterprise(established_on=date(2025, 1, 1))
    decision = ledger.decide_eligibility(world.by(), enterprise_id=young, year=2027,
                                         prior_year_revenue_fen=2_000 * WAN_YUAN, serious_misuse_5y=True,
                                         effective_at=world.now)
    assert set(decision.reasons) == {"ESTABLISHED_LESS_THAN_ONE_YEAR", "SERIOUS_FUNDS_MISUSE"}
    read = ReadModels(store_settings, ledger, in_process=True)
    try:
        [line] = [row for row in read.audit_trail("enterprise", str(young), world.now)
                  if row["event_type"] == "Enterprise.EligibilityDecided"]
    finally:
        read.close()
    for wrong in ("一年", "五年", "one year", "five years"):
        assert wrong not in line["summary_zh"] + line["summary_en"], line
    assert "90" not in named("PAYMENT_INSUFFICIENT") + named("PAYMENT_INSUFFICIENT", "en")
