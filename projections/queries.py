"""Figures as of a time: indexed queries over the projections' per-event rows (never a replay).

Every function takes ``as_of_us`` (microseconds since the epoch, UTC; see :mod:`projections.times`) and
``known_at_us``, and counts a row when its *effective* time is at or before ``as_of`` and its *recorded* time is at or
before ``known_at`` (None: known now, every row recorded so far). "As of 5 March, known then" and "as of 5 March,
known now" differ exactly by the facts recorded after 5 March with effect before it (:mod:`projections.late_facts`).
Per-city and per-provider sums read the daily totals of the days before ``as_of`` and the rows of its own day, and take
back the rows recorded after ``known_at``, so their cost does not grow with the length of the history.
Amounts are integer fen. A ``*_city_fen`` column is the city's portion; the province paid the rest.
"""

from __future__ import annotations

from typing import Any

from projections.audit_summaries import city_share_of_payment
from projections.money_flows import AMOUNTS
from projections.spend import RECOVERY_FIGURES, spend_figure
from projections.times import shanghai_day, shanghai_year, start_of_shanghai_day_us
from projections.view import ReadModelView

STAGES = ("claimed", "approved", "settled", "reversed", "recovered")
SPEND_FIGURES = (*STAGES, "spend", *RECOVERY_FIGURES)
FUND_SOURCES = ("province", "city")
_SUMS = ", ".join(f"COALESCE(SUM({c}), 0)" for c in AMOUNTS)


def known(known_at_us: int | None, column: str = "recorded_us") -> tuple[str, tuple]:
    """The "known at K" filter as an SQL fragment and its parameters: nothing when K is None (known now)."""
    return ("", ()) if known_at_us is None else (f" AND {column} <= ?", (known_at_us,))


def _figures(values: tuple) -> dict[str, int]:
    return dict(zip(AMOUNTS, (int(v) for v in values), strict=True))


def _remaining(f: dict[str, int]) -> int:
    return f["face_fen"] - f["claimed_fen"] - f["approved_fen"] - f["settled_fen"] - f["returned_fen"]


def _money(f: dict[str, int]) -> dict[str, int]:
    return {
        "face_value_fen": f["face_fen"],
        **{f"{stage}_fen": f[f"{stage}_fen"] for stage in STAGES},
        "returned_fen": f["returned_fen"],
        "remaining_fen": _remaining(f),
    }


def voucher_balance(db: ReadModelView, voucher_id: str, as_of_us: int,
                    known_at_us: int | None = None) -> dict[str, Any] | None:
    """A voucher's figures as of T (known at K), or None if it had not been issued by then."""
    k, kp = known(known_at_us)
    head = db.fetchone(
        "SELECT enterprise_id, city, programme_year, fee_category, effective_us FROM vl_money_movements "
        f"WHERE voucher_id = ? AND event_type = 'Voucher.Issued' AND effective_us <= ?{k}",
        (voucher_id, as_of_us, *kp),
    )
    if head is None:
        return None
    sums = db.fetchone(f"SELECT {_SUMS} FROM vl_money_movements WHERE voucher_id = ? AND effective_us <= ?{k}",
                       (voucher_id, as_of_us, *kp))
    status = db.fetchone(
        f"SELECT voucher_status FROM vl_money_movements WHERE voucher_id = ? AND effective_us <= ?{k} "
        "AND voucher_status IS NOT NULL ORDER BY effective_us DESC, position DESC LIMIT 1",
        (voucher_id, as_of_us, *kp),
    )
    return {"voucher_id": voucher_id, "enterprise_id": head[0], "city": head[1], "programme_year": head[2],
            "fee_category": head[3], "status": status[0], **_money(_figures(sums))}


def enterprise_totals(db: ReadModelView, enterprise_id: str, as_of_us: int,
                      known_at_us: int | None = None) -> list[dict[str, Any]]:
    """An enterprise's voucher figures per programme (fiscal) year, as of T (known at K)."""
    k, kp = known(known_at_us)
    rows = db.fetchall(
        f"SELECT programme_year, SUM(CASE WHEN event_type = 'Voucher.Issued' THEN 1 ELSE 0 END), {_SUMS} "
        f"FROM vl_money_movements WHERE enterprise_id = ? AND effective_us <= ?{k} "
        "GROUP BY programme_year ORDER BY programme_year",
        (enterprise_id, as_of_us, *kp),
    )
    return [{"programme_year": r[0], "vouchers": int(r[1]), **_money(_figures(r[2:]))} for r in rows]


