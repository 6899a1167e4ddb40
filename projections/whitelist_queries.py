"""The whitelist as of T, known at K: providers' statuses, their history, and the claims held after a suspension
recorded late (the whitelist projection's tables; which rows count is :mod:`projections.bitemporal`'s rule).

A status is worked out from the assessment rows known at K, by the aggregate's own rule
(:mod:`ledger.whitelist_status`), never read off the Suspended / Whitelisted rows: those announce what each
assessment changed when it was recorded, and a store written before the rule was fixed holds announcements that
treated the latest *recorded* result as the latest."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from ledger import whitelist_status as rule
from projections.bitemporal import counted, counted_once
from projections.times import shanghai_year
from projections.view import ReadModelView
from projections import whitelist_reasons as reasons
from projections.whitelist_reasons import assessment_kind, reason_zh

ASSESSED, ANNOUNCED = "Provider.AssessmentRecorded", ("Provider.Suspended", "Provider.Whitelisted")
ADMITTED = "Provider.Admitted"


def assessments(db: ReadModelView, as_of_us: int, known_at_us: int | None = None,
                provider_ids: list[str] | None = None) -> dict[str, list[rule.AreaResult]]:
    """Per provider (all, or ``provider_ids``), its assessments in effect by T and known at K, each with its history
    row (a dict) as ``ref``."""
    when = counted(as_of_us, known_at_us)
    among, ids = SQL(""), ()
    if provider_ids is not None:
        if not provider_ids:
            return {}
        among, ids = SQL(" AND provider_id IN ({})").format(SQL(", ").join([SQL("?")] * len(provider_ids))), provider_ids
    rows = db.fetchall(
        SQL("SELECT provider_id, position, area, passed, effective_us, recorded_us, reason, actor "
            "FROM vl_whitelist_history WHERE event_type = ? AND {}{} ORDER BY position").format(when.sql, among),
        (ASSESSED, *when.params, *ids),
    )
    found: dict[str, list[rule.AreaResult]] = {}
    for pid, position, area, passed, effective_us, recorded_us, reason, actor in rows:
        ref = {"position": position, "recorded_us": recorded_us, "actor": actor}
        found.setdefault(pid, []).append(rule.AreaResult(area, bool(passed), effective_us, position,
                                                         assessment_kind(reason), ref))
    return found


def statuses(db: ReadModelView, as_of_us: int, known_at_us: int | None = None,
             provider_ids: list[str] | None = None) -> dict[str, str]:
    """The status at T, known at K, of each provider (all, or ``provider_ids``) admitted by then."""
    admitted = counted_once("admitted_us", as_of_us, known_at_us)
    among, ids = SQL(""), ()
    if provider_ids is not None:
        if not provider_ids:
            return {}
        among, ids = SQL(" AND provider_id IN ({})").format(SQL(", ").join([SQL("?")] * len(provider_ids))), provider_ids
    pids = [r[0] for r in db.fetchall(SQL("SELECT provider_id FROM vl_providers WHERE {}{}").format(
        admitted.sql, among), (*admitted.params, *ids))]
    results = assessments(db, as_of_us, known_at_us, pids)
    return {pid: rule.status_at(results.get(pid, ()), as_of_us).value for pid in pids}


def provider_status(db: ReadModelView, provider_id: str, as_of_us: int, known_at_us: int | None = None) -> str | None:
    """The provider's status at T, known at K (None before its admission): the latest effective result of each area
    decides, so a pass recorded late with an effective time before a failure does not lift it."""
    return statuses(db, as_of_us, known_at_us, [provider_id]).get(provider_id)


def whitelist(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, after_uscc: str = "",
              limit: int = 200) -> list[dict[str, Any]]:
    """Providers admitted by T, in USCC order after ``after_uscc`` (a page of at most ``limit``), with their status
    at T (PENDING_ASSESSMENT until a first assessment) and whether they are eliminated for T's fiscal year."""
    when = counted(as_of_us, known_at_us)
    admitted = counted_once("admitted_us", as_of_us, known_at_us, table="p")  # admission: effective when recorded
    rows = db.fetchall(
        SQL("SELECT p.provider_id, p.uscc, p.name, p.kind, "
            "(SELECT COUNT(*) FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id "
            " AND h.eliminated_year = ? AND {when}) "
            "FROM vl_providers p WHERE p.uscc > ? AND {admitted} ORDER BY p.uscc LIMIT ?").format(
            when=counted(as_of_us, known_at_us, table="h").sql, admitted=admitted.sql),
        (shanghai_year(as_of_us), *when.params, after_uscc, *admitted.params, limit),
    )
    status = statuses(db, as_of_us, known_at_us, [r[0] for r in rows])
    return [{"provider_id": r[0], "uscc": r[1], "name": r[2], "kind": r[3], "status": status.get(r[0]),
             "eliminated_this_year": bool(r[4])} for r in rows]


