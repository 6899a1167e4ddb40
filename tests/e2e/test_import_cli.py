"""`voucher-ledger import`: templates, an import with refused rows (exit 1, the error report as CSV and XLSX, nothing
written), a clean import and its repeat; run as a process on an SQLite store."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from importer.kinds import KINDS
from ledger import ids
from store.opening import open_ledger
from store.settings import Settings
from tests.support import import_scenario as s

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], cwd: Path, store: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "200", "VOUCHER_LEDGER_STORE": "sqlite",
            "VOUCHER_LEDGER_SQLITE_PATH": str(store)}
    return subprocess.run([sys.executable, "-m", "api.cli", "import", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_templates_refusals_reports_and_repeats(tmp_path):
    store = tmp_path / "ledger.sqlite3"
    done = run(["--template", "claims", "--out", "claims.xlsx"], tmp_path, store)
    assert done.returncode == 0, done.stderr
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "claims.xlsx").worksheets[0][1]]
    assert header == [c.header for c in KINDS["claims"].all_columns] and "申请编号 / claim_no" in header

    rows = [{"uscc": s.E1, "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"},
            {"uscc": s.E2, "name": "乙", "city": s.FOSHAN, "carrier": "PIGEON_POST", "established_on": "2010-01-01"}]
    (tmp_path / "bad.csv").write_bytes(s.csv_file("enterprises", rows, headers="both"))
    refused = run(["enterprises", "bad.csv"], tmp_path, store)
    assert refused.returncode == 1 and "nothing was written" in refused.stderr
    report = list(csv.reader(io.StringIO((tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8-sig"))))
    assert report[0] == ["row", "column", "code", "message"] and [r[:3] for r in report[1:]] == [
        ["3", "carrier", "INVALID_INPUT"]]
    sheet = openpyxl.load_workbook(tmp_path / "bad.csv.errors.xlsx").worksheets[0]
    assert [c.value for c in sheet[2]][:3] == [3, "carrier", "INVALID_INPUT"]

    (tmp_path / "good.csv").write_bytes(s.csv_file("enterprises", rows[:1], headers="zh"))
    assert run(["enterprises", "good.csv", "--dry-run"], tmp_path, store).returncode == 0
    written = run(["enterprises", "good.csv"], tmp_path, store)
    assert written.returncode == 0 and '"written": 1' in written.stderr
    again = run(["enterprises", "good.csv"], tmp_path, store)
    assert again.returncode == 0 and "imported before" in again.stderr
    ledger = open_ledger(Settings(store="sqlite", sqlite_path=store))
    try:
        assert ledger.enterprise(ids.enterprise_id(s.E1)).name == "甲"
        assert not ledger.stored(ids.enterprise_id(s.E2))
    finally:
        ledger.close()
    assert run(["nonsense", "good.csv"], tmp_path, store).returncode == 2
    assert run(["enterprises", "good.csv", "--actor", "enterprise:x"], tmp_path, store).returncode == 2
