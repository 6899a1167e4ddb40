"""Golden list of the names a store holds as data. Every name below is written literally, on purpose.

A store written by any earlier version holds these names: event and aggregate topics inside events, the application
name in table names and tracking rows, the tables themselves. Removing or renaming one would leave a store that no
longer decodes, or projections that silently skip old events. So the lists here only ever grow:

* A NEW event class (or aggregate): append its topic to ``EVENT_TOPICS`` (``AGGREGATE_TOPICS``) in
  ``ledger/stored_names.py`` AND to the same list in this file.
* A MOVED or RENAMED class: keep the old topic in both lists, make it resolve with
  ``eventsourcing.utils.register_topic("old.module:Old.Name", NewClass)`` in the module that defines the class (or
  give the class a ``TOPIC = "old.module:Old.Name"`` attribute, which keeps new events under the old name too), and
  append the new topic if it differs.
* A NEW read-model table (a new migration): append it to ``READ_MODEL_TABLES``; a new projection to
  ``PROJECTION_NAMES``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import uuid4

import eventsourcing.utils
import pytest
from eventsourcing.utils import get_topic, register_topic, resolve_topic

import ledger
import ledger.errors
from store.opening import open_ledger
from ledger import stored_names
from ledger.answered_requests import AnsweredRequest
from ledger.application import VoucherLedger
from ledger.errors import VoucherExhaustedError, all_error_codes
from ledger.recording import By, LedgerAggregate
from ledger.stored_names import StoredTopicError, stored_topics
from ledger.voucher import Voucher
from projections.base import LedgerProjection
from projections.runner import PROJECTIONS, catch_up, close_projections, open_projections
from tests.support.projection_helpers import lean, raw
from tests.support.scenario import World

APPLICATION_NAME = "VoucherLedger"

AGGREGATE_TOPICS = (
    "ledger.answered_requests:AnsweredRequest",
    "ledger.catalogue:Catalogue",
    "ledger.claim_key:ClaimKey",
    "ledger.discounts:CarrierDiscountRates",
    "ledger.discounts:CloudDiscountAgreement",
    "ledger.discounts:NetworkDiscountGrant",
    "ledger.enterprise:Enterprise",
    "ledger.evidence_keys:ContractKey",
    "ledger.evidence_keys:InvoiceKey",
    "ledger.evidence_keys_derivation:EvidenceKeysDerivation",
    "ledger.provenance:ImportedRows",
    "ledger.provider:Provider",
    "ledger.quotas:CityQuota",
    "ledger.quotas:ProviderQuota",
    "ledger.settlement:SettlementBatch",
    "ledger.voucher:Voucher",
    "ledger.programme:Programme",
    "ledger.programme:ProgrammeYear",
    "ledger.training:TrainingMark",
    "ledger.publicity:PublicityList",
    "ledger.evaluation:ServiceRating",
    "ledger.evaluation:Complaint",
    "ledger.evaluation:ProviderReview",
    "ledger.evaluation:PoolEvaluation",
    "ledger.award_programmes:AwardProgramme",
    "ledger.award_programmes:AwardRoster",
    "ledger.awards:Award",
    "ledger.award_batches:AwardBatch",
    "ledger.console_sign_ins:ConsoleSignIn",
    "ledger.working_calendar:WorkingCalendar",
)

EVENT_TOPICS = (
    "ledger.answered_requests:AnsweredRequest.Answered",
    "ledger.catalogue:Catalogue.Published",
    "ledger.claim_key:ClaimKey.Registered",
    "ledger.discounts:CarrierDiscountRates.Revised",
    "ledger.discounts:CarrierDiscountRates.Set",
    "ledger.discounts:CloudDiscountAgreement.Agreed",
    "ledger.discounts:NetworkDiscountGrant.Granted",
    "ledger.enterprise:Enterprise.EligibilityCorrected",
    "ledger.enterprise:Enterprise.EligibilityDecided",
    "ledger.enterprise:Enterprise.Registered",
    "ledger.evidence_keys:ContractKey.PartAdded",
    "ledger.evidence_keys:ContractKey.PartReleased",
    "ledger.evidence_keys:ContractKey.Registered",
    "ledger.evidence_keys:InvoiceKey.Registered",
    "ledger.evidence_keys:InvoiceKey.Released",
    "ledger.evidence_keys:InvoiceKey.Taken",
    "ledger.evidence_keys_derivation:EvidenceKeysDerivation.Completed",
    "ledger.provenance:ImportedRows.Recorded",
    "ledger.provider:Provider.Admitted",
    "ledger.provider:Provider.AssessmentRecorded",
    "ledger.provider:Provider.Eliminated",
    "ledger.provider:Provider.Suspended",
    "ledger.provider:Provider.Whitelisted",
    "ledger.quotas:CityQuota.AmountRevised",
    "ledger.quotas:CityQuota.Returned",
    "ledger.quotas:CityQuota.Set",
    "ledger.quotas:CityQuota.Used",
    "ledger.quotas:ProviderQuota.AmountRevised",
    "ledger.quotas:ProviderQuota.Returned",
    "ledger.quotas:ProviderQuota.Set",
    "ledger.quotas:ProviderQuota.Used",
    "ledger.settlement:SettlementBatch.ClaimAdded",
    "ledger.settlement:SettlementBatch.ClaimWithdrawn",
    "ledger.settlement:SettlementBatch.Opened",
    "ledger.settlement:SettlementBatch.Paid",
    "ledger.settlement:SettlementBatch.RecoveryCollected",
    "ledger.settlement:SettlementBatch.RecoveryRaised",
    "ledger.settlement:SettlementBatch.RecoveryWrittenOff",
    "ledger.voucher:Voucher.ClaimApproved",
    "ledger.voucher:Voucher.ClaimBatched",
    "ledger.voucher:Voucher.ClaimFlagged",
    "ledger.voucher:Voucher.ClaimRejected",
    "ledger.voucher:Voucher.ClaimReleased",
    "ledger.voucher:Voucher.ClaimReversed",
    "ledger.voucher:Voucher.ClaimSettled",
    "ledger.voucher:Voucher.Claimed",
    "ledger.voucher:Voucher.Expired",
    "ledger.voucher:Voucher.Issued",
    "ledger.voucher:Voucher.Revoked",
    "ledger.voucher:Voucher.ValueReturned",
    "ledger.programme:Programme.Defined",
    "ledger.programme:Programme.YearOpened",
    "ledger.programme:ProgrammeYear.Opened",
    "ledger.training:TrainingMark.Marked",
    "ledger.voucher:Voucher.ClaimPublicised",
    "ledger.publicity:PublicityList.Opened",
    "ledger.publicity:PublicityList.ObjectionLodged",
    "ledger.publicity:PublicityList.ClaimUpheld",
    "ledger.publicity:PublicityList.ObjectionSustained",
    "ledger.publicity:PublicityList.Closed",
    "ledger.evaluation:ServiceRating.Rated",
    "ledger.evaluation:Complaint.Filed",
    "ledger.evaluation:ProviderReview.Opened",
    "ledger.evaluation:ProviderReview.RatingCounted",
    "ledger.evaluation:ProviderReview.ComplaintCounted",
    "ledger.evaluation:ProviderReview.Evaluated",
    "ledger.evaluation:PoolEvaluation.Run",
    "ledger.award_programmes:AwardProgramme.Defined",
    "ledger.award_programmes:AwardRoster.Started",
    "ledger.award_programmes:AwardRoster.PlaceTaken",
    "ledger.award_programmes:AwardRoster.PlaceReleased",
    "ledger.awards:Award.Applied",
    "ledger.awards:Award.Recommended",
    "ledger.awards:Award.Refused",
    "ledger.awards:Award.Selected",
    "ledger.awards:Award.NationallyRecommended",
    "ledger.awards:Award.Granted",
    "ledger.awards:Award.Batched",
    "ledger.awards:Award.Paid",
    "ledger.awards:Award.RecoveryRaised",
    "ledger.awards:Award.RecoveryCollected",
    "ledger.awards:Award.RecoveryWrittenOff",
    "ledger.award_batches:AwardBatch.Opened",
    "ledger.award_batches:AwardBatch.AwardAdded",
    "ledger.award_batches:AwardBatch.Paid",
    "ledger.awards:Award.TitleWithdrawn",
    "ledger.evidence_keys:ContractKey.Opened",
    "ledger.evidence_keys:ContractKey.OtherFundingRecorded",
    "ledger.evidence_keys:ContractKey.AwardFunded",
    "ledger.console_sign_ins:ConsoleSignIn.LinkUsed",
    "ledger.working_calendar:WorkingCalendar.Published",
    "ledger.working_calendar:WorkingCalendar.Revised",
)

SNAPSHOT_TOPIC = "eventsourcing.domain:Snapshot"  # the library's class; the aggregate's topic is inside its state
TRANSCODING_NAMES = ("date_iso",)  # ours, written as {"_type_": "date_iso", ...} inside event states

EVENTS_TABLE = {"sqlite": "stored_events", "postgres": "voucherledger_events"}
SNAPSHOTS_TABLE = {"sqlite": "stored_snapshots", "postgres": "voucherledger_snapshots"}

READ_MODEL_TABLES = (
    "vl_audit_entries",
    "vl_audit_events",
    "vl_audit_refs",
    "vl_batch_line_amounts",
    "vl_batch_lines",
    "vl_batches",
    "vl_city_daily",
    "vl_city_monthly",
    "vl_claim_holds",
    "vl_dropped_indexes",
    "vl_eligibility_decisions",
    "vl_idempotency_keys",
    "vl_journal_claims",
    "vl_journal_entries",
    "vl_journal_postings",
    "vl_journal_vouchers",
    "vl_list_batches",
    "vl_list_claims",
    "vl_list_enterprises",
    "vl_list_vouchers",
    "vl_money_claims",
    "vl_money_movements",
    "vl_money_quotas",
    "vl_money_vouchers",
    "vl_provider_daily",
    "vl_provider_monthly",
    "vl_providers",
    "vl_publicity",
    "vl_schema_migrations",
    "vl_whitelist_history",
)
READ_MODEL_VIEWS = ("vl_audit_trail",)

# Each projection's tracking table is "<name>_tracking" on both stores; its rows are keyed by APPLICATION_NAME, and
# the library marks the table's layout with a row of its own.
TRACKING_ROWS = (APPLICATION_NAME, "__migration__")
PROJECTION_NAMES = ("audit_trail", "journal", "lists", "money_flows", "settlement_batches", "whitelist")

HOW_TO_ADD = __doc__


def _todays_aggregates() -> list[type]:
    """Every aggregate class the ledger can record: the leaves below LedgerAggregate, in every ledger module."""
    for module in pkgutil.walk_packages(ledger.__path__, "ledger."):
        importlib.import_module(module.name)
    found, pending = [], [LedgerAggregate]
    while pending:
        cls = pending.pop()
        children = cls.__subclasses__()
        pending.extend(children)
        if not children and cls.__module__.startswith("ledger."):
            found.append(cls)
    return found


def _todays_event_classes() -> list[type]:
    """The event classes of every aggregate. ``Event`` and ``Created`` are the bases the library defines on each
    aggregate; the ledger never records them (every aggregate starts with a named ``Created`` subclass)."""
    return [
        value
        for aggregate in _todays_aggregates()
        for name in dir(aggregate)
        if name not in ("Event", "Created")
        and isinstance(value := getattr(aggregate, name), type) and issubclass(value, LedgerAggregate.Event)
    ]


def _unresolvable(topics: Iterable[str], classes: list[type]) -> list[str]:
    """Pinned topics that no longer lead to one of today's classes (events stored under them would not decode)."""
    lost = []
    for topic in topics:
        try:
            if resolve_topic(topic) not in classes:
                lost.append(topic)
        except eventsourcing.utils.TopicError:
            lost.append(topic)
    return lost