HISTORY_COLUMNS = ("position", "event_type", "status", "effective_us", "recorded_us", "area", "passed",
                   "eliminated_year", "reason", "actor", "reason_zh")


def whitelist_history(db: ReadModelView, provider_id: str, as_of_us: int,
                      known_at_us: int | None = None) -> list[dict[str, Any]]:
    """Every row in effect by T and known at K, in effective order; the status changes are those of the timeline
    the known assessments make (each at the position and recorded time of the latest assessment it rests on)."""
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT position, event_type, status, effective_us, recorded_us, area, passed, eliminated_year, reason, "
            "actor, reason_zh FROM vl_whitelist_history WHERE provider_id = ? AND {} ORDER BY effective_us, position").format(
            when.sql),
        (provider_id, *when.params),
    )
    history = [dict(zip(HISTORY_COLUMNS, r, strict=True)) for r in rows if r[1] not in ANNOUNCED]
    results = assessments(db, as_of_us, known_at_us, [provider_id]).get(provider_id, [])
    history += [_change_row(change, results) for change in rule.timeline(results)]
    history.sort(key=lambda row: (row["effective_us"], row["position"], row["event_type"] in ANNOUNCED))
    for row in history:
        row["reason_zh"] = reason_zh(row["reason_zh"], row["reason"])  # the row's own, or its English reason's
    return history


def _change_row(change: rule.StatusChange, results: list[rule.AreaResult]) -> dict[str, Any]:
    basis = max((r for r in results if r.effective <= change.effective), key=lambda r: r.order)
    suspended = change.status == rule.WhitelistStatus.SUSPENDED
    if suspended:
        reason = rule.suspension_reason(change.cause.kind, change.cause.area)
        reason_zh = reasons.suspended(change.cause.kind, change.cause.area)
    else:
        reinstated = change.previous == rule.WhitelistStatus.SUSPENDED
        reason, reason_zh = reasons.whitelisted_en(reinstated), reasons.whitelisted(reinstated)
    return {"position": basis.ref["position"], "event_type": ANNOUNCED[0] if suspended else ANNOUNCED[1],
            "status": change.status.value, "effective_us": change.effective, "recorded_us": basis.ref["recorded_us"],
            "area": None, "passed": None, "eliminated_year": None, "reason": reason, "actor": change.cause.ref["actor"],
            "reason_zh": reason_zh}


def claims_held(db: ReadModelView, provider_id: str, as_of_us: int,
                known_at_us: int | None = None) -> list[dict[str, Any]]:
    """Claims against a provider held from settlement after a suspension recorded late, as of T known at K: the flag
    counts, and no release or reversal does yet."""
    flag, end = counted(as_of_us, known_at_us, table="h"), counted(as_of_us, known_at_us, table="x")
    rows = db.fetchall(
        SQL("SELECT h.claim_id, h.voucher_id, h.held_fen, h.effective_us, h.recorded_us FROM vl_claim_holds h "
            "WHERE h.provider_id = ? AND h.event_type = 'Voucher.ClaimFlagged' AND h.held_fen > 0 AND {} "
            "AND NOT EXISTS (SELECT 1 FROM vl_claim_holds x WHERE x.claim_id = h.claim_id "
            "AND x.event_type <> 'Voucher.ClaimFlagged' AND {}) ORDER BY h.position").format(flag.sql, end.sql),
        (provider_id, *flag.params, *end.params),
    )
    keys = ("claim_id", "voucher_id", "held_fen", "held_from_us", "recorded_us")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def pool_providers(db: ReadModelView) -> list[str]:
    """Every provider admitted to the resource pool, as known now, in USCC order: the providers a year's evaluation
    names."""
    return [str(r[0]) for r in db.fetchall(SQL("SELECT provider_id FROM vl_providers ORDER BY uscc"), ())]
