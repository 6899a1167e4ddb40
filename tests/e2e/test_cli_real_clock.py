"""On the real clock, with no training setting, the whole story through the command line, on both stores: the
province opens the current year (`programme open-year`), and loads its registers with `import` (the command line's
path for what has no command of its own): the carriers' rates, the catalogue, a city's and a provider's quotas, the
provider admitted and whitelisted, an enterprise registered and judged eligible, a voucher issued, the enterprise's
claim, its approval, a settlement batch paid. Every figure is then read back through the command line (`list`, `figure`, `programme show`)
and the audit trail through `export`; expected figures follow from DOMAIN.md's rules, worked out here."""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import build
from ledger.fiscal_time import SHANGHAI
from ledger.uscc import make_uscc
from store.settings import get_settings
from tests.support.api_helpers import store_env
from tests.support.import_scenario import csv_file

FOSHAN = "440600"
ENTERPRISE, PROVIDER = make_uscc("91440600MA7000001"), make_uscc("91440100MP7000001")
RATE, CAP_FEN, FEE_FEN = "0.50", 9_999_999, 200_001
CITY_QUOTA_FEN, CITY_SHARE, PROVIDER_QUOTA_FEN = 50_000_000, "0.40", 300_000_000


def floor_rate(amount_fen: int, rate: str) -> int:
    return int((Decimal(amount_fen) * Decimal(rate)).to_integral_value(rounding=ROUND_FLOOR))


