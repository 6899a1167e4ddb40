"""What each kind of import file holds, and the command value each row becomes (``ledger/commands/values.py``).

Most kinds are one command per row. A catalogue and the carriers' rates are published per year, so their rows are
gathered by year into one command (attributed to the year's first row); a settlement file lists a batch's claims one
per row: the batch is opened at its first row, each row adds its claim, and the batch is paid after its last row
when the rows carry a payment time. Rows are decided in file order, so a file may rely on its own earlier rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from importer import references as ref
from importer.columns import (CLAIM_NO, EFFECTIVE, ITEM, LIST_ITEMS, PROVIDER, TEXT_LONGEST, USCC, VOUCHER_KEY, YEAR,
                              Column, carrier, city, code, day, day_kind, integer, moment, numbers, rate, text, yes_no)
from importer.kind_shapes import Kind, Plan, Planned, Refused, Row, Step, each_row
from importer.recovery_kinds import AFTER_PAYMENT_KINDS
from ledger.catalogue import CatalogueItem
from ledger.claims import ClaimEvidence
from ledger.commands import values as v
from ledger.commands.values import Command
from ledger.errors import InvalidInputError, InvalidWorkingCalendarError, LedgerError


def by_year(build: Callable[[int, list[Row]], Command]) -> Plan:
    """Rows gathered by their year, decided as one command at the year's first row; the others carry no step. A
    year with an unreadable row is not decided at all (it would be published without that row)."""
    def plan(rows: list[Row], sha256: str) -> Iterator[Planned]:
        years: dict[int, list[Row]] = {}
        for row in rows:
            years.setdefault(row.values.get("year"), []).append(row)
        done: set[Any] = {None}
        for row in rows:
            year = row.values.get("year")
            if year in done:
                continue
            done.add(year)
            bad = [r.number for r in years[year] if not r.ok]
            if bad:
                yield Refused(row.number, InvalidInputError(
                    f"the {year} rows are decided together and row {bad[0]} of them cannot be read"), "year")
                continue
            try:
                yield Step(row.number, build(year, years[year]))
            except _RowError as error:
                yield Refused(error.row, error.error, error.column)
            except LedgerError as error:
                yield Refused(row.number, error)

    return plan


class _RowError(Exception):
    def __init__(self, row: int, error: LedgerError, column: str | None = None) -> None:
        super().__init__(error.detail)
        self.row, self.error, self.column = row, error, column


def _catalogue(year: int, rows: list[Row]) -> Command:
    # The deadline may be left out, as over the API: a year's catalogue is redeemable until the year's deadline.
    deadlines = {row.values["redemption_deadline"] for row in rows} - {None}
    if len(deadlines) > 1:
        raise _RowError(rows[0].number, InvalidInputError(
            f"the {year} rows name {len(deadlines)} redemption deadlines; a year's catalogue has one"),
            "redemption_deadline")
    items = []
    for row in rows:
        r = row.values
        try:
            items.append(CatalogueItem.checked(r["item_id"], r["name"], r["fee_category"], r["rate"], r["cap_fen"]))
        except LedgerError as error:
            raise _RowError(row.number, error) from None
    deadline = deadlines.pop() if deadlines else None
    return v.PublishCatalogue(year=year, items=tuple(items), redemption_deadline=deadline)


def _working_calendar(year: int, rows: list[Row]) -> Command:
    """A calendar year's holiday arrangement, one row per day that is not as Monday-Friday would have it: published
    whole, or (rows with a reason) replacing the year's recorded arrangement whole, as a revision does."""
    for column in ("notice", "reason"):
        found = {row.values[column] for row in rows}
        if len(found) > 1:
            raise _RowError(rows[0].number, InvalidWorkingCalendarError(
                f"the {year} rows name {len(found)} different {column}s; a year's arrangement has one"), column)
    for row in rows:
        if row.values["date"].year != year:
            raise _RowError(row.number, InvalidWorkingCalendarError(
                f"{row.values['date']}: a day of the {year} working calendar is in {year}"), "date")
    days_off = tuple(row.values["date"] for row in rows if row.values["day"] == "OFF")
    workdays = tuple(row.values["date"] for row in rows if row.values["day"] == "WORK")
    notice, reason = rows[0].values["notice"], rows[0].values["reason"]
    if reason is None:
        return v.PublishWorkingCalendar(year=year, days_off=days_off, workdays=workdays, notice=notice)
    return v.ReviseWorkingCalendar(year=year, days_off=days_off, workdays=workdays, notice=notice, reason=reason)


