"""Command values about the programme, its years and each year's figures (catalogue, quotas, rates, agreements).
(``ledger/commands/values.py`` says what a command value is.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.catalogue import CatalogueItem
from ledger.evaluation_rules import EvaluationRules
from ledger.policy import Policy
from ledger.programme import YearRules
from ledger.commands.command import Command


# -- the programme and its years ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DefineProgramme(Command):
    handler = "define_programme"
    name: str
    document_number: str
    policy_date: date
    years: tuple[YearRules, ...] = ()


@dataclass(frozen=True)
class OpenProgrammeYear(Command):
    """A year opened by the province; what is not given is the latest earlier year's figure."""

    handler = "open_year"
    year: int
    redemption_deadline: date
    issuance_opens: date | None = None
    issuance_closes: date | None = None
    contracts_from: date | None = None
    revenue_threshold_fen: int | None = None
    min_payment_ratio: object = None
    covered_fee_categories: tuple[str, ...] | None = None
    established_years: int | None = None
    misuse_lookback_years: int | None = None
    provider_caps_fen: tuple[tuple[str, int], ...] | None = None  # (provider kind, cap) pairs: a frozen value holds no dict
    objection_working_days: int | None = None
    applications_open: date | None = None
    applications_close: date | None = None
    publicity_required: bool | None = None  # claims paid only after a publicity list cleared them
    evaluation: EvaluationRules | None = None  # the resource pool's evaluation; None: the earlier year's
    policy: Policy | None = None  # a successor policy the year runs under; None: the earlier year's

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.programme_id(),)

    def arguments(self) -> dict[str, Any]:
        caps = None if self.provider_caps_fen is None else dict(self.provider_caps_fen)
        return {**super().arguments(), "provider_caps_fen": caps}


# -- the programme's yearly figures -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishCatalogue(Command):
    handler = "publish_catalogue"
    year: int
    items: tuple[CatalogueItem, ...]
    redemption_deadline: date | None = None  # None: the programme year's

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "items": list(self.items)}


@dataclass(frozen=True)
class SetCityQuota(Command):
    handler = "set_city_quota"
    city: str
    year: int
    amount_fen: int
    city_share: object


@dataclass(frozen=True)
class ReviseCityQuota(Command):
    """Revise a quota already set; never below what issued vouchers use."""

    handler = "revise_city_quota"
    city: str
    year: int
    amount_fen: int

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.city_quota_id(self.city, self.year),)


@dataclass(frozen=True)
class SetCarrierRates(Command):
    handler = "set_carrier_rates"
    year: int
    rates: tuple[tuple[str, object], ...]  # (carrier, rate) pairs: a frozen value holds no dict

    def arguments(self) -> dict[str, Any]:
        return {"year": self.year, "rates": dict(self.rates)}


@dataclass(frozen=True)
class RecordCloudAgreement(Command):
    handler = "record_cloud_agreement"
    provider_id: UUID
    year: int
    rate: object

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


# -- the working calendar (工作日) of a calendar year --------------------------------------------------------------
@dataclass(frozen=True)
class PublishWorkingCalendar(Command):
    """A calendar year's holiday arrangement (国务院办公厅关于节假日安排的通知): the days off on weekdays and around
    them, and the weekend days worked in exchange (调休)."""

    handler = "publish_working_calendar"
    year: int
    days_off: tuple[date, ...]
    workdays: tuple[date, ...]
    notice: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.working_calendar_id(self.year),)


@dataclass(frozen=True)
class ReviseWorkingCalendar(PublishWorkingCalendar):
    """The year's arrangement corrected as a whole, with the reason."""

    handler = "revise_working_calendar"
    reason: str
