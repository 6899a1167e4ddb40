"""`voucher-ledger import`: templates, an import with refused rows (exit 1, the error report as CSV and XLSX, nothing
written), a clean import and its repeat, a register's recorded times kept on a training store only; run as a process
on an SQLite store."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from importer.kinds import KINDS
from importer.registers import history_runs
from importer.run import run_import
from ledger import ids
from simulator.store import open_simulation_store
from store.opening import open_ledger
from store.settings import Settings
from tests.support import import_scenario as s
from tests.support.cli_runner import voucher_ledger

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
    assert report[0] == ["行号 / row", "列 / column", "错误代码 / code", "问题 / problem", "说明 / message"]
    assert [r[:3] for r in report[1:]] == [["3", "carrier", "INVALID_INPUT"]] and report[1][3].startswith("请求有误")
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


def test_a_register_exported_from_a_training_store_loads_into_a_training_store_only(tmp_path):
    """The round trip importer/registers.py exists for: a training store's history, exported with each row's
    recorded time and actor, loads with them into another training store. The store that is the real record refuses
    the same file (it records each row when imported, by who imports it), and a training store refuses rows recorded
    before what it already knows or after now (importer/recorded.py)."""
    source = open_simulation_store(Settings(store="sqlite", sqlite_path=tmp_path / "source.sqlite3"))
    try:
        for kind, data in s.programme_files()[:2]:  # enterprises, providers: recorded on 2019-03-01
            assert run_import(source, kind, data, file_name=f"{kind}.csv", actor="province:source-system",
                              now=datetime.now(UTC)).errors == []
        runs = history_runs(source)
        recorded = {uscc: next(iter(source.events.get(ids.enterprise_id(uscc)))) for uscc in (s.E1, s.E2, s.E3)}
    finally:
        source.close()
    assert [kind for kind, _ in runs] == ["enterprises", "providers"]
    training = tmp_path / "training.sqlite3"
    open_simulation_store(Settings(store="sqlite", sqlite_path=training)).close()  # a new training store
    for number, (kind, rows) in enumerate(runs):
        (tmp_path / f"{number}-{kind}.csv").write_bytes(s.csv_file(kind, rows))
        done = run([kind, f"{number}-{kind}.csv"], tmp_path, training)
        assert done.returncode == 0 and f'"written": {len(rows)}' in done.stderr, done.stderr
    loaded = open_ledger(Settings(store="sqlite", sqlite_path=training))
    try:
        for uscc, event in recorded.items():
            again = next(iter(loaded.events.get(ids.enterprise_id(uscc))))
            assert (again.timestamp, again.actor) == (event.timestamp, "province:source-system")
    finally:
        loaded.close()

    record = tmp_path / "record.sqlite3"  # opened on the real clock: the record itself
    refused = run(["enterprises", "0-enterprises.csv"], tmp_path, record)
    assert refused.returncode == 1 and "nothing was written" in refused.stderr
    report = list(csv.reader(io.StringIO((tmp_path / "0-enterprises.csv.errors.csv").read_text(encoding="utf-8-sig"))))
    assert {tuple(r[1:3]) for r in report[1:]} == {("recorded_at", "RECORDED_AT_NOT_ALLOWED"),
                                                    ("recorded_by", "RECORDED_BY_NOT_ALLOWED")}
    assert len(report) == 1 + 2 * len(runs[0][1])

    late = [{"uscc": s.make_uscc("91440600MA8000001"), "name": "丙", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
             "established_on": "2010-01-01", "recorded_at": "2018-05-01T09:00:00+08:00", "recorded_by": "auditor:省审计厅"},
            {"uscc": s.make_uscc("91440600MA8000002"), "name": "丁", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
             "established_on": "2010-01-01", "recorded_at": "2099-01-01T09:00:00+08:00"}]
    (tmp_path / "late.csv").write_bytes(s.csv_file("enterprises", late))
    assert run(["enterprises", "late.csv"], tmp_path, training).returncode == 1
    report = list(csv.reader(io.StringIO((tmp_path / "late.csv.errors.csv").read_text(encoding="utf-8-sig"))))
    assert [r[:3] for r in report[1:]] == [["2", "recorded_at", "RECORDED_AT_OUT_OF_ORDER"],
                                           ["3", "recorded_at", "RECORDED_AT_IN_FUTURE"]]


def test_a_report_or_template_that_cannot_be_written_is_refused_before_any_row_is(tmp_path):
    """--partial writes the rows that pass: a report folder that does not exist was found only after them, so the
    refused rows' report was lost (and a re-run found the file 'imported before'). Now the paths are checked first:
    one line, exit 2, nothing written; the same run with a report it can write imports the good row and reports the
    other. In this process (tests/support/cli_runner.py): the process boundary is not what this is about."""
    env = {"VOUCHER_LEDGER_STORE": "sqlite", "VOUCHER_LEDGER_SQLITE_PATH": str(tmp_path / "ledger.sqlite3")}
    rows = [{"uscc": s.E1, "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"},
            {"uscc": s.E2, "name": "乙", "city": s.FOSHAN, "carrier": "PIGEON_POST", "established_on": "2010-01-01"}]
    (tmp_path / "part.csv").write_bytes(s.csv_file("enterprises", rows, headers="both"))
    missing = tmp_path / "missing"

    def refused(*args: str) -> str:
        done = voucher_ledger(["import", *args], env, cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "nothing was written" in done.stderr, done.stderr
        return done.stderr

    assert "does not exist" in refused("enterprises", "part.csv", "--partial", "--report", str(missing / "rep"))
    assert "does not exist" in refused("--template", "claims", "--out", str(missing / "claims.xlsx"))
    assert "is a folder" in refused("--template", "claims", "--out", str(tmp_path))
    assert not missing.exists() and not list(tmp_path.glob("*.errors.*")) and not list(tmp_path.glob("*.xlsx"))
    ledger = open_ledger(Settings(store="sqlite", sqlite_path=tmp_path / "ledger.sqlite3"))
    try:
        assert not ledger.stored(ids.enterprise_id(s.E1))  # the good row waited for a report it could write
    finally:
        ledger.close()

    done = voucher_ledger(["import", "enterprises", "part.csv", "--partial", "--report", "rep"], env, cwd=tmp_path)
    assert done.returncode == 1 and '"written": 1' in done.stderr, done.stderr
    report = list(csv.reader(io.StringIO((tmp_path / "rep.errors.csv").read_text(encoding="utf-8-sig"))))
    assert [r[:3] for r in report[1:]] == [["3", "carrier", "INVALID_INPUT"]]


def test_a_corrected_file_that_imports_leaves_no_report_of_its_earlier_refusals(tmp_path):
    """The province corrects a refused register in place and imports it again: the report of the first run, still
    beside the file, would say rows were refused and nothing written of a file now imported (a review read it so)."""
    store = tmp_path / "ledger.sqlite3"
    row = {"uscc": s.E1, "name": "甲", "city": s.FOSHAN, "carrier": "PIGEON_POST", "established_on": "2010-01-01"}
    register = tmp_path / "enterprises.csv"
    register.write_bytes(s.csv_file("enterprises", [row], headers="both"))
    assert run(["enterprises", "enterprises.csv"], tmp_path, store).returncode == 1
    assert (tmp_path / "enterprises.csv.errors.csv").exists() and (tmp_path / "enterprises.csv.errors.xlsx").exists()
    register.write_bytes(s.csv_file("enterprises", [{**row, "carrier": "CHINA_MOBILE"}], headers="both"))
    done = run(["enterprises", "enterprises.csv"], tmp_path, store)
    assert done.returncode == 0 and '"written": 1' in done.stderr, done.stderr
    assert not (tmp_path / "enterprises.csv.errors.csv").exists()
    assert not (tmp_path / "enterprises.csv.errors.xlsx").exists()
