"""The double-entry journal: every event that moves money becomes one balanced entry of postings between accounts.

The journal reads events exactly as :mod:`projections.money_flows` does — it is a subclass: the same handlers, the
same effective time (payment time; reversal time; a claim's later move never before its previous one), the same cash
year (a recovery's is the year it was recorded) and the same province/city split (``split_funding`` with the
voucher's city share, per amount). Where money_flows writes a stage's change as a signed column, the journal writes
it as postings, so each account's balance *is* a money_flows figure and the two cannot drift apart.

Signs: debit positive, credit negative, integer fen. Each posting is one account and one fund source, and every
entry balances in total and per fund source (the province's books and the city's books each balance).

=======================  ===========  ===================================================================
account                  normal side  balance as of T
=======================  ===========  ===================================================================
PROGRAMME_BUDGET         debit        province funds committed: face issued − value returned − recoveries due
CITY_BUDGET              debit        the same for the city's co-funded portion
VOUCHER_COMMITMENTS      credit       unused value of issued vouchers (money_flows: remaining)
CLAIMS_HELD              credit       claims waiting for review (claimed)
PROVIDER_PAYABLES        credit       approved, not yet paid (approved)
PAID                     credit       paid to providers, including amounts now due back (settled)
RECOVERIES_RECEIVABLE    debit        still due back from providers after a paid claim was reversed
                                      (outstanding: recovered − collected − written off)
RECOVERIES_COLLECTED     debit        recovered money received back into the fund source's budget (the
                                      bank side of the province's or the city's books; collected)
RECOVERIES_WRITTEN_OFF   debit        recoveries given up, with a reason: a loss of the fund source
                                      (written off)
=======================  ===========  ===================================================================

=====================================  ======================================  ====================================
event                                  debit                                   credit
=====================================  ======================================  ====================================
Voucher.Issued (face)                  *_BUDGET                                VOUCHER_COMMITMENTS
Voucher.Claimed                        VOUCHER_COMMITMENTS                     CLAIMS_HELD
Voucher.ClaimApproved                  CLAIMS_HELD                             PROVIDER_PAYABLES
Voucher.ClaimRejected                  CLAIMS_HELD                             VOUCHER_COMMITMENTS
Voucher.ClaimSettled                   PROVIDER_PAYABLES                       PAID
Voucher.ClaimReversed, before payment  CLAIMS_HELD or PROVIDER_PAYABLES        VOUCHER_COMMITMENTS (value freed)
Voucher.ClaimReversed, after payment   RECOVERIES_RECEIVABLE                   *_BUDGET (due back to the fund)
Voucher.Expired / Revoked /            VOUCHER_COMMITMENTS                     *_BUDGET (back to the city quota)
ValueReturned (returned)
SettlementBatch.RecoveryCollected      RECOVERIES_COLLECTED                    RECOVERIES_RECEIVABLE
SettlementBatch.RecoveryWrittenOff     RECOVERIES_WRITTEN_OFF                  RECOVERIES_RECEIVABLE
=====================================  ======================================  ====================================

A recovery raised already credits the budget (the commitment is reduced by what is due back), so a collection does
not touch the budget again: it turns the receivable into money received, split by fund source as the collection
event says (province and city each get back their own portion); a write-off turns it into a loss.

``*_BUDGET`` is PROGRAMME_BUDGET for the province's portion, CITY_BUDGET for the city's. Per-city spend (settled −
recovered) is −(PAID + RECOVERIES_RECEIVABLE + RECOVERIES_COLLECTED + RECOVERIES_WRITTEN_OFF); cash out (settled −
collected) is −(PAID + RECOVERIES_COLLECTED); a provider's receivable figures are −CLAIMS_HELD, −PROVIDER_PAYABLES,
−PAID and RECOVERIES_RECEIVABLE (recoveries due). Quota events post nothing: a quota is a limit on issuance and redemption, not money
(issuance, which uses it, posts the commitment), and ClaimBatched moves no money. An event whose amount is 0 (a
voucher expiring with nothing left) has no entry. Rounding: the city portion of each amount is rounded down on its
own, so a fully used voucher can leave ±1 fen per fund source on VOUCHER_COMMITMENTS (never in total).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from ledger.money import split_funding
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher
from projections.award_journal import AWARD_ACCOUNTS, award_postings
from projections.base import event_type
from projections.award_flows import award_category
from projections import read_ahead
from projections.money_flows import MoneyFlows
from projections.times import shanghai_year, to_us
from projections.view import ReadModelView

PROGRAMME_BUDGET, CITY_BUDGET = "PROGRAMME_BUDGET", "CITY_BUDGET"
VOUCHER_COMMITMENTS, CLAIMS_HELD, PROVIDER_PAYABLES = "VOUCHER_COMMITMENTS", "CLAIMS_HELD", "PROVIDER_PAYABLES"
PAID, RECOVERIES_RECEIVABLE = "PAID", "RECOVERIES_RECEIVABLE"
RECOVERIES_COLLECTED, RECOVERIES_WRITTEN_OFF = "RECOVERIES_COLLECTED", "RECOVERIES_WRITTEN_OFF"
VOUCHER_ACCOUNTS = (PROGRAMME_BUDGET, CITY_BUDGET, VOUCHER_COMMITMENTS, CLAIMS_HELD, PROVIDER_PAYABLES, PAID,
                    RECOVERIES_RECEIVABLE, RECOVERIES_COLLECTED, RECOVERIES_WRITTEN_OFF)
ACCOUNTS = (*VOUCHER_ACCOUNTS, *AWARD_ACCOUNTS)
FUND_SOURCES = ("province", "city")
BUDGET_OF = {"province": PROGRAMME_BUDGET, "city": CITY_BUDGET}
# money_flows' stages with an account
STAGES = ("face", "claimed", "approved", "settled", "recovered", "returned", "collected", "written_off")

ENTRY_COLUMNS = ("position", "event_type", "effective_us", "recorded_us", "programme_year", "cash_year", "city",
                 "fee_category", "voucher_id", "claim_id", "provider_id", "award_id")
POSTING_COLUMNS = ("position", "seq", "account", "fund_source", "amount_fen", "effective_us", "recorded_us",
                   "programme_year", "cash_year", "city", "fee_category", "provider_id")


def postings_for(moves: dict[str, int], fund_source: str) -> dict[str, int]:
    """One fund source's postings (account → signed fen) for money_flows' stage changes ``moves`` (stage → fen).

    Each stage account moves against its stage (a stage holding more is a larger credit); the voucher's unused value
    is face − claimed − approved − settled − returned; the budget gives the face and takes back what is returned or
    due back. The amounts sum to zero for any ``moves``.
    """
    unknown = set(moves) - {*STAGES, "reversed"}  # reversed is a counter of money_flows, not a place money sits
    if unknown:  # a stage money_flows learned later: give it an account here before projecting it
        raise LookupError(f"journal: no account for money_flows stage(s) {sorted(unknown)}")
    face, claimed, approved, settled, recovered, returned, collected, written_off = (
        moves.get(stage, 0) for stage in STAGES)
    return {
        BUDGET_OF[fund_source]: face - returned - recovered,
        VOUCHER_COMMITMENTS: -(face - claimed - approved - settled - returned),
        CLAIMS_HELD: -claimed,
        PROVIDER_PAYABLES: -approved,
        PAID: -settled,
        RECOVERIES_RECEIVABLE: recovered - collected - written_off,
        RECOVERIES_COLLECTED: collected,
        RECOVERIES_WRITTEN_OFF: written_off,
    }


class Journal(MoneyFlows):
    name = "journal"
    tables = ("vl_journal_entries", "vl_journal_postings", "vl_journal_vouchers", "vl_journal_claims")
    handlers: ClassVar[dict[type, str]] = {
        cls: method for cls, method in MoneyFlows.handlers.items()
        if (cls.__qualname__.startswith("Voucher.") and cls is not Voucher.ClaimBatched)
        or cls in (SettlementBatch.RecoveryCollected, SettlementBatch.RecoveryWrittenOff)
        or cls in MoneyFlows.award_handlers
    }

    def setup(self) -> None:
        # The same lookups as money_flows (its handlers use them), over the journal's own tables: the two
        # projections keep their own positions and are rebuilt independently.
        self.vouchers = self.lookup(
            "vl_journal_vouchers", "voucher_id",
            ("enterprise_id", "city", "programme_year", "fee_category", "city_share"), wants=read_ahead.VOUCHERS)
        self.claims = self.lookup(
            "vl_journal_claims", "claim_id",
            ("voucher_id", "provider_id", "amount_fen", "stage", "batch_id", "moved_us"), wants=read_ahead.CLAIMS)

    def reset_buffers(self) -> None:
        self.entries: list[tuple] = []
        self.postings: list[tuple] = []

    def _voucher_row(self, e: Any, position: int, vid: str, cid: str | None, *, status: str | None = None,
                     provider: str | None = None, batch: Any = None, effective_us: int | None = None,
                     cash_year: int | None = None, **amounts: int) -> None:
        """Where money_flows appends a movement row, append the entry and its postings."""
        _enterprise, city, year, category, share = self._voucher(vid)
        recorded_us = to_us(e.timestamp)
        effective_us = recorded_us if effective_us is None else effective_us
        cash = cash_year if cash_year is not None else shanghai_year(effective_us)  # money_flows' rule (its _row)
        by_source: dict[str, dict[str, int]] = {"province": {}, "city": {}}
        for column, fen in amounts.items():
            if column.endswith("_city_fen"):
                continue
            stage = column.removesuffix("_fen")
            city_fen = amounts.get(f"{stage}_city_fen")
            if city_fen is None:  # money_flows keeps no split of returned value: split it the same way
                city_fen = split_funding(fen, Decimal(share))[0]
            by_source["city"][stage] = city_fen
            by_source["province"][stage] = fen - city_fen
        dims = (effective_us, recorded_us, year, cash, city, category, provider)
        seq = 0
        postings = {source: postings_for(by_source[source], source) for source in FUND_SOURCES}
        for account in ACCOUNTS:
            for source in FUND_SOURCES:
                fen = postings[source].get(account, 0)
                if fen:
                    self.postings.append((position, seq, account, source, fen, *dims))
                    seq += 1
        if seq:  # an event moving 0 fen (a voucher expiring with nothing left) makes no entry
            self.entries.append((position, event_type(e), effective_us, recorded_us, year, cash, city, category, vid,
                                 cid, provider, None))

    def _award_row(self, e: Any, position: int, effective_us: int, cash_year: int | None, batch: Any,
                   amounts: dict[str, int]) -> None:
        """An award's entry: its postings per fund source (``projections/award_journal.py``), under its programme."""
        recorded_us = to_us(e.timestamp)
        cash = cash_year if cash_year is not None else shanghai_year(effective_us)
        category = award_category(e.kind)
        dims = (effective_us, recorded_us, e.year, cash, e.city, category, None)
        seq = 0
        for source in FUND_SOURCES:
            moves = {}
            for column, fen in amounts.items():
                if not column.endswith("_city_fen"):
                    city_fen = amounts[column.removesuffix("_fen") + "_city_fen"]
                    moves[column.removesuffix("_fen")] = city_fen if source == "city" else fen - city_fen
            for account, fen in award_postings(moves, BUDGET_OF[source]).items():
                if fen:
                    self.postings.append((position, seq, account, source, fen, *dims))
                    seq += 1
        if seq:
            self.entries.append((position, event_type(e), effective_us, recorded_us, e.year, cash, e.city, category,
                                 "", None, None, str(e.originator_id)))

    def write(self, view: ReadModelView, curs: Any) -> None:
        view.insert_rows(curs, "vl_journal_entries", ENTRY_COLUMNS, self.entries)
        view.insert_rows(curs, "vl_journal_postings", POSTING_COLUMNS, self.postings)