def _daily_sums(db: ReadModelView, owner: str, owner_id: str, as_of_us: int, known_at_us: int | None) -> list[tuple]:
    """(programme_year, cash_year, fee_category, *AMOUNTS) sums as of T known at K: whole days from the daily table,
    T's day from the movements, less the rows of earlier days recorded after K."""
    table = "vl_city_daily" if owner == "city" else "vl_provider_daily"
    keys = "programme_year, cash_year, fee_category"
    before = db.fetchall(
        f"SELECT {keys}, {_SUMS} FROM {table} WHERE {owner} = ? AND effective_day < ? GROUP BY {keys}",
        (owner_id, shanghai_day(as_of_us)),
    )
    k, kp = known(known_at_us)
    moved = f"SELECT programme_year, cash_year, COALESCE(fee_category, ''), {_SUMS} FROM vl_money_movements "
    grouped = " GROUP BY programme_year, cash_year, COALESCE(fee_category, '')"
    day_start = start_of_shanghai_day_us(as_of_us)
    today = db.fetchall(f"{moved}WHERE {owner} = ? AND effective_us >= ? AND effective_us <= ?{k}{grouped}",
                        (owner_id, day_start, as_of_us, *kp))
    late = [] if known_at_us is None else db.fetchall(
        f"{moved}WHERE {owner} = ? AND recorded_us > ? AND effective_us < ?{grouped}", (owner_id, known_at_us, day_start))
    merged: dict[tuple, list[int]] = {}
    for sign, found in ((1, before), (1, today), (-1, late)):
        for row in found:
            total = merged.setdefault(tuple(row[:3]), [0] * len(AMOUNTS))
            for i, value in enumerate(row[3:]):
                total[i] += sign * int(value)
    return [(*key, *values) for key, values in sorted(merged.items())]


def city_spend(db: ReadModelView, city: str, as_of_us: int, known_at_us: int | None = None, *, year: int | None = None,
               year_kind: str = "programme",
               fee_category: str | None = None, fund_source: str | None = None,
               stage: str | None = None) -> dict[str, Any]:
    """Per-city spend as of T by programme year, cash year, fee category, fund source and stage; and the quotas.

    ``spend_fen`` is settled minus recovered (DOMAIN.md, Settlement); beside it, recoveries collected, written off
    and outstanding (recovered − collected − written off), and cash out (settled − collected). Filters narrow the
    lines; the quota block follows the programme-year filter only.
    """
    if year_kind not in ("programme", "cash"):
        raise ValueError("year_kind is 'programme' or 'cash'")
    lines, quotas = [], {}
    for programme_year, cash_year, category, *values in _daily_sums(db, "city", city, as_of_us, known_at_us):
        f = _figures(tuple(values))
        if year is None or year_kind == "cash" or programme_year == year:
            q = quotas.setdefault(programme_year, {"quota_set_fen": 0, "issued_fen": 0, "quota_used_fen": 0})
            q["quota_set_fen"] += f["quota_set_fen"]
            q["issued_fen"] += f["face_fen"]
            q["quota_used_fen"] += f["quota_used_fen"]
        if not category:
            continue  # quota rows
        if year is not None and (programme_year if year_kind == "programme" else cash_year) != year:
            continue
        if fee_category is not None and category != fee_category:
            continue
        for source in FUND_SOURCES:
            if fund_source is not None and source != fund_source:
                continue
            for name in SPEND_FIGURES:
                if stage is not None and name != stage:
                    continue
                total, city_part = spend_figure(f, name), spend_figure(f, name, "_city_fen")
                amount = city_part if source == "city" else total - city_part
                lines.append({"programme_year": programme_year, "cash_year": cash_year, "fee_category": category,
                              "fund_source": source, "stage": name, "amount_fen": amount})
    for q in quotas.values():
        q["quota_remaining_fen"] = q["quota_set_fen"] - q["quota_used_fen"]
    return {"city": city, "lines": lines, "quotas": dict(sorted(quotas.items()))}


