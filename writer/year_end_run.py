"""The year-end expiry run: after a programme year's redemption deadline, expire every voucher of the year that is
still open, so that its unused value goes back to its city's quota (DOMAIN.md "Vouchers").

The run is not one command: it reads the year's open vouchers from the read models (``projections.expiry_queries``)
and sends one ``ExpireVoucher`` per voucher, all as the same ``By`` (one recorded time and correlation id). The ledger
decides each again, so the run is idempotent whatever the read models know: a voucher expired or revoked since they
last caught up is refused by the ledger (INVALID_TRANSITION) and counted as skipped, never as an error; running the
run twice changes nothing the second time. A voucher the read models do not know yet (on PostgreSQL, before the
``follow`` workers caught up) is left for the next run; the answer says how many the run found.

Used by ``POST /v1/programme/years/{year}/expiry-run`` and ``voucher-ledger expire-year YEAR``, which pass the read
models' query and the writer to send through: it sits with the writer because all it does is send commands.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.application import VoucherLedger
from ledger.commands.values import Command, ExpireVoucher
from ledger.errors import InvalidTransitionError, LedgerError, VoucherNotYetExpiredError
from ledger.fiscal_time import shanghai_text
from ledger.recording import By

Submit = Callable[[Command, By], "Future[Any]"]


@dataclass
class CityReturn:
    expired: int = 0
    returned_fen: int = 0  # back to the city's quota of the year


@dataclass
class ExpiryRun:
    year: int
    deadline: datetime
    found: int = 0  # open vouchers of the year, as the read models knew them
    expired: int = 0
    skipped: int = 0  # closed (expired or revoked) since the read models last caught up: nothing to do
    returned_fen: int = 0
    by_city: dict[str, CityReturn] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # voucher id -> error code; a later run retries them


def direct(ledger: VoucherLedger) -> Submit:
    """Decide each command at once, in its own transaction (no group-commit writer)."""

    def submit(command: Command, by: By) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(ledger.handle(command, by))
        except LedgerError as exc:
            future.set_exception(exc)
        return future

    return submit


def run_expiry(ledger: VoucherLedger, open_vouchers: Callable[[int], list[tuple[str, str]]], year: int, by: By,
               submit: Submit) -> ExpiryRun:
    """Expire ``year``'s open vouchers as ``by``; refused before the year's redemption deadline has passed
    (VOUCHER_NOT_YET_EXPIRED) and without a catalogue for the year (CATALOGUE_NOT_PUBLISHED)."""
    deadline = ledger.catalogue(year).expires_at
    if by.at < deadline:
        raise VoucherNotYetExpiredError(
            f"the {year} vouchers are redeemable until {shanghai_text(deadline)}: the year-end run starts after that")
    run = ExpiryRun(year=year, deadline=deadline)
    found = open_vouchers(year)
    run.found = len(found)
    pending = [(voucher_id, city, submit(ExpireVoucher(voucher_id=UUID(voucher_id)), by))
               for voucher_id, city in found]
    for voucher_id, city, future in pending:
        try:
            returned = future.result()
        except InvalidTransitionError:
            run.skipped += 1
            continue
        except LedgerError as exc:
            run.failed[voucher_id] = exc.code
            continue
        line = run.by_city.setdefault(city, CityReturn())
        line.expired += 1
        line.returned_fen += returned
        run.expired += 1
        run.returned_fen += returned
    return run
