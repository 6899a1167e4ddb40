"""Enterprise registration, the yearly eligibility decision (一(二)) and the automatic discounts (一(一), 一(三))."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledger import ids
from ledger.errors import LedgerError
from ledger.money import WAN_YUAN
from ledger.uscc import make_uscc
from tests.support.scenario import FOSHAN, SHENZHEN, World

THRESHOLD_FEN = 1_000 * WAN_YUAN  # 10,000,000 RMB = 1,000,000,000 fen
BEIJING = "110100"  # a real GB/T 2260 code, but not a Guangdong city


def last_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def new_since(app, after: int) -> list:
    return list(app.recorder.select_notifications(start=after + 1, limit=100))


def decide(world: World, enterprise_id, *, year=2019, revenue_fen=THRESHOLD_FEN, misuse=False, at=None):
    at = at or world.now
    return world.app.decide_eligibility(
        world.by(at=at), enterprise_id=enterprise_id, year=year, prior_year_revenue_fen=revenue_fen,
        serious_misuse_5y=misuse, effective_at=at,
    )


# -- registration ------------------------------------------------------------------------------------------------
def test_an_enterprise_registers_with_a_valid_uscc_in_a_guangdong_city(world):
    uscc = make_uscc("91440606MA4UJ0001")
    enterprise_id = world.app.register_enterprise(
        world.by(), uscc=uscc.lower(), name=" Foshan Ceramics ", city=FOSHAN, carrier="CHINA_TELECOM",
        established_on=date(2012, 5, 4),
    )
    enterprise = world.app.enterprise_by_uscc(uscc)
    assert enterprise.id == enterprise_id
    assert (enterprise.uscc, enterprise.name, enterprise.city) == (uscc, "Foshan Ceramics", FOSHAN)
    assert (enterprise.carrier, enterprise.established_on) == ("CHINA_TELECOM", date(2012, 5, 4))


def test_a_uscc_with_a_wrong_check_character_is_refused_and_nothing_is_registered(world):
    body = "91440606MA4UJ0002"
    good = make_uscc(body)
    wrong = body + ("0" if good[-1] != "0" else "1")
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        world.app.register_enterprise(
            world.by(), uscc=wrong, name="Typo Ltd", city=FOSHAN, carrier="CHINA_MOBILE",
            established_on=date(2012, 1, 1),
        )
    assert excinfo.value.code == "INVALID_USCC"
    assert last_id(world.app) == before


@pytest.mark.parametrize("city", [BEIJING, "440000", "4406"])
def test_an_enterprise_outside_the_21_guangdong_cities_is_refused(world, city):
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        world.app.register_enterprise(
            world.by(), uscc=world.new_uscc(), name="Elsewhere Ltd", city=city, carrier="CHINA_MOBILE",
            established_on=date(2012, 1, 1),
        )
    assert excinfo.value.code == "UNKNOWN_CITY"
    assert last_id(world.app) == before


def test_registering_the_same_uscc_twice_is_refused_and_the_first_registration_stands(world):
    uscc = world.new_uscc()
    first = dict(uscc=uscc, name="First Name", city=FOSHAN, carrier="CHINA_MOBILE", established_on=date(2011, 1, 1))
    world.app.register_enterprise(world.by(), **first)
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        world.app.register_enterprise(world.by(), **{**first, "name": "Second Name", "city": "441900"})
    assert excinfo.value.code == "ALREADY_EXISTS"
    assert last_id(world.app) == before
    assert (world.app.enterprise_by_uscc(uscc).name, world.app.enterprise_by_uscc(uscc).city) == ("First Name", FOSHAN)


def test_an_enterprise_established_after_the_day_it_is_registered_is_refused(world):
    """Found by a black-box review: an enterprise "established 2030-01-01" was registered. The establishment date is
    a fact that has happened, judged on the Asia/Shanghai date of the registration: one founded that day is taken."""
    world.now = datetime(2019, 3, 1, 16, 30, tzinfo=UTC)  # 2 March 2019, 00:30 in Guangdong
    before = last_id(world.app)
    for established_on in (date(2030, 1, 1), date(2019, 3, 3)):
        uscc = world.new_uscc()
        with pytest.raises(LedgerError) as excinfo:
            world.app.register_enterprise(world.by(), uscc=uscc, name="Future Ltd", city=FOSHAN,
                                          carrier="CHINA_MOBILE", established_on=established_on)
        assert excinfo.value.code == "EFFECTIVE_IN_FUTURE"
        assert last_id(world.app) == before
        assert list(world.app.repository.event_store.get(ids.enterprise_id(uscc))) == []
    today = world.app.register_enterprise(world.by(), uscc=world.new_uscc(), name="Founded Today Ltd", city=FOSHAN,
                                          carrier="CHINA_MOBILE", established_on=date(2019, 3, 2))
    assert world.app.enterprise(today).established_on == date(2019, 3, 2)


def test_a_shenzhen_enterprise_can_be_registered(world):
    enterprise_id = world.enterprise(city=SHENZHEN)
    assert world.app.enterprise(enterprise_id).city == SHENZHEN


# -- the yearly decision ------------------------------------------------------------------------------------------
def test_an_enterprise_with_exactly_10_000_000_rmb_revenue_is_eligible(world):
    decision = decide(world, world.enterprise(), revenue_fen=1_000_000_000)  # exactly 1,000万元
    assert decision.granted and decision.reasons == ()
    assert world.app.enterprise(decision.enterprise_id).is_eligible(2019)


def test_an_enterprise_with_9_999_999_99_rmb_revenue_is_refused_for_revenue_below_threshold(world):
    decision = decide(world, world.enterprise(), revenue_fen=999_999_999)  # 1 fen below 1,000万元
    assert not decision.granted
    assert decision.reasons == ("REVENUE_BELOW_THRESHOLD",)
    assert not world.app.enterprise(decision.enterprise_id).is_eligible(2019)


def test_an_enterprise_is_eligible_on_its_first_anniversary(world):
    enterprise_id = world.enterprise(established_on=date(2018, 3, 1))
    decision = decide(world, enterprise_id, at=datetime(2019, 3, 1, 1, 0, tzinfo=UTC))  # 09:00 on 1 March, Shanghai
    assert decision.granted


def test_an_enterprise_one_day_short_of_its_first_anniversary_is_refused(world):
    enterprise_id = world.enterprise(established_on=date(2018, 3, 2))
    decision = decide(world, enterprise_id, at=datetime(2019, 3, 1, 1, 0, tzinfo=UTC))  # anniversary is tomorrow
    assert not decision.granted
    assert decision.reasons == ("ESTABLISHED_LESS_THAN_ONE_YEAR",)


def test_the_anniversary_is_judged_on_the_shanghai_date_of_the_decision(world):
    # 2019-02-28 16:30 UTC is 2019-03-01 00:30 in Shanghai: the anniversary of 2018-03-01 → established one year.
    on_the_day = decide(world, world.enterprise(established_on=date(2018, 3, 1)),
                        at=datetime(2019, 2, 28, 16, 30, tzinfo=UTC))
    # 2019-02-28 15:59 UTC is 2019-02-28 23:59 in Shanghai: still the day before the anniversary.
    day_before = decide(world, world.enterprise(established_on=date(2018, 3, 1)),
                        at=datetime(2019, 2, 28, 15, 59, tzinfo=UTC))
    assert on_the_day.granted
    assert (day_before.granted, day_before.reasons) == (False, ("ESTABLISHED_LESS_THAN_ONE_YEAR",))


def test_serious_misuse_of_fiscal_funds_in_the_last_5_years_is_refused(world):
    decision = decide(world, world.enterprise(), revenue_fen=5_000 * WAN_YUAN, misuse=True)
    assert (decision.granted, decision.reasons) == (False, ("SERIOUS_FUNDS_MISUSE",))


def test_a_shenzhen_enterprise_with_perfect_facts_is_refused_as_shenzhen_excluded(world):
    enterprise_id = world.enterprise(city=SHENZHEN, established_on=date(2000, 1, 1))
    decision = decide(world, enterprise_id, revenue_fen=100_000 * WAN_YUAN)
    assert (decision.granted, decision.reasons) == (False, ("SHENZHEN_EXCLUDED",))
    assert decision.network_discount_id is None
    assert ids.network_discount_id(enterprise_id, 2019) not in world.app.repository


def test_a_refusal_is_recorded_as_an_event_with_every_reason(world):
    enterprise_id = world.enterprise(city=SHENZHEN, established_on=date(2018, 6, 1))
    before = last_id(world.app)
    decision = decide(world, enterprise_id, revenue_fen=THRESHOLD_FEN - 1, misuse=True)
    every_reason = {"SHENZHEN_EXCLUDED", "ESTABLISHED_LESS_THAN_ONE_YEAR", "REVENUE_BELOW_THRESHOLD",
                    "SERIOUS_FUNDS_MISUSE"}
    assert set(decision.reasons) == every_reason
    recorded = new_since(world.app, before)
    assert [n.originator_id for n in recorded] == [enterprise_id]  # the refusal only: no discount grant
    event = list(world.app.events.get(enterprise_id))[-1]
    assert type(event).__name__ == "EligibilityDecided"
    assert (event.year, event.granted, set(event.reasons)) == (2019, False, every_reason)
    assert (event.prior_year_revenue_fen, event.serious_misuse_5y) == (THRESHOLD_FEN - 1, True)
    assert set(world.app.enterprise(enterprise_id).refusals[2019]) == every_reason


@pytest.mark.parametrize("first_revenue", [THRESHOLD_FEN, THRESHOLD_FEN - 1], ids=["granted", "refused"])
def test_eligibility_is_decided_only_once_per_enterprise_per_year(world, first_revenue):
    enterprise_id = world.enterprise()
    first = decide(world, enterprise_id, revenue_fen=first_revenue)
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        decide(world, enterprise_id, revenue_fen=100_000 * WAN_YUAN if not first.granted else 0)
    assert excinfo.value.code == "ELIGIBILITY_ALREADY_DECIDED"
    assert last_id(world.app) == before
    assert world.app.enterprise(enterprise_id).is_eligible(2019) == first.granted


def test_next_year_is_a_new_decision(world):
    enterprise_id = world.enterprise()
    decide(world, enterprise_id, revenue_fen=THRESHOLD_FEN - 1)
    world.app.set_carrier_rates(world.by(), year=2020, rates={"CHINA_MOBILE": "0.40"})
    assert decide(world, enterprise_id, year=2020, at=datetime(2020, 2, 1, tzinfo=UTC)).granted
    assert world.app.enterprise(enterprise_id).eligibility == {2019: False, 2020: True}


# -- the automatic network discount -------------------------------------------------------------------------------
def test_a_granted_eligibility_records_the_carriers_network_discount_in_the_same_transaction(world):
    enterprise_id = world.enterprise(carrier="CHINA_UNICOM")
    before = last_id(world.app)
    decision = decide(world, enterprise_id)
    grant_id = ids.network_discount_id(enterprise_id, 2019)
    assert decision.network_discount_id == grant_id
    grant = world.app.repository.get(grant_id)
    # China Unicom's configured 2019 rate in the scenario is 0.32, recorded exactly.
    assert (grant.enterprise_id, grant.year, grant.carrier, grant.rate) == (enterprise_id, 2019, "CHINA_UNICOM",
                                                                             Decimal("0.32"))
    recorded = new_since(world.app, before)
    # one save: the decision and the grant, consecutive notifications, nothing in between
    assert [n.id for n in recorded] == [before + 1, before + 2]
    assert {n.originator_id for n in recorded} == {enterprise_id, grant_id}


def test_if_the_network_discount_cannot_be_stored_the_eligibility_is_not_stored_either(world, monkeypatch):
    # Fault injection in the store: any write that carries the discount grant fails. In one transaction, the
    # decision goes down with it; written separately, the decision would be left behind without its grant.
    enterprise_id = world.enterprise()
    store_write = world.app.recorder.insert_events

    def failing_write(stored_events, **kwargs):
        if any("NetworkDiscountGrant" in event.topic for event in stored_events):
            raise RuntimeError("disk full")
        return store_write(stored_events, **kwargs)

    monkeypatch.setattr(world.app.recorder, "insert_events", failing_write)
    before = last_id(world.app)
    with pytest.raises(RuntimeError):
        decide(world, enterprise_id)
    monkeypatch.undo()
    assert last_id(world.app) == before
    assert 2019 not in world.app.enterprise(enterprise_id).eligibility
    assert ids.network_discount_id(enterprise_id, 2019) not in world.app.repository


def test_a_refused_eligibility_records_no_network_discount(world):
    enterprise_id = world.enterprise()
    decision = decide(world, enterprise_id, revenue_fen=THRESHOLD_FEN - 1)
    assert decision.network_discount_id is None
    assert ids.network_discount_id(enterprise_id, 2019) not in world.app.repository


def test_without_carrier_rates_for_the_year_a_grant_is_refused_and_no_eligibility_is_recorded(world):
    enterprise_id = world.enterprise()  # no 2020 carrier rates are configured
    before, version = last_id(world.app), world.app.enterprise(enterprise_id).version
    with pytest.raises(LedgerError) as excinfo:
        decide(world, enterprise_id, year=2020, at=datetime(2020, 2, 1, tzinfo=UTC))
    assert excinfo.value.code == "CARRIER_RATE_NOT_SET"
    assert last_id(world.app) == before
    assert world.app.enterprise(enterprise_id).version == version
    assert 2020 not in world.app.enterprise(enterprise_id).eligibility
    # Nothing was decided, so once rates are configured the decision can still be made.
    world.app.set_carrier_rates(world.by(), year=2020, rates={"CHINA_MOBILE": "0.30"})
    assert decide(world, enterprise_id, year=2020, at=datetime(2020, 2, 1, tzinfo=UTC)).granted


def test_without_a_rate_for_the_enterprises_own_carrier_a_grant_is_refused_and_nothing_recorded(world):
    world.app.set_carrier_rates(world.by(), year=2020, rates={"CHINA_TELECOM": "0.30"})
    enterprise_id = world.enterprise(carrier="CHINA_MOBILE")
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        decide(world, enterprise_id, year=2020, at=datetime(2020, 2, 1, tzinfo=UTC))
    assert excinfo.value.code == "CARRIER_RATE_NOT_SET"
    assert last_id(world.app) == before
    assert 2020 not in world.app.enterprise(enterprise_id).eligibility


def test_a_carrier_rate_of_30_percent_is_accepted_and_below_it_is_refused(ledger):
    by = World(app=ledger, now=datetime(2020, 1, 2, tzinfo=UTC)).by()
    with pytest.raises(LedgerError) as excinfo:
        ledger.set_carrier_rates(by, year=2020, rates={"CHINA_TELECOM": "0.30", "CHINA_MOBILE": "0.2999"})
    assert excinfo.value.code == "DISCOUNT_RATE_TOO_LOW"
    assert ids.carrier_rates_id(2020) not in ledger.repository
    ledger.set_carrier_rates(by, year=2020, rates={"CHINA_TELECOM": "0.30"})
    assert ledger.repository.get(ids.carrier_rates_id(2020)).rates == {"CHINA_TELECOM": Decimal("0.30")}


def test_a_carrier_rate_revised_below_30_percent_is_refused_and_the_old_rate_stands(world):
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        world.app.set_carrier_rates(world.by(), year=2019, rates={"CHINA_MOBILE": "0.25"})
    assert excinfo.value.code == "DISCOUNT_RATE_TOO_LOW"
    assert last_id(world.app) == before
    assert world.app.repository.get(ids.carrier_rates_id(2019)).rates["CHINA_MOBILE"] == Decimal("0.35")


def test_a_carrier_rate_given_as_a_float_is_refused(ledger):
    by = World(app=ledger, now=datetime(2020, 1, 2, tzinfo=UTC)).by()
    with pytest.raises(LedgerError) as excinfo:
        ledger.set_carrier_rates(by, year=2020, rates={"CHINA_TELECOM": 0.35})
    assert excinfo.value.code == "INVALID_RATE"
    assert ids.carrier_rates_id(2020) not in ledger.repository


# -- public-cloud discount agreements -----------------------------------------------------------------------------
def test_a_public_cloud_agreement_of_at_least_30_percent_is_recorded_exactly(world):
    cloud = world.provider(kind="NATIONAL_PLATFORM")
    agreement_id = world.app.record_cloud_agreement(world.by(), provider_id=cloud, year=2019, rate="0.30")
    agreement = world.app.repository.get(agreement_id)
    assert (agreement.provider_id, agreement.year, agreement.rate) == (cloud, 2019, Decimal("0.30"))


def test_a_public_cloud_agreement_below_30_percent_is_refused(world):
    cloud = world.provider(kind="NATIONAL_PLATFORM")
    before = last_id(world.app)
    with pytest.raises(LedgerError) as excinfo:
        world.app.record_cloud_agreement(world.by(), provider_id=cloud, year=2019, rate="0.2999")
    assert excinfo.value.code == "DISCOUNT_RATE_TOO_LOW"
    assert last_id(world.app) == before
    assert ids.cloud_agreement_id(cloud, 2019) not in world.app.repository


def test_a_second_public_cloud_agreement_for_the_same_year_is_refused(world):
    cloud = world.provider(kind="NATIONAL_PLATFORM")
    world.app.record_cloud_agreement(world.by(), provider_id=cloud, year=2019, rate="0.40")
    with pytest.raises(LedgerError) as excinfo:
        world.app.record_cloud_agreement(world.by(), provider_id=cloud, year=2019, rate="0.50")
    assert excinfo.value.code == "ALREADY_EXISTS"
    assert world.app.repository.get(ids.cloud_agreement_id(cloud, 2019)).rate == Decimal("0.40")
