"""The audit trail's lines for awards (二, 三), in Simplified Chinese and English, and the formatting helpers every
summary shares (``projections/audit_summaries.py`` merges these into its table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.money import yuan_text
from ledger.parties import city_name
from ledger.words import CODES, named
from projections.times import describe, to_us

Summary = Callable[[Any], tuple[str, str]]


def yuan(fen: int) -> str:
    return yuan_text(fen, symbol="¥")


def _t(moment: Any) -> str:
    return describe(to_us(moment))


def _short(uuid: Any) -> str:
    return str(uuid)[:8]


def _city(code: str) -> tuple[str, str]:
    """A city as a line names it: (广州市, Guangzhou); the code itself if it is not one of the 21."""
    return city_name(code) or code, city_name(code, "en") or code


def _kind(e: Any, lang: str = "zh") -> str:
    return named(e.kind, lang)


def _payee(payee: str, lang: str = "zh") -> str:
    """An award batch line's payee, stored as ``KIND:name`` (ledger/commands/award_payments.py): 企业：制造企业 49."""
    kind, colon, name = payee.partition(":")
    if not colon or kind not in CODES:
        return payee
    return f"{named(kind, lang)}：{name}" if lang == "zh" else f"{named(kind, lang)}: {name}"


def _split(e: Any) -> tuple[str, str]:
    return (f"省 {yuan(e.province_portion_fen)} / 市 {yuan(e.city_portion_fen)}",
            f"province {yuan(e.province_portion_fen)} / city {yuan(e.city_portion_fen)}")


AWARD_SUMMARIES: dict[str, Summary] = {
    "AwardProgramme.Defined": lambda e: (
        f"{e.year} 年度奖补项目设立：{_kind(e)}（{e.name}，{named(e.amount_rule)}）",
        f"{e.year} award programme defined: {_kind(e, 'en')} ({named(e.amount_rule, 'en')})",
    ),
    "AwardRoster.Started": lambda e: (f"{_kind(e)}名额登记开始", f"{_kind(e, 'en')} places recorded"),
    "AwardRoster.PlaceTaken": lambda e: (f"奖补 {_short(e.award_id)} 占用名额", f"award {_short(e.award_id)} takes a place"),
    "AwardRoster.PlaceReleased": lambda e: (
        f"奖补 {_short(e.award_id)} 释放名额（{e.reason}）", f"award {_short(e.award_id)} gives up its place ({e.reason})"),
    "Award.Applied": lambda e: (
        f"{e.year} 年度{_kind(e)}申报：{e.applicant_name}（{named(e.applicant_kind)}，"
        f"{_city(e.city)[0]}），项目：{e.project}",
        f"{e.year} {_kind(e, 'en')} application: {e.applicant_name} ({named(e.applicant_kind, 'en')}, "
        f"{_city(e.city)[1]}), project "
        f"{e.project}",
    ),
    "Award.Recommended": lambda e: (f"{_city(e.city)[0]}推荐", f"recommended by {_city(e.city)[1]}"),
    "Award.Refused": lambda e: (
        f"{'地市不予推荐' if e.stage == 'CITY' else '省不予遴选'}：{e.reason}",
        f"{'not recommended by its city' if e.stage == 'CITY' else 'not selected by the province'}: {e.reason}",
    ),
    "Award.Selected": lambda e: ("省遴选入选", "selected by the province"),
    "Award.NationallyRecommended": lambda e: (f"推荐申报国家级：{e.note}", f"recommended for national status: {e.note}"),
    "Award.TitleWithdrawn": lambda e: (f"撤销称号，释放名额：{e.reason}", f"title withdrawn, its place freed: {e.reason}"),
    "Award.Granted": lambda e: (
        f"{_kind(e)}奖补核定 {yuan(e.amount_fen)}（{_split(e)[0]}）" if e.amount_fen else f"授予{_kind(e)}称号（无资金）",
        f"{_kind(e, 'en')} award granted: {yuan(e.amount_fen)} ({_split(e)[1]})" if e.amount_fen
        else f"{_kind(e, 'en')} title granted (no money)",
    ),
    "Award.Batched": lambda e: (f"列入奖补支付批次 {_short(e.batch_id)}", f"added to award batch {_short(e.batch_id)}"),
    "Award.Paid": lambda e: (
        f"奖补支付 {yuan(e.amount_fen)}（{_split(e)[0]}，{_t(e.effective_at)}）",
        f"award paid {yuan(e.amount_fen)} ({_split(e)[1]}, {_t(e.effective_at)})",
    ),
    "Award.RecoveryRaised": lambda e: (
        f"奖补追回应收 {yuan(e.amount_fen)}（{e.reason}）", f"award recovery due: {yuan(e.amount_fen)} ({e.reason})"),
    "Award.RecoveryCollected": lambda e: (
        f"收回奖补追回款 {yuan(e.amount_fen)}（{_split(e)[0]}，银行流水 {e.bank_reference}，{_t(e.effective_at)} 到账）",
        f"award recovery collected: {yuan(e.amount_fen)} ({_split(e)[1]}, bank reference {e.bank_reference}, "
        f"received {_t(e.effective_at)})",
    ),
    "Award.RecoveryWrittenOff": lambda e: (
        f"核销奖补追回款 {yuan(e.amount_fen)}（{e.reason}）", f"award recovery written off: {yuan(e.amount_fen)} ({e.reason})"),
    "AwardBatch.Opened": lambda e: (f"开立 {e.period} 奖补支付批次", f"award batch for {e.period} opened"),
    "AwardBatch.AwardAdded": lambda e: (
        f"加入奖补 {_short(e.award_id)}：{yuan(e.amount_fen)}（{_payee(e.payee)}，{_city(e.city)[0]}）",
        f"award {_short(e.award_id)} added: {yuan(e.amount_fen)} ({_payee(e.payee, 'en')}, {_city(e.city)[1]})",
    ),
    "AwardBatch.Paid": lambda e: (
        f"奖补批次支付 {yuan(e.total_fen)}（{len(e.awards)} 项，{_t(e.effective_at)}）",
        f"award batch paid {yuan(e.total_fen)} ({len(e.awards)} awards, {_t(e.effective_at)})",
    ),
}
