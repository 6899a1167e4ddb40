"""Every command of the programme as a value: what the caller asks for, nothing about how or when it runs.

A command value is frozen and compares by its fields, so the HTTP routes, the CLI, the simulator, the importer and
the benchmarks all build the same thing and hand it to one entry point, ``VoucherLedger.handle(command, by)`` (or to
the group-commit writer, which calls it). ``by`` — who, and the recorded time — travels beside the value: the clock
is read by the caller, never on the writer's thread.

``reads`` names the aggregates the command will load, derived from its own fields, so the writer can read a batch's
aggregates in one query; it is a hint (a wrong one costs time, never correctness), never typed by hand at a call
site. ``handler`` is the application method that decides the command: the keyword arguments it takes are exactly
the value's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.catalogue import CatalogueItem
from ledger.claims import ClaimEvidence
from ledger.evaluation_rules import EvaluationRules
from ledger.programme import YearRules
from ledger.commands.command import Command


# -- parties ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterEnterprise(Command):
    handler = "register_enterprise"
    uscc: str
    name: str
    city: str
    carrier: str
    established_on: date


@dataclass(frozen=True)
class DecideEligibility(Command):
    handler = "decide_eligibility"
    enterprise_id: UUID
    year: int
    prior_year_revenue_fen: int
    serious_misuse_5y: bool
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.enterprise_id,)


@dataclass(frozen=True)
class CorrectEligibility(Command):
    """Supersede a year's decision with one judged from corrected facts, for ``reason``; issued vouchers are left as
    they are (see ``VoucherLedger.correct_eligibility``)."""

    handler = "correct_eligibility"
    enterprise_id: UUID
    year: int
    prior_year_revenue_fen: int
    serious_misuse_5y: bool
    effective_at: datetime
    reason: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.enterprise_id,)


@dataclass(frozen=True)
class AdmitProvider(Command):
    handler = "admit_provider"
    uscc: str
    name: str
    kind: str


@dataclass(frozen=True)
class SetProviderQuota(Command):
    handler = "set_provider_quota"
    provider_id: UUID
    year: int
    amount_fen: int

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


@dataclass(frozen=True)
class ReviseProviderQuota(Command):
    """Revise a quota already set; never below what claims hold."""

    handler = "revise_provider_quota"
    provider_id: UUID
    year: int
    amount_fen: int

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id, ids.provider_quota_id(self.provider_id, self.year))


@dataclass(frozen=True)
class EliminateProvider(Command):
    handler = "eliminate_provider"
    provider_id: UUID
    year: int
    rating: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


@dataclass(frozen=True)
class RecordAssessment(Command):
    handler = "record_assessment"
    provider_id: UUID
    area: str
    kind: str
    passed: bool
    assessor: str
    report_ref: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


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


# -- vouchers and claims ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueVoucher(Command):
    handler = "issue_voucher"
    enterprise_id: UUID
    year: int
    item_id: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.enterprise_id, ids.catalogue_id(self.year))


@dataclass(frozen=True)
class SubmitClaim(Command):
    """``on_behalf_of``: the enterprise submitting it, when an enterprise does; a voucher of another enterprise is
    then answered exactly as an unknown one (ids derive from USCCs, so a difference would leak who holds what)."""

    handler = "claim"
    voucher_id: UUID
    claim_id: UUID
    provider_id: UUID
    evidence: ClaimEvidence
    fee_category: str
    eligible_fee_fen: int
    on_behalf_of: UUID | None = None

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id, self.provider_id)


@dataclass(frozen=True)
class _OnAClaim(Command):
    voucher_id: UUID
    claim_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id,)


@dataclass(frozen=True)
class ApproveClaim(_OnAClaim):
    handler = "approve_claim"


@dataclass(frozen=True)
class RejectClaim(_OnAClaim):
    handler = "reject_claim"
    reason: str


@dataclass(frozen=True)
class ReverseClaim(_OnAClaim):
    handler = "reverse_claim"
    reason: str
    effective_at: datetime


@dataclass(frozen=True)
class ReleaseClaim(_OnAClaim):
    handler = "release_claim"
    reason: str


@dataclass(frozen=True)
class ExpireVoucher(Command):
    handler = "expire_voucher"
    voucher_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id,)


@dataclass(frozen=True)
class RevokeVoucher(Command):
    handler = "revoke_voucher"
    voucher_id: UUID
    reason: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.voucher_id,)


# -- settlement -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenBatch(Command):
    handler = "open_batch"
    batch_id: UUID
    provider_id: UUID
    period: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id,)


@dataclass(frozen=True)
class AddToBatch(Command):
    handler = "add_to_batch"
    batch_id: UUID
    voucher_id: UUID
    claim_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id, self.voucher_id)


@dataclass(frozen=True)
class PayBatch(Command):
    handler = "pay_batch"
    batch_id: UUID
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


@dataclass(frozen=True)
class CollectRecovery(Command):
    handler = "collect_recovery"
    batch_id: UUID
    claim_id: UUID
    amount_fen: int
    bank_reference: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


@dataclass(frozen=True)
class WriteOffRecovery(Command):
    handler = "write_off_recovery"
    batch_id: UUID
    claim_id: UUID
    reason: str
    effective_at: datetime

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.batch_id,)


# -- one item funded once -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordOtherFunding(Command):
    """The province records that another fiscal fund paid for a provider's contract: no voucher claims it then."""

    handler = "record_other_funding"
    provider_id: UUID
    contract_no: str
    fund_name: str
    document_no: str
    amount_fen: int
    effective_at: datetime
    reason: str

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.provider_id, ids.contract_key_id(self.provider_id, self.contract_no)) \
            if isinstance(self.contract_no, str) else (self.provider_id,)


