"""One line per event, in Simplified Chinese and in English, for the audit trail. Amounts in yuan; times in
Asia/Shanghai.

Summaries are for people reading a trail; figures are never parsed back from them (the rows carry the numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.words import CODES, named
from projections.award_summaries import AWARD_SUMMARIES, _city, _short, _t, yuan
from projections.payment_summaries import PAYMENT_SUMMARIES
from projections.whitelist_reasons import from_english


Summary = Callable[[Any], tuple[str, str]]
# The reasons the ledger itself writes when value goes back to a quota (ledger/commands/vouchers.py); a reason a
# person typed is shown as typed.
_REASON_ZH = {"voucher expired": "服务券过期", "voucher revoked": "服务券撤回", "claim rejected": "兑付审核不通过",
              "claim reversed": "兑付撤销"}


def _why(reason: str) -> str:
    return _REASON_ZH.get(reason, reason)


def reason_shown(reason: str | None, lang: str = "zh") -> str | None:
    """A trail row's reason (``projections/audit_trail.py``: a reason as given, an eligibility decision's codes
    joined by ", ", or "rated …") as a reader of ``lang`` is shown it: in Chinese, the ledger's own reasons and its
    codes named, what a person typed as typed; in English, as stored."""
    if reason is None or lang != "zh":
        return reason
    if reason in _REASON_ZH:
        return _REASON_ZH[reason]
    codes = reason.split(", ")
    if all(code in CODES for code in codes):
        return "、".join(named(code) for code in codes)
    return from_english(reason)  # the whitelist's reasons (an elimination's rating) and anything typed


def _areas(areas: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(named(a, lang) for a in areas)


def _reasons(reasons: list[str], lang: str = "zh") -> str:
    """Why an enterprise is not eligible, each reason named (ledger/words.py)."""
    return ("、" if lang == "zh" else ", ").join(named(r, lang) for r in reasons)

SUMMARIES: dict[str, Summary] = {
    "Enterprise.Registered": lambda e: (
        f"企业登记：{e.name}（{e.uscc}），{_city(e.city)[0]}，成立于 {e.established_on}",
        f"enterprise registered: {e.name} ({e.uscc}), {_city(e.city)[1]}, established {e.established_on}",
    ),
    "Enterprise.EligibilityDecided": lambda e: (
        f"{e.year} 年度资格{'通过' if e.granted else '不通过'}" + ("" if e.granted else f"：{_reasons(e.reasons)}"),
        f"eligibility for {e.year} {'granted' if e.granted else 'refused: ' + _reasons(e.reasons, 'en')}",
    ),
    "Enterprise.EligibilityCorrected": lambda e: (
        f"{e.year} 年度资格更正：{'通过' if e.previously_granted else '不通过'} → {'通过' if e.granted else '不通过'}"
        + ("" if e.granted else f"（{_reasons(e.reasons)}）") + f"，原因：{e.reason}（已发放的服务券不受影响）",
        f"eligibility for {e.year} corrected: {'granted' if e.previously_granted else 'refused'} -> "
        + ("granted" if e.granted else "refused: " + _reasons(e.reasons, "en")) + f"; reason: {e.reason} "
        "(vouchers already issued are not affected)",
    ),
    "CarrierDiscountRates.Set": lambda e: (f"{e.year} 年度运营商网络资费折扣率公布", f"carrier discount rates for {e.year} set"),
    "CarrierDiscountRates.Revised": lambda e: ("运营商网络资费折扣率修订", "carrier discount rates revised"),
    "WorkingCalendar.Published": lambda e: (
        f"{e.year} 年节假日安排登记（{e.notice}）：放假 {len(e.days_off)} 天，调休上班 {len(e.workdays)} 天",
        f"{e.year} holiday arrangement recorded ({e.notice}): {len(e.days_off)} days off, "
        f"{len(e.workdays)} weekend days worked",
    ),
    "WorkingCalendar.Revised": lambda e: (
        f"节假日安排更正（{e.notice}）：放假 {len(e.days_off)} 天，调休上班 {len(e.workdays)} 天，原因：{e.reason}"
        "（已公示名单的异议期不变）",
        f"holiday arrangement revised ({e.notice}): {len(e.days_off)} days off, {len(e.workdays)} weekend days "
        f"worked; reason: {e.reason} (windows of lists already published are unchanged)",
    ),
    "NetworkDiscountGrant.Granted": lambda e: (
        f"{e.year} 年度网络资费优惠：{named(e.carrier)} 折扣率 {e.rate}",
        f"network discount for {e.year}: {named(e.carrier, 'en')} at rate {e.rate}",
    ),
    "CloudDiscountAgreement.Agreed": lambda e: (
        f"{e.year} 年度公有云资费优惠协议：折扣率 {e.rate}", f"public-cloud discount agreement for {e.year}: rate {e.rate}"
    ),
    "Programme.Defined": lambda e: (
        f"项目政策登记：{e.name}（{e.document_number}，{e.policy_date}）",
        f"programme recorded: {e.document_number} of {e.policy_date}",
    ),
    "Programme.YearOpened": lambda e: (f"{e.year} 年度纳入项目", f"programme year {e.year} opened"),
    "ProgrammeYear.Opened": lambda e: (
        f"{e.year} 年度项目参数：发券 {e.issuance_opens} 至 {e.issuance_closes}，兑付截止 {e.redemption_deadline}，"
        f"营业收入门槛 {yuan(e.revenue_threshold_fen)}" + (  # a successor policy of its own, named
            f"；政策依据：{e.policy['name']}（{e.policy['document_number']}，{e.policy['policy_date']}）"
            if e.policy else ""),
        f"programme year {e.year}: issuance {e.issuance_opens} to {e.issuance_closes}, redeemable until "
        f"{e.redemption_deadline}, revenue threshold {yuan(e.revenue_threshold_fen)}" + (
            f"; under {e.policy['document_number']} of {e.policy['policy_date']}" if e.policy else ""),
    ),
    "TrainingMark.Marked": lambda e: (
        f"本库为培训库（培训时钟起点 {_t(e.clock_started_at)}）", f"training store (clock started {_t(e.clock_started_at)})",
    ),
    "Catalogue.Published": lambda e: (
        f"{e.year} 年度服务券目录发布（{len(e.items)} 项，兑付截止 {e.redemption_deadline}）",
        f"{e.year} voucher catalogue published ({len(e.items)} items, redeemable until {e.redemption_deadline})",
    ),
    "CityQuota.Set": lambda e: (f"{_city(e.city)[0]} {e.year} 年度额度 {yuan(e.amount_fen)}",
                                f"{_city(e.city)[1]} quota for {e.year}: {yuan(e.amount_fen)}"),
    "CityQuota.AmountRevised": lambda e: (f"地市额度调整为 {yuan(e.amount_fen)}", f"city quota revised to {yuan(e.amount_fen)}"),
    "CityQuota.Used": lambda e: (f"占用地市额度 {yuan(e.amount_fen)}", f"city quota used: {yuan(e.amount_fen)}"),
    "CityQuota.Returned": lambda e: (f"退回地市额度 {yuan(e.amount_fen)}（{_why(e.reason)}）",
                                     f"city quota returned: {yuan(e.amount_fen)} ({e.reason})"),
    "ProviderQuota.Set": lambda e: (f"服务商 {e.year} 年度额度 {yuan(e.amount_fen)}", f"provider quota for {e.year}: {yuan(e.amount_fen)}"),
    "ProviderQuota.AmountRevised": lambda e: (f"服务商额度调整为 {yuan(e.amount_fen)}", f"provider quota revised to {yuan(e.amount_fen)}"),
    "ProviderQuota.Used": lambda e: (f"占用服务商额度 {yuan(e.amount_fen)}", f"provider quota used: {yuan(e.amount_fen)}"),
    "ProviderQuota.Returned": lambda e: (f"退回服务商额度 {yuan(e.amount_fen)}（{_why(e.reason)}）",
                                         f"provider quota returned: {yuan(e.amount_fen)} ({e.reason})"),
    "Provider.Admitted": lambda e: (f"服务商入库：{e.name}（{e.uscc}，{named(e.kind)}）",
                                    f"provider admitted: {e.name} ({e.uscc}, {named(e.kind, 'en')})"),
    "Provider.AssessmentRecorded": lambda e: (
        f"{named(e.area)}{named(e.kind)}{'通过' if e.passed else '不通过'}（{e.assessor}，{_t(e.effective_at)} 生效）",
        f"{named(e.area, 'en')} {named(e.kind, 'en')} "
        f"{'passed' if e.passed else 'FAILED'} ({e.assessor}, effective {_t(e.effective_at)})",
    ),
    "Provider.Suspended": lambda e: (
        f"暂停白名单资格（{_areas(e.failing_areas, 'zh')}），{_t(e.effective_at)} 生效",
        f"suspended from the whitelist ({_areas(e.failing_areas, 'en')}), effective {_t(e.effective_at)}",
    ),
    "Provider.Whitelisted": lambda e: (
        ("恢复白名单资格" if e.reinstated else "列入白名单") + f"，{_t(e.effective_at)} 生效",
        ("reinstated to" if e.reinstated else "entered") + f" the whitelist, effective {_t(e.effective_at)}",
    ),
    "Provider.Eliminated": lambda e: (f"{e.year} 年度评价 {e.rating}，淘汰出资源池", f"rated {e.rating} for {e.year}: eliminated from the pool"),
    "ServiceRating.Rated": lambda e: (
        f"企业评价服务商服务（兑付 {_short(e.claim_id)}，{e.year} 年度）：{e.score} 分"
        + (f"，意见：{e.comment}" if e.comment else ""),
        f"service rated {e.score}/5 (claim {_short(e.claim_id)}, {e.year})"
        + (f"; comment: {e.comment}" if e.comment else ""),
    ),
    "Complaint.Filed": lambda e: (
        f"企业投诉服务商（兑付 {_short(e.claim_id)}，{e.year} 年度）：{e.reason}",
        f"complaint filed (claim {_short(e.claim_id)}, {e.year}): {e.reason}",
    ),
    "ProviderReview.Opened": lambda e: (f"服务商 {e.year} 年度评价记录建立", f"provider's {e.year} review opened"),
    "ProviderReview.RatingCounted": lambda e: (
        f"计入年度评价：评分 {e.score} 分（兑付 {_short(e.claim_id)}）",
        f"rating {e.score} counted (claim {_short(e.claim_id)})"),
    "ProviderReview.ComplaintCounted": lambda e: (
        f"计入年度评价：投诉 1 件（兑付 {_short(e.claim_id)}）", f"complaint counted (claim {_short(e.claim_id)})"),
    "ProviderReview.Evaluated": lambda e: (
        f"资源池年度评价：{e.score} 分（{named(e.outcome)}；评价 {e.ratings} 次、平均 "
        f"{e.average_rating if e.average_rating is not None else '无'} 分，投诉 {e.complaints} 件，抽查合格 "
        f"{e.spot_checks_passed} 次、不合格 {e.spot_checks_failed} 次；公式 {e.rules['formula']}，推荐线 "
        f"{e.rules['promotion_line']}、淘汰线 {e.rules['elimination_line']}）"
        + ("" if e.quota_set_fen is None else f"，{e.next_year} 年度额度 {yuan(e.quota_set_fen)}"),
        f"resource pool evaluation: score {e.score} ({named(e.outcome, 'en')}; {e.ratings} ratings averaging "
        f"{e.average_rating if e.average_rating is not None else 'none'}, {e.complaints} complaints, spot checks "
        f"{e.spot_checks_passed} passed / {e.spot_checks_failed} failed; formula {e.rules['formula']}, promotion line "
        f"{e.rules['promotion_line']}, elimination line {e.rules['elimination_line']})"
        + ("" if e.quota_set_fen is None else f"; {e.next_year} quota {yuan(e.quota_set_fen)}"),
    ),
    "PoolEvaluation.Run": lambda e: (
        f"{e.year} 年度资源池评价完成：{len(e.provider_ids)} 家服务商，重点宣传推荐 {e.promoted} 家，"
        f"淘汰 {e.eliminated} 家",
        f"{e.year} resource pool evaluated: {len(e.provider_ids)} providers, {e.promoted} promoted, "
        f"{e.eliminated} eliminated",
    ),
    "ClaimKey.Registered": lambda e: (
        f"合同 {e.contract_no} 发票 {e.invoice_no} 登记于兑付 {_short(e.claim_id)}",
        f"contract {e.contract_no} invoice {e.invoice_no} recorded for claim {_short(e.claim_id)}",
    ),
    "InvoiceKey.Registered": lambda e: (
        f"发票 {e.invoice_no} 用于兑付 {_short(e.claim_id)}", f"invoice {e.invoice_no} on claim {_short(e.claim_id)}"),
    "InvoiceKey.Taken": lambda e: (
        f"发票用于兑付 {_short(e.claim_id)}（重新提交）", f"invoice on claim {_short(e.claim_id)} (resubmitted)"),
    "InvoiceKey.Released": lambda e: (
        f"兑付 {_short(e.claim_id)} 释放发票（{_why(e.reason)}）", f"invoice released by claim {_short(e.claim_id)} ({e.reason})"),
    "ContractKey.Registered": lambda e: (
        f"合同 {e.contract_no}（{yuan(e.contract_amount_fen)}）兑付 {_short(e.claim_id)} 申报 {yuan(e.eligible_fee_fen)}",
        f"contract {e.contract_no} ({yuan(e.contract_amount_fen)}): claim {_short(e.claim_id)} for a fee of "
        f"{yuan(e.eligible_fee_fen)}",
    ),
    "ContractKey.PartAdded": lambda e: (
        f"合同分次兑付 {_short(e.claim_id)} 申报 {yuan(e.eligible_fee_fen)}",
        f"contract part: claim {_short(e.claim_id)} for a fee of {yuan(e.eligible_fee_fen)}",
    ),
    "ContractKey.PartReleased": lambda e: (
        f"兑付 {_short(e.claim_id)} 释放合同额度 {yuan(e.eligible_fee_fen)}（{_why(e.reason)}）",
        f"claim {_short(e.claim_id)} released its contract part of {yuan(e.eligible_fee_fen)} ({e.reason})",
    ),
    "ContractKey.Opened": lambda e: (f"合同 {e.contract_no} 登记资金来源", f"contract {e.contract_no}: funding recorded"),
    "ContractKey.OtherFundingRecorded": lambda e: (
        f"合同已获其他财政资金支持：{e.fund_name}（{e.document_no}）{yuan(e.amount_fen)}，{_t(e.effective_at)}；"
        f"{e.reason}；不得再申请服务券兑付",
        f"contract funded by another fiscal fund: {e.fund_name} ({e.document_no}) {yuan(e.amount_fen)}, "
        f"{_t(e.effective_at)}; {e.reason}; no voucher may claim it",
    ),
    "ContractKey.AwardFunded": lambda e: (
        f"合同由奖补 {_short(e.award_id)} 支持 {yuan(e.amount_fen)}，{_t(e.effective_at)}；不得再申请服务券兑付",
        f"contract funded by award {_short(e.award_id)}: {yuan(e.amount_fen)}, {_t(e.effective_at)}; no voucher may "
        f"claim it",
    ),
    "Voucher.Issued": lambda e: (
        (f"发放 {e.year} 年度服务券 {e.item_id}（{named(e.fee_category)}），面值 {yuan(e.face_value_fen)}，"
        f"省 {yuan(e.province_portion_fen)} / 市 {yuan(e.city_portion_fen)}"),
        (f"{e.year} voucher issued for {e.item_id} ({named(e.fee_category, 'en')}), face value "
        f"{yuan(e.face_value_fen)}: province {yuan(e.province_portion_fen)} / city {yuan(e.city_portion_fen)}"),
    ),
    "Voucher.Claimed": lambda e: (
        f"申请兑付 {_short(e.claim_id)}：{yuan(e.amount_fen)}（合同 {e.contract_no}，验收 {_t(e.effective_at)}）",
        f"claim {_short(e.claim_id)} for {yuan(e.amount_fen)} (contract {e.contract_no}, accepted {_t(e.effective_at)})",
    ),
    "Voucher.ClaimApproved": lambda e: (f"兑付 {_short(e.claim_id)} 审核通过", f"claim {_short(e.claim_id)} approved"),
    "Voucher.ClaimRejected": lambda e: (
        f"兑付 {_short(e.claim_id)} 审核不通过（{e.reason}），释放 {yuan(e.freed_fen)}",
        f"claim {_short(e.claim_id)} rejected ({e.reason}), {yuan(e.freed_fen)} freed",
    ),
    "Voucher.ClaimBatched": lambda e: (
        f"兑付 {_short(e.claim_id)} 纳入结算批次 {_short(e.batch_id)}",
        f"claim {_short(e.claim_id)} put in settlement batch {_short(e.batch_id)}",
    ),
    "Voucher.ClaimSettled": lambda e: (
        f"兑付 {_short(e.claim_id)} 已结算（批次 {_short(e.batch_id)}，{_t(e.effective_at)} 支付）",
        f"claim {_short(e.claim_id)} settled (batch {_short(e.batch_id)}, paid {_t(e.effective_at)})",
    ),
    "Voucher.ClaimReversed": lambda e: (
        f"兑付 {_short(e.claim_id)} 撤销（{e.reason}）："
        + (f"追回 {yuan(e.recovery_fen)}" if e.after_settlement else f"释放 {yuan(e.freed_fen)}"),
        f"claim {_short(e.claim_id)} reversed ({e.reason}): "
        + (f"{yuan(e.recovery_fen)} to recover" if e.after_settlement else f"{yuan(e.freed_fen)} freed"),
    ),
    "Voucher.ClaimFlagged": lambda e: (
        f"兑付 {_short(e.claim_id)} 因事后登记的暂停（{_t(e.suspended_from)} 生效）被标记"
        + (f"，暂缓结算 {yuan(e.amount_fen)}" if e.held else "（已结算，待覆核）"),
        f"claim {_short(e.claim_id)} flagged: provider suspended from {_t(e.suspended_from)}, recorded late; "
        + (f"{yuan(e.amount_fen)} held from settlement" if e.held else "already settled, for review"),
    ),
    "Voucher.ClaimReleased": lambda e: (
        f"兑付 {_short(e.claim_id)} 解除暂缓（{e.reason}），{yuan(e.amount_fen)} 可结算",
        f"claim {_short(e.claim_id)} released ({e.reason}): {yuan(e.amount_fen)} may be settled",
    ),
    "Voucher.Expired": lambda e: (f"服务券过期，余额 {yuan(e.returned_fen)} 退回地市额度", f"voucher expired; {yuan(e.returned_fen)} back to the city quota"),
    "Voucher.Revoked": lambda e: (
        f"服务券撤回（{e.reason}），余额 {yuan(e.returned_fen)} 退回地市额度",
        f"voucher revoked ({e.reason}); {yuan(e.returned_fen)} back to the city quota",
    ),
    "Voucher.ValueReturned": lambda e: (
        f"兑付 {_short(e.claim_id)} 释放的 {yuan(e.returned_fen)} 退回地市额度",
        f"{yuan(e.returned_fen)} freed by claim {_short(e.claim_id)} back to the city quota",
    ),
    "Voucher.ClaimPublicised": lambda e: (
        f"兑付 {_short(e.claim_id)} 列入公示名单，异议期至 {_t(e.window_ends_at)}",
        f"claim {_short(e.claim_id)} publicised; objections until {_t(e.window_ends_at)}",
    ),
    **PAYMENT_SUMMARIES,
    **AWARD_SUMMARIES,
}


# The lines of an event that names a private person, for a reader who may not know who (README, "Publicity": the
# objector is the province's and auditors' to see; everyone else sees that, and why, a claim was objected to).
NAMELESS: dict[str, Summary] = {
    "PublicityList.ObjectionLodged": lambda e: (
        f"第 {e.number} 号异议：对兑付 {_short(e.claim_id)} 提出异议（{e.reason}），暂缓结算",
        f"objection no. {e.number} to claim {_short(e.claim_id)} ({e.reason}); held from settlement",
    ),
}
# A row stored before its facts were (projections/audit_facts.py) holds its named lines only: this says no more.
NAMELESS_LEGACY = ("异议一件，暂缓结算", "an objection; held from settlement")


def summarise(kind: str, event: Any, *, named: bool = True) -> tuple[str, str]:
    """(Chinese, English). An event type without a template still gets a line, so nothing is silently skipped.
    ``named=False``: the lines without the private person an event names (``NAMELESS``), for the other roles."""
    template = SUMMARIES.get(kind) if named else NAMELESS.get(kind) or SUMMARIES.get(kind)
    return template(event) if template else (kind, kind)
