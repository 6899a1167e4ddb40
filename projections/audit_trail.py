"""Audit trail: every event once, with its times, actor, reason and the facts of its summary lines (rendered when
read: ``projections/audit_facts.py``), and a row per entity it touches.

The entities of an event are the ones a person would look it up by: a claim's approval appears in the trail of its
voucher, the voucher's enterprise and city, and the provider owed the money; a payment in the trail of its batch,
its provider and every city it paid. Every event also appears under its own aggregate, so no event is missing from
the trail of the thing it changed.
"""

from __future__ import annotations

import json
from typing import Any

from ledger.award_batches import AwardBatch
from ledger.award_programmes import AwardProgramme, AwardRoster
from ledger.awards import Award
from ledger.catalogue import Catalogue
from ledger.claim_key import ClaimKey
from ledger.discounts import (
    CarrierDiscountRates,
    CloudDiscountAgreement,
    NetworkDiscountGrant,
)
from ledger.enterprise import Enterprise
from ledger.evaluation import Complaint, PoolEvaluation, ProviderReview, ServiceRating
from ledger.evidence_keys import ContractKey, InvoiceKey
from ledger.programme import Programme, ProgrammeYear
from ledger.provider import Provider
from ledger.publicity import PublicityList
from ledger.quotas import CityQuota, ProviderQuota
from ledger.settlement import SettlementBatch
from ledger.training import TrainingMark
from ledger.voucher import Voucher
from ledger.working_calendar import WorkingCalendar
from projections import read_ahead
from projections.audit_facts import facts_of
from projections.audit_summaries import SUMMARIES
from projections.base import LedgerProjection, event_type
from projections.times import to_us
from projections.view import ReadModelView

AGGREGATES = (Enterprise, CarrierDiscountRates, NetworkDiscountGrant, CloudDiscountAgreement, Catalogue, CityQuota,
              ProviderQuota, Provider, ClaimKey, InvoiceKey, ContractKey, Voucher, SettlementBatch, Programme,
              ProgrammeYear, TrainingMark, PublicityList, ServiceRating, Complaint, ProviderReview, PoolEvaluation,
              AwardProgramme, AwardRoster, Award, AwardBatch, WorkingCalendar)
KIND_OF = {
    Enterprise: "enterprise", Provider: "provider", Voucher: "voucher", SettlementBatch: "settlement_batch",
    CarrierDiscountRates: "carrier_rates", NetworkDiscountGrant: "network_discount", Catalogue: "catalogue",
    CloudDiscountAgreement: "cloud_discount", CityQuota: "city_quota", ProviderQuota: "provider_quota",
    ClaimKey: "claim_key", InvoiceKey: "invoice_key", ContractKey: "contract_key", Programme: "programme",
    ProgrammeYear: "programme_year", TrainingMark: "training_mark", PublicityList: "publicity_list",
    ServiceRating: "service_rating", Complaint: "complaint", ProviderReview: "provider_review",
    PoolEvaluation: "pool_evaluation", AwardProgramme: "award_programme", AwardRoster: "award_roster", Award: "award",
    AwardBatch: "award_batch", WorkingCalendar: "working_calendar",
}
EVENT_COLUMNS = ("position", "originator_id", "originator_version", "event_type", "recorded_us", "effective_us",
                 "actor", "correlation_id", "reason", "facts")
ENTRY_COLUMNS = ("position", "entity_kind", "entity_id")
PUBLICITY_COLUMNS = ("position", "claim_id", "list_id", "kind", "year", "period", "voucher_id", "provider_id",
                     "enterprise_id", "city", "amount_fen", "objection_no", "objector", "reason", "window_ends_us",
                     "effective_us", "recorded_us", "actor", "calendars")
PUBLICITY_KIND = {"Opened": "LISTED", "ObjectionLodged": "OBJECTION", "ClaimUpheld": "UPHELD",
                  "ObjectionSustained": "SUSTAINED", "Closed": "CLOSED"}
ELIGIBILITY_COLUMNS = ("position", "enterprise_id", "year", "granted", "reasons", "corrected", "reason", "effective_us",
                       "recorded_us", "actor")


