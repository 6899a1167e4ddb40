"""The ledger's own words in Simplified Chinese and English: what its parties, figures, stages, quotas, batches and
journal are called. Every screen and file that names a figure takes its name from here, so the console's pages
(api/http/console/i18n.py) and the export's files (audit/export_words.py) call a figure the same thing."""

from __future__ import annotations

from ledger.refusal_words import REFUSALS

# The ledger's codes (fee categories, statuses, assessment areas, provider kinds) as a reader is shown them, in
# (Chinese, English); the code itself stays what the API and the files carry.
CODES: dict[str, tuple[str, str]] = {
    # fee categories, as the policy names them (一(二): 应用服务费、设备接入费、网络改造费)
    "APPLICATION_SERVICE": ("应用服务费", "Application service fee"),
    "DEVICE_ACCESS": ("设备接入费", "Device access fee"), "NETWORK_RENOVATION": ("网络改造费", "Network renovation fee"),
    "ACTIVE": ("有效", "active"), "EXPIRED": ("已过期", "expired"), "REVOKED": ("已撤回", "revoked"),
    "CLAIMED": ("待审核", "claimed"), "APPROVED": ("已批准", "approved"), "REJECTED": ("审核不通过", "rejected"),
    "SETTLED": ("已兑付", "settled"), "REVERSED": ("已撤销", "reversed"),
    "PENDING_ASSESSMENT": ("待安全评估", "pending assessment"), "WHITELISTED": ("在白名单内", "whitelisted"),
    "SUSPENDED": ("暂停白名单资格", "suspended"),
    "NETWORK": ("网络安全", "network"), "DATA": ("数据安全", "data"), "APPLICATION": ("应用安全", "application"),
    "DEVICE": ("设备安全", "device"), "CONTROL": ("控制安全", "control"),
    "ASSESSMENT": ("评估", "assessment"), "SPOT_CHECK": ("抽查", "spot check"),
    "NATIONAL_PLATFORM": ("国家级跨行业跨领域平台", "national platform"), "CARRIER": ("基础电信运营商", "carrier"),
    "PLATFORM": ("平台商", "platform"), "SERVICE": ("服务商", "service provider"),
    # why an enterprise is not eligible for a year (ledger/enterprise.py RefusalReason). The years established and
    # looked back on are configured per year (1 and 5 in 2018-2020): the words name the rule, not a figure of it.
    "SHENZHEN_EXCLUDED": ("注册地在深圳市（不纳入省级服务券）", "registered in Shenzhen (not in the provincial programme)"),
    "ESTABLISHED_LESS_THAN_ONE_YEAR": ("成立年限未达到该年度要求", "established for fewer years than the year requires"),
    "REVENUE_BELOW_THRESHOLD": ("上年度主营业务收入未达标准", "prior-year main business revenue below the threshold"),
    "SERIOUS_FUNDS_MISUSE": ("在该年度规定的追溯年限内有严重违规使用财政资金行为",
                             "serious misuse of fiscal funds within the years the year looks back on"),
    # carriers (ledger/parties.py Carrier)
    "CHINA_TELECOM": ("中国电信", "China Telecom"), "CHINA_MOBILE": ("中国移动", "China Mobile"),
    "CHINA_UNICOM": ("中国联通", "China Unicom"),
    # award programmes: kinds, how an amount is decided, who applies (ledger/award_programmes.py)
    "BENCHMARK_PROJECT": ("标杆示范项目", "benchmark project"), "DEMONSTRATION_BASE": ("产业示范基地", "demonstration base"),
    "FINANCE_PILOT": ("新型金融服务试点示范", "new-finance pilot"), "KEY_PLATFORM": ("重点平台企业", "key platform enterprise"),
    "INNOVATION_CENTRE": ("创新中心", "innovation centre"),
    "FIXED": ("定额奖补", "fixed amount"), "RATE": ("按比例奖补", "rate of a declared base"),
    "CASE_BY_CASE": ("一事一议", "case by case"), "TITLE": ("授予称号（无资金）", "title without money"),
    "ENTERPRISE": ("企业", "enterprise"), "PROVIDER": ("平台商/服务商", "provider"),
    "CITY_GOVERNMENT": ("地市政府", "city government"), "COUNTY_GOVERNMENT": ("县区政府", "county government"),
    # the journal's accounts (projections/journal.py), as the console's trial balance names them
    "PROGRAMME_BUDGET": ("省级项目预算", "Programme budget (province)"), "CITY_BUDGET": ("市级配套预算", "City co-funding budget"),
    "VOUCHER_COMMITMENTS": ("服务券承诺", "Voucher commitments"), "CLAIMS_HELD": ("待审核申请", "Claims waiting for review"),
    "PROVIDER_PAYABLES": ("应付服务商款", "Provider payables"), "PAID": ("已支付服务商", "Paid"),
    "RECOVERIES_RECEIVABLE": ("应收追回款", "Recoveries receivable"),
    "RECOVERIES_COLLECTED": ("已收回追回款", "Recoveries collected"),
    "RECOVERIES_WRITTEN_OFF": ("已核销追回款", "Recoveries written off"),
    "AWARDS_PAYABLE": ("应付奖补资金", "Awards payable"), "AWARDS_PAID": ("已支付奖补资金", "Awards paid"),
    "AWARD_RECOVERIES_RECEIVABLE": ("应收奖补追回款", "Award recoveries receivable"),
    "AWARD_RECOVERIES_COLLECTED": ("已收回奖补追回款", "Award recoveries collected"),
    "AWARD_RECOVERIES_WRITTEN_OFF": ("已核销奖补追回款", "Award recoveries written off"),
    "VOUCHERS": ("服务券", "vouchers"),
    # a provider's yearly evaluation (ledger/evaluation_rules.py Outcome)
    "PROMOTED": ("重点宣传推荐", "promoted"), "RETAINED": ("保留", "retained"),
    "ELIMINATED": ("下一年度淘汰出资源池", "eliminated"),
}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        # who and what
        "city": "地市", "programme_year": "项目年度", "year": "项目年度", "fee_category": "费用类别", "fund_source": "资金来源",
        "status": "状态", "uscc": "统一社会信用代码", "enterprise": "企业", "provider": "服务商", "voucher": "服务券", "batch": "兑付批次",
        "provider_kind": "服务商类型",
        "actor_province": "省级主管部门", "actor_auditor": "审计", "actor_enterprise": "企业", "actor_provider": "服务商",
        "actor_assessor": "评估机构", "actor_public": "公众", "actor_system": "系统", "actor_withheld": "不公开",
        "actor_other": "其他",
        "awards": "奖补", "award_programme": "奖补项目", "granted_unpaid": "已授予未支付", "award_spend": "支出（已支付−追回）",
        # a voucher's money, stage by stage, and a city's spend
        "face_value": "面值", "claimed": "待审核", "approved": "已批准未兑付", "settled": "已兑付", "reversed": "已撤销",
        "recovered": "应追回", "returned": "退回额度", "remaining": "余额", "vouchers": "服务券张数", "spend": "支出（已兑付−追回）",
        "collected": "已收回", "written_off": "已核销", "outstanding": "待追回", "cash_out": "实际支出（已兑付−已收回）",
        "province_part": "省级资金", "city_part": "市级资金",
        # quotas
        "quota_set": "额度", "issued": "已发放", "quota_used": "已使用额度", "quota_remaining": "剩余额度",
        # a provider's receivables
        "approved_unsettled": "已批准未兑付", "held": "暂停兑付", "claims_held": "补记暂停后扣留的申请", "claimed_pending": "待审核申请",
        "recoveries_due": "待追回", "recoveries_raised": "应追回合计", "recoveries_collected": "已收回",
        "recoveries_written_off": "已核销",
        # settlement batches
        "period": "期间", "opened": "开立时间", "paid": "已支付", "lines": "明细", "total_settled": "已兑付合计",
        "total_recoveries": "应追回合计", "total_collections": "已收回合计", "total_write_offs": "已核销合计",
        "recoveries_outstanding": "待追回",
        # the journal
        "trial_balance": "试算平衡表", "account": "科目", "debit": "借方", "credit": "贷方", "balance": "余额（借−贷）",
        "total": "合计",
        # the audit trail
        "event": "事件", "event_type": "事件类型", "effective": "生效时间", "recorded": "记录时间", "actor": "操作人", "reason": "原因",
        **{code: zh for code, (zh, _) in (CODES | REFUSALS).items()},
    },
    "en": {
        # who and what
        "city": "City", "programme_year": "Programme year", "year": "Programme year", "fee_category": "Fee category",
        "fund_source": "Fund source", "status": "Status", "uscc": "USCC", "enterprise": "Enterprise",
        "provider": "Provider", "voucher": "Voucher", "batch": "Settlement batch",
        "provider_kind": "Kind of provider",
        "actor_province": "Province", "actor_auditor": "Auditor", "actor_enterprise": "Enterprise",
        "actor_provider": "Provider", "actor_assessor": "Assessor", "actor_public": "Public", "actor_system": "System",
        "actor_withheld": "withheld", "actor_other": "Other",
        "awards": "Awards", "award_programme": "Award programme", "granted_unpaid": "Granted, not paid",
        "award_spend": "Spend (paid − recovered)",
        # a voucher's money, stage by stage, and a city's spend
        "face_value": "Face value", "claimed": "Waiting for review", "approved": "Approved, unpaid",
        "settled": "Settled", "reversed": "Reversed", "recovered": "Due back", "returned": "Returned to quota",
        "remaining": "Remaining", "vouchers": "Vouchers", "spend": "Spend (settled − recovered)",
        "collected": "Collected", "written_off": "Written off", "outstanding": "Outstanding",
        "cash_out": "Cash out (settled − collected)", "province_part": "Province funds", "city_part": "City funds",
        # quotas
        "quota_set": "Quota", "issued": "Issued", "quota_used": "Quota used", "quota_remaining": "Quota left",
        # a provider's receivables
        "approved_unsettled": "Approved, unsettled", "held": "Held",
        "claims_held": "Claims held after a late suspension", "claimed_pending": "Claims waiting",
        "recoveries_due": "Recoveries due", "recoveries_raised": "Recoveries raised",
        "recoveries_collected": "Collected", "recoveries_written_off": "Written off",
        # settlement batches
        "period": "Period", "opened": "Opened", "paid": "Paid", "lines": "Lines",
        "total_settled": "Settled in total", "total_recoveries": "Recoveries raised in total",
        "total_collections": "Collected in total", "total_write_offs": "Written off in total",
        "recoveries_outstanding": "Still to recover",
        # the journal
        "trial_balance": "Trial balance", "account": "Account", "debit": "Debit", "credit": "Credit",
        "balance": "Balance (debit − credit)", "total": "Total",
        # the audit trail
        "event": "Event", "event_type": "Event type", "effective": "Effective", "recorded": "Recorded",
        "actor": "Actor", "reason": "Reason",
        **{code: en for code, (_, en) in (CODES | REFUSALS).items()},
    },
}


def named(code: str, lang: str = "zh") -> str:
    """A code as a reader is shown it (``DEVICE_ACCESS`` → 设备接入费); a code without a name stays itself."""
    return WORDS[lang].get(code, code)
