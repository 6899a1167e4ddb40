"""A programme year's rules as the province gives them (``YearRules.checked``): the fee categories it covers are the
policy's to bound (一(二)): a year may cover fewer, never one the policy excludes."""

from __future__ import annotations

from dataclasses import fields

import pytest

from ledger.default_programme import YEARS
from ledger.errors import LedgerError
from ledger.fees import FeeCategory
from ledger.programme import YearRules


def checked(categories: list[str]) -> YearRules:
    """2020's rules given again, with these categories."""
    given = {f.name: getattr(YEARS[-1], f.name) for f in fields(YearRules)}
    return YearRules.checked(**{**given, "covered_fee_categories": categories})


def test_a_year_may_cover_some_of_the_policys_categories():
    assert checked(["DEVICE_ACCESS"]).covered_fee_categories == {FeeCategory.DEVICE_ACCESS}


@pytest.mark.parametrize("categories", [["AUTOMATION_EQUIPMENT"], ["NON_CLOUD_SOFTWARE"],
                                        ["APPLICATION_SERVICE", "AUTOMATION_EQUIPMENT", "NON_CLOUD_SOFTWARE"]])
def test_a_year_never_covers_what_the_policy_excludes(categories):
    with pytest.raises(LedgerError) as refused:
        checked(categories)
    assert refused.value.code == "CATEGORY_NOT_COVERED"
    assert all(c in refused.value.detail for c in categories if c in ("AUTOMATION_EQUIPMENT", "NON_CLOUD_SOFTWARE"))


@pytest.mark.parametrize(("categories", "code"), [(["BANANAS"], "INVALID_INPUT"), ([], "INVALID_INPUT")])
def test_an_unknown_or_no_category_is_invalid_input(categories, code):
    with pytest.raises(LedgerError) as refused:
        checked(categories)
    assert refused.value.code == code
