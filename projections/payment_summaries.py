"""The audit trail's lines for publicity (公示) and settlement batches, in Simplified Chinese and English
(``projections/audit_summaries.py`` merges these into its table), and a batch payment as one city's trail tells it."""

from __future__ import annotations

from typing import Any

from projections.award_summaries import Summary, _city, _short, _t, yuan
from projections.times import describe


def claims(count: int) -> str:
    """"1 claim", "2 claims": an English summary's count."""
    return f"{count} claim" if count == 1 else f"{count} claims"


def _counted_on(e: Any, lang: str) -> str:
    """Which working calendars (each year's version) counted a publicity list's window, in brackets; nothing for a
    list that did not record them (published before it was recorded, or projected before migration 0022)."""
    try:
        calendars = e.calendars
    except AttributeError:  # the facts of a row projected before the list's calendars were among them
        return ""
    if not calendars:
        return ""
    if lang == "zh":
        return "（按 " + "、".join(f"{c['year']} 年工作日历第 {c['version']} 版" for c in calendars) + "计算）"
    return " (counted on the " + ", ".join(f"{c['year']} working calendar v{c['version']}" for c in calendars) + ")"


PAYMENT_SUMMARIES: dict[str, Summary] = {
    "PublicityList.Opened": lambda e: (
        f"{e.year} 年度 {e.period} 公示名单发布：{len(e.entries)} 笔兑付，"
        f"{yuan(sum(x['amount_fen'] for x in e.entries))}，异议期 {e.objection_working_days} 个工作日，至 "
        f"{_t(e.window_ends_at)}{_counted_on(e, 'zh')}",
        f"{e.year} publicity list {e.period} published: {claims(len(e.entries))}, "
        f"{yuan(sum(x['amount_fen'] for x in e.entries))}, objections for {e.objection_working_days} working days, "
        f"until {_t(e.window_ends_at)}{_counted_on(e, 'en')}",
    ),
    "PublicityList.ObjectionLodged": lambda e: (
        f"第 {e.number} 号异议：{e.objector} 对兑付 {_short(e.claim_id)} 提出异议（{e.reason}），暂缓结算",
        f"objection no. {e.number}: {e.objector} objects to claim {_short(e.claim_id)} ({e.reason}); held from "
        "settlement",
    ),
    "PublicityList.ClaimUpheld": lambda e: (
        f"异议不成立，兑付 {_short(e.claim_id)} 维持（{e.reason}）",
        f"objection overruled: claim {_short(e.claim_id)} upheld ({e.reason})",
    ),
    "PublicityList.ObjectionSustained": lambda e: (
        f"异议成立，兑付 {_short(e.claim_id)} 撤销（{e.reason}）",
        f"objection sustained: claim {_short(e.claim_id)} reversed ({e.reason})",
    ),
    "PublicityList.Closed": lambda e: (
        f"公示结束：{e.cleared} 笔可结算，{e.under_objection} 笔待异议处理",
        f"publicity closed: {claims(e.cleared)} may be settled, {e.under_objection} "
        f"{'waits' if e.under_objection == 1 else 'wait'} for a ruling",
    ),
    "SettlementBatch.Opened": lambda e: (f"开立 {e.period} 结算批次", f"settlement batch for {e.period} opened"),
    "SettlementBatch.ClaimAdded": lambda e: (
        f"加入兑付 {_short(e.claim_id)}：{yuan(e.amount_fen)}（{_city(e.city)[0]}）",
        f"claim {_short(e.claim_id)} added: {yuan(e.amount_fen)} ({_city(e.city)[1]})",
    ),
    "SettlementBatch.ClaimWithdrawn": lambda e: (
        f"兑付 {_short(e.claim_id)} 移出批次（{e.reason}）",
        f"claim {_short(e.claim_id)} withdrawn from the batch ({e.reason})",
    ),
    "SettlementBatch.Paid": lambda e: (
        f"批次支付 {yuan(e.total_fen)}（{len(e.settled_claims)} 笔，{_t(e.effective_at)}）",
        f"batch paid {yuan(e.total_fen)} ({claims(len(e.settled_claims))}, {_t(e.effective_at)})",
    ),
    "SettlementBatch.RecoveryRaised": lambda e: (
        f"追回应收 {yuan(e.amount_fen)}（兑付 {_short(e.claim_id)}，{e.reason}）",
        f"recovery due: {yuan(e.amount_fen)} (claim {_short(e.claim_id)}, {e.reason})",
    ),
    "SettlementBatch.RecoveryCollected": lambda e: (
        f"收回追回款 {yuan(e.amount_fen)}（兑付 {_short(e.claim_id)}，省 {yuan(e.province_portion_fen)} / "
        f"市 {yuan(e.city_portion_fen)}，银行流水 {e.bank_reference}，{_t(e.effective_at)} 到账）",
        f"recovery collected: {yuan(e.amount_fen)} (claim {_short(e.claim_id)}, province "
        f"{yuan(e.province_portion_fen)} / city {yuan(e.city_portion_fen)}, bank reference {e.bank_reference}, "
        f"received {_t(e.effective_at)})",
    ),
    "SettlementBatch.RecoveryWrittenOff": lambda e: (
        f"核销追回款 {yuan(e.amount_fen)}（兑付 {_short(e.claim_id)}，{e.reason}，{_t(e.effective_at)} 生效）",
        f"recovery written off: {yuan(e.amount_fen)} (claim {_short(e.claim_id)}, {e.reason}, "
        f"effective {_t(e.effective_at)})",
    ),
}


def city_share_of_payment(count: int, amount_fen: int, city_fen: int, province_fen: int,
                          effective_us: int | None) -> tuple[str, str]:
    """A batch payment as one city's trail tells it: that city's settled claims and amounts, never the batch's."""
    when = describe(effective_us)
    return (f"批次支付本市 {count} 笔兑付 {yuan(amount_fen)}（市 {yuan(city_fen)} / 省 {yuan(province_fen)}，{when}）",
            f"batch paid this city's {claims(count)}: {yuan(amount_fen)} (city {yuan(city_fen)} / province "
            f"{yuan(province_fen)}, {when})")