def _carrier_rates(year: int, rows: list[Row]) -> Command:
    return v.SetCarrierRates(year=year, rates=tuple((row.values["carrier"], row.values["rate"]) for row in rows))


def _claim(r: dict[str, Any], sha256: str, row: int) -> Command:
    voucher_id = ref.voucher(r)
    evidence = ClaimEvidence(
        contract_no=r["contract_no"], contract_date=r["contract_date"], contract_amount_fen=r["contract_amount_fen"],
        invoice_nos=r["invoice_nos"], payment_proven_fen=r["payment_proven_fen"],
        payment_proof_ref=r["payment_proof_ref"], acceptance_report_ref=r["acceptance_report_ref"],
        accepted_at=r["accepted_at"], no_other_funding=r["no_other_funding"])
    return v.SubmitClaim(voucher_id=voucher_id, claim_id=ref.claim_id(voucher_id, r["claim_no"], sha256, row),
                         provider_id=ref.provider(r), evidence=evidence, fee_category=r["fee_category"],
                         eligible_fee_fen=r["eligible_fee_fen"])


DECISIONS = {"APPROVE": "APPROVE", "批准": "APPROVE", "通过": "APPROVE", "REJECT": "REJECT", "驳回": "REJECT",
             "REVERSE": "REVERSE", "撤销": "REVERSE", "RELEASE": "RELEASE", "放行": "RELEASE"}


def _review(r: dict[str, Any], sha256: str, row: int) -> Command:
    voucher_id = ref.voucher(r)
    claim_id = ref.claim_id(voucher_id, r["claim_no"], sha256, row)
    decision = DECISIONS.get(r["decision"])
    if decision is None:
        raise InvalidInputError(f"decision must be one of {', '.join(DECISIONS)}, got {r['decision']!r}")
    if decision == "APPROVE":
        return v.ApproveClaim(voucher_id=voucher_id, claim_id=claim_id)
    reason = r["reason"] or ""
    if decision == "REJECT":
        return v.RejectClaim(voucher_id=voucher_id, claim_id=claim_id, reason=reason)
    if decision == "RELEASE":
        return v.ReleaseClaim(voucher_id=voucher_id, claim_id=claim_id, reason=reason)
    if r["effective_at"] is None:
        raise InvalidInputError("a reversal needs effective_at (生效时间): when it takes effect")
    return v.ReverseClaim(voucher_id=voucher_id, claim_id=claim_id, reason=reason, effective_at=r["effective_at"])


