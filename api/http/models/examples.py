"""One whole, valid request per command body, for the OpenAPI document (and so for /docs' "Try it out").

The examples tell one story: a Foshan enterprise and a cloud platform in the 2020 round, the enterprise's voucher
for the catalogue's application-service item and a claim on it. Ids are those the ledger derives from the example
USCCs (``ledger.ids``), so on a store where the example parties exist the examples act on them; each USCC passes its
GB 32100 check character, the revenue clears the 10,000,000 RMB line and every time falls inside the 2020 round.
``tests/e2e/test_api_examples.py`` sends every example to a prepared store and expects none to be refused as malformed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import ConfigDict

from ledger import ids

ENTERPRISE_USCC = "91440606MA4UJ0001L"  # GB 32100: check character L
PROVIDER_USCC = "91440101MA59ABCD1D"  # check character D
YEAR = 2020
ITEM_ID = "APP-ERP"
ENTERPRISE_ID = str(ids.enterprise_id(ENTERPRISE_USCC))
PROVIDER_ID = str(ids.provider_id(PROVIDER_USCC))
VOUCHER_ID = str(ids.voucher_id(ids.enterprise_id(ENTERPRISE_USCC), YEAR, ITEM_ID))
CLAIM_ID = "0b6e2f0e-5d0a-4f57-9f5e-2c3b7a1d9e40"  # a claim's id is the service's to make: one of them
WHEN = "2020-10-15T09:30:00+08:00"  # inside the 2020 redemption window

EXAMPLES: dict[str, dict[str, Any]] = {
    "RegisterEnterprise": {"uscc": ENTERPRISE_USCC, "name": "佛山市陶瓷制造有限公司", "city": "440600",
                           "carrier": "CHINA_TELECOM", "established_on": "2012-05-04"},
    "DecideEligibility": {"year": YEAR, "prior_year_revenue_fen": 1_200_000_000, "serious_misuse_5y": False,
                          "effective_at": WHEN},
    "CatalogueItemIn": {"item_id": ITEM_ID, "name": "ERP/MES 上云", "fee_category": "APPLICATION_SERVICE",
                        "rate": "0.50", "cap_fen": 10_000_000},
    "SetCityQuota": {"city": "440600", "year": YEAR, "amount_fen": 5_000_000_000, "city_share": "0.40"},
    "SetCarrierRates": {"year": YEAR, "rates": {"CHINA_TELECOM": "0.30", "CHINA_MOBILE": "0.35",
                                                 "CHINA_UNICOM": "0.32"}},
    "AdmitProvider": {"uscc": PROVIDER_USCC, "name": "广州云平台科技有限公司", "kind": "PLATFORM"},
    "SetProviderQuota": {"year": YEAR, "amount_fen": 500_000_000},
    "RecordAssessment": {"area": "NETWORK", "kind": "ASSESSMENT", "passed": True, "assessor": "国家级信息安全评测机构",
                         "report_ref": "RPT-2020-0042", "effective_at": WHEN},
    "SpotCheck": {"area": "DATA", "assessor": "国家级信息安全评测机构", "report_ref": "SPOT-2020-0007",
                  "effective_at": WHEN},
    "EliminateProvider": {"year": YEAR, "rating": "D", "effective_at": WHEN},
    "IssueVoucher": {"enterprise_id": ENTERPRISE_ID, "year": YEAR, "item_id": ITEM_ID},
    "ClaimIn": {"provider_id": PROVIDER_ID, "fee_category": "APPLICATION_SERVICE", "eligible_fee_fen": 4_000_000,
                "contract_no": "HT-2020-0815", "contract_date": "2020-08-15T10:00:00+08:00",
                "contract_amount_fen": 4_000_000, "invoice_nos": ["44001920200815001"],
                "payment_proven_fen": 4_000_000, "payment_proof_ref": "BANK-2020-0901",
                "acceptance_report_ref": "ACC-2020-0930", "accepted_at": "2020-09-30T16:00:00+08:00",
                "no_other_funding": True},
    "Reason": {"reason": "发票与合同金额不符"},
    "ReverseClaim": {"reason": "抽查发现服务未实际交付", "effective_at": WHEN},
    "OpenBatch": {"provider_id": PROVIDER_ID, "period": "2020-10"},
    "AddToBatch": {"voucher_id": VOUCHER_ID, "claim_id": CLAIM_ID},
    "PayBatch": {"effective_at": WHEN},
    "CollectRecovery": {"amount_fen": 1_000_000, "bank_reference": "ICBC-2020-1102", "effective_at": WHEN},
    "WriteOffRecovery": {"reason": "服务商已注销，无法追回", "effective_at": WHEN},
}
# The operations of running the programme (api/http/models/operations.py).
EXAMPLES |= {
    "RevokeVoucher": {"reason": "企业虚报上年度主营业务收入，资格已更正为不通过"},
    "RecordCloudAgreement": {"year": YEAR, "rate": "0.30"},
    "CorrectEligibility": {"prior_year_revenue_fen": 1_200_000_000, "serious_misuse_5y": False, "effective_at": WHEN,
                           "reason": "审计复核：上年度主营业务收入更正为1,200万元"},
    "ReviseQuota": {"amount_fen": 6_000_000_000},
}
# A successor year (api/http/models/programme.py): what it does not give is the latest earlier year's figure.
EXAMPLES["OpenYear"] = {"year": 2026, "redemption_deadline": "2027-02-08", "revenue_threshold_fen": 1_000_000_000}
# The 2020 holiday arrangement (国办发明电〔2019〕16号, with the Spring Festival extended by 国办发明电〔2020〕1号), as
# the province records it for the objection windows (api/http/models/programme.py).
_OFF_2020 = (("01-01", 1), ("01-24", 10), ("04-04", 3), ("05-01", 5), ("06-25", 3), ("10-01", 8))
EXAMPLES["PublishWorkingCalendar"] = {
    "year": YEAR, "notice": "国办发明电〔2019〕16号；国办发明电〔2020〕1号",
    "days_off": [str(date.fromisoformat(f"2020-{first}") + timedelta(days=n)) for first, days in _OFF_2020
                 for n in range(days)],
    "workdays": ["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"]}
EXAMPLES["ReviseWorkingCalendar"] = {
    **{k: v for k, v in EXAMPLES["PublishWorkingCalendar"].items() if k != "year"},
    "reason": "春节假期延长至2月2日（国办发明电〔2020〕1号），2月1日不再调休上班"}
# Publicity (公示, api/http/models/publicity.py).
EXAMPLES["PublishList"] = {"period": "2020-10", "claims": [{"voucher_id": VOUCHER_ID, "claim_id": CLAIM_ID}]}
EXAMPLES["LodgeObjection"] = {"claim_id": CLAIM_ID, "objector": "佛山市某企业职工", "reason": "该项目服务未实际交付"}
EXAMPLES["RuleOnObjection"] = {"ruling": "SUSTAIN", "reason": "经核查，服务未交付，异议成立"}
# The resource pool's evaluation (api/http/models/evaluation.py).
EXAMPLES["RateService"] = {"score": 4, "comment": "上线及时，售后响应较快"}
EXAMPLES["FileComplaint"] = {"reason": "验收后系统多次宕机，服务商未及时响应"}
# One item funded once (api/http/models/funding.py).
EXAMPLES["RecordOtherFunding"] = {"contract_no": "HT-2020-0701", "fund_name": "广东省工业和信息化专项资金",
                                  "document_no": "粤工信〔2020〕88号", "amount_fen": 2_000_000,
                                  "effective_at": "2020-07-01T10:00:00+08:00",
                                  "reason": "该合同已获省级专项资金扶持"}
EXAMPLES["PublishCatalogue"] = {"year": YEAR, "items": [EXAMPLES["CatalogueItemIn"]],
                                "redemption_deadline": "2021-02-08"}

# Awards (二, 三; api/http/models/awards.py): the example enterprise's benchmark project in Foshan.
AWARD_ID = "5d1c8a47-2f6b-4e0a-9c3d-7b8e1f2a6c90"  # an award's id is the service's to make: one of them
AWARD_BATCH_ID = "8e2d4b61-3a7c-4f19-b0e5-6c9d2a1f4b37"
EXAMPLES["DefineAwardProgramme"] = {"kind": "BENCHMARK_PROJECT", "name": "工业互联网应用标杆示范项目",
                                    "applicants": ["ENTERPRISE"], "amount_rule": "FIXED", "amount_fen": 50_000_000}
EXAMPLES["ApplyForAward"] = {"year": YEAR, "kind": "BENCHMARK_PROJECT", "project": "陶瓷产线工业互联网改造",
                             "contracts": [{"provider_uscc": PROVIDER_USCC, "contract_no": "HT-2020-0920"}]}
EXAMPLES["RecommendAward"] = {"opinion": "项目示范效果明显，同意推荐"}
EXAMPLES["RefuseAward"] = {"reason": "项目尚未通过验收"}  # also a title withdrawal's body (a reason)
EXAMPLES["RecommendAwardNationally"] = {"note": "推荐申报国家级工业互联网标杆示范项目"}
EXAMPLES["GrantAward"] = {}
EXAMPLES["OpenAwardBatch"] = {"period": "2020-12"}
EXAMPLES["AddAward"] = {"award_id": AWARD_ID}
EXAMPLES["PayAwardBatch"] = {"effective_at": WHEN}
EXAMPLES["RecoverAward"] = {"reason": "验收材料不实", "effective_at": WHEN}
EXAMPLES["CollectAwardRecovery"] = {"amount_fen": 10_000_000, "bank_reference": "BOC-2020-1201",
                                    "effective_at": WHEN}
EXAMPLES["WriteOffAwardRecovery"] = {"reason": "企业已注销，无法追回", "effective_at": WHEN}


def example(name: str) -> ConfigDict:
    """The model config that puts ``EXAMPLES[name]`` in the body's schema (``extra="forbid"`` is inherited)."""
    return ConfigDict(json_schema_extra={"examples": [EXAMPLES[name]]})