def test_the_pinned_module_holds_exactly_the_names_listed_here():
    assert len(set(EVENT_TOPICS)) == len(EVENT_TOPICS) and len(set(AGGREGATE_TOPICS)) == len(AGGREGATE_TOPICS)
    assert sorted(stored_names.EVENT_TOPICS) == sorted(EVENT_TOPICS), HOW_TO_ADD
    assert sorted(stored_names.AGGREGATE_TOPICS) == sorted(AGGREGATE_TOPICS), HOW_TO_ADD
    assert stored_names.APPLICATION_NAME == APPLICATION_NAME
    assert VoucherLedger.name == APPLICATION_NAME


def test_every_event_class_of_today_has_a_pinned_topic():
    unpinned = sorted({get_topic(cls) for cls in _todays_event_classes()} - set(EVENT_TOPICS))
    assert unpinned == [], f"event topics not pinned: {unpinned}\n{HOW_TO_ADD}"
    unpinned = sorted({get_topic(cls) for cls in _todays_aggregates()} - set(AGGREGATE_TOPICS))
    assert unpinned == [], f"aggregate topics not pinned: {unpinned}\n{HOW_TO_ADD}"


def test_every_pinned_topic_still_resolves_to_a_class_of_today():
    lost = _unresolvable(EVENT_TOPICS, _todays_event_classes()) + _unresolvable(AGGREGATE_TOPICS, _todays_aggregates())
    assert lost == [], f"stored topics that no longer resolve: {lost}\n{HOW_TO_ADD}"