def _settlements(rows: list[Row], sha256: str) -> Iterator[Planned]:
    """Open each batch at its first row that names a claim, add each row's claim, pay after the batch's last row if
    that row has paid_at. A row naming no claim (no uscc) only pays: a batch filled by an earlier file."""
    rows = [row for row in rows if row.ok]
    last: dict[Any, int] = {}
    for row in rows:
        last[(ref.provider(row.values), row.values["batch_no"].upper())] = row.number
    opened: set[Any] = set()
    for row in rows:
        r = row.values
        provider_id = ref.provider(r)
        key = (provider_id, r["batch_no"].upper())
        batch_id = ref.batch_id(provider_id, r["batch_no"])
        if r["uscc"] is not None:
            if r["year"] is None or r["item_id"] is None:
                yield Refused(row.number, InvalidInputError("a row naming a claim needs uscc, year and item_id"),
                              "year" if r["year"] is None else "item_id")
                continue
            if key not in opened:
                opened.add(key)
                yield Step(row.number, v.OpenBatch(batch_id=batch_id, provider_id=provider_id, period=r["period"]))
            voucher_id = ref.voucher(r)
            yield Step(row.number, v.AddToBatch(batch_id=batch_id, voucher_id=voucher_id,
                                                claim_id=ref.claim_id(voucher_id, r["claim_no"], sha256, row.number)))
        if last[key] == row.number and r["paid_at"] is not None:
            yield Step(row.number, v.PayBatch(batch_id=batch_id, effective_at=r["paid_at"]))


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("enterprises", "企业", (
        USCC, Column("name", "企业名称"), Column("city", "地市代码", city, example="440100"),
        Column("carrier", "运营商", carrier, example="中国电信"), Column("established_on", "成立日期", day)),
        each_row(lambda r, *_: v.RegisterEnterprise(uscc=r["uscc"], name=r["name"], city=r["city"],
                                                    carrier=r["carrier"], established_on=r["established_on"])),
        "register enterprises"),
    Kind("eligibility", "资格认定", (
        USCC, YEAR, Column("prior_year_revenue_fen", "上年主营业务收入（分）", integer),
        Column("serious_misuse_5y", "近五年严重违法违规", yes_no, example="否"), EFFECTIVE),
        each_row(lambda r, *_: v.DecideEligibility(
            enterprise_id=ref.enterprise(r), year=r["year"], prior_year_revenue_fen=r["prior_year_revenue_fen"],
            serious_misuse_5y=r["serious_misuse_5y"], effective_at=r["effective_at"])),
        "decide eligibility for a year"),
    Kind("carrier-rates", "运营商网络费用折扣", (
        YEAR, Column("carrier", "运营商", code, example="CHINA_MOBILE"), Column("rate", "折扣率", rate, example="0.30")),
        by_year(_carrier_rates), "configure the carriers' network discount rates, per year"),
    Kind("catalogue", "服务目录", (
        YEAR, Column("redemption_deadline", "兑付截止日", day, required=False), ITEM, Column("name", "服务名称"),
        Column("fee_category", "费用类别", code, example="APPLICATION_SERVICE"),
        Column("rate", "补贴比例", rate, example="0.50"), Column("cap_fen", "补贴上限（分）", integer)),
        by_year(_catalogue), "publish a year's service catalogue (all its rows at once)"),
    Kind("working-calendars", "工作日历", (
        YEAR, Column("date", "日期", day, example="2020-01-24"),
        Column("day", "安排", day_kind, example="放假"),
        Column("notice", "通知文号", example="国办发明电〔2019〕16号"),
        Column("reason", "修订原因", required=False, example="春节假期延长至2月2日（国办发明电〔2020〕1号）")),
        by_year(_working_calendar), "record a calendar year's holiday arrangement (放假 / 调休上班, one row per day; "
        "all its rows at once; with a reason, a revision of the whole year)"),
    Kind("city-quotas", "地市额度", (
        Column("city", "地市代码", city, example="440100"), YEAR, Column("amount_fen", "额度（分）", integer),
        Column("city_share", "地市分担比例", rate, example="0.50")),
        each_row(lambda r, *_: v.SetCityQuota(city=r["city"], year=r["year"], amount_fen=r["amount_fen"],
                                              city_share=r["city_share"])),
        "set or revise a city's voucher quota for a year"),
    Kind("providers", "服务商", (
        USCC, Column("name", "服务商名称"), Column("kind", "类型", code, example="PLATFORM")),
        each_row(lambda r, *_: v.AdmitProvider(uscc=r["uscc"], name=r["name"], kind=r["kind"])),
        "admit providers to the resource pool"),
    Kind("cloud-agreements", "公有云折扣协议", (USCC, YEAR, Column("rate", "折扣率", rate, example="0.30")),
         each_row(lambda r, *_: v.RecordCloudAgreement(provider_id=ref.provider(r, "uscc"), year=r["year"],
                                                       rate=r["rate"])),
         "record public-cloud providers' discount agreements, per year"),
    Kind("provider-quotas", "服务商额度", (USCC, YEAR, Column("amount_fen", "额度（分）", integer)),
         each_row(lambda r, *_: v.SetProviderQuota(provider_id=ref.provider(r, "uscc"), year=r["year"],
                                                   amount_fen=r["amount_fen"])),
         "set or revise a provider's redemption quota for a year"),
    Kind("assessments", "安全评估", (
        USCC, Column("area", "评估领域", code, example="NETWORK"), Column("kind", "类型", code, example="ASSESSMENT"),
        Column("passed", "是否通过", yes_no, example="是"), Column("assessor", "评估机构"),
        Column("report_ref", "报告编号"), EFFECTIVE),
        each_row(lambda r, *_: v.RecordAssessment(
            provider_id=ref.provider(r, "uscc"), area=r["area"], kind=r["kind"], passed=r["passed"],
            assessor=r["assessor"], report_ref=r["report_ref"], effective_at=r["effective_at"])),
        "record security assessments and spot checks of providers"),
    Kind("eliminations", "服务商淘汰", (USCC, YEAR, Column("rating", "评级", code, example="C"), EFFECTIVE),
         each_row(lambda r, *_: v.EliminateProvider(provider_id=ref.provider(r, "uscc"), year=r["year"],
                                                    rating=r["rating"], effective_at=r["effective_at"])),
         "eliminate providers from the pool for a year (annual rating)"),
    Kind("vouchers", "服务券", VOUCHER_KEY,
         each_row(lambda r, *_: v.IssueVoucher(enterprise_id=ref.enterprise(r), year=r["year"], item_id=r["item_id"])),
         "issue vouchers (recorded_at must fall in the voucher's year)"),
    Kind("claims", "兑付申请", (
        *VOUCHER_KEY, CLAIM_NO, PROVIDER, Column("contract_no", "合同编号"), Column("contract_date", "合同日期", moment),
        Column("contract_amount_fen", "合同金额（分）", integer), Column("invoice_nos", "发票号码", numbers,
                                                                        example="FP001;FP002",
                                                                        longest=LIST_ITEMS * (TEXT_LONGEST + 1)),
        Column("payment_proven_fen", "已付款金额（分）", integer), Column("payment_proof_ref", "付款凭证编号"),
        Column("acceptance_report_ref", "验收报告编号"), Column("accepted_at", "验收时间", moment),
        Column("no_other_funding", "无其他财政资金", yes_no, example="是"),
        Column("fee_category", "费用类别", code, example="APPLICATION_SERVICE"),
        Column("eligible_fee_fen", "可补贴费用（分）", integer)),
        each_row(_claim), "claims (redemptions) on vouchers"),
    Kind("approvals", "审核结果", (
        *VOUCHER_KEY, replace(CLAIM_NO, required=True), Column("decision", "审核结论", code, example="APPROVE"),
        Column("reason", "理由", text, required=False), Column("effective_at", "生效时间", moment, required=False)),
        each_row(_review), "review decisions on claims: APPROVE, REJECT, REVERSE (with effective_at) or RELEASE"),
    Kind("settlements", "资金结算", (
        Column("batch_no", "结算批次号"), PROVIDER, Column("period", "结算期间", example="2019-06"),
        *(replace(c, required=False) for c in VOUCHER_KEY), CLAIM_NO, Column("paid_at", "支付时间", moment, required=False)),
        _settlements, "settlement batches: one row per claim, a batch paid after its last row if paid_at is set; a row "
        "without uscc only pays"),
    Kind("expiries", "服务券到期", VOUCHER_KEY,
         each_row(lambda r, *_: v.ExpireVoucher(voucher_id=ref.voucher(r))),
         "expire vouchers after their redemption deadline"),
    Kind("revocations", "服务券撤销", (*VOUCHER_KEY, Column("reason", "理由")),
         each_row(lambda r, *_: v.RevokeVoucher(voucher_id=ref.voucher(r), reason=r["reason"])),
         "revoke vouchers"),
    *AFTER_PAYMENT_KINDS,
)}

# The order in which a whole programme's files are imported: each kind needs only those before it.
ORDER = ("enterprises", "providers", "cloud-agreements", "carrier-rates", "catalogue", "working-calendars",
         "city-quotas", "provider-quotas", "assessments", "eliminations", "eligibility", "vouchers", "claims", "approvals", "settlements",
         "recovery-collections", "recovery-write-offs", "revocations", "expiries")
assert set(ORDER) == set(KINDS)
