"""City and provider quotas in memory (DOMAIN.md: "No issuance beyond the quota"; provider quota per year)."""

from __future__ import annotations

import pytest

from ledger.errors import LedgerError
from ledger.quotas import CityQuota
from tests.unit.builders import FOSHAN, by, provider, provider_quota, uid


def code_of(call) -> str:
    with pytest.raises(LedgerError) as refused:
        call()
    return refused.value.code


@pytest.mark.parametrize("kind", ["city", "provider"])
def test_a_quota_can_be_used_to_its_last_fen_and_not_beyond(kind):
    limit = 1_000_001
    quota = (CityQuota.set(by(), city=FOSHAN, year=2020, amount_fen=limit, city_share="0.40") if kind == "city"
             else provider_quota(provider(), limit))
    quota.use(by(), ref=uid("v-1"), amount_fen=limit - 1)
    quota.use(by(), ref=uid("v-2"), amount_fen=1)
    assert quota.remaining_fen == 0
    expected = "CITY_QUOTA_EXHAUSTED" if kind == "city" else "PROVIDER_QUOTA_EXHAUSTED"
    assert code_of(lambda: quota.use(by(), ref=uid("v-3"), amount_fen=1)) == expected
    quota.give_back(by(), ref=uid("v-2"), amount_fen=1, reason="claim rejected")
    quota.use(by(), ref=uid("v-3"), amount_fen=1)  # what is given back can be used again
    assert quota.used_fen == limit


def test_more_than_was_used_cannot_be_given_back():
    quota = provider_quota(provider(), 100)
    quota.use(by(), ref=uid("v-1"), amount_fen=40)
    assert code_of(lambda: quota.give_back(by(), ref=uid("v-1"), amount_fen=41, reason="x")) == "QUOTA_BELOW_USAGE"
    assert quota.used_fen == 40


def test_a_quota_may_be_revised_down_to_what_is_used_and_no_lower():
    quota = provider_quota(provider(), 100)
    quota.use(by(), ref=uid("v-1"), amount_fen=60)
    assert code_of(lambda: quota.revise(by(), amount_fen=59)) == "QUOTA_BELOW_USAGE"
    quota.revise(by(), amount_fen=60)
    assert quota.remaining_fen == 0


def test_shenzhen_holds_no_provincial_quota_and_a_city_cannot_fund_everything():
    assert code_of(lambda: CityQuota.set(by(), city="440300", year=2020, amount_fen=1, city_share="0.40")) == (
        "SHENZHEN_EXCLUDED")
    assert code_of(lambda: CityQuota.set(by(), city=FOSHAN, year=2020, amount_fen=1, city_share="1")) == (
        "INVALID_RATE")
