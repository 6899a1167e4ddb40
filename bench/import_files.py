"""Import files of a synthetic 2019 programme for the import benchmark: the set-up registers (providers, rates,
catalogue, quotas, enterprises, eligibility, vouchers) and a claims file of any length, as CSV bytes.

Figures follow ``bench/ledger_world.py``: quotas never run out, each voucher takes a few 1,000 RMB claims, every
claim names its own contract and invoice, so no row is refused (a refusal would stop an all-or-nothing file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from importer.kinds import KINDS
from ledger.uscc import make_uscc

YEAR = 2019
AT = "2019-03-01T09:00:00+08:00"
CLAIMED_AT = "2019-06-03T10:00:00+08:00"
CITY = "440600"
PROVIDERS = 10
CLAIMS_PER_VOUCHER = 5
FEE_FEN = 100_000  # 1,000 RMB eligible fee: 500 RMB held of a 100,000 RMB voucher


def csv_file(kind: str, rows: Iterable[dict[str, object]]) -> bytes:
    keys = [column.key for column in KINDS[kind].all_columns]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(keys)
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    return out.getvalue().encode()


def enterprise_uscc(n: int) -> str:
    return make_uscc(f"91{CITY}MB{n:07d}")


def provider_uscc(n: int) -> str:
    return make_uscc(f"91440100MC{n:07d}")


def set_up_files(vouchers: int) -> list[tuple[str, bytes]]:
    """(kind, CSV) in import order: a year with enough quota, whitelisted providers, ``vouchers`` enterprises with
    one voucher each."""
    providers = [provider_uscc(p) for p in range(PROVIDERS)]
    enterprises = [enterprise_uscc(e) for e in range(vouchers)]
    return [
        ("providers", csv_file("providers", ({"uscc": u, "name": f"云平台{i}", "kind": "PLATFORM", "recorded_at": AT}
                                             for i, u in enumerate(providers)))),
        ("carrier-rates", csv_file("carrier-rates", (
            {"year": YEAR, "carrier": c, "rate": r, "recorded_at": AT}
            for c, r in (("CHINA_TELECOM", "0.30"), ("CHINA_MOBILE", "0.35"), ("CHINA_UNICOM", "0.32"))))),
        ("catalogue", csv_file("catalogue", [{
            "year": YEAR, "redemption_deadline": "2020-02-08", "item_id": "APP-ERP", "name": "ERP 上云",
            "fee_category": "APPLICATION_SERVICE", "rate": "0.50", "cap_fen": 10_000_000, "recorded_at": AT}])),
        ("city-quotas", csv_file("city-quotas", [{"city": CITY, "year": YEAR, "amount_fen": 10**13,
                                                  "city_share": "0.40", "recorded_at": AT}])),
        ("provider-quotas", csv_file("provider-quotas", ({"uscc": u, "year": YEAR, "amount_fen": 10**13,
                                                          "recorded_at": AT} for u in providers))),
        ("assessments", csv_file("assessments", (
            {"uscc": u, "area": "NETWORK", "kind": "ASSESSMENT", "passed": "是", "assessor": "评测机构",
             "report_ref": f"R-{i}", "effective_at": AT, "recorded_at": AT} for i, u in enumerate(providers)))),
        ("enterprises", csv_file("enterprises", (
            {"uscc": u, "name": f"工厂{i}", "city": CITY, "carrier": "CHINA_MOBILE", "established_on": "2010-06-01",
             "recorded_at": AT} for i, u in enumerate(enterprises)))),
        ("eligibility", csv_file("eligibility", (
            {"uscc": u, "year": YEAR, "prior_year_revenue_fen": 1_200_000_000, "serious_misuse_5y": "否",
             "effective_at": AT, "recorded_at": AT} for u in enterprises))),
        ("vouchers", csv_file("vouchers", ({"uscc": u, "year": YEAR, "item_id": "APP-ERP", "recorded_at": AT}
                                           for u in enterprises))),
    ]


def claims_file(claims: int, *, tag: str = "") -> bytes:
    """``claims`` claims, ``CLAIMS_PER_VOUCHER`` on each voucher in turn, spread over the providers."""
    def rows() -> Iterable[dict[str, object]]:
        for n in range(claims):
            voucher = n // CLAIMS_PER_VOUCHER
            yield {
                "uscc": enterprise_uscc(voucher), "year": YEAR, "item_id": "APP-ERP", "claim_no": f"SQ{tag}-{n}",
                "provider_uscc": provider_uscc(n % PROVIDERS), "contract_no": f"HT{tag}-{n}",
                "contract_date": "2019-05-01T00:00:00+08:00", "contract_amount_fen": FEE_FEN,
                "invoice_nos": f"FP{tag}-{n}", "payment_proven_fen": FEE_FEN, "payment_proof_ref": f"BANK-{n}",
                "acceptance_report_ref": f"ACC-{n}", "accepted_at": "2019-06-01T00:00:00+08:00", "no_other_funding": "是",
                "fee_category": "APPLICATION_SERVICE", "eligible_fee_fen": FEE_FEN, "recorded_at": CLAIMED_AT,
            }

    return csv_file("claims", rows())
