"""The auditors' views: the journal's trial balance and the global event feed, read through the API's own route
functions (``api/http/routes/journal.py`` and ``queries.event_feed``): the same role checks, the same figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.http.dependencies import Call, as_of_or_now
from api.http.routes import journal, queries
from ledger.parties import VOUCHER_CITIES

FEED_PAGE = 100
LINES_PAGE = 200  # entries
# The page that tells an event's subject's story, by the aggregate its type names (``Voucher.ClaimSettled``).
STORY_PAGES = {"Voucher": "vouchers", "Provider": "providers", "SettlementBatch": "batches",
               "Enterprise": "enterprises"}


def trial_balance(c: Call, as_of: datetime | None, known_at: datetime | None, city: str | None,
                  year: int | None) -> dict[str, Any]:
    """Every account's debits and credits (credits as positive numbers), balances by fund source, and totals."""
    found = journal.trial_balance(as_of_or_now(as_of), known_at, city, year, c)
    return {**found, "known_at": known_at, "year": year, "city_code": found["city"], "cities": VOUCHER_CITIES}


def journal_lines(c: Call, account: str, as_of: datetime | None, known_at: datetime | None, city: str | None,
                  year: int | None, after: int) -> dict[str, Any]:
    """One page of an account's lines (whole entries), with the sums of the page's debits and credits."""
    found = journal.journal_lines(account, as_of_or_now(as_of), known_at, city, year, after, LINES_PAGE, c)
    sums = {k: sum(line[k] for line in found["items"]) for k in ("debit_fen", "credit_fen")}
    return {**found, "known_at": known_at, "year": year, "city_code": found["city"], "after": after, "sums": sums}


def story(event: dict[str, Any]) -> str | None:
    """The console path of the story of an event's subject, if the console has a page for its kind."""
    page = STORY_PAGES.get(event["event_type"].partition(".")[0])
    return None if page is None else f"/console/{page}/{event['originator_id']}"


def events(c: Call, as_of: datetime | None, after: int, event_type: str | None) -> dict[str, Any]:
    """One page of the global sequence as recorded by ``as_of``, from the cursor ``after``, of one type or all."""
    at = as_of_or_now(as_of)
    found = queries.event_feed(at, after, FEED_PAGE, [event_type] if event_type else [], None, c)
    items = [{**e, "story": story(e)} for e in found["items"]]
    return {"as_of": at, "known_at": None, "items": items, "after": after, "event_type": event_type,
            "next_after": found["next_after"]}