def _event_classes() -> dict[type, str]:
    found: dict[type, str] = {}
    for aggregate in AGGREGATES:
        for name in SUMMARIES:
            owner, _, event_name = name.partition(".")
            if owner == aggregate.__name__:
                found[getattr(aggregate, event_name)] = "record"
    # Eligibility decisions also go to their own register, read by "eligible as of T, known at K" answers.
    found[Enterprise.EligibilityDecided] = found[Enterprise.EligibilityCorrected] = "decision"
    # Publicity lists also go to the public list's register, read by "the list as of T" answers.
    for name in PUBLICITY_KIND:
        found[getattr(PublicityList, name)] = "publicity_act"
    return found


def _reason(e: Any) -> str | None:
    if hasattr(e, "reason"):
        return e.reason
    if hasattr(e, "reasons"):
        return ", ".join(e.reasons) or None
    if hasattr(e, "rating"):
        return f"rated {e.rating}"
    return None


class AuditTrail(LedgerProjection):
    name = "audit_trail"
    tables = ("vl_audit_events", "vl_audit_entries", "vl_audit_refs", "vl_eligibility_decisions", "vl_publicity")
    handlers = _event_classes()

    def setup(self) -> None:
        self.refs = self.lookup("vl_audit_refs", "ref_id", ("enterprise_id", "city", "provider_id"),
                                wants=read_ahead.audit_refs(self.handlers))
        self._owner_kind = {cls: KIND_OF[agg] for agg in AGGREGATES for cls in self.handlers if cls.__qualname__.startswith(agg.__name__ + ".")}

    def reset_buffers(self) -> None:
        self.events: list[tuple] = []
        self.entries: set[tuple] = set()
        self.decisions: list[tuple] = []
        self.publicity: list[tuple] = []

    def decision(self, e: Any, position: int) -> None:
        self.record(e, position)
        corrected = isinstance(e, Enterprise.EligibilityCorrected)
        self.decisions.append((position, str(e.originator_id), e.year, e.granted, ",".join(e.reasons), corrected,
                               e.reason if corrected else None, to_us(e.effective_at), to_us(e.timestamp), e.actor))

    def publicity_act(self, e: Any, position: int) -> None:
        self.record(e, position)
        kind, at = PUBLICITY_KIND[type(e).__name__], to_us(e.timestamp)
        if kind == "LISTED":
            calendars = None if e.calendars is None else json.dumps(e.calendars, separators=(",", ":"))
            for x in e.entries:
                self.publicity.append((position, x["claim_id"], str(e.originator_id), kind, e.year, e.period,
                                       x["voucher_id"], x["provider_id"], x["enterprise_id"], x["city"],
                                       x["amount_fen"], None, None, None, to_us(e.window_ends_at), at, at, e.actor,
                                       calendars))
            return
        claim_id = getattr(e, "claim_id", None)
        self.publicity.append((position, "" if claim_id is None else str(claim_id), str(e.originator_id), kind,
                               None, None, None if claim_id is None else str(e.voucher_id), None, None, None, None,
                               getattr(e, "number", None), getattr(e, "objector", None), getattr(e, "reason", None),
                               None, at, at, e.actor, None))

    def record(self, e: Any, position: int) -> None:
        kind = event_type(e)
        effective = getattr(e, "effective_at", None)
        self.events.append((position, str(e.originator_id), e.originator_version, kind, to_us(e.timestamp),
                            None if effective is None else to_us(effective), e.actor, e.correlation_id, _reason(e),
                            facts_of(kind, e)))
        self._touch(position, self._owner_kind[type(e)], e.originator_id)
        self._links(kind, e, position)

    def _touch(self, position: int, kind: str, entity: Any) -> None:
        if entity:
            self.entries.add((position, kind, str(entity)))

    def _ref(self, ref_id: Any) -> tuple:
        return self.refs.get(str(ref_id)) or (None, None, None)

    def _links(self, kind: str, e: Any, position: int) -> None:
        touch = self._touch
        owner, _, name = kind.partition(".")
        if owner == "Enterprise" and name == "Registered":
            touch(position, "city", e.city)
        elif owner == "NetworkDiscountGrant":
            touch(position, "enterprise", e.enterprise_id)
        elif owner == "CloudDiscountAgreement":
            touch(position, "provider", e.provider_id)
        elif owner == "CityQuota":
            if name == "Set":
                self.refs.put(str(e.originator_id), (None, e.city, None))
            touch(position, "city", self._ref(e.originator_id)[1])
            touch(position, "voucher", getattr(e, "ref", None))
        elif owner == "ProviderQuota":
            if name == "Set":
                self.refs.put(str(e.originator_id), (None, None, str(e.provider_id)))
            touch(position, "provider", self._ref(e.originator_id)[2])
            touch(position, "voucher", getattr(e, "ref", None))
        elif owner == "ClaimKey":
            touch(position, "voucher", e.voucher_id)
            touch(position, "provider", e.provider_id)
        elif owner in ("InvoiceKey", "ContractKey"):
            touch(position, "voucher", getattr(e, "voucher_id", None))
            touch(position, "provider", getattr(e, "provider_id", None) or self._ref(e.claim_id)[2])
        elif owner in ("ServiceRating", "Complaint"):
            touch(position, "voucher", e.voucher_id)
            touch(position, "enterprise", e.enterprise_id)
            touch(position, "provider", e.provider_id)
        elif owner == "ProviderReview":
            if name == "Opened":
                self.refs.put(str(e.originator_id), (None, None, str(e.provider_id)))
            touch(position, "provider", self._ref(e.originator_id)[2])
        elif owner == "Voucher":
            self._voucher_links(name, e, position)
        elif owner == "SettlementBatch":
            self._batch_links(name, e, position)
        elif owner == "Award":
            self._award_links(name, e, position)
        elif owner == "AwardBatch":  # a payment's total is other cities' business: each award's Paid is its city's
            touch(position, "award", getattr(e, "award_id", None))
            touch(position, "city", getattr(e, "city", None))
            for award_id in getattr(e, "awards", None) or ():
                touch(position, "award", award_id)
        elif owner == "AwardRoster":
            touch(position, "award", getattr(e, "award_id", None))
        elif owner == "PublicityList" and name not in ("Opened", "Closed"):  # an objection or ruling: its claim's too
            enterprise, city, _ = self._ref(e.voucher_id)
            touch(position, "voucher", e.voucher_id)
            touch(position, "enterprise", enterprise)
            touch(position, "city", city)
            touch(position, "provider", self._ref(e.claim_id)[2])

    def _award_links(self, name: str, e: Any, position: int) -> None:
        """An award's events are in its city's trail and its applicant's (an enterprise's or a provider's)."""
        if name == "Applied":
            applicant = None if e.applicant_id is None else str(e.applicant_id)
            self.refs.put(str(e.originator_id), (applicant if e.applicant_kind == "ENTERPRISE" else None, e.city,
                                                 applicant if e.applicant_kind == "PROVIDER" else None))
        enterprise, city, provider = self._ref(e.originator_id)
        self._touch(position, "enterprise", enterprise)
        self._touch(position, "provider", provider)
        self._touch(position, "city", city)
        self._touch(position, "award_batch", getattr(e, "batch_id", None))

    def _voucher_links(self, name: str, e: Any, position: int) -> None:
        if name == "Issued":
            self.refs.put(str(e.originator_id), (str(e.enterprise_id), e.city, None))
        if name == "Claimed":
            self.refs.put(str(e.claim_id), (None, None, str(e.provider_id)))
        enterprise, city, _ = self._ref(e.originator_id)
        self._touch(position, "enterprise", enterprise)
        self._touch(position, "city", city)
        claim_id = getattr(e, "claim_id", None)
        if claim_id is not None:
            self._touch(position, "provider", self._ref(claim_id)[2])
        self._touch(position, "settlement_batch", getattr(e, "batch_id", None))

    def _batch_links(self, name: str, e: Any, position: int) -> None:
        if name == "Opened":
            self.refs.put(str(e.originator_id), (None, None, str(e.provider_id)))
        self._touch(position, "provider", self._ref(e.originator_id)[2])
        self._touch(position, "voucher", getattr(e, "voucher_id", None))
        if name == "Paid":
            for city in e.by_city:
                self._touch(position, "city", city)
        else:
            self._touch(position, "city", getattr(e, "city", None))

    def write(self, view: ReadModelView, curs: Any) -> None:
        view.insert_rows(curs, "vl_audit_events", EVENT_COLUMNS, self.events)
        view.insert_rows(curs, "vl_audit_entries", ENTRY_COLUMNS, sorted(self.entries))
        view.insert_rows(curs, "vl_eligibility_decisions", ELIGIBILITY_COLUMNS, self.decisions)
        view.insert_rows(curs, "vl_publicity", PUBLICITY_COLUMNS, self.publicity)
