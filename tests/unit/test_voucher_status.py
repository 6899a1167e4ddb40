"""A voucher's status as of a time: past its redemption deadline it reads EXPIRED, whether or not the year's expiry
run has recorded it (``expiry_recorded`` tells which); a revoked voucher stays REVOKED."""

from projections.voucher_status import voucher_status

DEADLINE_US = 1_612_800_000_000_000  # 2021-02-09 00:00 in Shanghai: the first instant after the 2020 deadline day


def test_past_the_deadline_an_active_voucher_reads_expired_not_yet_recorded():
    assert voucher_status("ACTIVE", DEADLINE_US, DEADLINE_US - 1) == {
        "status": "ACTIVE", "expiry_recorded": False, "expires_us": DEADLINE_US}
    assert voucher_status("ACTIVE", DEADLINE_US, DEADLINE_US) == {
        "status": "EXPIRED", "expiry_recorded": False, "expires_us": DEADLINE_US}
    assert voucher_status("EXPIRED", DEADLINE_US, DEADLINE_US + 1)["expiry_recorded"] is True


def test_a_revoked_voucher_stays_revoked_and_an_unknown_deadline_changes_nothing():
    assert voucher_status("REVOKED", DEADLINE_US, DEADLINE_US + 1)["status"] == "REVOKED"
    assert voucher_status("ACTIVE", None, DEADLINE_US + 1)["status"] == "ACTIVE"
