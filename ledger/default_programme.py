"""The default programme: the 2018-2020 policy (粤府〔2018〕23号) and its three years, with DOMAIN.md's figures.

This is the one place in code where a year, a window or a threshold of the programme is written. It is recorded as
events on a store that holds no programme (``store.opening``); from then on the rules read the recorded years, and a
successor year is opened by the province as data (``open_year``), never by editing this module.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.evaluation_rules import EvaluationRules
from ledger.fees import FeeCategory
from ledger.money import WAN_YUAN
from ledger.programme import Window, YearRules

NAME = "广东省支持企业“上云上平台”加快发展工业互联网的若干扶持政策（2018—2020年）"
DOCUMENT_NUMBER = "粤府〔2018〕23号"
POLICY_DATE = date(2018, 3, 20)  # contracts dated before it are not covered

COVERED = (FeeCategory.APPLICATION_SERVICE, FeeCategory.DEVICE_ACCESS, FeeCategory.NETWORK_RENOVATION)
# 8,000,000 RMB for national cross-industry platforms and the three carriers, 5,000,000 RMB for the others.
PROVIDER_CAPS_FEN = {"NATIONAL_PLATFORM": 800 * WAN_YUAN, "CARRIER": 800 * WAN_YUAN,
                     "PLATFORM": 500 * WAN_YUAN, "SERVICE": 500 * WAN_YUAN}
# Each year's vouchers are issued within its fiscal year (Asia/Shanghai) and redeemable until its deadline.
REDEMPTION_DEADLINES = {2018: date(2019, 2, 28), 2019: date(2020, 2, 8), 2020: date(2021, 2, 8)}
# Published application windows (only the 2020 round's is documented).
APPLICATIONS = {2020: Window(date(2020, 5, 25), date(2020, 9, 30))}

# The resource pool's annual evaluation (三(三)): ratings 1-5 worth 20 points a star, an unrated provider 70, 5 points
# off a complaint and 20 a failed spot check; 90 and above promoted, below 60 eliminated for the next year; the next
# year's quota is its kind's cap x 1.2 from 90, x 1.0 from 75, x 0.8 from 60.
EVALUATION = EvaluationRules(
    formula="pool-evaluation-2018-v1", points_per_star=20, unrated_score=70, complaint_penalty=5,
    failed_spot_check_penalty=20, promotion_line=90, elimination_line=60,
    quota_bands=((90, Decimal("1.2")), (75, Decimal("1.0")), (60, Decimal("0.8"))),
)


def year_rules(year: int) -> YearRules:
    return YearRules.checked(
        year=year,
        issuance=Window(date(year, 1, 1), date(year, 12, 31)),
        redemption_deadline=REDEMPTION_DEADLINES[year],
        contracts_from=POLICY_DATE,
        revenue_threshold_fen=1_000 * WAN_YUAN,  # 上年度主营业务收入1,000万元以上
        min_payment_ratio=Decimal("0.90"),
        covered_fee_categories=COVERED,
        established_years=1,
        misuse_lookback_years=5,
        evaluation=EVALUATION,
        provider_caps_fen=PROVIDER_CAPS_FEN,
        objection_working_days=5,
        applications=APPLICATIONS.get(year),
    )


YEARS: tuple[YearRules, ...] = tuple(year_rules(year) for year in sorted(REDEMPTION_DEADLINES))