def provider_status(db: ReadModelView, provider_id: str, as_of_us: int, known_at_us: int | None = None) -> str | None:
    """The status set by the provider's latest event (in the ledger's order) among those in effect by T: a failure
    reported late, with an earlier effective time, still overrides a reinstatement recorded before it."""
    k, kp = known(known_at_us)
    row = db.fetchone(
        "SELECT status FROM vl_whitelist_history WHERE provider_id = ? AND status IS NOT NULL AND effective_us <= ?"
        f"{k} ORDER BY position DESC LIMIT 1",
        (provider_id, as_of_us, *kp),
    )
    return None if row is None else row[0]


def provider_receivable(db: ReadModelView, provider_id: str, as_of_us: int,
                        known_at_us: int | None = None) -> dict[str, Any]:
    """What the province owes a provider as of T (known at K), what is held while it is suspended or after a
    suspension recorded late, and what it must pay back."""
    totals = [0] * len(AMOUNTS)
    quotas: dict[int, dict[str, int]] = {}
    for programme_year, _cash, _category, *values in _daily_sums(db, "provider_id", provider_id, as_of_us, known_at_us):
        for i, value in enumerate(values):
            totals[i] += value
        f = _figures(tuple(values))
        q = quotas.setdefault(programme_year, {"quota_set_fen": 0, "quota_used_fen": 0})
        q["quota_set_fen"] += f["quota_set_fen"]
        q["quota_used_fen"] += f["quota_used_fen"]
    f = _figures(tuple(totals))
    status = provider_status(db, provider_id, as_of_us, known_at_us)
    unsettled = f["approved_fen"]
    return {
        "provider_id": provider_id,
        "status": status,
        "approved_unsettled_fen": unsettled,
        "held_fen": unsettled if status == "SUSPENDED" else 0,
        "claims_held_fen": sum(c["held_fen"] for c in claims_held(db, provider_id, as_of_us, known_at_us)),
        "claimed_pending_fen": f["claimed_fen"],
        "settled_fen": f["settled_fen"],
        "recoveries_due_fen": spend_figure(f, "outstanding"),
        "recoveries_raised_fen": f["recovered_fen"],
        "recoveries_collected_fen": f["collected_fen"],
        "recoveries_written_off_fen": f["written_off_fen"],
        "quotas": {year: {**q, "quota_remaining_fen": q["quota_set_fen"] - q["quota_used_fen"]}
                   for year, q in sorted(quotas.items())},
    }


def whitelist(db: ReadModelView, as_of_us: int, known_at_us: int | None = None, *, after_uscc: str = "",
              limit: int = 200) -> list[dict[str, Any]]:
    """Providers admitted by T, in USCC order after ``after_uscc`` (a page of at most ``limit``), with their status
    at T (PENDING_ASSESSMENT until a first assessment) and whether they are eliminated for T's fiscal year."""
    k, kp = known(known_at_us, "h.recorded_us")
    admitted_by = as_of_us if known_at_us is None else min(as_of_us, known_at_us)  # admission: effective = recorded
    rows = db.fetchall(
        "SELECT p.provider_id, p.uscc, p.name, p.kind, "
        "(SELECT h.status FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id AND h.status IS NOT NULL "
        f" AND h.effective_us <= ?{k} ORDER BY h.position DESC LIMIT 1), "
        "(SELECT COUNT(*) FROM vl_whitelist_history h WHERE h.provider_id = p.provider_id "
        f" AND h.eliminated_year = ? AND h.effective_us <= ?{k}) "
        "FROM vl_providers p WHERE p.uscc > ? AND p.admitted_us <= ? ORDER BY p.uscc LIMIT ?",
        (as_of_us, *kp, shanghai_year(as_of_us), as_of_us, *kp, after_uscc, admitted_by, limit),
    )
    return [{"provider_id": r[0], "uscc": r[1], "name": r[2], "kind": r[3], "status": r[4],
             "eliminated_this_year": bool(r[5])} for r in rows]


