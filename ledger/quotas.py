"""Yearly quotas: a city's voucher quota (consumed by issuance, given back by expiry) and a provider's redemption
quota (held by claims from the moment they are made, given back by rejection or reversal before settlement)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from ledger import ids
from ledger.errors import (
    CityQuotaExhaustedError,
    InvalidRateError,
    ProviderQuotaExhaustedError,
    QuotaBelowUsageError,
    ShenzhenExcludedError,
)
from ledger.money import check_fen, to_rate
from ledger.parties import SHENZHEN, check_city
from ledger.recording import By, LedgerAggregate


class _YearQuota(LedgerAggregate):
    """Amount set for one year, and what is used of it. Holds and releases name what they are for."""

    exhausted_error = CityQuotaExhaustedError

    class Used(LedgerAggregate.Event):
        ref: UUID  # the voucher (city quota) or voucher whose claim holds it (provider quota)
        claim_id: UUID | None
        amount_fen: int

        def apply(self, q: _YearQuota) -> None:
            q.used_fen += self.amount_fen

    class Returned(LedgerAggregate.Event):
        ref: UUID
        claim_id: UUID | None
        amount_fen: int
        reason: str

        def apply(self, q: _YearQuota) -> None:
            q.used_fen -= self.amount_fen

    class AmountRevised(LedgerAggregate.Event):
        amount_fen: int

        def apply(self, q: _YearQuota) -> None:
            q.amount_fen = self.amount_fen

    @property
    def remaining_fen(self) -> int:
        return self.amount_fen - self.used_fen

    def require_room(self, amount_fen: int) -> None:
        check_fen(amount_fen, "quota use", allow_zero=False)
        if amount_fen > self.remaining_fen:
            raise self.exhausted_error(
                f"{self.describe()} has {self.remaining_fen} fen left of {self.amount_fen}; {amount_fen} needed"
            )

    def use(self, by: By, *, ref: UUID, amount_fen: int, claim_id: UUID | None = None) -> None:
        self.require_room(amount_fen)
        self._record(self.Used, by, ref=ref, claim_id=claim_id, amount_fen=amount_fen)

    def give_back(self, by: By, *, ref: UUID, amount_fen: int, reason: str, claim_id: UUID | None = None) -> None:
        check_fen(amount_fen, "quota return", allow_zero=False)
        if amount_fen > self.used_fen:  # a programming error upstream; refusing keeps the figure honest
            raise QuotaBelowUsageError(f"{self.describe()} cannot give back {amount_fen}: only {self.used_fen} used")
        self._record(self.Returned, by, ref=ref, claim_id=claim_id, amount_fen=amount_fen, reason=reason)

    def revise(self, by: By, *, amount_fen: int) -> None:
        check_fen(amount_fen, "quota")
        if amount_fen < self.used_fen:
            raise QuotaBelowUsageError(f"{self.describe()} has {self.used_fen} fen used; cannot set it to {amount_fen}")
        self._record(self.AmountRevised, by, amount_fen=amount_fen)

    def describe(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class CityQuota(_YearQuota):
    """A city's yearly voucher quota and its co-funding share (city portion of any amount, rounded down)."""

    exhausted_error = CityQuotaExhaustedError

    class Set(LedgerAggregate.Created):
        city: str
        year: int
        amount_fen: int
        city_share: Decimal

        def apply(self, q: CityQuota) -> None:
            q.city, q.year, q.amount_fen, q.city_share, q.used_fen = (
                self.city, self.year, self.amount_fen, self.city_share, 0,
            )

    @classmethod
    def set(cls, by: By, *, city: str, year: int, amount_fen: int, city_share: object) -> CityQuota:
        check_city(city)
        if city == SHENZHEN:
            raise ShenzhenExcludedError("Shenzhen is separately planned and holds no provincial voucher quota")
        share = to_rate(city_share, "city share")
        if share == 1:
            raise InvalidRateError("a city share of 100 % would leave the province nothing to fund; check the figure")
        return cls._start(
            cls.Set,
            ids.city_quota_id(city, year),
            by,
            city=city,
            year=year,
            amount_fen=check_fen(amount_fen, "city quota"),
            city_share=share,
        )

    def describe(self) -> str:
        return f"the {self.year} quota of city {self.city}"


class ProviderQuota(_YearQuota):
    """A provider's yearly redemption quota (e.g. 8,000,000 RMB for national platforms and carriers)."""

    exhausted_error = ProviderQuotaExhaustedError

    class Set(LedgerAggregate.Created):
        provider_id: UUID
        year: int
        amount_fen: int

        def apply(self, q: ProviderQuota) -> None:
            q.provider_id, q.year, q.amount_fen, q.used_fen = self.provider_id, self.year, self.amount_fen, 0

    @classmethod
    def set(cls, by: By, *, provider_id: UUID, year: int, amount_fen: int) -> ProviderQuota:
        return cls._start(
            cls.Set,
            ids.provider_quota_id(provider_id, year),
            by,
            provider_id=provider_id,
            year=year,
            amount_fen=check_fen(amount_fen, "provider quota"),
        )

    def describe(self) -> str:
        return f"the {self.year} redemption quota of provider {self.provider_id}"