# -- publicity (公示) ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishClaims(Command):
    """Publish a programme year's approved claims, named by (voucher id, claim id), as the list of ``period``."""

    handler = "publish_claims"
    year: int
    period: str
    claims: tuple[tuple[UUID, UUID], ...]

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.programme_year_id(self.year), *dict.fromkeys(voucher for voucher, _ in self.claims))


@dataclass(frozen=True)
class _OnAListedClaim(Command):
    list_id: UUID
    claim_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.list_id,)


@dataclass(frozen=True)
class LodgeObjection(_OnAListedClaim):
    handler = "lodge_objection"
    objector: str
    reason: str


@dataclass(frozen=True)
class UpholdClaim(_OnAListedClaim):
    handler = "uphold_claim"
    reason: str


@dataclass(frozen=True)
class SustainObjection(_OnAListedClaim):
    handler = "sustain_objection"
    reason: str


@dataclass(frozen=True)
class ClosePublicityList(Command):
    handler = "close_publicity_list"
    list_id: UUID

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (self.list_id,)
# -- the resource pool's evaluation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RateService(_OnAClaim):
    """An enterprise's rating (1-5) of the service one of its claims paid for; once per claim. ``on_behalf_of`` as
    in ``SubmitClaim``: another enterprise's voucher is answered as an unknown one."""

    handler = "rate_service"
    score: int
    comment: str = ""
    on_behalf_of: UUID | None = None


@dataclass(frozen=True)
class FileComplaint(_OnAClaim):
    """An enterprise's complaint about the provider of one of its claims."""

    handler = "file_complaint"
    complaint_id: UUID
    reason: str
    on_behalf_of: UUID | None = None


@dataclass(frozen=True)
class EvaluateResourcePool(Command):
    """The year's evaluation over the providers named (the pool, as the caller's read model lists it)."""

    handler = "evaluate_resource_pool"
    year: int
    provider_ids: tuple[UUID, ...]

    @property
    def reads(self) -> tuple[UUID, ...]:
        return (ids.pool_evaluation_id(self.year), *self.provider_ids,
                *(ids.provider_review_id(p, self.year) for p in self.provider_ids),
                *(ids.provider_quota_id(p, self.year + 1) for p in self.provider_ids))


# -- awards (二, 三): their own module, re-exported here so that every command is a value of this module -----------
from ledger.commands.award_values import (  # noqa: E402
    AddAwardToBatch,
    ApplyForAward,
    CollectAwardRecovery,
    DefineAwardProgramme,
    GrantAward,
    OpenAwardBatch,
    PayAwardBatch,
    RecommendAward,
    RecommendAwardNationally,
    RecoverAward,
    RefuseAward,
    SelectAward,
    WithdrawAwardTitle,
    WriteOffAwardRecovery,
)
