"""Reference data of the simulated programme: how industry is spread over Guangdong, the yearly catalogues, quotas.

City weights follow the rough size of each city's manufacturing base (the Pearl River Delta's Dongguan, Foshan,
Guangzhou, Huizhou, Zhongshan and Jiangmen largest; the north and east small). Shenzhen's enterprises are
registered and refused: it is excluded from provincial vouchers.
"""

from __future__ import annotations

from datetime import date, timedelta

from ledger import default_programme
from ledger.money import WAN_YUAN

CITY_WEIGHTS = {
    "441900": 16, "440600": 15, "440100": 12, "441300": 7, "442000": 7, "440700": 6, "440300": 8,
    "440400": 3, "441200": 3, "445200": 3, "440500": 3, "445100": 2, "441800": 2, "440800": 2,
    "440900": 2, "441400": 1, "441500": 1, "441600": 1, "441700": 1, "440200": 1, "445300": 1,
}

# (item id suffix, name, fee category, subsidy rate, cap per enterprise in fen)
CATALOGUE_ITEMS = (
    ("APP-ERP", "ERP/MES 上云", "APPLICATION_SERVICE", "0.50", 20 * WAN_YUAN),
    ("APP-SCM", "供应链协同 SaaS", "APPLICATION_SERVICE", "0.40", 10 * WAN_YUAN),
    ("DEV-IOT", "设备上云 device access", "DEVICE_ACCESS", "0.30", 15 * WAN_YUAN),
    ("DEV-EDGE", "边缘网关接入", "DEVICE_ACCESS", "0.30", 5 * WAN_YUAN),
    ("NET-LAN", "企业内网改造", "NETWORK_RENOVATION", "0.40", 8 * WAN_YUAN),
    ("NET-5G", "5G 专网改造", "NETWORK_RENOVATION", "0.35", 12 * WAN_YUAN),
)
UNCOVERED_CATEGORIES = ("AUTOMATION_EQUIPMENT", "NON_CLOUD_SOFTWARE")

CARRIER_RATES = {
    2018: {"CHINA_TELECOM": "0.30", "CHINA_MOBILE": "0.30", "CHINA_UNICOM": "0.30"},
    2019: {"CHINA_TELECOM": "0.32", "CHINA_MOBILE": "0.35", "CHINA_UNICOM": "0.30"},
    2020: {"CHINA_TELECOM": "0.35", "CHINA_MOBILE": "0.35", "CHINA_UNICOM": "0.35"},
}
CARRIERS = ("CHINA_TELECOM", "CHINA_MOBILE", "CHINA_UNICOM")
CITY_SHARES = ("0.20", "0.30", "0.40", "0.50")  # richer delta cities co-fund more
# The simulated programme is the default one: its years and deadlines are that programme's (one definition).
DEADLINES = {rules.year: rules.redemption_deadline for rules in default_programme.YEARS}
YEARS = tuple(DEADLINES)
# Programme years whose approved claims the province publishes (公示) before paying them: the 2020 round did, although
# the default programme does not make publicity a rule of any of its years (simulator/publicity.py).
PUBLICISED_YEARS = (2020,)
# The policy dates from 2018-03-20: the store is opened that morning (its programme recorded on the simulation's
# clock, before any simulated command), the pool is admitted just after it, and the first year is set up days later.
STORE_OPENED_ON = date(2018, 3, 20)
POOL_ADMITTED_ON = date(2018, 3, 22)
YEAR_STARTS = {2018: date(2018, 3, 26), 2019: date(2019, 1, 2), 2020: date(2020, 1, 2)}
# The demo stops the history on a morning of the last year, vouchers being redeemed, and serves from there.
DEMO_DAY = date(YEARS[-1], 10, 15)

NATIONAL_QUOTA_FEN = default_programme.PROVIDER_CAPS_FEN["NATIONAL_PLATFORM"]  # and the three carriers
OTHER_QUOTA_FEN = default_programme.PROVIDER_CAPS_FEN["SERVICE"]
REVENUE_THRESHOLD_FEN = default_programme.YEARS[0].revenue_threshold_fen
MEAN_FACE_FEN = 12 * WAN_YUAN  # average cap of the items above, for sizing the cities' quotas



def _days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


# The State Council's holiday arrangements (国务院办公厅关于节假日安排的通知) of the years the 2020 round's publicity
# windows count through: (days off, weekend days worked in exchange, notice). 2020's Spring Festival holiday was
# extended to 2 February by the second notice (Covid-19), which also cancelled Saturday 1 February as a working day.
WORKING_CALENDARS: dict[int, tuple[tuple[date, ...], tuple[date, ...], str]] = {
    2020: ((date(2020, 1, 1), *_days(date(2020, 1, 24), date(2020, 2, 2)), *_days(date(2020, 4, 4), date(2020, 4, 6)),
            *_days(date(2020, 5, 1), date(2020, 5, 5)), *_days(date(2020, 6, 25), date(2020, 6, 27)),
            *_days(date(2020, 10, 1), date(2020, 10, 8))),
           (date(2020, 1, 19), date(2020, 4, 26), date(2020, 5, 9), date(2020, 6, 28), date(2020, 9, 27),
            date(2020, 10, 10)),
           "国办发明电〔2019〕16号；国办发明电〔2020〕1号"),
    2021: ((*_days(date(2021, 1, 1), date(2021, 1, 3)), *_days(date(2021, 2, 11), date(2021, 2, 17)),
            *_days(date(2021, 4, 3), date(2021, 4, 5)), *_days(date(2021, 5, 1), date(2021, 5, 5)),
            *_days(date(2021, 6, 12), date(2021, 6, 14)), *_days(date(2021, 9, 19), date(2021, 9, 21)),
            *_days(date(2021, 10, 1), date(2021, 10, 7))),
           (date(2021, 2, 7), date(2021, 2, 20), date(2021, 4, 25), date(2021, 5, 8), date(2021, 9, 18),
            date(2021, 9, 26), date(2021, 10, 9)),
           "国办发明电〔2020〕27号"),
}
# When the province recorded each: on the day after the notice. 2020's arrangement was first published without the
# extension (Friday 31 January to Sunday 2 February still a working Friday, a make-up Saturday and a Sunday off), and
# revised when the extension was announced.
EXTENDED_2020 = (date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2))
CALENDAR_RECORDED = ((date(2019, 11, 22), 2020, None),
                     (date(2020, 1, 27), 2020, "春节假期延长至 2 月 2 日（国办发明电〔2020〕1号）"),
                     (date(2020, 11, 26), 2021, None))


def first_2020_arrangement() -> tuple[tuple[date, ...], tuple[date, ...], str]:
    days_off, workdays, _ = WORKING_CALENDARS[2020]
    return (tuple(d for d in days_off if d not in EXTENDED_2020), tuple(sorted((*workdays, date(2020, 2, 1)))),
            "国办发明电〔2019〕16号")
