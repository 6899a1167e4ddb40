"""The export's words, without a store: every column of every file has a Chinese header that says an amount's unit,
no two columns of a file share a header (a reader could not tell them apart), a sheet name fits XLSX, the English
headers are the column keys as before, and a city is named as an official writes it."""

from __future__ import annotations

import re

import pytest

from audit import export_words as words
from audit.figures import COLUMNS
from audit.streams import AUDIT_COLUMNS, EVENT_COLUMNS
from audit.tables import header_keys
from ledger.parties import CITIES, city_name

FILES = {**{name: header_keys(columns) for name, columns in COLUMNS.items()},
         "events": list(EVENT_COLUMNS), "audit_trail": list(AUDIT_COLUMNS)}


@pytest.mark.parametrize("name", FILES)
def test_every_column_has_one_chinese_header_of_its_own(name):
    keys = FILES[name]
    chinese = [words.header(name, key, "zh") for key in keys]
    assert len(set(chinese)) == len(keys), sorted(h for h in chinese if chinese.count(h) > 1)
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in chinese), chinese
    for key, header in zip(keys, chinese, strict=True):  # yuan and fen are never confused
        assert header.endswith("（元）") == key.endswith("_yuan") and header.endswith("（分）") == key.endswith("_fen")
    assert [words.header(name, key, "en") for key in keys] == keys


def test_sheet_names_fit_a_workbook():
    names = [words.sheet_name(n, "zh") for n in COLUMNS] + [words.ABOUT["zh"]["sheet"]]
    assert len(set(names)) == len(names) and all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert [words.sheet_name(n, "en") for n in COLUMNS] == list(COLUMNS)
    assert set(words.FIGURES_ZH) == set(COLUMNS)


def test_a_city_is_named_as_an_official_writes_it_and_codes_stay_codes():
    assert (city_name("440100"), city_name("440100", "en"), city_name("999999")) == ("广州市", "Guangzhou", "")
    assert all(city_name(code).endswith("市") for code in CITIES)
    columns, row = ("city", "city_name", "settled_fen"), ("441900", "Dongguan", 100)
    assert words.localized(columns, row, "zh") == ["441900", "东莞市", 100]
    assert words.localized(("voucher_id",), ("x",), "zh") == ("x",)
    # a yes-or-no figure reads 是 / 否 to a Chinese reader, and stays True / False in English
    columns, row = ("provider_id", "eliminated_this_year", "paid"), ("p", True, False)
    assert words.localized(columns, row, "zh") == ["p", "是", "否"]
    assert words.localized(columns, row, "en") == row
    with pytest.raises(ValueError, match="zh, en"):
        words.check_language("fr")


# Every code a figure's code column can hold (ledger and journal enums), as the simulated programme writes them.
CODES_IN_FILES = {
    "programme": ("VOUCHERS", "BENCHMARK_PROJECT", "DEMONSTRATION_BASE", "FINANCE_PILOT", "KEY_PLATFORM",
                  "INNOVATION_CENTRE"),
    "fee_category": ("APPLICATION_SERVICE", "DEVICE_ACCESS", "NETWORK_RENOVATION"),
    "fund_source": ("province", "city"),
    "status": ("ACTIVE", "EXPIRED", "REVOKED", "PENDING_ASSESSMENT", "WHITELISTED", "SUSPENDED"),
    "kind": ("NATIONAL_PLATFORM", "CARRIER", "PLATFORM", "SERVICE"),
    "account": ("PROGRAMME_BUDGET", "CITY_BUDGET", "VOUCHER_COMMITMENTS", "CLAIMS_HELD", "PROVIDER_PAYABLES", "PAID",
                "RECOVERIES_RECEIVABLE", "RECOVERIES_COLLECTED", "RECOVERIES_WRITTEN_OFF", "AWARDS_PAYABLE",
                "AWARDS_PAID", "AWARD_RECOVERIES_RECEIVABLE", "AWARD_RECOVERIES_COLLECTED",
                "AWARD_RECOVERIES_WRITTEN_OFF"),
}


def test_a_code_is_followed_by_its_name_for_a_chinese_reader():
    """A Chinese official reads 应用服务费 and 省级项目预算, not APPLICATION_SERVICE and PROGRAMME_BUDGET (as the
    console names them); the code stays beside the name, the same bytes in both languages, for scripts."""
    from projections.journal import ACCOUNTS

    assert set(CODES_IN_FILES["account"]) == set(ACCOUNTS)
    for name, columns in COLUMNS.items():
        keys = header_keys(columns)
        for code_column in set(words.NAMED) & set(columns):
            assert keys[keys.index(code_column) + 1] == f"{code_column}_name", (name, code_column)
    for column, codes in CODES_IN_FILES.items():
        for code in codes:
            chinese, english = words.code_name(column, code, "zh"), words.code_name(column, code, "en")
            assert re.fullmatch(r"[\u4e00-\u9fff（）/、·]+", chinese), (column, code, chinese)
            assert english != code and english.isascii(), (column, code, english)
    assert words.code_name("fee_category", None, "zh") == ""  # an award has no fee category
    assert words.with_names(("account", "debit_fen"), ("PAID", 5), "zh") == ["PAID", "已支付服务商", 5]
    assert words.with_names(("city", "status"), ("445200", "EXPIRED"), "zh") == ["445200", "揭阳市", "EXPIRED", "已过期"]
