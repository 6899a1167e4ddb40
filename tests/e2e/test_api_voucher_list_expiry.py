"""The vouchers list tells a voucher's status as its own GET does: past its redemption deadline it is EXPIRED, before
the year's expiry run has recorded that (``expiry_recorded`` false) and after (true), in ``GET /v1/vouchers``, under
its ``status`` filter, in the console's lists and on the command line (``voucher-ledger list vouchers``), on both
stores. A review found such a voucher listed ACTIVE and found by ``?status=ACTIVE`` while its own GET said EXPIRED.

Figures (tests/support/api_helpers.py): the 2020 deadline is 2021-02-08 (Asia/Shanghai), so the window closes at
2021-02-08T16:00Z. The command line runs on the real clock, long after that: it is asked only once the service's
clock has passed the deadline too, where both clocks must give the same answers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support.api_helpers import (
    DONGGUAN, FOSHAN, START, YEAR, api_settings, ok, patched_clock, running_api, store_env,
)
from tests.support.cli_runner import voucher_ledger

CLOSED = datetime(2021, 2, 8, 16, 0, tzinfo=UTC)  # 2021-02-09 00:00 in Shanghai: the first instant past the deadline


def walk(api, *, role: str = "auditor", **params) -> list[dict]:
    """Every row of GET /v1/vouchers, a page of one at a time: the status filter must page like any other."""
    items, cursor = [], None
    for _ in range(20):
        page = ok(api.get("/v1/vouchers", role=role, limit=1, cursor=cursor, **params))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


def statuses(rows: list[dict]) -> dict[str, tuple[str, bool]]:
    return {r["voucher_id"]: (r["status"], r["expiry_recorded"]) for r in rows}


def found_by(api, status: str, **params) -> list[str]:
    """The vouchers ?status= finds (capitals and lower case alike), each once."""
    found = [r["voucher_id"] for r in walk(api, status=status, **params)]
    assert found == [r["voucher_id"] for r in walk(api, status=status.lower(), **params)], status
    assert len(found) == len(set(found)), found
    return sorted(found)


def assert_each_reads_as_its_own_get(api, role: str = "auditor") -> dict[str, tuple[str, bool]]:
    """Every listed voucher's status is the one GET /v1/vouchers/{id} answers now; the listed statuses."""
    listed = statuses(walk(api, role=role))
    assert listed
    for voucher, status in listed.items():
        own = ok(api.get(f"/v1/vouchers/{voucher}", role=role))
        assert (own["status"], own["expiry_recorded"]) == status, (voucher, own)
    return listed


