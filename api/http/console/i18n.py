"""The console's words in Simplified Chinese (the default) and English; one dictionary per language. What a figure
is called comes from the ledger's words (ledger/words.py), which the export's files use too; the page's own words
are here."""

from __future__ import annotations

from ledger import words as ledger_words
from ledger import parties

LANGUAGES = ("zh", "en")

_PAGE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "服务券台账", "overview": "项目概览", "policy": "政策依据：",
        "as_of": "截至（生效时间）", "known_at": "按当时所知（记录时间）", "show": "查看",
        "now": "现在", "known_now": "按现在所知", "sign_in": "登录", "sign_out": "退出",
        "token": "访问令牌", "paste_token": "粘贴 voucher-ledger token 生成的令牌，或打开 console-link 打印的链接。",
        "loading": "正在加载……", "signed_out": "请先登录。", "bad_token": "令牌无效或已过期，请重新登录。",
        "use": "额度使用", "outside": "不在本项目范围内（深圳另行实施）",
        "not_visible": "当前角色无权查看此页面。", "not_found": "未找到，或当前角色无权查看。",
        "bad_input": "请求有误", "refused": "无法显示此页面", "problem_code": "参考代码（联系技术支持时请提供）",
        "as_of_shanghai": "截至（北京时间）",
        "story": "服务券经历",
        "what": "内容",
        "receivables": "应收款", "whitelist": "白名单记录",
        "held_claims": "暂停兑付的申请", "flagged_claims": "被标记的申请（按现在所知）", "batches": "兑付批次",
        "quotas": "服务商额度",
        "unpaid": "未支付", "claim": "申请", "amount": "金额",
        "by_city": "按地市分列", "to_recover": "待追回", "collections": "已收回", "write_offs": "已核销",
        "withdrawn": "移出批次的申请", "none": "无", "passed": "通过", "failed": "未通过",
        "late": "补记", "print": "打印", "language": "English", "docs": "接口文档", "yuan": "金额单位：元",
        "area": "评估范围", "reference": "参考",
        "open": "打开", "open_hint": "编号或统一社会信用代码", "own_page": "查看本单位页面",
        "city_page": "地市",
        "vouchers_now": "本年度服务券（按现在所知）",
        "eligibility": "资格认定", "granted": "符合", "refused_decision": "不符合", "corrected": "已更正",
        "all_vouchers": "服务券（按现在所知）", "dispute": "争议核对", "known_then": "按当时所知", "figure": "项目", "differs": "不同",
        "late_facts": "事后记录的事实", "not_known_then": "当时尚无记录",
        "late_not_visible": "当前角色无权查看事后记录的事实。", "more": "还有更多，请缩小时间范围。",
        "events": "事件记录",
        "expiry_not_recorded": "已过兑付截止时间；年度到期处理尚未记录，未用余额尚未退回地市额度",
        "expiry_pending": "到期处理未记录",
        "expires_at": "兑付截止日", "day_included": "（含当日，北京时间 24:00 止）",
        "balanced": "借贷平衡。", "unbalanced": "借贷不平衡！", "all_cities": "全部地市",
        "recorded_by": "截至（记录时间）", "all_types": "全部类型", "subject": "对象",
        "first_page": "第一页", "next_page": "下一页", "journal_lines": "分录明细",
        "page_total": "本页合计", "over_time": "逐月累计（各阶段）",
        "over_time_note": "每月末的累计金额（元），最后一点为所选截至时间；省级与市级资金合计。",
        "spend_province": "支出·省级资金", "spend_city": "支出·市级资金",
        "late_moves": "对各阶段金额的影响", "UNPAID": "未支付",
        "download": "下载", "explain": "数字来源", "the_figure": "页面上的数字",
        "events_total": "下列事件合计", "explained": "下列事件的金额合计等于该数字。",
        "unexplained": "下列事件的金额合计与该数字不符！", "map": "各地市支出分布（示意图）", "outside_short": "不在本项目范围内",
        "map_note": "示意图：按各地市大致方位排列，非实际边界；颜色越深支出越多（已兑付−追回，元）。点击地市查看详情。",
        "BENCHMARK_PROJECT": "标杆示范项目（奖补）", "DEMONSTRATION_BASE": "产业示范基地（奖补）",
        "FINANCE_PILOT": "新型金融服务试点示范（奖补）", "KEY_PLATFORM": "重点平台企业（奖补）",
        "INNOVATION_CENTRE": "创新中心（奖补）",
        # the journal's accounts are the ledger's words (ledger/words.py), as the export names them
    },
    "en": {
        "title": "Voucher ledger", "overview": "Programme overview", "policy": "Policy: ",
        "as_of": "As of (effective)", "known_at": "As known at (recorded)",
        "show": "Show", "now": "now", "known_now": "as known now", "sign_in": "Sign in", "sign_out": "Sign out",
        "token": "Bearer token",
        "paste_token": "Paste a token from voucher-ledger token, or open the link voucher-ledger console-link prints.",
        "loading": "Loading…", "signed_out": "Please sign in.", "bad_token": "The token is not valid or has expired.",
        "use": "Quota use",
        "outside": "Outside the programme (Shenzhen runs its own)",
        "not_visible": "Your role may not see this page.", "not_found": "Not found, or not visible to your role.",
        "bad_input": "Bad request", "refused": "This page cannot be shown", "problem_code": "Code",
        "as_of_shanghai": "As of (Guangdong time)",
        "story": "The voucher's story",
        "what": "What", "receivables": "Receivables",
        "whitelist": "Whitelist history", "held_claims": "Claims held",
        "flagged_claims": "Flagged claims (as known now)", "batches": "Settlement batches",
        "quotas": "Provider quotas",
        "unpaid": "Not paid",
        "claim": "Claim", "amount": "Amount", "by_city": "By city", "to_recover": "To recover",
        "collections": "Collected", "write_offs": "Written off", "withdrawn": "Claims taken out of the batch",
        "none": "None", "passed": "passed", "failed": "failed", "late": "recorded late", "print": "Print",
        "language": "中文", "docs": "API reference", "yuan": "Amounts in yuan",
        "area": "Area", "reference": "Reference",
        "open": "Open", "open_hint": "id or USCC", "own_page": "Your own page",
        "city_page": "City",
        "vouchers_now": "The year's vouchers (as known now)",
        "eligibility": "Eligibility", "granted": "eligible",
        "refused_decision": "not eligible", "corrected": "corrected",
        "all_vouchers": "Vouchers (as known now)", "dispute": "Dispute", "known_then": "As known then",
        "figure": "Figure", "differs": "differs", "late_facts": "Facts recorded late", "not_known_then": "not recorded then",
        "late_not_visible": "Your role may not list facts recorded late.", "more": "There are more: narrow the time.",
        "events": "Event feed",
        "expiry_not_recorded": "past its redemption deadline; the year's expiry run is not recorded yet, so the unused "
                               "balance has not yet returned to the city's quota",
        "expiry_pending": "expiry run not recorded",
        "expires_at": "Redeemable until", "day_included": " (to the end of the day, Beijing time)",
        "balanced": "Debits equal credits.",
        "unbalanced": "Debits and credits differ!", "all_cities": "All cities", "recorded_by": "Recorded by",
        "all_types": "All types", "subject": "Subject", "first_page": "First page",
        "next_page": "Next page", "journal_lines": "Journal lines",
        "page_total": "This page", "over_time": "Month by month (each stage)",
        "over_time_note": "Each stage's figure (yuan) at the end of each month, the last point at the chosen time; "
                          "province and city funds together.",
        "spend_province": "Spend · province funds", "spend_city": "Spend · city funds",
        "late_moves": "What it moved, by stage",
        "UNPAID": "Not paid", "download": "Download", "explain": "Where the figure comes from", "the_figure": "The figure",
        "events_total": "These events, added up", "explained": "The events below add up to the figure.",
        "unexplained": "The events below do not add up to the figure!", "map": "Spend by city (schematic map)", "outside_short": "Not in programme",
        "map_note": "Schematic: each city placed roughly where it lies, not its real boundary; the darker, the more "
                    "spent (settled − recovered, yuan). Click a city for its page.",
        "BENCHMARK_PROJECT": "Benchmark projects (award)", "DEMONSTRATION_BASE": "Demonstration bases (award)",
        "FINANCE_PILOT": "New-finance pilots (award)", "KEY_PLATFORM": "Key platform enterprises (award)",
        "INNOVATION_CENTRE": "Innovation centres (award)",
    },
}
WORDS = {lang: {**ledger_words.WORDS[lang], **page} for lang, page in _PAGE_WORDS.items()}


def language(value: str | None) -> str:
    return value if value in LANGUAGES else "zh"


def words(lang: str) -> dict[str, str]:
    return WORDS[language(lang)]


def city_name(code: str | None, lang: str) -> str:
    """广州市 / Guangzhou, as the exports and the audit trail name it (ledger.parties.city_name); a code that is no
    city is shown as it is."""
    return parties.city_name(code, language(lang)) or code or ""


def actor_shown(actor: str | None, lang: str) -> str:
    """Who recorded an event, in words: the kind of party before the colon (a city by its name), or that it is
    withheld (an objector is never named to a scoped role). The stored actor is shown beside it as a code."""
    if not actor:
        return ""
    w = words(lang)
    if actor == "withheld":  # projections.audit_facts.WITHHELD
        return w["actor_withheld"]
    kind, _, who = actor.partition(":")
    if kind == "city":
        return city_name(who, lang)
    return w.get(f"actor_{kind}", w["actor_other"])
