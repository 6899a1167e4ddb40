"""A small 2019 programme as the province's registers (one CSV per kind, in import order), with figures worked out
by hand from DOMAIN.md's rules: a claim holds eligible fee × the item's rate (rounded down), a rejection frees it,
a revocation returns the voucher's unused value to its city's quota.

Items: APP-ERP pays 50 % up to 100,000 RMB (10,000,000 fen), DEV-ACCESS 30 % up to 50,000 RMB.
"""

from __future__ import annotations

import csv
import io

from importer.kinds import KINDS
from ledger.uscc import make_uscc  # noqa: F401 - tests make more USCCs with it

FOSHAN, DONGGUAN = "440600", "441900"
E1, E2, E3 = (make_uscc(f"91{city}MA{n:07d}") for n, city in ((1, FOSHAN), (2, FOSHAN), (3, DONGGUAN)))
P1, P2 = (make_uscc(f"91440100MP{n:07d}") for n in (1, 2))
SET_UP, CLAIMED, REVIEWED, PAID, REVOKED = (f"2019-{d}T09:00:00+08:00" for d in ("03-01", "04-01", "04-05",
                                                                                  "04-10", "04-12"))
APP_CAP, DEV_CAP = 10_000_000, 5_000_000


def csv_file(kind: str, rows: list[dict[str, object]], *, headers: str = "key") -> bytes:
    columns = KINDS[kind].all_columns
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([c.key if headers == "key" else c.header if headers == "both" else c.zh for c in columns])
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in columns])
    return out.getvalue().encode("utf-8")


