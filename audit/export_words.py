"""The export's words: every file's column headers, each figure's sheet name and title, the totals row and the
about sheet, in Simplified Chinese (the default) and English.

A Chinese header names a figure as the console does (``ledger/words.py``) and says the amount's unit: an amount is
given twice, as yuan (``已兑付（元）``) and as exact fen (``已兑付（分）``). An English header is the column's key
itself (``settled_yuan``, ``settled_fen``), as every export was headed before it spoke Chinese, so the scripts that
read those keys keep working with ``--lang en``. Only headers, sheet names, the city's name and, in Chinese, a
yes-or-no figure (是 / 否) change with the language: ids, codes, times and amounts are written the same in both
(``manifest.json`` lists every file's column keys, so a Chinese file is read by key too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.parties import city_name
from ledger.words import WORDS, named

LANGUAGES = ("zh", "en")
W = WORDS["zh"]
UNITS = {"_yuan": "（元）", "_fen": "（分）"}
PROVINCE, CITY = f"·{W['province_part']}", f"·{W['city_part']}"

# Column key (an amount's: its ``*_fen`` key) -> its Chinese header, without the unit.
HEADERS_ZH: dict[str, str] = {
    # who and when
    "city": "地市代码", "city_name": W["city"], "programme": "项目类别代码", "programme_name": "项目类别",
    "programme_year": W["programme_year"], "cash_year": "资金发生年度",
    "fee_category": W["fee_category"] + "代码", "fee_category_name": W["fee_category"],
    "fund_source": W["fund_source"] + "代码", "fund_source_name": W["fund_source"],
    "provider_id": "服务商编号", "uscc": W["uscc"], "name": "名称", "kind": "类型代码", "kind_name": "类型",
    "status": W["status"] + "代码", "status_name": W["status"],
    "expiry_recorded": "到期处理已记录",
    "enterprise_id": "企业编号", "voucher_id": "服务券编号", "batch_id": "批次编号", "award_id": "奖补编号",
    "eliminated_this_year": "本年度已淘汰", "vouchers": W["vouchers"], "period": W["period"],
    "opened_at": f"{W['opened']}（北京时间）", "paid": W["paid"], "paid_at": "支付时间（北京时间）",
    "lines": "明细笔数", "settled_claims": "已兑付申请笔数", "recoveries": "追回笔数",
    "account": W["account"] + "代码", "account_name": W["account"],
    # amounts
    **{f"{name}_fen": W[name] for name in (
        "face_value", "claimed", "approved", "settled", "reversed", "recovered", "returned", "remaining", "spend",
        "collected", "written_off", "outstanding", "cash_out", "quota_set", "issued", "quota_used", "quota_remaining",
        "approved_unsettled", "held", "claims_held", "claimed_pending", "recoveries_due", "recoveries_raised",
        "recoveries_collected", "recoveries_written_off", "total_settled", "total_recoveries", "total_collections",
        "total_write_offs", "recoveries_outstanding", "paid", "debit", "credit", "balance")},
    "lines_fen": "明细金额", "granted_unpaid_fen": "已批准未支付",
    "settled_city_fen": W["settled"] + CITY, "settled_province_fen": W["settled"] + PROVINCE,
    "paid_city_fen": W["paid"] + CITY, "paid_province_fen": W["paid"] + PROVINCE,
    "city_balance_fen": "余额" + CITY, "province_balance_fen": "余额" + PROVINCE,
    # events.csv and audit_trail.csv
    "position": "事件序号", "originator_id": "聚合编号", "originator_version": "聚合版本", "topic": "事件主题",
    "recorded_utc": f"{W['recorded']}（UTC）", "recorded_shanghai": f"{W['recorded']}（北京时间）",
    "effective_utc": f"{W['effective']}（UTC）", "effective_shanghai": f"{W['effective']}（北京时间）",
    "state_json": "事件内容（JSON）", "entity_kind": "对象类型",
    "entity_id": "对象编号", "event_type": W["event_type"], "actor": W["actor"], "correlation_id": "关联编号",
    "reason": W["reason"], "summary_zh": "摘要（中文）", "summary_en": "摘要（英文）",
}
# Where one figure's column means something else than the same key elsewhere: an award is paid, not settled.
FIGURE_HEADERS_ZH: dict[tuple[str, str], str] = {("awards", "spend_fen"): "支出（已支付−追回）"}

# Figure name -> (sheet name, title). A sheet name is at most 31 characters (XLSX).
FIGURES_ZH: dict[str, tuple[str, str]] = {
    "city_spend": ("地市支出", "各地市支出（支出＝已兑付−追回；待追回＝应追回−已收回−已核销；实际支出＝已兑付−已收回）"),
    "city_quotas": ("地市额度", "各地市分年度额度"),
    "provider_receivables": ("服务商应收款", "服务商应收款（暂停兑付：暂停期间已批准的金额；补记暂停后扣留的申请：事后补记的暂停所扣留的申请）"),
    "provider_quotas": ("服务商额度", "服务商分年度额度"),
    "enterprise_totals": ("企业合计", "企业分年度合计"),
    "voucher_balances": ("服务券余额", "服务券余额"),
    "whitelist": ("白名单", "白名单（截至所选时间，按北京时间）"),
    "settlement_batches": ("兑付批次", "兑付批次"),
    "awards": ("奖补", "奖补资金（已批准、已支付、追回；支出＝已支付−追回）"),
    "trial_balance": (W["trial_balance"], "试算平衡表（复式记账分录）"),
}

ABOUT: dict[str, dict[str, str]] = {
    "zh": {"sheet": "说明", "as_of": "截至（生效时间，UTC）", "as_of_shanghai": "截至（生效时间，北京时间）",
           "known_at": "按当时所知（记录时间，UTC）", "known_at_shanghai": "按当时所知（记录时间，北京时间）",
           "positions": "事件序号截至", "amounts": "金额", "amounts_note": "单位为元，保留两位小数；每个金额右侧的隐藏列为精确的分",
           "events": "事件", "events_note": "不列为工作表（一个工作表最多 1,048,576 行）：见 {events} 和 {audit}",
           "figures": "工作表", "title": "内容", "file": "文件"},
    "en": {"sheet": "about", "as_of": "as_of (UTC)", "as_of_shanghai": "as_of (Asia/Shanghai)",
           "known_at": "known_at (UTC)", "known_at_shanghai": "known_at (Asia/Shanghai)",
           "positions": "positions up to", "amounts": "amounts",
           "amounts_note": "yuan with two decimals; the exact fen are in the hidden column beside each amount",
           "events": "events",
           "events_note": "not a sheet (a sheet holds at most 1,048,576 rows): see {events} and {audit}",
           "figures": "sheet", "title": "title", "file": "file"},
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: one of {', '.join(LANGUAGES)}")
    return lang


def header(figure: str, key: str, lang: str) -> str:
    """The header of column ``key`` (an amount's ``*_yuan`` or ``*_fen``) of ``figure``'s file."""
    if lang == "en":
        return key
    for suffix, unit in UNITS.items():
        if key.endswith(suffix):
            base = key[: -len(suffix)] + "_fen"
            return (FIGURE_HEADERS_ZH.get((figure, base)) or HEADERS_ZH[base]) + unit
    return HEADERS_ZH[key]


def sheet_name(figure: str, lang: str) -> str:
    return figure if lang == "en" else FIGURES_ZH[figure][0]


def title(figure: str, english: str, lang: str) -> str:
    return english if lang == "en" else FIGURES_ZH[figure][1]


def total_label(rows: int, lang: str) -> str:
    return f"TOTAL ({rows} rows)" if lang == "en" else f"合计（{rows} 行）"


YES_NO_ZH = {True: "是", False: "否"}
# A code column (APPLICATION_SERVICE, WHITELISTED, PROGRAMME_BUDGET, ...) is followed by ``<key>_name``, the code as
# the console names it in the file's language (应用服务费 / Application service fee): a Chinese official reads the
# name, a script the code, which stays the same bytes in both languages (as a city's code beside its name).
NAMED = ("city", "programme", "fee_category", "fund_source", "status", "kind", "account")
FUND_SOURCES = {"province": (W["province_part"], WORDS["en"]["province_part"]),
                "city": (W["city_part"], WORDS["en"]["city_part"])}


def named_columns(columns: Sequence[str]) -> list[str]:
    """A figure's columns with ``<key>_name`` after each code column that has none yet (city_spend has city_name)."""
    out: list[str] = []
    for column in columns:
        out.append(column)
        if column in NAMED and f"{column}_name" not in columns:
            out.append(f"{column}_name")
    return out


def code_name(column: str, code: Any, lang: str) -> str:
    """The name of ``code`` in ``column``; empty for no code (an award's fee category)."""
    if code is None or code == "":
        return ""
    if column == "city":
        return city_name(code, lang)
    if column == "fund_source" and code in FUND_SOURCES:
        return FUND_SOURCES[code][0 if lang == "zh" else 1]
    return named(code, lang)


def with_names(columns: Sequence[str], row: Sequence[Any], lang: str | None) -> list[Any]:
    """``row`` laid out as :func:`named_columns`: each added name column holds its code's name (``lang`` None: empty,
    for a totals row)."""
    out: list[Any] = []
    for column, value in zip(columns, row, strict=True):
        out.append(value)
        if column in NAMED and f"{column}_name" not in columns:
            out.append(code_name(column, value, lang) if lang else "")
    return out


def localized(columns: Sequence[str], row: Sequence[Any], lang: str) -> Sequence[Any]:
    """A figure's row with its city's name in ``lang`` (广州市 / Guangzhou), taken from the row's city code, and in
    Chinese a yes-or-no figure (本年度已淘汰, 已支付) as 是 / 否 rather than True / False."""
    out = list(row)
    if lang == "zh":
        out = [YES_NO_ZH[v] if isinstance(v, bool) else v for v in out]
    if "city_name" in columns:
        out[columns.index("city_name")] = city_name(row[columns.index("city")], lang)
    return out if out != list(row) else row
