"""What each view shows, read through the API's own route functions (``api/http/routes``): the same queries, the
same role checks and the same 404 for what is outside the caller's scope. Nothing here reads the store directly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from api.http.console import map as city_map
from api.http.console import moments
from api.http.console.chart import spend_over_time
from api.http.dependencies import Call, as_of_or_now
from api.http.problems import ApiError
from api.http.routes import lists, programme, queries
from ledger.parties import SHENZHEN, VOUCHER_CITIES

STORY_LIMIT = 1000  # a voucher's trail is a handful of events; one page of the API's largest size
VOUCHER_PAGE = 100
# The stages of a city's spend, in the order money moves (the API's SpendLine.stage).
STAGES = ("claimed", "approved", "settled", "reversed", "recovered", "spend", "collected", "written_off",
          "outstanding", "cash_out")


def overview(c: Call, as_of: datetime | None, known_at: datetime | None, year: int | None) -> dict[str, Any]:
    """Per city: quota, issued, used and spend (settled − recovered, by fund source) for one programme year. A city
    token sees its own city only; the others are asked and answer 404, so their figures never reach the page."""
    at = as_of_or_now(as_of)
    opened = programme.answer(c).years
    years, year = [y.year for y in opened], moments.year_shown(opened, at, year)
    policy = next((y.policy for y in opened if y.year == year), None)  # the policy the shown year runs under
    rows = []
    for city in VOUCHER_CITIES:
        try:
            answer = queries.city_spend(city, at, year, "programme", None, None, None, known_at, c)
        except ApiError as refused:
            if refused.status == 404:
                continue  # another city's: not this caller's to see
            raise
        quota = answer["quotas"].get(year, {})
        spend = {"province": 0, "city": 0}
        for line in answer["lines"]:
            if line["stage"] == "spend" and line["programme_year"] == year:
                spend[line["fund_source"]] += line["amount_fen"]
        rows.append({"city": city, "quota_set_fen": quota.get("quota_set_fen", 0),
                     "issued_fen": quota.get("issued_fen", 0), "quota_used_fen": quota.get("quota_used_fen", 0),
                     "quota_remaining_fen": quota.get("quota_remaining_fen", 0),
                     "province_fen": spend["province"], "city_fen": spend["city"],
                     "spend_fen": spend["province"] + spend["city"]})
    totals = {k: sum(r[k] for r in rows) for k in ("quota_set_fen", "issued_fen", "quota_used_fen",
                                                   "quota_remaining_fen", "province_fen", "city_fen", "spend_fen")}
    return {"as_of": at, "known_at": known_at, "year": year, "years": years, "policy": policy, "rows": rows,
            "totals": totals,
            "shenzhen": SHENZHEN, "scale": max([r["quota_set_fen"] for r in rows] + [1]), "map": city_map.tiles(rows)}


def voucher(c: Call, voucher_id: UUID, as_of: datetime | None, known_at: datetime | None) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    figures = queries.voucher(voucher_id, at, known_at, c)
    trail = queries.audit_trail("voucher", str(voucher_id), at, 0, STORY_LIMIT, known_at, c)
    return {"as_of": at, "known_at": known_at, "voucher": figures, "story": trail["items"],
            "more": trail["next_after"] is not None}


def provider(c: Call, provider_key: str, as_of: datetime | None, known_at: datetime | None) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    figures = queries.provider(provider_key, at, known_at, c)
    flagged = lists.list_claims("flagged", str(figures["provider_id"]), None, None, None, None, None, None,
                                STORY_LIMIT, c)
    return {"as_of": at, "known_at": known_at, "provider": figures, "flagged": flagged["items"],
            "more_flagged": flagged["next_cursor"] is not None}


def batch(c: Call, batch_id: UUID, as_of: datetime | None, known_at: datetime | None) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    found = queries.settlement_batch(batch_id, at, known_at, c)
    by_city: dict[str, dict[str, int]] = {}
    for line in found["lines"]:
        row = by_city.setdefault(line["city"] or "", {"amount_fen": 0, "city_fen": 0, "province_fen": 0})
        for key in row:
            row[key] += line[key]
    return {"as_of": at, "known_at": known_at, "batch": found, "by_city": dict(sorted(by_city.items()))}


def city(c: Call, code: str, as_of: datetime | None, known_at: datetime | None, year: int | None) -> dict[str, Any]:
    """A city's spend for a programme year by fee category and stage (both fund sources together, and the spend by
    fund source), its quota, and its vouchers of the year (the API's list: as known now)."""
    at = as_of_or_now(as_of)
    opened = programme.answer(c).years
    years, year = [y.year for y in opened], moments.year_shown(opened, at, year)
    policy = next((y.policy for y in opened if y.year == year), None)  # the policy the shown year runs under
    answer = queries.city_spend(code, at, year, "programme", None, None, None, known_at, c)
    starts = next((y.issuance_opens for y in opened if y.year == year), date(year, 1, 1))  # the chart's first month
    table: dict[str, dict[str, int]] = {}
    by_source = {"province": 0, "city": 0}
    awards: set[str] = set()  # the rows that are an award programme's (explained by programme, not fee category)
    for line in answer["lines"]:
        # a voucher line by its fee category, an award's by its programme (BENCHMARK_PROJECT, ...)
        if not line["fee_category"]:
            awards.add(line["programme"])
        row = table.setdefault(line["fee_category"] or line["programme"], dict.fromkeys(STAGES, 0))
        row[line["stage"]] += line["amount_fen"]
        if line["stage"] == "spend":
            by_source[line["fund_source"]] += line["amount_fen"]
    totals = {stage: sum(row[stage] for row in table.values()) for stage in STAGES}
    vouchers = lists.list_vouchers(None, code, year, None, None, None, VOUCHER_PAGE, c)
    return {"as_of": at, "known_at": known_at, "city_code": code, "year": year, "years": years, "policy": policy,
            "stages": STAGES,
            "table": dict(sorted(table.items())), "award_rows": awards, "totals": totals, "by_source": by_source,
            "quota": answer["quotas"].get(year, {}), "vouchers": vouchers["items"],
            "more_vouchers": vouchers["next_cursor"] is not None,
            "over_time": spend_over_time(c, code, at, known_at, year, starts, STAGES)}


def enterprise(c: Call, key: str, as_of: datetime | None, known_at: datetime | None) -> dict[str, Any]:
    """An enterprise's eligibility decisions and voucher totals per year, and its vouchers (as known now)."""
    at = as_of_or_now(as_of)
    found = queries.enterprise(key, at, known_at, c)
    vouchers = lists.list_vouchers(str(found["enterprise_id"]), None, None, None, None, None, VOUCHER_PAGE, c)
    return {"as_of": at, "known_at": known_at, "enterprise": found, "vouchers": vouchers["items"],
            "more_vouchers": vouchers["next_cursor"] is not None}

