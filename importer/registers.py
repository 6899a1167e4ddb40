"""A store's history as the province's registers: the rows each kind of import file would hold, in the order the
ledger recorded them, with each row's recorded time and actor (``recorded_at``, ``recorded_by``).

Consecutive rows of one kind form a *run*; importing the runs in order into an empty store decides the same
commands in the same order, so it reaches the same figures. (Importing whole kinds one after the other would not:
a claim rejected and its evidence resubmitted, or a quota freed by a rejection, depend on what came between.)

Not exported: recovery collections and write-offs and cloud-discount agreements (no import kind takes them), and
everything that follows from a command (quota uses, evidence keys, flags, settlements of a paid batch). A working
calendar with no day off and no weekend day worked has no row to hold it (the registers are one row per such day).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from ledger.provenance import ImportedRows

Rows = list[dict[str, Any]]
BREAKS = {"carrier-rates", "catalogue", "working-calendars"}  # a year's rows are one command: one event, one run


def history_runs(app: Any) -> list[tuple[str, Rows]]:
    runs: list[tuple[str, Rows]] = []
    for kind, rows in _rows(app):
        if runs and runs[-1][0] == kind and kind not in BREAKS:
            runs[-1][1].extend(rows)
        else:
            runs.append((kind, list(rows)))
    return runs


def _rows(app: Any) -> Iterator[tuple[str, Rows]]:
    uscc: dict[UUID, str] = {}  # enterprise and provider ids -> USCC
    vouchers: dict[UUID, dict[str, Any]] = {}  # voucher id -> its key columns
    batches: dict[UUID, dict[str, Any]] = {}
    shares: dict[UUID, Any] = {}
    position = 0
    while True:
        page = app.recorder.select_notifications(position + 1, 1_000)
        if not page:
            return
        for notification in page:
            position = notification.id
            e = app.mapper.to_domain_event(notification)
            if isinstance(e, ImportedRows.Recorded):
                continue
            name = type(e).__qualname__
            at = {"recorded_at": e.timestamp.isoformat(), "recorded_by": e.actor}
            yield from _event_rows(name, e, at, uscc, vouchers, batches, shares)


def _event_rows(name: str, e: Any, at: dict[str, Any], uscc: dict[UUID, str], vouchers: dict[UUID, dict[str, Any]],
                batches: dict[UUID, dict[str, Any]], shares: dict[UUID, Any]) -> Iterator[tuple[str, Rows]]:
    oid = e.originator_id
    if name == "Enterprise.Registered":
        uscc[oid] = e.uscc
        yield "enterprises", [{"uscc": e.uscc, "name": e.name, "city": e.city, "carrier": e.carrier,
                               "established_on": e.established_on.isoformat(), **at}]
    elif name == "Provider.Admitted":
        uscc[oid] = e.uscc
        yield "providers", [{"uscc": e.uscc, "name": e.name, "kind": e.kind, **at}]
    elif name == "Enterprise.EligibilityDecided":
        yield "eligibility", [{"uscc": uscc[oid], "year": e.year, "prior_year_revenue_fen": e.prior_year_revenue_fen,
                               "serious_misuse_5y": "是" if e.serious_misuse_5y else "否",
                               "effective_at": e.effective_at.isoformat(), **at}]
    elif name in ("CarrierDiscountRates.Set", "CarrierDiscountRates.Revised"):
        if name.endswith("Set"):
            shares[oid] = e.year
        yield "carrier-rates", [{"year": shares[oid], "carrier": c, "rate": str(r), **at} for c, r in e.rates.items()]
    elif name in ("WorkingCalendar.Published", "WorkingCalendar.Revised"):
        if name.endswith("Published"):
            shares[oid] = e.year
        # One row per day off and per weekend day worked; an arrangement with neither has no row to hold it.
        days = sorted([(d, "放假") for d in e.days_off] + [(d, "调休上班") for d in e.workdays])
        reason = getattr(e, "reason", "")  # a revision's; empty: the arrangement as first recorded
        if days:
            yield "working-calendars", [{"year": shares[oid], "date": d.isoformat(), "day": kind, "notice": e.notice,
                                         "reason": reason, **at} for d, kind in days]
    elif name == "Catalogue.Published":
        yield "catalogue", [{"year": e.year, "redemption_deadline": e.redemption_deadline.isoformat(), **item,
                             "rate": str(item["rate"]), **at} for item in e.items]
    elif name in ("CityQuota.Set", "CityQuota.AmountRevised"):
        if name.endswith("Set"):
            shares[oid] = (e.city, e.year, str(e.city_share))
        city, year, share = shares[oid]
        yield "city-quotas", [{"city": city, "year": year, "amount_fen": e.amount_fen, "city_share": share, **at}]
    elif name in ("ProviderQuota.Set", "ProviderQuota.AmountRevised"):
        if name.endswith("Set"):
            shares[oid] = (uscc[e.provider_id], e.year)
        provider, year = shares[oid]
        yield "provider-quotas", [{"uscc": provider, "year": year, "amount_fen": e.amount_fen, **at}]
    elif name == "Provider.AssessmentRecorded":
        yield "assessments", [{"uscc": uscc[oid], "area": e.area, "kind": e.kind, "passed": "是" if e.passed else "否",
                               "assessor": e.assessor, "report_ref": e.report_ref,
                               "effective_at": e.effective_at.isoformat(), **at}]
    elif name == "Provider.Eliminated":
        yield "eliminations", [{"uscc": uscc[oid], "year": e.year, "rating": e.rating,
                                "effective_at": e.effective_at.isoformat(), **at}]
    else:
        yield from _money_rows(name, e, at, uscc, vouchers, batches)


def _money_rows(name: str, e: Any, at: dict[str, Any], uscc: dict[UUID, str], vouchers: dict[UUID, dict[str, Any]],
                batches: dict[UUID, dict[str, Any]]) -> Iterator[tuple[str, Rows]]:
    oid = e.originator_id
    if name == "Voucher.Issued":
        vouchers[oid] = {"uscc": uscc[e.enterprise_id], "year": e.year, "item_id": e.item_id}
        yield "vouchers", [{**vouchers[oid], **at}]
    elif name == "Voucher.Claimed":
        yield "claims", [{**vouchers[oid], "claim_no": str(e.claim_id), "provider_uscc": uscc[e.provider_id],
                          "contract_no": e.contract_no, "contract_date": e.contract_date.isoformat(),
                          "contract_amount_fen": e.contract_amount_fen, "invoice_nos": ";".join(e.invoice_nos),
                          "payment_proven_fen": e.payment_proven_fen, "payment_proof_ref": e.payment_proof_ref,
                          "acceptance_report_ref": e.acceptance_report_ref, "accepted_at": e.effective_at.isoformat(),
                          "no_other_funding": _declared(e.no_other_funding),
                          "fee_category": e.fee_category, "eligible_fee_fen": e.eligible_fee_fen, **at}]
    elif name in ("Voucher.ClaimApproved", "Voucher.ClaimRejected", "Voucher.ClaimReversed", "Voucher.ClaimReleased"):
        decision = {"ClaimApproved": "APPROVE", "ClaimRejected": "REJECT", "ClaimReversed": "REVERSE",
                    "ClaimReleased": "RELEASE"}[name.split(".")[1]]
        effective = getattr(e, "effective_at", None) if decision == "REVERSE" else None
        yield "approvals", [{**vouchers[oid], "claim_no": str(e.claim_id), "decision": decision,
                             "reason": getattr(e, "reason", ""), "effective_at": effective and effective.isoformat(),
                             **at}]
    elif name in ("Voucher.Expired", "Voucher.Revoked"):
        kind = "expiries" if name.endswith("Expired") else "revocations"
        yield kind, [{**vouchers[oid], "reason": getattr(e, "reason", ""), **at}]
    elif name == "SettlementBatch.Opened":
        batches[oid] = {"batch_no": str(oid), "provider_uscc": uscc[e.provider_id], "period": e.period}
    elif name == "SettlementBatch.ClaimAdded":
        yield "settlements", [{**batches[oid], **vouchers[e.voucher_id], "claim_no": str(e.claim_id), **at}]
    elif name == "SettlementBatch.Paid":
        yield "settlements", [{**batches[oid], "paid_at": e.effective_at.isoformat(), **at}]


def _declared(no_other_funding: bool | None) -> str:
    """The claim's declaration as the import file states it; empty for a claim made before declarations existed."""
    if no_other_funding is None:
        return ""
    return "是" if no_other_funding else "否"
