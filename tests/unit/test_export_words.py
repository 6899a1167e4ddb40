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
