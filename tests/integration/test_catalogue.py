"""The yearly service catalogue and subsidy standards (一(二)): published per year, never edited."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledger import ids
from ledger.catalogue import CatalogueItem
from ledger.errors import LedgerError
from ledger.fees import FeeCategory
from ledger.money import WAN_YUAN, YUAN
from tests.support.scenario import FOSHAN, World

ERP = ("APP-ERP", "ERP 上云", "APPLICATION_SERVICE", "0.50", 100_000 * YUAN)


def last_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def publish(ledger, year: int, items, deadline: date | None = None):
    by = World(app=ledger, now=datetime(year, 1, 2, tzinfo=UTC)).by()
    return ledger.publish_catalogue(by, year=year, items=items, redemption_deadline=deadline or date(year + 1, 2, 8))


def refused_code(call) -> str:
    with pytest.raises(LedgerError) as excinfo:
        call()
    return excinfo.value.code


def not_published(ledger, year: int) -> bool:
    return refused_code(lambda: ledger.catalogue(year)) == "CATALOGUE_NOT_PUBLISHED"


# -- what may become an item --------------------------------------------------------------------------------------
def test_a_published_catalogue_keeps_each_items_category_exact_rate_and_cap(ledger):
    publish(ledger, 2020, [
        CatalogueItem.checked(*ERP),
        CatalogueItem.checked("NET-5G", "5G 内网改造", "NETWORK_RENOVATION", "0.333", 1_234_567),
    ])
    catalogue = ledger.catalogue(2020)
    assert catalogue.year == 2020 and set(catalogue.items) == {"APP-ERP", "NET-5G"}
    item = catalogue.item("NET-5G")
    assert (item.fee_category, item.rate, item.cap_fen) == (FeeCategory.NETWORK_RENOVATION, Decimal("0.333"), 1_234_567)
    assert isinstance(item.rate, Decimal) and isinstance(item.cap_fen, int)


@pytest.mark.parametrize("category", ["AUTOMATION_EQUIPMENT", "NON_CLOUD_SOFTWARE"])
def test_automation_equipment_and_non_cloud_software_can_never_become_a_catalogue_item(category):
    code = refused_code(lambda: CatalogueItem.checked("ROBOT", "工业机械人", category, "0.50", 100_000 * YUAN))
    assert code == "CATEGORY_NOT_COVERED"


@pytest.mark.parametrize("category", [FeeCategory.AUTOMATION_EQUIPMENT, FeeCategory.NON_CLOUD_SOFTWARE])
def test_a_catalogue_with_an_uncovered_item_built_by_hand_is_refused_and_not_published(ledger, category):
    # Bypassing CatalogueItem.checked(): publication re-checks the category.
    smuggled = CatalogueItem(item_id="PLC", name="PLC 控制器", fee_category=category, rate=Decimal("0.50"),
                             cap_fen=50_000 * YUAN)
    before = last_id(ledger)  # a new store holds its programme only
    assert refused_code(lambda: publish(ledger, 2020, [CatalogueItem.checked(*ERP), smuggled])) == "CATEGORY_NOT_COVERED"
    assert not_published(ledger, 2020)
    assert last_id(ledger) == before


def test_an_unknown_fee_category_is_refused(ledger):
    code = refused_code(lambda: CatalogueItem.checked("X", "X", "CONSULTING", "0.50", 100 * YUAN))
    assert code == "INVALID_INPUT"


@pytest.mark.parametrize("rate", [0.5, 0.3], ids=["float-0.5", "float-0.3"])
def test_a_subsidy_rate_given_as_a_float_is_refused(rate):
    code = refused_code(lambda: CatalogueItem.checked("APP-ERP", "ERP", "APPLICATION_SERVICE", rate, 100 * YUAN))
    assert code == "INVALID_RATE"


@pytest.mark.parametrize("rate", ["0", "-0.1", "1.01", "fifty", "NaN"])
def test_a_subsidy_rate_outside_zero_to_one_or_not_a_number_is_refused(rate):
    code = refused_code(lambda: CatalogueItem.checked("APP-ERP", "ERP", "APPLICATION_SERVICE", rate, 100 * YUAN))
    assert code == "INVALID_RATE"


def test_a_rate_given_as_a_decimal_is_accepted_exactly():
    item = CatalogueItem.checked("APP-ERP", "ERP", "APPLICATION_SERVICE", Decimal("0.45"), 100 * YUAN)
    assert item.rate == Decimal("0.45")


@pytest.mark.parametrize("cap", [0, -100, 100_000.0, "10000000", True], ids=["zero", "negative", "float", "str", "bool"])
def test_a_cap_must_be_a_positive_integer_number_of_fen(cap):
    code = refused_code(lambda: CatalogueItem.checked("APP-ERP", "ERP", "APPLICATION_SERVICE", "0.50", cap))
    assert code == "INVALID_AMOUNT"


def test_a_cap_of_one_fen_is_accepted():
    assert CatalogueItem.checked("APP-ERP", "ERP", "APPLICATION_SERVICE", "0.50", 1).cap_fen == 1


def test_a_catalogue_with_a_duplicate_item_id_is_refused_and_not_published(ledger):
    items = [CatalogueItem.checked(*ERP),
             CatalogueItem.checked(" APP-ERP ", "ERP again", "DEVICE_ACCESS", "0.30", 50_000 * YUAN)]
    assert refused_code(lambda: publish(ledger, 2020, items)) == "INVALID_INPUT"
    assert not_published(ledger, 2020)


def test_an_empty_catalogue_is_refused(ledger):
    assert refused_code(lambda: publish(ledger, 2020, [])) == "INVALID_INPUT"
    assert not_published(ledger, 2020)


def test_a_redemption_deadline_before_the_catalogue_year_is_refused(ledger):
    assert refused_code(lambda: publish(ledger, 2020, [CatalogueItem.checked(*ERP)], date(2019, 12, 31))) == "INVALID_INPUT"
    assert not_published(ledger, 2020)


def test_a_redemption_deadline_before_the_years_issuance_closes_is_refused(ledger):
    """A 2020 catalogue "redeemable until 5 January 2020" would make every voucher issued after that expire as it is
    issued, and a catalogue is never edited: the year could never issue again (found by a black-box review)."""
    closes = ledger.year_rules(2020).issuance.closes
    day_before = date.fromordinal(closes.toordinal() - 1)
    assert refused_code(lambda: publish(ledger, 2020, [CatalogueItem.checked(*ERP)], day_before)) == "INVALID_INPUT"
    assert not_published(ledger, 2020)
    # and the last day of issuance is not the year's deadline either (below)
    assert refused_code(lambda: publish(ledger, 2020, [CatalogueItem.checked(*ERP)], closes)) == \
        "CATALOGUE_DEADLINE_MISMATCH"
    assert not_published(ledger, 2020)


def test_a_catalogue_redemption_deadline_other_than_its_years_is_refused(ledger):
    """Found by a black-box review: a catalogue "redeemable until 2040-12-31" in a year redeemable until 8 February of
    the next year was published, and its vouchers would have expired at the catalogue's date while the programme
    showed the year's. A voucher is valid until its YEAR's deadline (DOMAIN.md "Vouchers")."""
    year_deadline = ledger.year_rules(2020).redemption_deadline
    assert year_deadline == date(2021, 2, 8)
    before = last_id(ledger)
    for other in (date(2040, 12, 31), date(2021, 2, 9), date(2021, 1, 31)):
        assert refused_code(lambda other=other: publish(ledger, 2020, [CatalogueItem.checked(*ERP)], other)) == \
            "CATALOGUE_DEADLINE_MISMATCH"
    assert not_published(ledger, 2020) and last_id(ledger) == before
    publish(ledger, 2020, [CatalogueItem.checked(*ERP)], year_deadline)  # the year's own date, given: taken
    assert ledger.catalogue(2020).redemption_deadline == year_deadline


def test_a_catalogue_published_without_a_deadline_takes_its_years(ledger):
    by = World(app=ledger, now=datetime(2020, 1, 2, tzinfo=UTC)).by()
    ledger.publish_catalogue(by, year=2020, items=[CatalogueItem.checked(*ERP)])
    assert ledger.catalogue(2020).redemption_deadline == ledger.year_rules(2020).redemption_deadline


def test_a_catalogue_stored_with_its_own_deadline_before_the_rule_still_loads(ledger):
    """Stores hold catalogues published when a catalogue could name its own deadline: they load as stored (same event,
    same topic), and their vouchers keep the date they were bound to."""
    from ledger.catalogue import Catalogue

    by = World(app=ledger, now=datetime(2020, 1, 2, tzinfo=UTC)).by()
    old = Catalogue._start(Catalogue.Published, ids.catalogue_id(2020), by, year=2020,
                           items=[CatalogueItem.checked(*ERP).as_record()], redemption_deadline=date(2040, 12, 31))
    ledger.save(old)
    loaded = ledger.catalogue(2020)
    assert (loaded.redemption_deadline, loaded.item("APP-ERP").cap_fen) == (date(2040, 12, 31), 100_000 * YUAN)


# -- never edited; a new year is a new version ---------------------------------------------------------------------
def test_a_second_publication_for_the_same_year_is_refused_and_the_first_stands(world):
    before = last_id(world.app)
    raised_cap = CatalogueItem.checked("APP-ERP", "ERP 上云", "APPLICATION_SERVICE", "0.60", 200_000 * YUAN)
    code = refused_code(lambda: world.app.publish_catalogue(
        world.by(), year=2019, items=[raised_cap], redemption_deadline=date(2020, 6, 30)))
    assert code == "ALREADY_EXISTS"
    assert last_id(world.app) == before
    catalogue = world.app.catalogue(2019)
    assert (catalogue.item("APP-ERP").rate, catalogue.item("APP-ERP").cap_fen) == (Decimal("0.50"), 100_000 * YUAN)
    assert set(catalogue.items) == {"APP-ERP", "DEV-ACCESS", "NET-RENO"}
    assert catalogue.redemption_deadline == date(2020, 2, 8)
    assert world.app.repository.get(ids.catalogue_id(2019)).version == 1  # one event: Published, never edited


def test_a_new_years_catalogue_is_a_separate_version_and_leaves_the_old_one_untouched(world):
    world.setup_year(2020, items=(("APP-ERP", "ERP 上云 2020", "APPLICATION_SERVICE", "0.40", 80_000 * YUAN),))
    assert world.app.catalogue(2020).id != world.app.catalogue(2019).id
    assert world.app.catalogue(2020).item("APP-ERP").cap_fen == 80_000 * YUAN
    assert world.app.catalogue(2019).item("APP-ERP").cap_fen == 100_000 * YUAN
    assert "DEV-ACCESS" not in world.app.catalogue(2020).items
    assert set(world.app.catalogue(2019).items) == {"APP-ERP", "DEV-ACCESS", "NET-RENO"}


def test_a_voucher_stays_bound_to_its_years_catalogue_after_the_next_year_is_published(world):
    factory = world.eligible_enterprise(city=FOSHAN)
    voucher_2019 = world.issue(factory, "APP-ERP")

    # 2020: the same item id with a lower rate and cap.
    world.setup_year(2020, items=(("APP-ERP", "ERP 上云 2020", "APPLICATION_SERVICE", "0.40", 80_000 * YUAN),),
                     city_quotas={FOSHAN: (500 * WAN_YUAN, "0.40")})
    world.now = datetime(2020, 3, 2, 2, 0, tzinfo=UTC)
    world.app.decide_eligibility(world.by(), enterprise_id=factory, year=2020,
                                 prior_year_revenue_fen=2_000 * WAN_YUAN, serious_misuse_5y=False,
                                 effective_at=world.now)
    voucher_2020 = world.app.issue_voucher(world.by(), enterprise_id=factory, year=2020, item_id="APP-ERP")

    old = world.app.voucher(voucher_2019.voucher_id)
    assert (old.year, old.catalogue_id) == (2019, ids.catalogue_id(2019))
    assert (old.rate, old.face_value_fen) == (Decimal("0.50"), 100_000 * YUAN)  # 2019 terms, not 2020's
    new = world.app.voucher(voucher_2020.voucher_id)
    assert (new.year, new.catalogue_id) == (2020, ids.catalogue_id(2020))
    assert (new.rate, new.face_value_fen) == (Decimal("0.40"), 80_000 * YUAN)
    assert voucher_2019.voucher_id != voucher_2020.voucher_id


def test_an_item_only_in_the_next_years_catalogue_cannot_be_issued_this_year(world):
    world.setup_year(2020, items=(("APP-AI", "AI 质检", "APPLICATION_SERVICE", "0.50", 60_000 * YUAN),),
                     city_quotas={FOSHAN: (500 * WAN_YUAN, "0.40")})
    factory = world.eligible_enterprise(city=FOSHAN)
    quota_before = world.app.city_quota(FOSHAN, 2019).remaining_fen
    assert refused_code(lambda: world.issue(factory, "APP-AI")) == "CATALOGUE_ITEM_NOT_FOUND"
    assert world.app.city_quota(FOSHAN, 2019).remaining_fen == quota_before


def test_no_voucher_is_issued_after_the_deadline_its_stored_catalogue_binds_it_to(ledger):
    """A catalogue stored when it could name its own deadline binds its vouchers to that date: from its end on, a
    voucher issued from it would be expired at birth, so issuance is refused (VOUCHER_EXPIRED) and takes no quota,
    though the year's issuance window is still open."""
    from ledger.catalogue import Catalogue

    world = World(app=ledger, now=datetime(2020, 1, 2, tzinfo=UTC), year=2020)
    old = Catalogue._start(Catalogue.Published, ids.catalogue_id(2020), world.by(), year=2020,
                           items=[CatalogueItem.checked(*ERP).as_record()], redemption_deadline=date(2020, 6, 30))
    ledger.save(old)
    ledger.set_carrier_rates(world.by(), year=2020, rates={"CHINA_MOBILE": "0.35"})
    ledger.set_city_quota(world.by(), city=FOSHAN, year=2020, amount_fen=500 * WAN_YUAN, city_share="0.40")
    late, in_time = world.eligible_enterprise(city=FOSHAN), world.eligible_enterprise(city=FOSHAN)
    world.now = datetime(2020, 6, 30, 16, tzinfo=UTC)  # 2020-07-01 00:00 in Guangdong
    assert refused_code(lambda: world.issue(late)) == "VOUCHER_EXPIRED"
    assert ledger.city_quota(FOSHAN, 2020).used_fen == 0
    world.now = datetime(2020, 6, 30, 15, 59, 59, 999_999, tzinfo=UTC)  # its last microsecond
    assert world.issue(in_time).expires_at == datetime(2020, 6, 30, 16, tzinfo=UTC)
