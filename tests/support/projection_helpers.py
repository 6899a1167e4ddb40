"""Helpers for the read-model (projection) tests: scratch view stores, raw table access, and expectations worked out
from the raw events or the domain aggregates — never through projection code.

Everything that reads or writes read-model tables directly here uses its own plain connection (``sqlite3`` or
``psycopg``), so a test does not rely on the view class it is testing to tell it what the view class wrote.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

from store.settings import Settings
from store.opening import ensure_postgres_schema
from ledger.application import VoucherLedger
from ledger.claims import ClaimStatus
from ledger.money import split_funding
from ledger.stored_names import APPLICATION_NAME

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(2100, 1, 1, tzinfo=UTC)  # after every event of any test
PROJECTION_NAMES = ("money_flows", "whitelist", "audit_trail")
PROJECTION_TABLES = {
    "money_flows": ("vl_money_movements", "vl_city_daily", "vl_provider_daily", "vl_money_vouchers",
                    "vl_money_claims", "vl_money_quotas", "vl_city_monthly", "vl_provider_monthly"),
    "whitelist": ("vl_whitelist_history", "vl_providers"),
    "audit_trail": ("vl_audit_events", "vl_audit_entries", "vl_audit_refs"),
}
ALL_TABLES = tuple(t for tables in PROJECTION_TABLES.values() for t in tables)

# Which events write a row of vl_money_movements: every money-moving event in the table of money_flows' docstring
# (ClaimBatched moves no money: it only records the batch). Spelled out here, not read from the projection.
MONEY_EVENT_TYPES = frozenset({
    "Voucher.Issued", "Voucher.Claimed", "Voucher.ClaimApproved", "Voucher.ClaimRejected", "Voucher.ClaimSettled",
    "Voucher.ClaimReversed", "Voucher.Expired", "Voucher.Revoked", "Voucher.ValueReturned",
    "CityQuota.Set", "CityQuota.AmountRevised", "CityQuota.Used", "CityQuota.Returned",
    "ProviderQuota.Set", "ProviderQuota.AmountRevised", "ProviderQuota.Used", "ProviderQuota.Returned",
    *("Award.Granted", "Award.Paid", "Award.RecoveryRaised", "Award.RecoveryCollected", "Award.RecoveryWrittenOff"),
})
AWARD_PREFIX = "AWARD:"  # an award's rows carry its programme where a voucher's carry the fee category
PROVIDER_EVENT_TYPES = frozenset({
    "Provider.Admitted", "Provider.AssessmentRecorded", "Provider.Suspended", "Provider.Whitelisted",
    "Provider.Eliminated",
})


def kind(event: Any) -> str:
    return type(event).__qualname__


def moves_money(recorded: Recorded) -> bool:
    """Does this event write a row of vl_money_movements: a money event, except an award granted 0 fen (a title
    without money moves none)."""
    return recorded.kind in MONEY_EVENT_TYPES and not (recorded.kind == "Award.Granted"
                                                       and recorded.event.amount_fen == 0)


def us(moment: datetime) -> int:
    """Microseconds since the epoch, worked out with timedelta arithmetic (independently of projections.times)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def cash_year_of(moment: datetime) -> int:
    return moment.astimezone(SHANGHAI).year


def day_of(moment: datetime) -> int:
    d = moment.astimezone(SHANGHAI).date()
    return d.year * 10_000 + d.month * 100 + d.day