def test_snapshots_and_dates_keep_their_stored_names():
    app = VoucherLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        for aggregate in VoucherLedger.snapshotting_intervals:
            assert get_topic(aggregate.Snapshot) == SNAPSHOT_TOPIC
        assert set(TRANSCODING_NAMES) <= set(app.mapper.transcoder.names)  # type: ignore[attr-defined]
    finally:
        app.close()


def test_a_refusal_kept_under_an_idempotency_key_resolves_by_its_topic_in_the_errors_module():
    """An answered key names its refusal's class by topic (``ledger/answered_requests.py``); stores hold refusals
    recorded as ``ledger.errors:<Name>``, so every error class resolves from there, whichever module defines it."""
    lost = [cls.__name__ for cls in all_error_codes().values()
            if _unresolvable([f"ledger.errors:{cls.__name__}"], [cls])]
    assert lost == [], f"refusal topics that no longer resolve: {lost}"
    defined = [c for m in pkgutil.iter_modules(ledger.errors.__path__, "ledger.errors.")
               for c in vars(importlib.import_module(m.name)).values() if isinstance(c, type)
               and issubclass(c, Exception) and c.__module__.startswith("ledger.errors")]
    assert len(defined) >= len(all_error_codes())
    assert {get_topic(c) for c in defined} == {f"ledger.errors:{c.__name__}" for c in defined}  # what stores get
    refusal = AnsweredRequest.refused(By(actor="test", at=datetime(2020, 3, 2, tzinfo=UTC), correlation_id="c"),
                                      request_id=uuid4(), fingerprint="f", refusal=VoucherExhaustedError("spent"))
    refusal.refusal_topic = "ledger.errors:VoucherExhaustedError"  # as a store written before holds it
    with pytest.raises(VoucherExhaustedError, match="spent"):
        refusal.replay("f")