class Cli:
    """`voucher-ledger` (the ledger's command line, ``api.cli.build``) run in this process, on the environment a user
    would set: the store, and no VOUCHER_LEDGER_CLOCK (the real clock)."""

    def __init__(self, settings, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.where, self.app, self.runner = where, build(), CliRunner()
        for name in [n for n in os.environ if n.startswith("VOUCHER_LEDGER_")]:
            monkeypatch.delenv(name)
        # Queries catch the read models up themselves (no projection worker runs here).
        for name, value in {**store_env(settings), "VOUCHER_LEDGER_READ_MODELS_IN_PROCESS": "true",
                            "COLUMNS": "200"}.items():
            monkeypatch.setenv(name, value)

    def __call__(self, *args: str) -> str:
        get_settings.cache_clear()  # the command line reads its settings from the environment, as a process would
        try:
            done = self.runner.invoke(self.app, list(args), catch_exceptions=False)
        finally:
            get_settings.cache_clear()
        report = self.where / f"{Path(args[-1]).name}.errors.csv"
        refused = report.read_text(encoding="utf-8-sig") if args[0] == "import" and report.exists() else ""
        assert done.exit_code == 0, f"{args}: {done.output}{refused}"
        return done.stdout

    def json(self, *args: str):
        return json.loads(self(*args))

    def load(self, kind: str, rows: list[dict[str, object]]) -> None:
        path = self.where / f"{kind}.csv"
        path.write_bytes(csv_file(kind, rows, headers="both"))
        self("import", kind, str(path))


def test_the_province_runs_the_current_year_through_the_command_line(store_settings, tmp_path, monkeypatch):
    cli = Cli(store_settings, tmp_path, monkeypatch)
    started = datetime.now(UTC)
    now = started.astimezone(SHANGHAI)
    year = now.year  # the fiscal year in Guangdong
    moment = now.replace(microsecond=0).isoformat()

    shown = cli.json("programme", "show")
    assert shown["training"] is False and year not in shown["open_years"]
    opened = cli.json("programme", "open-year", str(year), "--redemption-deadline", f"{year + 1}-02-08")
    assert opened["phase"] == "ISSUING" and opened["open"] is True

    cli.load("carrier-rates", [{"year": year, "carrier": carrier, "rate": "0.30"}
                               for carrier in ("CHINA_TELECOM", "CHINA_MOBILE", "CHINA_UNICOM")])
    cli.load("catalogue", [{"year": year, "redemption_deadline": f"{year + 1}-02-08", "item_id": "APP-ERP",
                            "name": "ERP 上云", "fee_category": "APPLICATION_SERVICE", "rate": RATE,
                            "cap_fen": CAP_FEN}])
    cli.load("city-quotas", [{"city": FOSHAN, "year": year, "amount_fen": CITY_QUOTA_FEN, "city_share": CITY_SHARE}])
    cli.load("providers", [{"uscc": PROVIDER, "name": "云平台甲", "kind": "PLATFORM"}])
    cli.load("provider-quotas", [{"uscc": PROVIDER, "year": year, "amount_fen": PROVIDER_QUOTA_FEN}])
    cli.load("assessments", [{"uscc": PROVIDER, "area": "NETWORK", "kind": "ASSESSMENT", "passed": "是",
                              "assessor": "国家级信息安全评测机构", "report_ref": "R-1", "effective_at": moment}])
    cli.load("enterprises", [{"uscc": ENTERPRISE, "name": "工厂甲", "city": FOSHAN, "carrier": "CHINA_MOBILE",
                              "established_on": "2010-06-01"}])
    cli.load("eligibility", [{"uscc": ENTERPRISE, "year": year, "prior_year_revenue_fen": 1_200_000_000,
                              "serious_misuse_5y": "否", "effective_at": moment}])
    voucher_key = {"uscc": ENTERPRISE, "year": year, "item_id": "APP-ERP"}
    cli.load("vouchers", [voucher_key])
    contract = max(now - timedelta(days=10), datetime(year, 1, 1, tzinfo=SHANGHAI)).replace(microsecond=0)
    cli.load("claims", [{**voucher_key, "claim_no": "C-1", "provider_uscc": PROVIDER, "contract_no": "HT-1",
                         "contract_date": contract.isoformat(), "contract_amount_fen": FEE_FEN,
                         "invoice_nos": "FP-1", "payment_proven_fen": FEE_FEN, "payment_proof_ref": "BANK-1",
                         "acceptance_report_ref": "ACC-1", "accepted_at": moment, "no_other_funding": "是",
                         "fee_category": "APPLICATION_SERVICE", "eligible_fee_fen": FEE_FEN}])
    cli.load("approvals", [{**voucher_key, "claim_no": "C-1", "decision": "APPROVE"}])
    paid = datetime.now(SHANGHAI).isoformat()  # after the approval just recorded: a payment follows its approval
    cli.load("settlements", [{"batch_no": "B-1", "provider_uscc": PROVIDER, "period": f"{now:%Y-%m}", **voucher_key,
                              "claim_no": "C-1", "paid_at": paid}])

    amount = floor_rate(FEE_FEN, RATE)  # 100,000 fen: 50 % of 200,001 rounded down
    city_part = floor_rate(amount, CITY_SHARE)
    [provider] = cli.json("list", "providers", "--uscc", PROVIDER, "--json")["items"]
    assert provider["status"] == "WHITELISTED"
    [voucher] = cli.json("list", "vouchers", "--enterprise", ENTERPRISE, "--json")["items"]
    assert (voucher["programme_year"], voucher["face_value_fen"], voucher["city"]) == (year, CAP_FEN, FOSHAN)
    voucher_id = voucher["voucher_id"]
    [claim] = cli.json("list", "claims", "--voucher", voucher_id, "--json")["items"]
    assert (claim["status"], claim["amount_fen"]) == ("SETTLED", amount)
    [batch] = cli.json("list", "batches", "--provider", PROVIDER, "--json")["items"]
    assert (batch["status"], batch["amount_fen"], batch["paid_fen"]) == ("PAID", amount, amount)

    balance = cli.json("figure", "voucher", voucher_id)["answer"]
    assert (balance["settled_fen"], balance["claimed_fen"], balance["approved_fen"]) == (amount, 0, 0)
    assert balance["remaining_fen"] == CAP_FEN - amount
    spend = cli.json("figure", "city", FOSHAN)["answer"]
    settled = {line["fund_source"]: line["amount_fen"] for line in spend["lines"]
               if line["stage"] == "settled" and line["programme_year"] == year}
    assert settled == {"city": city_part, "province": amount - city_part}
    assert spend["quotas"][str(year)]["quota_set_fen"] == CITY_QUOTA_FEN
    assert spend["quotas"][str(year)]["issued_fen"] == CAP_FEN
    assert year in cli.json("programme", "show")["open_years"]
    # A party is named by its id or its USCC, with the same answer; one never registered, or a code that is no city,
    # is an error (not figures of zero, as a review found).
    by_uscc = cli.json("figure", "provider", PROVIDER)["answer"]
    assert by_uscc["settled_fen"] == amount
    assert by_uscc == cli.json("figure", "provider", provider["provider_id"])["answer"]
    [totals] = [t for t in cli.json("figure", "enterprise", ENTERPRISE)["answer"] if t["programme_year"] == year]
    assert totals["settled_fen"] == amount
    for args, code in ((("figure", "provider", make_uscc("91440100MP7000002")), 1),
                       (("figure", "enterprise", make_uscc("91440600MA7000002")), 1),
                       (("figure", "city", "449999"), 2)):
        get_settings.cache_clear()
        done = cli.runner.invoke(cli.app, list(args), catch_exceptions=False)
        assert done.exit_code == code, (args, done.output)
        assert ("UNKNOWN_CITY" if code == 2 else "no ") in done.output, done.output

    cli("export", str(tmp_path / "export"))  # in Chinese: read by the column keys its manifest names
    keys = json.loads((tmp_path / "export" / "manifest.json").read_text())["columns"]["audit_trail.csv"]
    with (tmp_path / "export" / "audit_trail.csv").open(encoding="utf-8-sig", newline="") as f:
        assert next(f).startswith("事件序号,")
        trail = [row for row in csv.DictReader(f, fieldnames=keys)
                 if row["entity_id"] == voucher_id and row["event_type"].startswith("Voucher.")]
    assert [row["event_type"] for row in trail] == [
        "Voucher.Issued", "Voucher.Claimed", "Voucher.ClaimApproved", "Voucher.ClaimBatched", "Voucher.ClaimSettled"]
    assert trail[1]["actor"] == "province:import"  # who recorded it: on the real record, whoever imported it
    recorded = [datetime.fromisoformat(row["recorded_utc"].replace("Z", "+00:00")) for row in trail]
    finished = datetime.now(UTC)
    assert all(started - timedelta(seconds=1) <= r <= finished for r in recorded)  # recorded on the real clock
