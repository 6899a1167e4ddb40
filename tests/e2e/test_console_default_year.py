"""The console's pages without a `year` show the latest programme year begun by their as-of time, and a year begins
on 1 January in Guangdong (DOMAIN.md: every date boundary is Asia/Shanghai). A review found the year read from the
UTC time: from 00:00 to 08:00 on New Year's Day, with as-of left as now, the pages showed the year before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store.settings import Settings
from tests.support.api_helpers import api_settings, module_store_settings, ok, patched_clock, running_api

NEW_YEARS_MORNING = datetime(2020, 12, 31, 17, 0, tzinfo=UTC)  # 2021-01-01 01:00 in Guangdong


@pytest.fixture(scope="module", params=[pytest.param("sqlite", id="sqlite")])
def api(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(NEW_YEARS_MORNING) as clock, running_api(settings, clock) as running:
        ok(running.post("/v1/programme/years", {"year": 2021, "redemption_deadline": "2022-02-08"}), 201)
        yield running


@pytest.mark.parametrize("part, title", [("/console/parts/overview", "项目概览 · 2021"),
                                         ("/console/parts/cities/440600", "佛山市 · 2021")])
def test_a_page_asked_as_of_now_on_new_years_morning_shows_the_new_year(api, part, title):
    page = api.client.get(part, headers=api.auth("province"))
    assert page.status_code == 200 and title in page.text, page.text[:400]


def test_the_dispute_view_of_a_city_defaults_to_the_new_year_too(api):
    page = api.client.get("/console/parts/disputes/city/440600", headers=api.auth("province"))
    assert page.status_code == 200 and "项目年度 2021</p>" in page.text, page.text[:600]


def test_the_city_chart_names_the_month_of_its_as_of_time_as_guangdong_counts_it(api):
    page = api.client.get("/console/parts/cities/440600", headers=api.auth("province"))
    assert 'class="axis">2021-01</text>' in page.text and 'class="axis">2020-12</text>' not in page.text


def test_a_downloaded_table_names_the_programme_year_it_holds(api):
    """Two years' overviews on the same day are two files: a review found both named overview-city-spend-DAY.csv, so
    a settlement officer keeping the 2020 and 2021 figures side by side overwrote one with the other."""
    names = {}
    for year in (2020, 2021):
        got = api.client.get(f"/console/parts/overview?year={year}&export=csv&table=city-spend",
                             headers=api.auth("province"))
        assert got.status_code == 200, got.text[:300]
        names[year] = got.headers["content-disposition"]
    assert names == {2020: 'attachment; filename="overview-city-spend-2020-20210101.csv"',
                     2021: 'attachment; filename="overview-city-spend-2021-20210101.csv"'}
    default = api.client.get("/console/parts/cities/440600?export=xlsx&table=city-stages", headers=api.auth("province"))
    assert default.headers["content-disposition"] == 'attachment; filename="city-city-stages-2021-20210101.xlsx"'
    whole = api.client.get("/console/parts/trial-balance?export=csv&table=trial-balance", headers=api.auth("province"))
    assert whole.headers["content-disposition"] == 'attachment; filename="trial-balance-trial-balance-20210101.csv"'


def test_the_default_year_is_the_latest_whose_issuance_has_begun_not_the_calendar_year(tmp_path):
    """A successor year's issuance may open before its 1 January, or after it: the default is the latest year whose
    vouchers are being issued by then. A review found the calendar year taken instead: on 8 December 2026 the pages
    showed 2026 while 2027's vouchers were issued, and on 5 January 2028 an empty 2028 before its issuance opened."""
    settings = api_settings(Settings(store="sqlite", sqlite_path=tmp_path / "ledger.sqlite3"))
    with patched_clock(datetime(2026, 11, 2, 2, tzinfo=UTC)) as clock, running_api(settings, clock) as api:
        for year, opens in ((2026, None), (2027, "2026-12-01"), (2028, "2028-03-01")):
            body = {"year": year, "redemption_deadline": f"{year + 1}-02-08"}
            ok(api.post("/v1/programme/years", {**body, "issuance_opens": opens} if opens else body), 201)
        for now, shown in ((datetime(2026, 12, 8, 2, tzinfo=UTC), 2027), (datetime(2028, 1, 5, 2, tzinfo=UTC), 2027)):
            clock.set(now)
            for part, title in (("/console/parts/overview", "项目概览 · "), ("/console/parts/cities/440600", "佛山市 · ")):
                page = api.client.get(part, headers=api.auth("province"))
                assert page.status_code == 200 and f"{title}{shown}" in page.text, (now, page.text[:300])


@pytest.mark.parametrize("part", ["/console/parts/overview?year=2099", "/console/parts/cities/440600?year=2099",
                                  "/console/parts/disputes/city/440600?year=2099"])
def test_a_year_the_province_never_opened_is_said_so_not_shown_as_a_year_of_zeros(api, part):
    """A review found ?year=2099 (or a year mistyped) drawn as a programme year whose every figure is 0.00, which an
    official would read as a year in which nothing was spent; the page says the year was never opened instead."""
    page = api.client.get(part, headers=api.auth("province"))
    assert page.status_code == 409 and "省里尚未开启该项目年度" in page.text and "YEAR_NOT_IN_PROGRAMME" in page.text, \
        page.text[:400]


def test_a_years_chart_starts_in_the_month_its_issuance_opened(tmp_path):
    """The city chart runs month by month over a year's life: from its issuance, not from 1 January. A review found a
    2027 year issuing from December 2026 charted from January 2027, its December left off."""
    settings = api_settings(Settings(store="sqlite", sqlite_path=tmp_path / "ledger.sqlite3"))
    with patched_clock(datetime(2026, 11, 2, 2, tzinfo=UTC)) as clock, running_api(settings, clock) as api:
        ok(api.post("/v1/programme/years", {"year": 2027, "redemption_deadline": "2028-02-08",
                                            "issuance_opens": "2026-12-01"}), 201)
        clock.set(datetime(2027, 2, 15, 2, tzinfo=UTC))
        page = api.client.get("/console/parts/cities/440600?year=2027", headers=api.auth("province"))
        assert page.status_code == 200 and 'class="axis">2026-12</text>' in page.text, page.text[-1500:]
