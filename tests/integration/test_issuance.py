"""Issuing service vouchers (服务券): face value, funding split, the city's yearly quota, and who may get one."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from ledger import ids
from ledger.errors import LedgerError
from ledger.money import WAN_YUAN, YUAN
from tests.support.scenario import DONGGUAN, FOSHAN, SHAOGUAN, SHENZHEN, World

GUANGZHOU = "440100"  # no quota configured in the scenario


def last_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def refused(call) -> str:
    with pytest.raises(LedgerError) as excinfo:
        call()
    return excinfo.value.code


def assert_refused_and_nothing_changed(world: World, call, code: str, city: str, year: int = 2019) -> None:
    before, remaining = last_id(world.app), world.app.city_quota(city, year).remaining_fen
    assert refused(call) == code
    assert last_id(world.app) == before
    assert world.app.city_quota(city, year).remaining_fen == remaining


# -- face value and funding split ----------------------------------------------------------------------------------
def test_a_voucher_is_worth_the_items_cap_and_consumes_that_much_of_the_city_quota(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "DEV-ACCESS")
    # DEV-ACCESS cap = 50,000 RMB; Foshan co-funds 40 %: city 20,000 RMB, province 30,000 RMB.
    assert voucher.face_value_fen == 50_000 * YUAN
    assert (voucher.city_portion_fen, voucher.province_portion_fen) == (20_000 * YUAN, 30_000 * YUAN)
    # Foshan's 2019 quota is 500万元; 5,000,000 − 50,000 = 4,950,000 RMB remain.
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == 4_950_000 * YUAN
    stored = world.app.voucher(voucher.voucher_id)
    assert (stored.face_value_fen, stored.balance_fen, stored.city, stored.year) == (5_000_000, 5_000_000, FOSHAN, 2019)


def test_the_city_portion_is_rounded_down_to_the_fen_and_the_province_takes_the_rest(ledger):
    world = World(app=ledger, now=datetime(2020, 3, 1, 2, 0, tzinfo=UTC), year=2020)
    world.setup_year(2020, items=(("ODD", "odd cap", "APPLICATION_SERVICE", "0.50", 1_234_562),),
                     city_quotas={DONGGUAN: (500 * WAN_YUAN, "0.35")})
    voucher = world.issue(world.eligible_enterprise(city=DONGGUAN), "ODD")
    # 1,234,562 fen × 0.35 = 432,096.70 fen → city 432,096 (rounded DOWN, not to nearest 432,097);
    # province = 1,234,562 − 432,096 = 802,466 (not 0.65 × face = 802,465.30 → 802,465, which would lose a fen).
    assert voucher.face_value_fen == 1_234_562
    assert (voucher.city_portion_fen, voucher.province_portion_fen) == (432_096, 802_466)
    stored = world.app.voucher(voucher.voucher_id)
    assert (stored.city_portion_fen, stored.province_portion_fen) == (432_096, 802_466)


# -- the city's yearly quota -------------------------------------------------------------------------------------
def test_shaoguans_200_000_rmb_quota_issues_two_100_000_vouchers_and_refuses_the_third(world):
    first, second, third = (world.eligible_enterprise(city=SHAOGUAN) for _ in range(3))
    world.issue(first, "APP-ERP")
    world.issue(second, "APP-ERP")
    assert world.app.city_quota(SHAOGUAN, 2019).remaining_fen == 0  # 200,000 − 2 × 100,000
    assert_refused_and_nothing_changed(world, lambda: world.issue(third, "APP-ERP"), "CITY_QUOTA_EXHAUSTED", SHAOGUAN)
    assert ids.voucher_id(third, 2019, "APP-ERP") not in world.app.repository


def test_a_voucher_that_exactly_fills_the_remaining_quota_is_issued_and_a_larger_one_is_not(world):
    first, second = world.eligible_enterprise(city=SHAOGUAN), world.eligible_enterprise(city=SHAOGUAN)
    world.issue(first, "APP-ERP")  # 200,000 − 100,000 = 100,000 RMB left
    world.issue(first, "DEV-ACCESS")  # 100,000 − 50,000 = 50,000 RMB left
    assert_refused_and_nothing_changed(world, lambda: world.issue(second, "APP-ERP"), "CITY_QUOTA_EXHAUSTED", SHAOGUAN)
    world.issue(second, "DEV-ACCESS")  # 50,000 needed, 50,000 left: exactly fits
    quota = world.app.city_quota(SHAOGUAN, 2019)
    assert (quota.used_fen, quota.remaining_fen) == (200_000 * YUAN, 0)


def test_a_voucher_one_fen_beyond_the_remaining_quota_is_refused(world):
    world.app.set_city_quota(world.by(), city=SHAOGUAN, year=2019, amount_fen=200_000 * YUAN - 1, city_share="0.20")
    first, second = world.eligible_enterprise(city=SHAOGUAN), world.eligible_enterprise(city=SHAOGUAN)
    world.issue(first, "APP-ERP")  # 19,999,999 − 10,000,000 = 9,999,999 fen left; the next needs 10,000,000
    assert_refused_and_nothing_changed(world, lambda: world.issue(second, "APP-ERP"), "CITY_QUOTA_EXHAUSTED", SHAOGUAN)
    assert world.app.city_quota(SHAOGUAN, 2019).remaining_fen == 9_999_999


def test_one_citys_exhausted_quota_does_not_touch_another_citys(world):
    for enterprise in [world.eligible_enterprise(city=SHAOGUAN) for _ in range(2)]:
        world.issue(enterprise, "APP-ERP")
    world.issue(world.eligible_enterprise(city=DONGGUAN), "APP-ERP")
    # Dongguan: 3,000,000 − 100,000 = 2,900,000 RMB left; Foshan untouched at 5,000,000.
    assert world.app.city_quota(DONGGUAN, 2019).remaining_fen == 2_900_000 * YUAN
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == 5_000_000 * YUAN


def test_concurrent_issuance_never_goes_beyond_the_city_quota(world):
    enterprises = [world.eligible_enterprise(city=SHAOGUAN) for _ in range(5)]

    def attempt(enterprise_id):
        try:
            world.issue(enterprise_id, "APP-ERP")
            return "ISSUED"
        except LedgerError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(attempt, enterprises))
    # 200,000 RMB quota / 100,000 per voucher = exactly two, whoever came first.
    assert sorted(outcomes) == ["CITY_QUOTA_EXHAUSTED"] * 3 + ["ISSUED"] * 2
    quota = world.app.city_quota(SHAOGUAN, 2019)
    assert (quota.used_fen, quota.remaining_fen) == (200_000 * YUAN, 0)


def test_no_quota_configured_for_the_city_refuses_issuance(world):
    enterprise = world.eligible_enterprise(city=GUANGZHOU)
    before = last_id(world.app)
    assert refused(lambda: world.issue(enterprise, "APP-ERP")) == "QUOTA_NOT_SET"
    assert last_id(world.app) == before
    assert ids.voucher_id(enterprise, 2019, "APP-ERP") not in world.app.repository


def test_a_city_quota_cannot_be_revised_below_what_is_already_issued(world):
    world.issue(world.eligible_enterprise(city=SHAOGUAN), "APP-ERP")  # 100,000 RMB used
    below = 100_000 * YUAN - 1  # 99,999.99 RMB
    assert_refused_and_nothing_changed(
        world, lambda: world.app.set_city_quota(world.by(), city=SHAOGUAN, year=2019, amount_fen=below,
                                                city_share="0.20"),
        "QUOTA_BELOW_USAGE", SHAOGUAN)
    assert world.app.city_quota(SHAOGUAN, 2019).amount_fen == 200_000 * YUAN
    # Exactly what is issued is allowed: nothing left, so the next voucher is refused.
    world.app.set_city_quota(world.by(), city=SHAOGUAN, year=2019, amount_fen=100_000 * YUAN, city_share="0.20")
    assert world.app.city_quota(SHAOGUAN, 2019).remaining_fen == 0
    late = world.eligible_enterprise(city=SHAOGUAN)
    assert refused(lambda: world.issue(late, "NET-RENO")) == "CITY_QUOTA_EXHAUSTED"


def test_a_city_quota_can_be_raised_within_the_year(world):
    world.app.set_city_quota(world.by(), city=SHAOGUAN, year=2019, amount_fen=30 * WAN_YUAN, city_share="0.20")
    for enterprise in [world.eligible_enterprise(city=SHAOGUAN) for _ in range(3)]:
        world.issue(enterprise, "APP-ERP")  # 300,000 RMB = three 100,000 vouchers
    assert world.app.city_quota(SHAOGUAN, 2019).remaining_fen == 0


def test_the_city_share_cannot_change_within_the_year(world):
    world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP")
    assert_refused_and_nothing_changed(
        world, lambda: world.app.set_city_quota(world.by(), city=FOSHAN, year=2019, amount_fen=600 * WAN_YUAN,
                                                city_share="0.45"),
        "CITY_SHARE_FIXED", FOSHAN)
    quota = world.app.city_quota(FOSHAN, 2019)
    assert (str(quota.city_share), quota.amount_fen) == ("0.40", 500 * WAN_YUAN)
    # Later vouchers are still split at 40 %: 100,000 × 0.40 = 40,000 RMB city, 60,000 province.
    later = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP")
    assert (later.city_portion_fen, later.province_portion_fen) == (40_000 * YUAN, 60_000 * YUAN)


def test_shenzhen_holds_no_provincial_quota(world):
    before = last_id(world.app)
    code = refused(lambda: world.app.set_city_quota(world.by(), city=SHENZHEN, year=2019, amount_fen=100 * WAN_YUAN,
                                                    city_share="0.50"))
    assert code == "SHENZHEN_EXCLUDED"
    assert last_id(world.app) == before


# -- who may get a voucher -----------------------------------------------------------------------------------------
def test_an_enterprise_without_an_eligibility_decision_gets_no_voucher(world):
    enterprise = world.enterprise(city=FOSHAN)
    assert_refused_and_nothing_changed(world, lambda: world.issue(enterprise, "APP-ERP"), "NOT_ELIGIBLE", FOSHAN)


def test_an_enterprise_refused_eligibility_gets_no_voucher(world):
    enterprise = world.enterprise(city=FOSHAN, eligible_for=2019, revenue_fen=1_000 * WAN_YUAN - 1)
    assert_refused_and_nothing_changed(world, lambda: world.issue(enterprise, "APP-ERP"), "NOT_ELIGIBLE", FOSHAN)
    assert ids.voucher_id(enterprise, 2019, "APP-ERP") not in world.app.repository


def test_eligibility_for_one_year_gives_no_voucher_in_another(world):
    world.setup_year(2020)
    enterprise = world.eligible_enterprise(city=FOSHAN)  # eligible for 2019 only
    world.now = datetime(2020, 3, 2, tzinfo=UTC)
    code = refused(lambda: world.app.issue_voucher(world.by(), enterprise_id=enterprise, year=2020, item_id="APP-ERP"))
    assert code == "NOT_ELIGIBLE"
    assert world.app.city_quota(FOSHAN, 2020).used_fen == 0


def test_a_shenzhen_enterprise_never_gets_a_voucher(world):
    enterprise = world.enterprise(city=SHENZHEN, eligible_for=2019, revenue_fen=100_000 * WAN_YUAN)
    before = last_id(world.app)
    assert refused(lambda: world.issue(enterprise, "APP-ERP")) == "SHENZHEN_EXCLUDED"
    assert last_id(world.app) == before
    assert ids.voucher_id(enterprise, 2019, "APP-ERP") not in world.app.repository


def test_one_enterprise_gets_at_most_one_voucher_per_catalogue_item_per_year(world):
    enterprise = world.eligible_enterprise(city=FOSHAN)
    world.issue(enterprise, "APP-ERP")
    assert_refused_and_nothing_changed(world, lambda: world.issue(enterprise, "APP-ERP"), "DUPLICATE_VOUCHER", FOSHAN)
    world.issue(enterprise, "NET-RENO")  # another item of the same year is a different voucher
    # 5,000,000 − 100,000 − 30,000 = 4,870,000 RMB left: the refused duplicate consumed nothing.
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == 4_870_000 * YUAN


# -- the current fiscal year (Asia/Shanghai) -----------------------------------------------------------------------
def test_vouchers_are_issued_only_from_the_current_years_catalogue(world):
    world.setup_year(2020)
    enterprise = world.eligible_enterprise(city=FOSHAN)
    world.app.decide_eligibility(world.by(), enterprise_id=enterprise, year=2020, prior_year_revenue_fen=2_000 * WAN_YUAN,
                                 serious_misuse_5y=False, effective_at=world.now)
    # It is March 2019: the 2020 catalogue is published but not current.
    assert_refused_and_nothing_changed(
        world, lambda: world.app.issue_voucher(world.by(), enterprise_id=enterprise, year=2020, item_id="APP-ERP"),
        "NOT_CURRENT_YEAR", FOSHAN, year=2020)


def test_at_2019_12_31_16_30_utc_it_is_already_fiscal_2020_in_shanghai(world):
    world.setup_year(2020)
    enterprise = world.eligible_enterprise(city=FOSHAN)
    world.app.decide_eligibility(world.by(), enterprise_id=enterprise, year=2020, prior_year_revenue_fen=2_000 * WAN_YUAN,
                                 serious_misuse_5y=False, effective_at=world.now)
    new_years_night = datetime(2019, 12, 31, 16, 30, tzinfo=UTC)  # 2020-01-01 00:30 in Asia/Shanghai
    by = world.by(at=new_years_night)
    assert_refused_and_nothing_changed(
        world, lambda: world.app.issue_voucher(by, enterprise_id=enterprise, year=2019, item_id="APP-ERP"),
        "NOT_CURRENT_YEAR", FOSHAN, year=2019)
    voucher = world.app.issue_voucher(by, enterprise_id=enterprise, year=2020, item_id="APP-ERP")
    assert world.app.voucher(voucher.voucher_id).year == 2020
    assert world.app.city_quota(FOSHAN, 2020).used_fen == 100_000 * YUAN
    assert world.app.city_quota(FOSHAN, 2019).used_fen == 0


def test_at_2019_12_31_15_59_utc_it_is_still_fiscal_2019_in_shanghai(world):
    enterprise = world.eligible_enterprise(city=FOSHAN)
    last_minute = datetime(2019, 12, 31, 15, 59, tzinfo=UTC)  # 2019-12-31 23:59 in Asia/Shanghai
    voucher = world.app.issue_voucher(world.by(at=last_minute), enterprise_id=enterprise, year=2019, item_id="APP-ERP")
    assert world.app.voucher(voucher.voucher_id).year == 2019
    assert world.app.city_quota(FOSHAN, 2019).used_fen == 100_000 * YUAN
