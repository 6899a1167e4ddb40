"""The "explain" views: a figure beside the events that make it up, each with its amount, and their total, which is
the figure. A city spend cell reads ``GET /v1/cities/{city}/spend/movements``, a voucher's or a provider's figure
``GET /v1/vouchers/{id}/movements`` or ``GET /v1/providers/{id}/movements``; a trial balance line reads the
account's journal lines (``GET /v1/journal-lines``), every page of them. All through the API's route functions, so a
role that may not read the figure may not read its events either."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from api.http.dependencies import Call, as_of_or_now
from api.http.routes import journal, queries, spend_movements

PAGES = 20  # a figure of more events than this many pages says so, and shows the first pages
PAGE = 1000


def every_page(read: Callable[[int], dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """Every item of a cursor-paged answer, up to PAGES pages; and whether there were more."""
    items: list[dict[str, Any]] = []
    after: int | None = 0
    for _ in range(PAGES):
        found = read(after or 0)
        items += found["items"]
        after = found["next_after"]
        if after is None:
            break
    return items, after is not None


def spend(c: Call, code: str, as_of: datetime | None, known_at: datetime | None, stage: str, year: int | None,
          fee_category: str | None, fund_source: str | None, programme: str | None = None) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    answer = queries.city_spend(code, at, year, "programme", fee_category, fund_source, stage, known_at, c, programme)
    figure = sum(line["amount_fen"] for line in answer["lines"])
    items, more = every_page(lambda after: spend_movements.city_spend_movements(
        code, stage, at, known_at, year, "programme", fee_category, fund_source, None, after, PAGE, c, programme))
    return {"as_of": at, "known_at": known_at, "city_code": code, "stage": stage, "year": year,
            "fee_category": fee_category, "fund_source": fund_source, "programme": programme, "figure": figure, "items": items,
            "total": sum(i["amount_fen"] for i in items), "more": more}


def account(c: Call, name: str, as_of: datetime | None, known_at: datetime | None, city: str | None,
            year: int | None) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    rows = journal.trial_balance(at, known_at, city, year, c)["accounts"]
    figure = next((r for r in rows if r["account"] == name), None)
    items, more = every_page(lambda after: journal.journal_lines(name, at, known_at, city, year, after, PAGE, c))
    sums = {k: sum(i[k] for i in items) for k in ("debit_fen", "credit_fen")}
    for source in ("province", "city"):
        sums[f"{source}_balance_fen"] = sum(i["debit_fen"] - i["credit_fen"] for i in items
                                            if i["fund_source"] == source)
    sums["balance_fen"] = sums["debit_fen"] - sums["credit_fen"]
    return {"as_of": at, "known_at": known_at, "account": name, "city_code": city, "year": year,
            "figure": figure, "items": items, "sums": sums, "more": more}


def voucher(c: Call, voucher_id: UUID, as_of: datetime | None, known_at: datetime | None,
            figure: str) -> dict[str, Any]:
    found = spend_movements.voucher_movements(voucher_id, figure, as_of_or_now(as_of), known_at, c)
    balance = queries.voucher(voucher_id, found["as_of"], known_at, c)
    return _figure("voucher", str(voucher_id), found["as_of"], known_at, figure, balance[f"{figure}_fen"],
                   found["items"], False)


def provider(c: Call, key: str, as_of: datetime | None, known_at: datetime | None, figure: str) -> dict[str, Any]:
    at = as_of_or_now(as_of)
    receivable = queries.provider(key, at, known_at, c)
    subject = str(receivable["provider_id"])
    items, more = every_page(lambda after: spend_movements.provider_movements(
        subject, figure, at, known_at, after, PAGE, c))
    return _figure("provider", subject, at, known_at, figure, receivable[f"{figure}_fen"], items, more)


def _figure(kind: str, subject: str, at: datetime, known_at: datetime | None, figure: str, value: int,
            items: list[dict[str, Any]], more: bool) -> dict[str, Any]:
    return {"as_of": at, "known_at": known_at, "kind": kind, "subject": subject, "figure_name": figure,
            "figure": value, "items": items, "total": sum(i["amount_fen"] for i in items), "more": more}