def whitelist_history(db: ReadModelView, provider_id: str, as_of_us: int,
                      known_at_us: int | None = None) -> list[dict[str, Any]]:
    k, kp = known(known_at_us)
    rows = db.fetchall(
        "SELECT position, event_type, status, effective_us, recorded_us, area, passed, eliminated_year, reason, actor "
        f"FROM vl_whitelist_history WHERE provider_id = ? AND effective_us <= ?{k} ORDER BY effective_us, position",
        (provider_id, as_of_us, *kp),
    )
    keys = ("position", "event_type", "status", "effective_us", "recorded_us", "area", "passed", "eliminated_year",
            "reason", "actor")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def claims_held(db: ReadModelView, provider_id: str, as_of_us: int,
                known_at_us: int | None = None) -> list[dict[str, Any]]:
    """Claims against a provider held from settlement after a suspension recorded late, as of T known at K: the flag
    counts, and no release or reversal does yet."""
    k, kp = known(known_at_us, "h.recorded_us")
    ek, ekp = known(known_at_us, "x.recorded_us")
    rows = db.fetchall(
        "SELECT h.claim_id, h.voucher_id, h.held_fen, h.effective_us, h.recorded_us FROM vl_claim_holds h "
        f"WHERE h.provider_id = ? AND h.event_type = 'Voucher.ClaimFlagged' AND h.held_fen > 0 AND h.effective_us <= ?{k} "
        "AND NOT EXISTS (SELECT 1 FROM vl_claim_holds x WHERE x.claim_id = h.claim_id "
        f"AND x.event_type <> 'Voucher.ClaimFlagged' AND x.effective_us <= ?{ek}) ORDER BY h.position",
        (provider_id, as_of_us, *kp, as_of_us, *ekp),
    )
    keys = ("claim_id", "voucher_id", "held_fen", "held_from_us", "recorded_us")
    return [dict(zip(keys, r, strict=True)) for r in rows]


AUDIT_COLUMNS = ("position", "recorded_us", "effective_us", "event_type", "actor", "correlation_id", "reason",
                 "summary_zh", "summary_en")


def audit_trail(db: ReadModelView, entity_kind: str, entity_id: str, as_of_us: int, known_at_us: int | None = None,
                *, after_position: int = 0, limit: int = 1_000) -> list[dict[str, Any]]:
    """The events that touched an entity, in effect by T (an event with no effective time of its own takes effect
    when recorded) and recorded by K, in global order (cursor: ``after_position``)."""
    k, kp = known(known_at_us, "a.recorded_us")
    rows = db.fetchall(
        f"SELECT {', '.join('a.' + c for c in AUDIT_COLUMNS)} FROM vl_audit_entries e "
        "JOIN vl_audit_events a ON a.position = e.position "
        f"WHERE e.entity_kind = ? AND e.entity_id = ? AND e.position > ? AND COALESCE(a.effective_us, a.recorded_us) <= ?{k} "
        "ORDER BY e.position LIMIT ?",
        (entity_kind, entity_id, after_position, as_of_us, *kp, limit),
    )
    items = [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in rows]
    return _city_shares(db, entity_id, items) if entity_kind == "city" else items


