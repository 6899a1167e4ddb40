"""Answers of the double-entry journal as of a time, known at a time: its trial balance and each account's lines
(``*_us``: microseconds since the epoch, UTC)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from api.http.models.queries import Answer


Account = Literal["PROGRAMME_BUDGET", "CITY_BUDGET", "VOUCHER_COMMITMENTS", "CLAIMS_HELD", "PROVIDER_PAYABLES", "PAID",
                  "RECOVERIES_RECEIVABLE", "RECOVERIES_COLLECTED", "RECOVERIES_WRITTEN_OFF", "AWARDS_PAYABLE",
                  "AWARDS_PAID", "AWARD_RECOVERIES_RECEIVABLE", "AWARD_RECOVERIES_COLLECTED",
                  "AWARD_RECOVERIES_WRITTEN_OFF"]


class TrialBalanceLine(BaseModel):
    account: Account
    debit_fen: int
    credit_fen: int = Field(description="credits, as a positive number")
    balance_fen: int = Field(description="debit − credit: positive is a debit balance, negative a credit balance")
    province_balance_fen: int = Field(description="the province's portion of the balance")
    city_balance_fen: int = Field(description="the city's co-funded portion of the balance")


class TrialBalanceTotals(BaseModel):
    debit_fen: int
    credit_fen: int
    balance_fen: int = Field(description="always 0: debits equal credits")
    province_balance_fen: int
    city_balance_fen: int


class TrialBalanceOut(Answer):
    known_at: AwareDatetime | None = Field(description="only postings recorded by then; null: known now")
    city: str | None
    programme_year: int | None
    programme: str | None = Field(None, description="VOUCHERS or one award programme; null: all of them")
    accounts: list[TrialBalanceLine]
    totals: TrialBalanceTotals
    balanced: bool


class JournalLine(BaseModel):
    position: int = Field(description="the entry: the global position of the event that moved the money")
    seq: int
    event_type: str
    fund_source: Literal["province", "city"]
    debit_fen: int
    credit_fen: int = Field(description="credits, as a positive number")
    effective_us: int
    recorded_us: int
    programme_year: int
    cash_year: int
    city: str
    fee_category: str = Field(description="a voucher's fee category, or AWARD:<kind> on an award's entry")
    voucher_id: UUID | None = Field(description="null on an award's entry")
    claim_id: UUID | None
    provider_id: UUID | None
    award_id: UUID | None = None


class JournalLinesOut(Answer):
    account: Account
    city: str | None
    programme_year: int | None
    items: list[JournalLine]
    next_after: int | None = Field(description="pass as ?after= for the next page (whole entries); null at the end")
