"""Money flows: every event that moves money becomes one row of signed amounts per stage (vl_money_movements).

Voucher balances, enterprise totals, per-city spend and provider receivables are all sums over these rows, so they
can never disagree with each other. Stages hold the amount *currently* in that stage; a claim moving on subtracts
from one stage and adds to the next:

=================  ====================================================  ======================================
event              amounts                                               effective time (when the money moved)
=================  ====================================================  ======================================
Issued             face +                                                recorded (issuance)
Claimed            claimed +                                             recorded: the hold starts when made
ClaimApproved      claimed −, approved +                                 recorded
ClaimRejected      claimed −                                             recorded
ClaimSettled       approved −, settled +                                 the payment time
ClaimReversed      before payment: claimed or approved −, reversed +     the reversal's effective time
                   after payment: reversed +, recovered + (settled stays:
                   the money went out; it is now due back)
Expired, Revoked,  returned + (value back to the city's quota)           recorded
ValueReturned
RecoveryCollected  collected + (a recovery's money back, to its fund      the collection's effective time
                   sources' budgets; the event's own split)
RecoveryWrittenOff written_off + (what was still due, given up)          the write-off's effective time
quota events       quota_set ± (set, revised), quota_used ± (used, returned)  recorded
=================  ====================================================  ======================================

A claim's later rows are never placed before its previous one (``moved_us``): a payment or reversal dated back before
the claim took effect counts from the claim's own time, so no stage ever holds a negative amount as of any time.

A voucher's remaining value is face − claimed − approved − settled − returned; per-city spend is settled −
recovered (DOMAIN.md, Settlement); a recovery still outstanding is recovered − collected − written off, and a city's
cash out is settled − collected. Collections and write-offs are claim rows too (they never move before the claim's
previous row), so no figure as of any time shows more collected than was raised. The *cash year* is the Asia/Shanghai year of the effective time, except a recovery,
whose cash year is that of the day it was recorded (DOMAIN.md: "recovery recorded"). Each amount's city portion is
split with the ledger's own ``split_funding`` and the voucher's city share, as the settlement batch splits it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from psycopg.sql import SQL, Identifier

from ledger.money import split_funding
from ledger.quotas import CityQuota, ProviderQuota
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher
from projections.award_flows import AwardFlows, award_category
from projections import read_ahead
from projections.base import LedgerProjection, event_type
from projections.times import shanghai_day, shanghai_year, to_us
from projections.view import ReadModelView, rendered

AMOUNTS = (
    "face_fen", "face_city_fen", "claimed_fen", "claimed_city_fen", "approved_fen", "approved_city_fen",
    "settled_fen", "settled_city_fen", "reversed_fen", "reversed_city_fen", "recovered_fen", "recovered_city_fen",
    "returned_fen", "quota_set_fen", "quota_used_fen",
    "collected_fen", "collected_city_fen", "written_off_fen", "written_off_city_fen",
)
_AMOUNT_INDEX = {name: i for i, name in enumerate(AMOUNTS)}
MOVEMENT_COLUMNS = (
    "position", "seq", "event_type", "effective_us", "recorded_us", "effective_day", "programme_year", "cash_year",
    "city", "fee_category", "voucher_id", "claim_id", "enterprise_id", "provider_id", "batch_id", "voucher_status",
    *AMOUNTS, "award_id",
)
DAILY_KEYS = ("effective_day", "programme_year", "cash_year", "fee_category")
MONTHLY_KEYS = ("effective_month", *DAILY_KEYS[1:])  # effective_month: YYYYMM, the effective day // 100


class MoneyFlows(AwardFlows, LedgerProjection):
    name = "money_flows"
    tables = ("vl_money_movements", "vl_city_daily", "vl_provider_daily", "vl_money_vouchers", "vl_money_claims",
              "vl_money_quotas", "vl_city_monthly", "vl_provider_monthly")
    handlers: ClassVar[dict[type, str]] = {
        Voucher.Issued: "issued",
        Voucher.Claimed: "claimed",
        Voucher.ClaimApproved: "approved",
        Voucher.ClaimRejected: "rejected",
        Voucher.ClaimBatched: "batched",
        Voucher.ClaimSettled: "settled",
        Voucher.ClaimReversed: "reversed",
        Voucher.Expired: "returned",
        Voucher.Revoked: "returned",
        Voucher.ValueReturned: "returned",
        CityQuota.Set: "quota_set",
        ProviderQuota.Set: "quota_set",
        CityQuota.AmountRevised: "quota_revised",
        ProviderQuota.AmountRevised: "quota_revised",
        CityQuota.Used: "quota_used",
        ProviderQuota.Used: "quota_used",
        CityQuota.Returned: "quota_returned",
        ProviderQuota.Returned: "quota_returned",
        SettlementBatch.RecoveryCollected: "recovery_settled",
        SettlementBatch.RecoveryWrittenOff: "recovery_settled",
        **AwardFlows.award_handlers,
    }

    def setup(self) -> None:
        self.vouchers = self.lookup(
            "vl_money_vouchers", "voucher_id",
            ("enterprise_id", "city", "programme_year", "fee_category", "city_share", "expires_us"),
            wants=read_ahead.VOUCHERS)
        self.claims = self.lookup(
            "vl_money_claims", "claim_id", ("voucher_id", "provider_id", "amount_fen", "stage", "batch_id", "moved_us"),
            wants=read_ahead.CLAIMS)
        self.quotas = self.lookup(
            "vl_money_quotas", "quota_id", ("city", "provider_id", "programme_year", "amount_fen"),
            wants=read_ahead.QUOTAS)

    def reset_buffers(self) -> None:
        self.movements: list[tuple] = []
        self.city_daily: dict[tuple, list[int]] = {}
        self.provider_daily: dict[tuple, list[int]] = {}

    # -- vouchers and claims -------------------------------------------------------------------------------------
    def issued(self, e: Voucher.Issued, position: int) -> None:
        vid = str(e.originator_id)
        # The deadline is kept here, not read from the lists projection: a voucher's money answer tells its status
        # from it (projections/voucher_status.py), and must not change with another projection's rebuild or lag.
        # The journal, built on these handlers, keeps the columns of its own lookup (no deadline).
        facts = {"enterprise_id": str(e.enterprise_id), "city": e.city, "programme_year": e.year,
                 "fee_category": e.fee_category, "city_share": str(e.city_share), "expires_us": to_us(e.expires_at)}
        self.vouchers.put(vid, tuple(facts[c] for c in self.vouchers.columns))
        self._voucher_row(e, position, vid, None, status="ACTIVE",
                          face_fen=e.face_value_fen, face_city_fen=e.city_portion_fen)

    def claimed(self, e: Voucher.Claimed, position: int) -> None:
        vid, cid = str(e.originator_id), str(e.claim_id)
        self.claims.put(cid, (vid, str(e.provider_id), e.amount_fen, "claimed", None, 0))
        self._claim_row(e, position, cid, {"claimed": 1})

    def approved(self, e: Voucher.ClaimApproved, position: int) -> None:
        self._claim_row(e, position, str(e.claim_id), {"claimed": -1, "approved": 1}, stage="approved")

    def rejected(self, e: Voucher.ClaimRejected, position: int) -> None:
        self._claim_row(e, position, str(e.claim_id), {"claimed": -1}, stage="rejected")

    def batched(self, e: Voucher.ClaimBatched, position: int) -> None:
        cid = str(e.claim_id)
        vid, provider, amount, stage, _, moved_us = self._claim(cid)
        self.claims.put(cid, (vid, provider, amount, stage, str(e.batch_id), moved_us))

    def settled(self, e: Voucher.ClaimSettled, position: int) -> None:
        self._claim_row(e, position, str(e.claim_id), {"approved": -1, "settled": 1}, stage="settled",
                        effective=e.effective_at)

    def reversed(self, e: Voucher.ClaimReversed, position: int) -> None:
        cid = str(e.claim_id)
        if e.after_settlement:
            moves = {"reversed": 1, "recovered": 1}
            cash_year = shanghai_year(to_us(e.timestamp))
        else:
            moves = {self._claim(cid)[3]: -1, "reversed": 1}
            cash_year = None
        self._claim_row(e, position, cid, moves, stage="reversed", effective=e.effective_at, cash_year=cash_year)

    def recovery_settled(self, e: Any, position: int) -> None:
        """A recovery collected or written off: the event carries its own amount and split (a part of the claim)."""
        cid = str(e.claim_id)
        vid, provider, amount, stage, batch, moved_us = self._claim(cid)
        effective_us = max(to_us(e.effective_at), moved_us)
        self.claims.put(cid, (vid, provider, amount, stage, batch, effective_us))
        name = "collected" if isinstance(e, SettlementBatch.RecoveryCollected) else "written_off"
        self._voucher_row(e, position, vid, cid, provider=provider, batch=e.originator_id, effective_us=effective_us,
                          **{f"{name}_fen": e.amount_fen, f"{name}_city_fen": e.city_portion_fen})

    def returned(self, e: Any, position: int) -> None:
        status = {"Voucher.Expired": "EXPIRED", "Voucher.Revoked": "REVOKED"}.get(event_type(e))
        self._voucher_row(e, position, str(e.originator_id), None, status=status, returned_fen=e.returned_fen)

    # -- quotas ----------------------------------------------------------------------------------------------------
    def quota_set(self, e: Any, position: int) -> None:
        provider = str(e.provider_id) if isinstance(e, ProviderQuota.Set) else None
        city = "" if provider else e.city
        self.quotas.put(str(e.originator_id), (city, provider, e.year, e.amount_fen))
        self._quota_row(e, position, quota_set_fen=e.amount_fen)

    def quota_revised(self, e: Any, position: int) -> None:
        city, provider, year, old = self._quota(str(e.originator_id))
        self.quotas.put(str(e.originator_id), (city, provider, year, e.amount_fen))
        self._quota_row(e, position, quota_set_fen=e.amount_fen - old)

    def quota_used(self, e: Any, position: int) -> None:
        self._quota_row(e, position, quota_used_fen=e.amount_fen)

    def quota_returned(self, e: Any, position: int) -> None:
        self._quota_row(e, position, quota_used_fen=-e.amount_fen)

    # -- rows ------------------------------------------------------------------------------------------------------
    def _claim(self, claim_id: str) -> tuple:
        found = self.claims.get(claim_id)
        if found is None:  # the ledger never writes such an event; a gap here means a lost event
            raise LookupError(f"money_flows: claim {claim_id} is unknown (its Claimed event was not projected)")
        return found

    def _quota(self, quota_id: str) -> tuple:
        found = self.quotas.get(quota_id)
        if found is None:
            raise LookupError(f"money_flows: quota {quota_id} is unknown (its Set event was not projected)")
        return found

    def _claim_row(self, e: Any, position: int, cid: str, moves: dict[str, int], *, stage: str | None = None,
                   effective: Any = None, cash_year: int | None = None) -> None:
        vid, provider, amount, old_stage, batch, moved_us = self._claim(cid)
        # A payment or reversal dated before the claim's previous move (e.g. a reversal "dated back to the claim")
        # takes effect when that move did: otherwise, as of a time in between, a stage would hold a negative amount.
        effective_us = max(to_us(effective if effective is not None else e.timestamp), moved_us)
        self.claims.put(cid, (vid, provider, amount, stage or old_stage, batch, effective_us))
        share = Decimal(self._voucher(vid)[4])
        city_fen = split_funding(amount, share)[0]
        amounts: dict[str, int] = {}
        for name, sign in moves.items():
            amounts[f"{name}_fen"] = sign * amount
            amounts[f"{name}_city_fen"] = sign * city_fen
        self._voucher_row(e, position, vid, cid, provider=provider, batch=getattr(e, "batch_id", None) or batch,
                          effective_us=effective_us, cash_year=cash_year, **amounts)

    def _voucher(self, vid: str) -> tuple:
        found = self.vouchers.get(vid)
        if found is None:
            raise LookupError(f"money_flows: voucher {vid} is unknown (its Issued event was not projected)")
        return found

    def _voucher_row(self, e: Any, position: int, vid: str, cid: str | None, *, status: str | None = None,
                     provider: str | None = None, batch: Any = None, effective_us: int | None = None,
                     cash_year: int | None = None, **amounts: int) -> None:
        enterprise, city, year, category = self._voucher(vid)[:4]
        recorded_us = to_us(e.timestamp)
        effective_us = recorded_us if effective_us is None else effective_us
        self._row(e, position, recorded_us, effective_us, year, cash_year, city, category,
                  (vid, cid, enterprise, provider, None if batch is None else str(batch), status), amounts)

    def _award_row(self, e: Any, position: int, effective_us: int, cash_year: int | None, batch: Any,
                   amounts: dict[str, int]) -> None:
        self._row(e, position, to_us(e.timestamp), effective_us, e.year, cash_year, e.city, award_category(e.kind),
                  (None, None, None, None, None if batch is None else str(batch), None), amounts,
                  award_id=str(e.originator_id))

    def _quota_row(self, e: Any, position: int, **amounts: int) -> None:
        city, provider, year, _ = self._quota(str(e.originator_id))
        us = to_us(e.timestamp)
        self._row(e, position, us, us, year, None, city, None, (None, None, None, provider, None, None), amounts)

    def _row(self, e: Any, position: int, recorded_us: int, effective_us: int, year: int, cash_year: int | None,
             city: str, category: str | None, refs: tuple, amounts: dict[str, int], award_id: str | None = None) -> None:
        day = shanghai_day(effective_us)
        cash = cash_year if cash_year is not None else day // 10_000
        values = [0] * len(AMOUNTS)
        for name, value in amounts.items():
            values[_AMOUNT_INDEX[name]] = value
        self.movements.append((position, 0, event_type(e), effective_us, recorded_us, day, year, cash, city, category,
                               *refs, *values, award_id))
        key = (day, year, cash, category or "")
        if city:
            _add(self.city_daily, (city, *key), values)
        provider = refs[3]
        if provider:
            _add(self.provider_daily, (provider, *key), values)

    def write(self, view: ReadModelView, curs: Any) -> None:
        view.insert_rows(curs, "vl_money_movements", MOVEMENT_COLUMNS, self.movements)
        _upsert_sums(view, curs, "vl_city_daily", ("city", *DAILY_KEYS), self.city_daily)
        _upsert_sums(view, curs, "vl_provider_daily", ("provider_id", *DAILY_KEYS), self.provider_daily)
        _upsert_sums(view, curs, "vl_city_monthly", ("city", *MONTHLY_KEYS), _by_month(self.city_daily))
        _upsert_sums(view, curs, "vl_provider_monthly", ("provider_id", *MONTHLY_KEYS), _by_month(self.provider_daily))


def _add(buckets: dict[tuple, list[int]], key: tuple, values: list[int]) -> None:
    total = buckets.get(key)
    if total is None:
        buckets[key] = list(values)
    else:
        for i, value in enumerate(values):
            if value:
                total[i] += value


def _by_month(daily: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """A batch's daily sums folded into months (YYYYMM = YYYYMMDD // 100) when it is written, so that a money row is
    added to one bucket per owner, not two."""
    monthly: dict[tuple, list[int]] = {}
    for (owner, day, *keys), values in daily.items():
        _add(monthly, (owner, day // 100, *keys), values)
    return monthly


_ADDS = {table: rendered(SQL(", ").join(SQL("{c} = {t}.{c} + excluded.{c}").format(c=Identifier(c), t=Identifier(table))
                                       for c in AMOUNTS))
         for table in ("vl_city_daily", "vl_provider_daily", "vl_city_monthly", "vl_provider_monthly")}


def _upsert_sums(view: ReadModelView, curs: Any, table: str, keys: tuple[str, ...],
                 buckets: dict[tuple, list[int]]) -> None:
    rows = [(*key, *values) for key, values in buckets.items()]
    view.upsert_rows(curs, table, (*keys, *AMOUNTS), keys, rows, _ADDS[table])