def _city_shares(db: ReadModelView, city: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A city's trail tells a batch payment by that city's own settled lines: a batch pays several cities, and its
    total and claim count are other cities' business (the province, auditors and the provider see them)."""
    for item in items:
        if item["event_type"] == "SettlementBatch.Paid":
            share = db.fetchone("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0), COALESCE(SUM(city_fen), 0), "
                                "COALESCE(SUM(province_fen), 0) FROM vl_batch_lines WHERE position = ? AND city = ?",
                                (item["position"], city))
            item["summary_zh"], item["summary_en"] = city_share_of_payment(*(int(v) for v in share),
                                                                           item["effective_us"])
    return items


def settlement_batch(db: ReadModelView, batch_id: str, as_of_us: int,
                     known_at_us: int | None = None) -> dict[str, Any] | None:
    """A batch as of T (known at K): its lines (claims added), what its payment settled, recoveries raised against
    it, their collections and write-offs, and what is still to recover. A batch is opened when recorded."""
    opened_by = as_of_us if known_at_us is None else min(as_of_us, known_at_us)
    head = db.fetchone("SELECT provider_id, period, opened_us FROM vl_batches WHERE batch_id = ? AND opened_us <= ?",
                       (batch_id, opened_by))
    if head is None:
        return None
    k, kp = known(known_at_us)
    rows = db.fetchall(
        "SELECT event_type, claim_id, voucher_id, city, amount_fen, city_fen, province_fen, effective_us, reference "
        f"FROM vl_batch_lines WHERE batch_id = ? AND effective_us <= ?{k} ORDER BY position, seq",
        (batch_id, as_of_us, *kp),
    )
    keys = ("claim_id", "voucher_id", "city", "amount_fen", "city_fen", "province_fen", "effective_us", "reference")
    sections: dict[str, list[dict[str, Any]]] = {"lines": [], "withdrawn": [], "settled": [], "recoveries": [],
                                                 "collections": [], "write_offs": []}
    section_of = {"SettlementBatch.ClaimAdded": "lines", "SettlementBatch.ClaimWithdrawn": "withdrawn",
                  "SettlementBatch.Paid": "settled", "SettlementBatch.RecoveryRaised": "recoveries",
                  "SettlementBatch.RecoveryCollected": "collections", "SettlementBatch.RecoveryWrittenOff": "write_offs"}
    current: dict[str, dict[str, Any]] = {}  # the batch's lines now: added, less those withdrawn since
    for row in rows:
        line = dict(zip(keys, row[1:], strict=True))
        sections[section_of[row[0]]].append(line)
        if row[0] == "SettlementBatch.ClaimAdded":
            current[line["claim_id"]] = line
        elif row[0] == "SettlementBatch.ClaimWithdrawn":
            current.pop(line["claim_id"], None)
    sections["lines"] = list(current.values())
    paid_us = sections["settled"][0]["effective_us"] if sections["settled"] else None
    return {"batch_id": batch_id, "provider_id": head[0], "period": head[1], "opened_us": head[2],
            "paid": paid_us is not None, "paid_us": paid_us, **sections,
            "total_settled_fen": sum(line["amount_fen"] for line in sections["settled"]),
            **{f"total_{name}_fen": sum(line["amount_fen"] for line in sections[name])
               for name in ("recoveries", "collections", "write_offs")},
            "recoveries_outstanding_fen": sum(line["amount_fen"] for line in sections["recoveries"])
            - sum(line["amount_fen"] for name in ("collections", "write_offs") for line in sections[name])}


def provider_batches(db: ReadModelView, provider_id: str, as_of_us: int,
                     known_at_us: int | None = None) -> list[dict[str, Any]]:
    opened_by = as_of_us if known_at_us is None else min(as_of_us, known_at_us)
    rows = db.fetchall("SELECT batch_id, period, opened_us FROM vl_batches WHERE provider_id = ? AND opened_us <= ? "
                       "ORDER BY opened_us, batch_id", (provider_id, opened_by))
    return [{"batch_id": r[0], "period": r[1], "opened_us": r[2]} for r in rows]


FEED_COLUMNS = ("position", "originator_id", "originator_version", "event_type", "recorded_us", "effective_us", "actor",
                "correlation_id", "reason", "summary_zh", "summary_en")


def event_feed(db: ReadModelView, *, as_of_us: int, after_position: int = 0, limit: int = 100,
               event_types: tuple[str, ...] = (), recorded_from_us: int | None = None) -> list[dict[str, Any]]:
    """The global sequence for auditors, in order, from a cursor; only events recorded by ``as_of``."""
    where, params = ["position > ?", "recorded_us <= ?"], [after_position, as_of_us]
    if event_types:
        where.append(f"event_type IN ({', '.join('?' * len(event_types))})")
        params.extend(event_types)
    if recorded_from_us is not None:
        where.append("recorded_us >= ?")
        params.append(recorded_from_us)
    rows = db.fetchall(f"SELECT {', '.join(FEED_COLUMNS)} FROM vl_audit_events WHERE {' AND '.join(where)} "
                       "ORDER BY position LIMIT ?", (*params, limit))
    return [dict(zip(FEED_COLUMNS, r, strict=True)) for r in rows]
