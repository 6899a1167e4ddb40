"""Names the store holds as data: the application's name and every event and aggregate topic ever written.

A stored event carries its class's topic (``module:Class.Event``) and every ``Created`` event the topic of its
aggregate class, so moving or renaming a class would leave old events that no longer decode, and a projection that
asked ``get_topic`` for its classes would silently skip them on rebuild. These lists are therefore append-only:
a topic stays here for as long as any store may hold it. When a class moves, keep its old topic resolving with
``eventsourcing.utils.register_topic(old_topic, NewClass)`` (or a ``TOPIC`` class attribute) and add the new topic
beside the old one. ``tests/integration/test_stored_names.py`` holds its own copy of these lists and fails on any difference.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.utils import TopicError, get_topic, resolve_topic

# The library names the PostgreSQL tables after it (voucherledger_events, voucherledger_snapshots), and every
# projection's tracking rows carry it.
APPLICATION_NAME = "VoucherLedger"

AGGREGATE_TOPICS: tuple[str, ...] = (
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

EVENT_TOPICS: tuple[str, ...] = (
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

# What a store is given when it is opened (store.opening.prepare_store), before any command: its programme and, on a
# training clock, its training mark. A store holding only these counts as empty for a writer that starts on one.
SET_UP_TOPICS: tuple[str, ...] = (
    "ledger.programme:Programme.Defined",
    "ledger.programme:Programme.YearOpened",
    "ledger.programme:ProgrammeYear.Opened",
    "ledger.training:TrainingMark.Marked",
)


class StoredTopicError(LookupError):
    """A topic that is stored or about to be stored, but is not pinned here or no longer resolves."""


def stored_topics(event_class: type, pinned: Sequence[str] | None = None) -> tuple[str, ...]:
    """Every pinned topic whose events decode to ``event_class``: today's and, once registered, its old ones."""
    pinned = EVENT_TOPICS if pinned is None else pinned
    found = tuple(topic for topic in pinned if _resolve(topic) is event_class)
    if get_topic(event_class) not in found:
        raise StoredTopicError(
            f"{get_topic(event_class)} is not in ledger/stored_names.py EVENT_TOPICS: append it there and to "
            "tests/integration/test_stored_names.py, so that projections select its events by a name that never changes"
        )
    return found


def _resolve(topic: str) -> object:
    try:
        return resolve_topic(topic)
    except TopicError as exc:
        raise StoredTopicError(
            f"stored topic {topic} no longer resolves: stores may hold events under it, so register it for the class "
            f"that now holds those events (eventsourcing.utils.register_topic({topic!r}, NewClass))"
        ) from exc