def command_line(api, *args: str) -> list[dict]:
    done = voucher_ledger(["list", "vouchers", "--json", "--all", "--limit", "1", *args],
                          {**store_env(api.settings), "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["items"]


def console_lists(api) -> list[str]:
    """The city's and the enterprises' pages (English): their voucher tables, from the same list."""
    pages = [api.client.get(f"/console/parts/cities/{FOSHAN}", params={"year": YEAR, "lang": "en"},
                            headers=api.auth("auditor"))]
    pages += [api.client.get(f"/console/parts/enterprises/{e.id}", params={"lang": "en"}, headers=api.auth("auditor"))
              for e in api.enterprises]
    assert all(p.status_code == 200 for p in pages), [p.text[:300] for p in pages]
    return [p.text for p in pages]


def test_a_voucher_past_its_deadline_is_listed_expired_before_and_after_the_expiry_run(store_settings):
    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        api.setup_year()
        api.enterprises = [api.eligible_enterprise(FOSHAN), api.eligible_enterprise(DONGGUAN)]
        foshan, dongguan = api.enterprises
        clock.advance(days=1)
        v = {"foshan": ok(api.issue(foshan), 201)["voucher_id"],
             "foshan_dev": ok(api.issue(foshan, "DEV-ACCESS"), 201)["voucher_id"],
             "dongguan": ok(api.issue(dongguan), 201)["voucher_id"],
             "revoked": ok(api.issue(dongguan, "DEV-ACCESS"), 201)["voucher_id"]}
        ok(api.post(f"/v1/vouchers/{v['revoked']}/revocation", {"reason": "企业注销"}))
        open_ones = sorted(v[name] for name in ("foshan", "foshan_dev", "dongguan"))

        # The last instant of the deadline day: redeemable, ACTIVE, nothing EXPIRED.
        clock.set(CLOSED - timedelta(microseconds=1))
        assert assert_each_reads_as_its_own_get(api) == {
            **{voucher: ("ACTIVE", False) for voucher in open_ones}, v["revoked"]: ("REVOKED", False)}
        assert found_by(api, "ACTIVE") == open_ones and found_by(api, "EXPIRED") == []

        # Past the deadline, no expiry recorded: EXPIRED, expiry_recorded false, found as EXPIRED and not as ACTIVE.
        clock.set(CLOSED)
        not_recorded = {**{voucher: ("EXPIRED", False) for voucher in open_ones}, v["revoked"]: ("REVOKED", False)}
        assert assert_each_reads_as_its_own_get(api) == not_recorded
        assert found_by(api, "EXPIRED") == open_ones and found_by(api, "ACTIVE") == []
        assert found_by(api, "REVOKED") == [v["revoked"]]
        assert found_by(api, "EXPIRED", city=FOSHAN, year=YEAR) == sorted([v["foshan"], v["foshan_dev"]])
        own = f"enterprise:{dongguan.uscc}"
        assert assert_each_reads_as_its_own_get(api, own) == {v["dongguan"]: ("EXPIRED", False),
                                                              v["revoked"]: ("REVOKED", False)}
        assert [r["voucher_id"] for r in walk(api, role=own, status="EXPIRED")] == [v["dongguan"]]
        assert statuses(command_line(api)) == not_recorded
        assert sorted(r["voucher_id"] for r in command_line(api, "--status", "EXPIRED")) == open_ones
        assert command_line(api, "--status", "ACTIVE") == []
        assert all("expiry run not recorded" in page for page in console_lists(api))

        run = ok(api.post(f"/v1/programme/years/{YEAR}/expiry-run"))
        assert run["expired"] == len(open_ones)

        # Recorded: still EXPIRED, now expiry_recorded true, everywhere.
        recorded = {**{voucher: ("EXPIRED", True) for voucher in open_ones}, v["revoked"]: ("REVOKED", False)}
        assert assert_each_reads_as_its_own_get(api) == recorded
        assert found_by(api, "EXPIRED") == open_ones and found_by(api, "ACTIVE") == []
        assert statuses(command_line(api)) == recorded
        assert sorted(r["voucher_id"] for r in command_line(api, "--status", "expired")) == open_ones
        assert not any("expiry-not-recorded" in page for page in console_lists(api))


def test_a_vouchers_money_answer_does_not_depend_on_the_lists_projection(store_settings):
    """A voucher's own GET and the export's voucher balances (money_flows' answers) tell its status past the deadline
    from money_flows' own rows: with the lists projection emptied (being rebuilt, or behind the issuance) the voucher
    still reads EXPIRED, with its deadline, not ACTIVE. A review found both reading vl_list_vouchers for it."""
    from audit.figures import voucher_balances
    from projections.times import to_us
    from tests.support.projection_helpers import execute

    with patched_clock(START) as clock, running_api(api_settings(store_settings), clock) as api:
        api.setup_year()
        clock.advance(days=1)
        voucher = ok(api.issue(api.eligible_enterprise(FOSHAN)), 201)["voucher_id"]
        clock.set(CLOSED)
        before = ok(api.get(f"/v1/vouchers/{voucher}"))
        assert (before["status"], before["expiry_recorded"]) == ("EXPIRED", False)

        assert execute(store_settings, "DELETE FROM vl_list_vouchers") == 1  # lists knows no voucher (yet)
        after = ok(api.get(f"/v1/vouchers/{voucher}"))
        assert after == before
        assert datetime.fromisoformat(after["expires_at"]) == CLOSED
        figure = voucher_balances(api.client.app.state.backend.read_models.db, to_us(CLOSED))
        [row] = [dict(zip(figure.columns, r, strict=True)) for r in figure.rows if r[0] == voucher]
        assert (row["status"], row["expiry_recorded"]) == ("EXPIRED", False)