def yuan_text(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


# -- the history: raw events ---------------------------------------------------------------------------------------
@dataclass
class Recorded:
    position: int
    event: Any

    @property
    def kind(self) -> str:
        return kind(self.event)

    @property
    def at(self) -> datetime:
        return self.event.timestamp


@dataclass
class History:
    """A simulated store, its raw events and its caught-up projections: the shared fixture value of the read-model
    tests."""

    settings: Settings
    app: VoucherLedger
    projections: list
    events: list[Recorded]

    @property
    def last(self) -> int:
        return self.events[-1].position

    @property
    def db(self):
        return self.projections[0].view

    def of(self, *kinds: str) -> list[Recorded]:
        return [r for r in self.events if r.kind in kinds]

    def stream(self, originator_id: Any) -> list[Recorded]:
        return [r for r in self.events if r.event.originator_id == originator_id]


def read_events(app: VoucherLedger) -> list[Recorded]:
    """Every event in the store, decoded, in global order (straight from the recorder and the mapper)."""
    found: list[Recorded] = []
    start = 1
    while True:
        page = app.recorder.select_notifications(start, 5_000)
        found += [Recorded(n.id, app.mapper.to_domain_event(n)) for n in page]
        if len(page) < 5_000:
            return found
        start = page[-1].id + 1


def lean(settings: Settings) -> Settings:
    """The same store with small connection pools. Every view of ``open_projections`` opens its own pool, which may
    grow to ``postgres_pool_size`` + ``postgres_max_overflow`` connections (conftest lets them reach 20, for its
    16-thread tests): with an application, three views and ``check``'s two sets of three, that could exceed
    PostgreSQL's default 100 connections."""
    return settings.model_copy(update={"postgres_pool_size": 2, "postgres_max_overflow": 4})


# -- scratch stores for views ---------------------------------------------------------------------------------------
def scratch_views(settings: Settings, tmp_path: Path) -> Settings:
    """Another, empty store for views only (another PostgreSQL schema, or another SQLite file)."""
    tag = uuid.uuid4().hex[:12]
    if settings.store == "sqlite":
        return Settings(store="sqlite", sqlite_path=tmp_path / f"views_{tag}.sqlite3")
    scratch = settings.model_copy(update={"postgres_schema": f"t_{tag}"})
    ensure_postgres_schema(scratch)
    return scratch


# -- raw access to the read-model tables ----------------------------------------------------------------------------
@contextmanager
def raw(settings: Settings) -> Iterator[Any]:
    """A plain DB-API connection to the store's read-model tables (autocommit), not through any view class."""
    if settings.store == "sqlite":
        conn = sqlite3.connect(settings.sqlite_path, isolation_level=None, timeout=10)
        try:
            yield conn
        finally:
            conn.close()
    else:
        with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port,
                             dbname=settings.postgres_dbname, user=settings.postgres_user,
                             password=settings.postgres_password.get_secret_value() or None, autocommit=True) as conn:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(settings.postgres_schema)))
            yield conn


def mark(settings: Settings, statement: str) -> str:
    return statement.replace("?", "%s") if settings.store == "postgres" else statement


def rows(settings: Settings, statement: str, params: Iterable[Any] = ()) -> list[tuple]:
    with raw(settings) as conn:
        return [tuple(r) for r in conn.execute(mark(settings, statement), tuple(params)).fetchall()]


def execute(settings: Settings, statement: str, params: Iterable[Any] = ()) -> int:
    with raw(settings) as conn:
        return conn.execute(mark(settings, statement), tuple(params)).rowcount


def count(settings: Settings, table: str) -> int:
    return rows(settings, f"SELECT COUNT(*) FROM {table}")[0][0]


def table_contents(settings: Settings, table: str) -> list[tuple]:
    return sorted((tuple(r) for r in rows(settings, f"SELECT * FROM {table}")), key=repr)


def tracking_position(settings: Settings, projection: str) -> int | None:
    found = rows(settings, f"SELECT notification_id FROM {projection}_tracking WHERE application_name = ?",
                 (APPLICATION_NAME,))
    return found[0][0] if found else None


def snapshot(settings: Settings, projections: Iterable[str] = PROJECTION_NAMES) -> dict[str, Any]:
    """Every row of the projections' tables and their tracking positions: to show that a failure changed nothing."""
    state: dict[str, Any] = {}
    for name in projections:
        state[f"{name}_tracking"] = tracking_position(settings, name)
        for table in PROJECTION_TABLES[name]:
            state[table] = table_contents(settings, table)
    return state


# -- expectations from domain aggregates ----------------------------------------------------------------------------
def voucher_figures(voucher: Any) -> dict[str, Any]:
    """A voucher's figures read off the domain aggregate (its claims' statuses and amounts)."""
    by_status: dict[ClaimStatus, int] = defaultdict(int)
    recovered = 0
    for claim in voucher.claims.values():
        by_status[claim.status] += claim.amount_fen
        if claim.status is ClaimStatus.REVERSED and claim.reversed_after_settlement:
            recovered += claim.amount_fen
    return {
        "voucher_id": str(voucher.id), "enterprise_id": str(voucher.enterprise_id), "city": voucher.city,
        "programme_year": voucher.year, "fee_category": voucher.fee_category, "status": voucher.status.value,
        "face_value_fen": voucher.face_value_fen,
        "claimed_fen": by_status[ClaimStatus.CLAIMED],
        "approved_fen": by_status[ClaimStatus.APPROVED],
        # a claim reversed after payment stays settled: the money went out, it is now due back
        "settled_fen": by_status[ClaimStatus.SETTLED] + recovered,
        "reversed_fen": by_status[ClaimStatus.REVERSED],
        "recovered_fen": recovered,
        "returned_fen": voucher.returned_fen,
        # balance_fen is face − held; after expiry/revocation the unused part has gone back to the city quota
        "remaining_fen": voucher.balance_fen - voucher.returned_fen,
    }


