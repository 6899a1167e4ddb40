"""Every figure for every entity at once, as of a time and as known at a time: set-wide (GROUP BY) queries.

The per-entity queries of ``projections/*_queries.py`` would take one call per city, provider, enterprise and voucher
(10^4-10^5 calls at scale); these read the same read-model tables once per figure, with the same rules:

* a row counts by :mod:`projections.bitemporal`'s rule (in effect by ``as_of``, recorded by ``known_at``);
* per-city spend is settled − recovered, split into the city's portion (``*_city_fen``) and the province's (the rest);
  beside it recoveries collected, written off and outstanding, and cash out (settled − collected), as
  :func:`projections.spend.spend_figure` derives them;
* a voucher's status is the one set by the latest counted row (latest effective time, then position); a provider's
  is worked out from its counted assessments by :mod:`ledger.whitelist_status` (the aggregate's rule), through
  :func:`projections.whitelist_queries.statuses`.

``tests/integration/test_exports.py`` checks these rows against the per-entity functions for a sample (two independent paths).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from psycopg.sql import SQL

from audit.award_figures import COLUMNS as AWARD_COLUMNS, awards
from audit.tables import Figure
from ledger.fiscal_time import shanghai_text
from ledger.parties import CITIES
from projections import journal_queries
from projections.award_flows import VOUCHERS, programme_of
from projections.money_flows import AMOUNTS
from projections.bitemporal import counted, counted_once
from projections.money_flows_queries import FUND_SOURCES, MONEY, SPEND_FIGURES, SUMS, amounts, money
from projections.settlement_batches_queries import SECTIONS
from projections.spend import spend_figure
from projections.times import describe, from_us, shanghai_year
from projections.journal import FUND_SOURCES as JOURNAL_FUND_SOURCES
from projections.view import ReadModelView
from projections.voucher_status import voucher_status
from projections.whitelist_queries import statuses as whitelist_statuses

# Each figure's columns, fixed: an export's manifest names them without reading the figures again (audit/export.py).
CITY_SPEND_COLUMNS = ("city", "city_name", "programme", "programme_year", "cash_year", "fee_category", "fund_source",
                      *(f"{s}_fen" for s in SPEND_FIGURES))
CITY_QUOTAS_COLUMNS = ("city", "city_name", "programme_year", "quota_set_fen", "issued_fen", "quota_used_fen",
                       "quota_remaining_fen")
PROVIDER_RECEIVABLES_COLUMNS = ("provider_id", "uscc", "name", "status", "approved_unsettled_fen", "held_fen",
                                "claims_held_fen", "claimed_pending_fen", "settled_fen", "recoveries_due_fen",
                                "recoveries_raised_fen", "recoveries_collected_fen", "recoveries_written_off_fen")
PROVIDER_QUOTAS_COLUMNS = ("provider_id", "programme_year", "quota_set_fen", "quota_used_fen", "quota_remaining_fen")
ENTERPRISE_TOTALS_COLUMNS = ("enterprise_id", "programme_year", "vouchers", *MONEY)
VOUCHER_BALANCES_COLUMNS = ("voucher_id", "enterprise_id", "city", "programme_year", "fee_category", "status",
                            "expiry_recorded", *MONEY)
WHITELIST_COLUMNS = ("provider_id", "uscc", "name", "kind", "status", "eliminated_this_year")
SETTLEMENT_BATCHES_COLUMNS = ("batch_id", "provider_id", "period", "opened_at", "paid", "paid_at", "lines", "lines_fen",
                              "settled_claims", "total_settled_fen", "settled_city_fen", "settled_province_fen",
                              "recoveries", "total_recoveries_fen", "total_collections_fen", "total_write_offs_fen",
                              "recoveries_outstanding_fen")
TRIAL_BALANCE_COLUMNS = ("account", "debit_fen", "credit_fen", "balance_fen",
                         *(f"{source}_balance_fen" for source in JOURNAL_FUND_SOURCES))


def _money(f: dict[str, int]) -> tuple[int, ...]:
    return tuple(money(f).values())


def iso_shanghai(us: int | None) -> str | None:
    return None if us is None else shanghai_text(from_us(us))


def city_spend(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    """One row per city × programme (vouchers or an award programme) × programme year × cash year × fee category (a
    voucher's; empty on an award's row) × fund source; a column per stage and spend."""
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT city, programme_year, cash_year, fee_category, {} FROM vl_money_movements "
            "WHERE city <> '' AND fee_category IS NOT NULL AND {} GROUP BY city, programme_year, cash_year, "
            "fee_category ORDER BY city, programme_year, cash_year, fee_category").format(SUMS, when.sql),
        when.params,
    )
    out = []
    for city, programme_year, cash_year, category, *values in rows:
        f = amounts(tuple(values))
        for source in FUND_SOURCES:
            figures = [spend_figure(f, s, "_city_fen") if source == "city"
                       else spend_figure(f, s) - spend_figure(f, s, "_city_fen") for s in SPEND_FIGURES]
            programme = programme_of(category)
            out.append((city, CITIES.get(city, ("", ""))[1], programme, programme_year, cash_year,
                        category if programme == VOUCHERS else None, source, *figures))
    return Figure("city_spend", "Per-city spend (spend = settled − recovered; outstanding = recovered − collected − "
                  "written off; cash out = settled − collected)", CITY_SPEND_COLUMNS, out)


def city_quotas(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT city, programme_year, COALESCE(SUM(quota_set_fen), 0), COALESCE(SUM(face_fen), 0), "
            "COALESCE(SUM(quota_used_fen), 0) FROM vl_money_movements WHERE city <> '' AND {} "
            "GROUP BY city, programme_year ORDER BY city, programme_year").format(when.sql),
        when.params,
    )
    out = [(city, CITIES.get(city, ("", ""))[1], year, int(q), int(issued), int(used), int(q) - int(used))
           for city, year, q, issued, used in rows]
    return Figure("city_quotas", "City quotas per programme year", CITY_QUOTAS_COLUMNS, out)


def _provider_statuses(db: ReadModelView, as_of_us: int, known_at_us: int | None) -> dict[str, str]:
    return whitelist_statuses(db, as_of_us, known_at_us)


def _admitted(db: ReadModelView, as_of_us: int, known_at_us: int | None) -> list[tuple]:
    """Providers admitted by T and known by then (admission is effective when recorded)."""
    admitted = counted_once("admitted_us", as_of_us, known_at_us)
    return db.fetchall(SQL("SELECT provider_id, uscc, name, kind FROM vl_providers WHERE {} ORDER BY uscc").format(
        admitted.sql), admitted.params)


def _claims_held(db: ReadModelView, as_of_us: int, known_at_us: int | None) -> dict[str, int]:
    """Per provider, the claims held after a suspension recorded late: the flag counts, no release or reversal does."""
    flag, end = counted(as_of_us, known_at_us, table="h"), counted(as_of_us, known_at_us, table="x")
    return {p: int(v) for p, v in db.fetchall(
        SQL("SELECT h.provider_id, SUM(h.held_fen) FROM vl_claim_holds h WHERE h.event_type = 'Voucher.ClaimFlagged' "
            "AND h.held_fen > 0 AND {} AND NOT EXISTS (SELECT 1 FROM vl_claim_holds x WHERE x.claim_id = h.claim_id "
            "AND x.event_type <> 'Voucher.ClaimFlagged' AND {}) GROUP BY h.provider_id").format(flag.sql, end.sql),
        (*flag.params, *end.params))}


def provider_receivables(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when = counted(as_of_us, known_at_us)
    sums = {r[0]: amounts(r[1:]) for r in db.fetchall(
        SQL("SELECT provider_id, {} FROM vl_money_movements WHERE provider_id IS NOT NULL AND {} "
            "GROUP BY provider_id").format(SUMS, when.sql), when.params)}
    statuses = _provider_statuses(db, as_of_us, known_at_us)
    held = _claims_held(db, as_of_us, known_at_us)
    known = {r[0]: r for r in _admitted(db, as_of_us, known_at_us)}
    out = []
    for provider_id in sorted(set(known) | set(sums), key=lambda p: (known.get(p, (p, "~"))[1], p)):
        f = sums.get(provider_id) or dict.fromkeys(AMOUNTS, 0)
        _, uscc, name, _kind = known.get(provider_id, (provider_id, None, None, None))
        status = statuses.get(provider_id)
        unsettled = f["approved_fen"]
        out.append((provider_id, uscc, name, status, unsettled, unsettled if status == "SUSPENDED" else 0,
                    held.get(provider_id, 0), f["claimed_fen"], f["settled_fen"], spend_figure(f, "outstanding"),
                    f["recovered_fen"], f["collected_fen"], f["written_off_fen"]))
    return Figure("provider_receivables", "Provider receivables (held: approved while suspended; claims held: "
                  "after a suspension recorded late)", PROVIDER_RECEIVABLES_COLUMNS, out)


def provider_quotas(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT provider_id, programme_year, COALESCE(SUM(quota_set_fen), 0), COALESCE(SUM(quota_used_fen), 0) "
            "FROM vl_money_movements WHERE provider_id IS NOT NULL AND {} "
            "GROUP BY provider_id, programme_year ORDER BY provider_id, programme_year").format(when.sql),
        when.params,
    )
    out = [(p, year, int(q), int(used), int(q) - int(used)) for p, year, q, used in rows]
    return Figure("provider_quotas", "Provider quotas per programme year", PROVIDER_QUOTAS_COLUMNS, out)


def enterprise_totals(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when = counted(as_of_us, known_at_us)
    rows = db.fetchall(
        SQL("SELECT enterprise_id, programme_year, SUM(CASE WHEN event_type = 'Voucher.Issued' THEN 1 ELSE 0 END), "
            "{} FROM vl_money_movements WHERE enterprise_id IS NOT NULL AND {} "
            "GROUP BY enterprise_id, programme_year ORDER BY enterprise_id, programme_year").format(SUMS, when.sql),
        when.params,
    )
    out = [(e, year, int(n), *_money(amounts(tuple(values)))) for e, year, n, *values in rows]
    return Figure("enterprise_totals", "Enterprise totals per programme year", ENTERPRISE_TOTALS_COLUMNS, out)


def voucher_balances(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when = counted(as_of_us, known_at_us)
    heads = db.fetchall(
        SQL("SELECT voucher_id, enterprise_id, city, programme_year, fee_category FROM vl_money_movements "
            "WHERE event_type = 'Voucher.Issued' AND {} ORDER BY voucher_id").format(when.sql), when.params)
    sums = {r[0]: amounts(r[1:]) for r in db.fetchall(
        SQL("SELECT voucher_id, {} FROM vl_money_movements WHERE voucher_id IS NOT NULL AND {} "
            "GROUP BY voucher_id").format(SUMS, when.sql), when.params)}
    statuses = dict(db.fetchall(
        SQL("SELECT voucher_id, voucher_status FROM (SELECT voucher_id, voucher_status, ROW_NUMBER() OVER "
            "(PARTITION BY voucher_id ORDER BY effective_us DESC, position DESC) AS latest FROM vl_money_movements "
            "WHERE voucher_id IS NOT NULL AND voucher_status IS NOT NULL AND {}) AS ranked "
            "WHERE latest = 1").format(when.sql),
        when.params))
    expiries = dict(db.fetchall(SQL("SELECT voucher_id, expires_us FROM vl_money_vouchers"), ()))  # money_flows'
    out = []
    for v, e, city, year, category in heads:  # the status as GET /v1/vouchers/{id} answers it (voucher_status)
        status = voucher_status(statuses.get(v), expiries.get(v), as_of_us)
        out.append((v, e, city, year, category, status["status"], status["expiry_recorded"], *_money(sums[v])))
    return Figure("voucher_balances", "Voucher balances", VOUCHER_BALANCES_COLUMNS, out)


def whitelist(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    statuses = _provider_statuses(db, as_of_us, known_at_us)
    when = counted(as_of_us, known_at_us)
    eliminated = {r[0] for r in db.fetchall(
        SQL("SELECT DISTINCT provider_id FROM vl_whitelist_history WHERE eliminated_year = ? AND {}").format(when.sql),
        (shanghai_year(as_of_us), *when.params))}
    out = [(p, uscc, name, kind, statuses.get(p), p in eliminated)
           for p, uscc, name, kind in _admitted(db, as_of_us, known_at_us)]
    return Figure("whitelist", f"Whitelist as of {describe(as_of_us)} (Asia/Shanghai)", WHITELIST_COLUMNS, out)


def settlement_batches(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    when, opened = counted(as_of_us, known_at_us), counted_once("opened_us", as_of_us, known_at_us)
    sections: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    paid_at: dict[str, int] = {}
    for batch, kind, n, amount, city, province, first in db.fetchall(
            SQL("SELECT batch_id, event_type, COUNT(*), SUM(amount_fen), SUM(city_fen), SUM(province_fen), "
                "MIN(effective_us) FROM vl_batch_lines WHERE {} GROUP BY batch_id, event_type").format(when.sql),
            when.params):
        sections[batch][SECTIONS[kind]] = [int(n), int(amount), int(city), int(province)]
        if kind == "SettlementBatch.Paid":
            paid_at[batch] = int(first)
    out = []
    for batch, provider, period, opened_us in db.fetchall(
            SQL("SELECT batch_id, provider_id, period, opened_us FROM vl_batches WHERE {} "
                "ORDER BY opened_us, batch_id").format(opened.sql), opened.params):
        s = sections[batch]
        lines = [added - gone for added, gone in zip(s["lines"], s["withdrawn"], strict=True)]  # held claims left
        out.append((batch, provider, period, iso_shanghai(opened_us), batch in paid_at, iso_shanghai(paid_at.get(batch)),
                    lines[0], lines[1], s["settled"][0], s["settled"][1], s["settled"][2], s["settled"][3],
                    s["recoveries"][0], s["recoveries"][1], s["collections"][1], s["write_offs"][1],
                    s["recoveries"][1] - s["collections"][1] - s["write_offs"][1]))
    return Figure("settlement_batches", "Settlement batches", SETTLEMENT_BATCHES_COLUMNS, out)


FIGURES = (city_spend, city_quotas, provider_receivables, provider_quotas, enterprise_totals, voucher_balances,
           whitelist, settlement_batches, awards)
COLUMNS: dict[str, tuple[str, ...]] = {
    "city_spend": CITY_SPEND_COLUMNS, "city_quotas": CITY_QUOTAS_COLUMNS,
    "provider_receivables": PROVIDER_RECEIVABLES_COLUMNS, "provider_quotas": PROVIDER_QUOTAS_COLUMNS,
    "enterprise_totals": ENTERPRISE_TOTALS_COLUMNS, "voucher_balances": VOUCHER_BALANCES_COLUMNS,
    "whitelist": WHITELIST_COLUMNS, "settlement_batches": SETTLEMENT_BATCHES_COLUMNS, "awards": AWARD_COLUMNS,
    "trial_balance": TRIAL_BALANCE_COLUMNS,
}


def trial_balance(db: ReadModelView, as_of_us: int, known_at_us: int | None = None) -> Figure:
    """The journal's trial balance: one row per account (debits, credits, balance, and the balance per fund source)."""
    accounts = journal_queries.trial_balance(db, as_of_us, known_at_us=known_at_us)["accounts"]
    return Figure("trial_balance", "Trial balance (journal)", TRIAL_BALANCE_COLUMNS,
                  [tuple(line[c] for c in TRIAL_BALANCE_COLUMNS) for line in accounts])


def all_figures(db: ReadModelView, as_of_us: int, known_at_us: int | None = None,
                advance: Callable[[int], None] = lambda count: None) -> list[Figure]:
    """Every figure, read in one transaction (one snapshot of the read models); ``advance(1)`` after each, for a
    progress bar (each is a GROUP BY over every voucher, claim or movement: seconds apiece at scale)."""
    figures = []
    with db.reading():
        for figure in (*FIGURES, trial_balance):
            figures.append(figure(db, as_of_us, known_at_us))
            advance(1)
    return figures