@pytest.fixture
def isolated_topic_registry(monkeypatch):
    """The library's topic registry is process-wide: let a test register a topic without leaking it."""
    monkeypatch.setattr(eventsourcing.utils, "_topic_cache", dict(eventsourcing.utils._topic_cache))


def test_a_moved_class_keeps_its_stored_topic_once_the_old_one_is_registered(isolated_topic_registry, monkeypatch):
    old = "ledger.vouchers:Voucher.Claimed"  # where a restructure might have moved the class from
    pinned = (*EVENT_TOPICS, old)
    assert _unresolvable(pinned, _todays_event_classes()) == [old]  # moved without registration: refused
    with pytest.raises(StoredTopicError, match="no longer resolves"):
        stored_topics(Voucher.Claimed, pinned)

    register_topic(old, Voucher.Claimed)
    assert _unresolvable(pinned, _todays_event_classes()) == []
    assert resolve_topic(old) is Voucher.Claimed
    # Projections select by the pinned list, so a rebuild reads the events stored under both names.
    monkeypatch.setattr(stored_names, "EVENT_TOPICS", pinned)

    class ClaimsSeen(LedgerProjection):
        name = "claims_seen"
        handlers = {Voucher.Claimed: "claimed"}

    assert set(ClaimsSeen.topics) == {"ledger.voucher:Voucher.Claimed", old}


def test_a_projection_of_an_unpinned_event_class_is_refused(monkeypatch):
    monkeypatch.setattr(stored_names, "EVENT_TOPICS", tuple(t for t in EVENT_TOPICS if not t.endswith(".Claimed")))
    with pytest.raises(StoredTopicError, match="append it there and to tests/integration/test_stored_names.py"):
        class ClaimsSeen(LedgerProjection):
            name = "claims_seen"
            handlers = {Voucher.Claimed: "claimed"}


def test_projections_select_the_pinned_topics_of_their_classes():
    for projection in PROJECTIONS.values():
        expected = {get_topic(cls) for cls in projection.handlers}
        assert set(projection.topics) == expected and expected <= set(EVENT_TOPICS)


def test_the_store_has_exactly_the_pinned_tables_and_tracking_names(store_settings):
    settings = lean(store_settings)
    app = open_ledger(settings)
    projections = open_projections(settings)
    try:
        World.with_year(app, 2019)
        catch_up(app, projections)
    finally:
        close_projections(projections)
        app.close()
    assert sorted(PROJECTIONS) == sorted(PROJECTION_NAMES)
    with raw(settings) as conn:
        if settings.store == "sqlite":
            found = conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
            kinds = {"table": "table", "view": "view"}
        else:
            found = conn.execute("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
                                 (settings.postgres_schema,)).fetchall()
            kinds = {"BASE TABLE": "table", "VIEW": "view"}
        tables = {name for name, kind in found if kinds[kind] == "table"}
        views = {name for name, kind in found if kinds[kind] == "view"}
        trackers = {f"{name}_tracking" for name in PROJECTION_NAMES}
        expected = {EVENTS_TABLE[settings.store], SNAPSHOTS_TABLE[settings.store], *READ_MODEL_TABLES, *trackers}
        assert sorted(tables) == sorted(expected), HOW_TO_ADD
        assert sorted(views) == sorted(READ_MODEL_VIEWS), HOW_TO_ADD
        for tracker in sorted(trackers):
            names = conn.execute(f"SELECT DISTINCT application_name FROM {tracker}").fetchall()
            assert sorted(name for (name,) in names) == sorted(TRACKING_ROWS)