@dataclass
class CitySpendExpectation:
    """Per-city figures worked out from raw events only: lines keyed (programme year, cash year, category, source,
    stage) for the settled / recovered / spend stages, and the quota block per programme year."""

    lines: dict[str, dict[tuple, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    quotas: dict[str, dict[int, dict[str, int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(
            lambda: {"quota_set_fen": 0, "issued_fen": 0, "quota_used_fen": 0})))


def expected_city_spend(events: list[Recorded], as_of: datetime) -> CitySpendExpectation:
    """Replay raw events as money_flows' table says money moves (settlement at the payment time, a recovery at the
    reversal's effective time but in the cash year it was recorded; quota and issuance at the recorded time), with
    each amount split by ``split_funding`` and the voucher's city share from its Issued event. An award is paid and
    recovered the same way, under ``AWARD:<kind>``, with the province/city split its event carries."""
    vouchers: dict[Any, tuple] = {}
    claims: dict[Any, tuple] = {}
    quota_owner: dict[Any, tuple] = {}
    quota_amount: dict[Any, int] = {}
    out = CitySpendExpectation()

    def add(city, year, cash, category, total, city_part, stage):
        for source, amount in (("city", city_part), ("province", total - city_part)):
            out.lines[city][(year, cash, category, source, stage)] += amount
            sign = 1 if stage == "settled" else -1
            out.lines[city][(year, cash, category, source, "spend")] += sign * amount

    for r in events:
        e, k = r.event, r.kind
        if k == "Voucher.Issued":
            vouchers[e.originator_id] = (e.city, e.year, e.fee_category, e.city_share)
            if e.timestamp <= as_of:
                out.quotas[e.city][e.year]["issued_fen"] += e.face_value_fen
        elif k == "Voucher.Claimed":
            claims[e.claim_id] = (e.originator_id, e.amount_fen)
        elif k == "Voucher.ClaimSettled" and e.effective_at <= as_of:
            city, year, category, share = vouchers[e.originator_id]
            amount = claims[e.claim_id][1]
            add(city, year, cash_year_of(e.effective_at), category, amount, split_funding(amount, share)[0], "settled")
        elif k == "Voucher.ClaimReversed" and e.after_settlement and e.effective_at <= as_of:
            city, year, category, share = vouchers[e.originator_id]
            amount = claims[e.claim_id][1]
            add(city, year, cash_year_of(e.timestamp), category, amount, split_funding(amount, share)[0],
                "recovered")
        elif k == "Award.Paid" and e.effective_at <= as_of:
            # paid at the payment time, under the award's programme, split as the event carries it
            add(e.city, e.year, cash_year_of(e.effective_at), AWARD_PREFIX + e.kind, e.amount_fen,
                e.city_portion_fen, "settled")
        elif k == "Award.RecoveryRaised" and e.effective_at <= as_of:
            add(e.city, e.year, cash_year_of(e.timestamp), AWARD_PREFIX + e.kind, e.amount_fen, e.city_portion_fen,
                "recovered")
        elif k == "CityQuota.Set":
            quota_owner[e.originator_id] = (e.city, e.year)
            quota_amount[e.originator_id] = e.amount_fen
            if e.timestamp <= as_of:
                out.quotas[e.city][e.year]["quota_set_fen"] += e.amount_fen
        elif k == "CityQuota.AmountRevised" and e.timestamp <= as_of:
            city, year = quota_owner[e.originator_id]
            out.quotas[city][year]["quota_set_fen"] += e.amount_fen - quota_amount[e.originator_id]
            quota_amount[e.originator_id] = e.amount_fen
        elif k in ("CityQuota.Used", "CityQuota.Returned") and e.timestamp <= as_of:
            city, year = quota_owner[e.originator_id]
            out.quotas[city][year]["quota_used_fen"] += e.amount_fen if k == "CityQuota.Used" else -e.amount_fen
    return out


def spend_lines(result: dict[str, Any], stages: Iterable[str] = ("settled", "recovered", "spend")) -> dict[tuple, int]:
    """city_spend's lines as {(programme year, cash year, category, source, stage): amount}, zero lines dropped; an
    award programme's lines under ``AWARD:<kind>`` in place of the category."""
    wanted = set(stages)
    found: dict[tuple, int] = defaultdict(int)
    for line in result["lines"]:
        if line["stage"] in wanted:
            category = line["fee_category"] if line["programme"] == "VOUCHERS" else AWARD_PREFIX + line["programme"]
            key = (line["programme_year"], line["cash_year"], category, line["fund_source"], line["stage"])
            found[key] += line["amount_fen"]
    return {k: v for k, v in found.items() if v}


def nonzero(lines: dict[tuple, int]) -> dict[tuple, int]:
    return {k: v for k, v in lines.items() if v}
