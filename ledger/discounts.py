"""Automatic discounts: carriers' network discounts (一(三)) and public-cloud agreements (一(一)).

Both are ≥ 30 % by policy and need no application from the enterprise: a network discount grant is recorded in the
same transaction as a granted eligibility, at the carrier's configured rate for that year.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from ledger import ids
from ledger.errors import CarrierRateNotSetError, DiscountRateTooLowError, InvalidInputError
from ledger.money import to_rate
from ledger.parties import Carrier, parse_enum
from ledger.recording import By, LedgerAggregate

MINIMUM_DISCOUNT = Decimal("0.30")  # 不低于30%


def check_discount(rate: object, what: str) -> Decimal:
    value = to_rate(rate, what)
    if value < MINIMUM_DISCOUNT:
        raise DiscountRateTooLowError(f"{what} must be at least 30 % by policy, got {value}")
    return value


class CarrierDiscountRates(LedgerAggregate):
    """One per fiscal year; a revision is a new event and applies to grants recorded after it."""

    class Set(LedgerAggregate.Created):
        year: int
        rates: dict[str, Decimal]

        def apply(self, agg: CarrierDiscountRates) -> None:
            agg.year, agg.rates = self.year, dict(self.rates)

    class Revised(LedgerAggregate.Event):
        rates: dict[str, Decimal]

        def apply(self, agg: CarrierDiscountRates) -> None:
            agg.rates = dict(self.rates)

    @staticmethod
    def _checked(rates: dict[str, object]) -> dict[str, Decimal]:
        if not rates:
            raise InvalidInputError("give a discount rate for at least one carrier")
        return {
            parse_enum(Carrier, carrier, "carrier").value: check_discount(rate, f"{carrier} network discount")
            for carrier, rate in rates.items()
        }

    @classmethod
    def set(cls, by: By, *, year: int, rates: dict[str, object]) -> CarrierDiscountRates:
        return cls._start(cls.Set, ids.carrier_rates_id(year), by, year=year, rates=cls._checked(rates))

    def revise(self, by: By, *, rates: dict[str, object]) -> None:
        self._record(self.Revised, by, rates={**self.rates, **self._checked(rates)})

    def rate_for(self, carrier: str) -> Decimal:
        try:
            return self.rates[carrier]
        except KeyError:
            raise CarrierRateNotSetError(
                f"no network discount rate is configured for {carrier} in {self.year}"
            ) from None


class NetworkDiscountGrant(LedgerAggregate):
    read_after_write = False

    class Granted(LedgerAggregate.Created):
        enterprise_id: UUID
        year: int
        carrier: str
        rate: Decimal

        def apply(self, agg: NetworkDiscountGrant) -> None:
            agg.enterprise_id, agg.year, agg.carrier, agg.rate = (
                self.enterprise_id, self.year, self.carrier, self.rate,
            )

    @classmethod
    def grant(cls, by: By, *, enterprise_id: UUID, year: int, carrier: str, rate: Decimal) -> NetworkDiscountGrant:
        return cls._start(
            cls.Granted,
            ids.network_discount_id(enterprise_id, year),
            by,
            enterprise_id=enterprise_id,
            year=year,
            carrier=carrier,
            rate=check_discount(rate, "network discount"),
        )


class CloudDiscountAgreement(LedgerAggregate):
    """A public-cloud provider's agreed discount for a year; applies to every Guangdong enterprise automatically."""

    class Agreed(LedgerAggregate.Created):
        provider_id: UUID
        year: int
        rate: Decimal

        def apply(self, agg: CloudDiscountAgreement) -> None:
            agg.provider_id, agg.year, agg.rate = self.provider_id, self.year, self.rate

    @classmethod
    def agree(cls, by: By, *, provider_id: UUID, year: int, rate: object) -> CloudDiscountAgreement:
        return cls._start(
            cls.Agreed,
            ids.cloud_agreement_id(provider_id, year),
            by,
            provider_id=provider_id,
            year=year,
            rate=check_discount(rate, "public-cloud discount"),
        )