def unrecorded(data: bytes) -> bytes:
    """A file of :func:`csv_file` (key headers) with its recorded_at and recorded_by cells left empty: each row is then
    recorded when it is imported, by who imports it (all a store that is not a training store takes)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    blank = [i for i, name in enumerate(rows[0]) if name in ("recorded_at", "recorded_by")]
    out = io.StringIO(newline="")
    csv.writer(out).writerows([rows[0], *([("" if i in blank else cell) for i, cell in enumerate(row)]
                                          for row in rows[1:])])
    return out.getvalue().encode("utf-8")


def voucher(uscc: str, item: str) -> dict[str, object]:
    return {"uscc": uscc, "year": 2019, "item_id": item}


def claim(uscc: str, item: str, no: str, provider: str, fee: int) -> dict[str, object]:
    return {**voucher(uscc, item), "claim_no": no, "provider_uscc": provider, "contract_no": f"HT-{no}",
            "contract_date": "2019-03-10T00:00:00+08:00", "contract_amount_fen": fee, "invoice_nos": f"FP-{no}-1;FP-{no}-2",
            "payment_proven_fen": fee, "payment_proof_ref": f"BANK-{no}", "acceptance_report_ref": f"ACC-{no}",
            "accepted_at": "2019-03-25T00:00:00+08:00", "no_other_funding": "是", "fee_category": "DEVICE_ACCESS" if item == "DEV-ACCESS"
            else "APPLICATION_SERVICE", "eligible_fee_fen": fee, "recorded_at": CLAIMED, "recorded_by": "enterprise"}


CLAIMS = [claim(E1, "APP-ERP", "C1", P1, 4_000_000), claim(E1, "DEV-ACCESS", "C2", P2, 1_000_000),
          claim(E2, "APP-ERP", "C3", P1, 6_000_000), claim(E3, "APP-ERP", "C4", P2, 2_000_000)]


def programme_files() -> list[tuple[str, bytes]]:
    at = {"recorded_at": SET_UP}
    return [
        ("enterprises", csv_file("enterprises", [
            {"uscc": u, "name": f"工厂{i}", "city": c, "carrier": carrier, "established_on": "2010-06-01", **at}
            for i, (u, c, carrier) in enumerate(((E1, FOSHAN, "CHINA_MOBILE"), (E2, FOSHAN, "CHINA_TELECOM"),
                                                 (E3, DONGGUAN, "CHINA_UNICOM")))])),
        ("providers", csv_file("providers", [{"uscc": p, "name": f"云平台{p[-3:]}", "kind": "PLATFORM", **at}
                                             for p in (P1, P2)])),
        ("carrier-rates", csv_file("carrier-rates", [
            {"year": 2019, "carrier": c, "rate": r, **at}
            for c, r in (("CHINA_TELECOM", "0.30"), ("CHINA_MOBILE", "0.35"), ("CHINA_UNICOM", "0.32"))])),
        ("catalogue", csv_file("catalogue", [
            {"year": 2019, "redemption_deadline": "2020-02-08", "item_id": "APP-ERP", "name": "ERP 上云",
             "fee_category": "APPLICATION_SERVICE", "rate": "0.50", "cap_fen": APP_CAP, **at},
            {"year": 2019, "redemption_deadline": "2020-02-08", "item_id": "DEV-ACCESS", "name": "设备上云",
             "fee_category": "DEVICE_ACCESS", "rate": "0.30", "cap_fen": DEV_CAP, **at}])),
        ("city-quotas", csv_file("city-quotas", [
            {"city": FOSHAN, "year": 2019, "amount_fen": 50_000_000, "city_share": "0.40", **at},
            {"city": DONGGUAN, "year": 2019, "amount_fen": 30_000_000, "city_share": "0.35", **at}])),
        ("provider-quotas", csv_file("provider-quotas", [{"uscc": p, "year": 2019, "amount_fen": 100_000_000, **at}
                                                         for p in (P1, P2)])),
        ("assessments", csv_file("assessments", [
            {"uscc": p, "area": "NETWORK", "kind": "ASSESSMENT", "passed": "是", "assessor": "国家级信息安全评测机构",
             "report_ref": f"R-{p[-3:]}", "effective_at": SET_UP, **at} for p in (P1, P2)])),
        ("eligibility", csv_file("eligibility", [
            {"uscc": u, "year": 2019, "prior_year_revenue_fen": 1_200_000_000, "serious_misuse_5y": "否",
             "effective_at": SET_UP, **at} for u in (E1, E2, E3)])),
        ("vouchers", csv_file("vouchers", [{**voucher(u, i), **at} for u, i in (
            (E1, "APP-ERP"), (E1, "DEV-ACCESS"), (E2, "APP-ERP"), (E3, "APP-ERP"))])),
        ("claims", csv_file("claims", CLAIMS)),
        ("approvals", csv_file("approvals", [
            {**voucher(u, i), "claim_no": n, "decision": d, "reason": r, "recorded_at": REVIEWED}
            for u, i, n, d, r in ((E1, "APP-ERP", "C1", "批准", ""), (E1, "DEV-ACCESS", "C2", "APPROVE", ""),
                                  (E2, "APP-ERP", "C3", "驳回", "发票与合同不符"), (E3, "APP-ERP", "C4", "APPROVE", ""))])),
        ("settlements", csv_file("settlements", [
            {"batch_no": b, "provider_uscc": p, "period": "2019-04", **voucher(u, i), "claim_no": n, "paid_at": PAID,
             "recorded_at": PAID}
            for b, p, u, i, n in (("B1", P1, E1, "APP-ERP", "C1"), ("B2", P2, E1, "DEV-ACCESS", "C2"),
                                  ("B2", P2, E3, "APP-ERP", "C4"))])),
        ("revocations", csv_file("revocations", [{**voucher(E2, "APP-ERP"), "reason": "企业申请撤销",
                                                  "recorded_at": REVOKED}])),
    ]


# Worked out by hand: C1 holds 4,000,000 × 0.50, C2 1,000,000 × 0.30, C4 2,000,000 × 0.50; C3 was rejected.
BALANCES = {(E1, "APP-ERP"): APP_CAP - 2_000_000, (E1, "DEV-ACCESS"): DEV_CAP - 300_000, (E3, "APP-ERP"): APP_CAP - 1_000_000}
# Foshan issued E1's two vouchers and E2's, whose whole face came back when it was revoked.
CITY_USED = {FOSHAN: APP_CAP + DEV_CAP, DONGGUAN: APP_CAP}
PROVIDER_USED = {P1: 2_000_000, P2: 300_000 + 1_000_000}
BATCH_TOTALS = {(P1, "B1"): 2_000_000, (P2, "B2"): 1_300_000}
