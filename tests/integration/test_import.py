"""Bulk import (importer/): registers in CSV or XLSX become the ledger's commands, decided by its rules; a file is
all or nothing, a repeat changes nothing, and every event keeps its row's provenance. Both stores."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest

from importer.kinds import KINDS, ORDER
from importer.references import batch_id, claim_id
from importer.report import as_csv, as_xlsx, refusal_sentence
from importer.run import run_import
from importer.templates import template_csv, template_xlsx
from ledger import ids
from ledger.provenance import imported_rows_id
from simulator.reference import WORKING_CALENDARS
from tests.support import import_scenario as s

HAN = re.compile(r"[\u4e00-\u9fff]")

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def do_import(ledger, kind, data, **kwargs):
    return run_import(ledger, kind, data, file_name=f"{kind}.csv", actor="province:import", now=NOW, **kwargs)


def event_count(ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def import_programme(ledger):
    for kind, data in s.programme_files():
        result = do_import(ledger, kind, data)
        assert result.errors == [], (kind, result.errors)
        assert result.written == result.rows > 0


def test_every_kind_is_in_the_import_order_and_has_a_template():
    assert set(ORDER) == set(KINDS) >= {"enterprises", "eligibility", "catalogue", "city-quotas", "providers",
                                        "assessments", "vouchers", "claims", "approvals", "settlements"}
    for kind in KINDS.values():
        header = next(csv.reader(io.StringIO(template_csv(kind).decode("utf-8-sig"))))
        assert header == [f"{c.zh} / {c.key}" for c in kind.all_columns]
        sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx(kind))).worksheets[0]
        assert [cell.value for cell in sheet[1]] == header


def test_a_programme_imported_from_its_registers_has_the_figures_worked_out_by_hand(ledger):
    import_programme(ledger)
    for (uscc, item), balance in s.BALANCES.items():
        assert ledger.voucher(ids.voucher_id(ids.enterprise_id(uscc), 2019, item)).balance_fen == balance
    revoked = ledger.voucher(ids.voucher_id(ids.enterprise_id(s.E2), 2019, "APP-ERP"))
    assert revoked.status == "REVOKED" and revoked.returned_fen == s.APP_CAP  # all of it back to Foshan
    for city, used in s.CITY_USED.items():
        assert ledger.city_quota(city, 2019).used_fen == used
    for uscc, used in s.PROVIDER_USED.items():
        assert ledger.provider_quota(ids.provider_id(uscc), 2019).used_fen == used
    for (uscc, number), total in s.BATCH_TOTALS.items():
        assert ledger.batch(batch_id(ids.provider_id(uscc), number)).total_fen == total
    c3_voucher = ids.voucher_id(ids.enterprise_id(s.E2), 2019, "APP-ERP")
    assert ledger.voucher(c3_voucher).claim(claim_id(c3_voucher, "C3", "", 0)).status == "REJECTED"


def test_each_event_keeps_its_rows_provenance_and_the_source_systems_time(ledger):
    import_programme(ledger)
    data = dict(s.programme_files())["claims"]
    digest = __import__("hashlib").sha256(data).hexdigest()
    voucher_id = ids.voucher_id(ids.enterprise_id(s.E1), 2019, "APP-ERP")
    claimed = [e for e in ledger.events.get(voucher_id) if type(e).__name__ == "Claimed"]
    assert [e.correlation_id for e in claimed] == [f"import:{digest}:2"]  # C1 is the file's first data row
    assert claimed[0].timestamp == datetime.fromisoformat(s.CLAIMED) and claimed[0].actor == "enterprise"
    marker = ledger.repository.get(imported_rows_id(digest, 2))
    assert (marker.kind, marker.first_row, marker.last_row, marker.written_rows) == ("claims", 2, 5, 4)


def test_importing_the_same_file_again_changes_nothing(ledger):
    import_programme(ledger)
    before = event_count(ledger)
    for kind, data in s.programme_files():
        again = do_import(ledger, kind, data)
        assert (again.errors, again.written, again.already_imported) == ([], 0, again.rows)
    assert event_count(ledger) == before


def test_a_file_with_bad_rows_reports_each_one_and_writes_none_of_them(ledger):
    files = s.programme_files()
    for kind, data in files[:9]:  # up to the vouchers
        assert do_import(ledger, kind, data).errors == []
    good = s.CLAIMS[0]
    rows = [good,
            {**s.claim(s.E1, "DEV-ACCESS", "X1", s.P2, 100_000), "fee_category": "AUTOMATION_EQUIPMENT"},
            {**s.claim(s.E3, "APP-ERP", "X2", s.P1, 100_000), "eligible_fee_fen": "12.5"},
            {**s.claim(s.E3, "APP-ERP", "X3", s.P1, 100_000), "invoice_nos": good["invoice_nos"]},
            {**s.claim(s.E3, "APP-ERP", "X4", s.P1, 100_000), "provider_uscc": "91440100MP0000001Z"}]
    before = event_count(ledger)
    result = do_import(ledger, "claims", s.csv_file("claims", rows))
    assert event_count(ledger) == before and result.written == 0
    firsts = {(e.row, e.column, e.code) for e in result.errors}
    assert {(3, "fee_category", "CATEGORY_NOT_COVERED"), (4, "eligible_fee_fen", "INVALID_AMOUNT"),
            (5, "invoice_nos", "DUPLICATE_CLAIM"), (6, "provider_uscc", "INVALID_USCC")} <= firsts
    assert {e.row for e in result.errors} == {3, 4, 5, 6}  # row 2 is good: it is simply not written either
    report = list(csv.reader(io.StringIO(as_csv(result.errors).decode("utf-8-sig"))))
    assert report[0] == ["行号 / row", "列 / column", "错误代码 / code", "问题 / problem", "说明 / message"]
    assert len(report) == len(result.errors) + 1
    # each problem said in Chinese (its own words, not the code's family), the English sentence beside it
    assert all(HAN.search(r[3]) and r[3] != r[2] for r in report[1:]), report
    assert len({r[3] for r in report[1:] if r[2] in {"CATEGORY_NOT_COVERED", "DUPLICATE_CLAIM", "INVALID_USCC"}}) == 3
    assert all(r[4] == e.message for r, e in zip(report[1:], result.errors, strict=True))
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx(result.errors))).worksheets[0]
    assert sheet.max_row == len(result.errors) + 1
    # fixed, the file imports
    assert do_import(ledger, "claims", s.csv_file("claims", rows[:1])).written == 1


def test_an_enterprise_established_after_its_row_is_recorded_is_reported_and_nothing_written(ledger):
    """The rule is the ledger's (an establishment date is a fact that has happened), so a register refuses such a
    row as the API does, with the row, the column and the code in the error report."""
    rows = [{"uscc": s.E1, "name": "工厂1", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-06-01"},
            {"uscc": s.E2, "name": "工厂2", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2030-01-01"}]
    before = event_count(ledger)
    result = do_import(ledger, "enterprises", s.unrecorded(s.csv_file("enterprises", rows)))
    assert event_count(ledger) == before and result.written == 0
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "established_on", "EFFECTIVE_IN_FUTURE")]
    report = list(csv.reader(io.StringIO(as_csv(result.errors).decode("utf-8-sig"))))
    assert report[1][:3] == ["3", "established_on", "EFFECTIVE_IN_FUTURE"] and "2030-01-01" in report[1][4]
    assert HAN.search(report[1][3])  # 生效时间晚于记录时间


def test_a_review_decision_names_its_claim(ledger):
    """A decision row without the claim's number is a missing cell, not an unknown claim (a review read
    CLAIM_NOT_FOUND for a row that named no claim at all)."""
    for kind, data in s.programme_files()[:10]:  # up to the claims
        assert do_import(ledger, kind, data).errors == [], kind
    row = {**s.voucher(s.E1, "APP-ERP"), "claim_no": "", "decision": "APPROVE"}
    result = do_import(ledger, "approvals", s.csv_file("approvals", [row]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "claim_no", "MISSING_VALUE")]
    assert result.written == 0


def test_a_dry_run_decides_every_row_and_writes_nothing(ledger):
    files = s.programme_files()
    before = event_count(ledger)
    for kind, data in files[:2]:
        result = do_import(ledger, kind, data, dry_run=True)
        assert (result.errors, result.written, result.decided) == ([], 0, result.rows)
    assert event_count(ledger) == before
    # rows may rely on earlier rows of the same file: a dry run of a programme's vouchers needs its set-up written
    assert do_import(ledger, "vouchers", files[8][1], dry_run=True).errors[0].code == "ENTERPRISE_NOT_FOUND"


def test_partial_writes_the_rows_that_pass_and_a_repeat_still_changes_nothing(ledger):
    rows = [{"uscc": s.E1, "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"},
            {"uscc": s.E2, "name": "乙", "city": "999999", "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"}]
    data = s.csv_file("enterprises", rows)
    result = do_import(ledger, "enterprises", data, partial=True)
    assert result.written == 1 and [(e.row, e.column, e.code) for e in result.errors] == [(3, "city", "UNKNOWN_CITY")]
    ledger.enterprise(ids.enterprise_id(s.E1))
    before = event_count(ledger)
    again = do_import(ledger, "enterprises", data, partial=True)
    assert (again.already_imported, again.refused_before) == (2, [3])  # the refusal is not forgotten, nor retried
    assert event_count(ledger) == before


def test_headers_in_chinese_and_xlsx_files_read_as_csv_does(ledger):
    kind = KINDS["enterprises"]
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(kind)))
    sheet = workbook.worksheets[0]
    sheet.append([s.E1, "广州某厂", s.FOSHAN, "china_mobile", "2010-06-01", "2019-03-01T09:00:00+08:00", None])
    out = io.BytesIO()
    workbook.save(out)
    assert do_import(ledger, "enterprises", out.getvalue()).written == 1
    chinese = s.csv_file("enterprises", [{"uscc": s.E2, "name": "乙", "city": s.FOSHAN, "carrier": "CHINA_MOBILE",
                                          "established_on": "2011-01-01"}], headers="zh")
    result = do_import(ledger, "enterprises", chinese)
    assert result.written == 1 and result.format == "csv"
    assert ledger.enterprise(ids.enterprise_id(s.E1)).name == "广州某厂"


def test_a_carrier_is_read_by_its_chinese_name_as_a_decision_is(ledger):
    """A province's file names carriers as it writes them (中国移动): a review saw such a row refused ("carrier must
    be one of CHINA_TELECOM…") while the approvals file reads 批准 / 驳回."""
    rows = [{"uscc": s.E1, "name": "甲", "city": s.FOSHAN, "carrier": "中国移动", "established_on": "2010-01-01"},
            {"uscc": s.E2, "name": "乙", "city": s.FOSHAN, "carrier": " 中国联通 ", "established_on": "2010-01-01"}]
    result = do_import(ledger, "enterprises", s.csv_file("enterprises", rows, headers="zh"))
    assert result.written == 2 and not result.errors
    assert [ledger.enterprise(ids.enterprise_id(u)).carrier for u in (s.E1, s.E2)] == ["CHINA_MOBILE", "CHINA_UNICOM"]


def test_a_header_that_names_no_column_or_misses_one_is_refused_before_any_row(ledger):
    data = "uscc,name,city,colour\n".encode()
    result = do_import(ledger, "enterprises", data)
    assert {(e.row, e.column, e.code) for e in result.errors} == {
        (1, "colour", "UNKNOWN_COLUMN"), (1, "carrier", "MISSING_COLUMN"), (1, "established_on", "MISSING_COLUMN")}
    # a clerk who typed Chinese headers is told the Chinese names the file may use, not only the keys
    [unknown] = [e for e in result.errors if e.code == "UNKNOWN_COLUMN"]
    # no row of the file was decided, so none was refused: the header was ("1 row(s) refused" counted it as a row)
    assert result.refused_rows == 0 and result.decided == 0
    assert refusal_sentence(result) == "the file was refused before any row was decided (its header or format); " \
                                      "nothing was written"
    assert "统一社会信用代码 / uscc" in unknown.message and "成立日期 / established_on" in unknown.message


@pytest.mark.parametrize("chunk_rows", [1, 3])
def test_rows_are_written_in_chunks_and_a_rerun_continues_after_the_last_written_chunk(ledger, chunk_rows):
    rows = [{"uscc": s.E1, "name": "甲", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"},
            {"uscc": s.E2, "name": "乙", "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"},
            {"uscc": s.E3, "name": "丙", "city": s.DONGGUAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"}]
    data = s.csv_file("enterprises", rows)
    first = do_import(ledger, "enterprises", data, chunk_rows=chunk_rows)
    assert first.written == 3
    digest = first.sha256
    markers = [ledger.repository.get(imported_rows_id(digest, row)) for row in range(2, 5, chunk_rows)]
    assert [(m.first_row, m.last_row) for m in markers] == [(r, min(r + chunk_rows - 1, 4)) for r in range(2, 5, chunk_rows)]
    assert do_import(ledger, "enterprises", data, chunk_rows=chunk_rows).already_imported == 3


def test_a_file_longer_than_one_transaction_is_checked_whole_then_written_in_chunks(ledger, monkeypatch):
    monkeypatch.setattr("importer.run.ONE_TRANSACTION_ROWS", 2)
    rows = [{"uscc": u, "name": n, "city": s.FOSHAN, "carrier": "CHINA_MOBILE", "established_on": "2010-01-01"}
            for u, n in ((s.E1, "甲"), (s.E2, "乙"), (s.E3, "丙"))]
    before = event_count(ledger)
    bad = do_import(ledger, "enterprises", s.csv_file("enterprises", [*rows, {**rows[0], "uscc": s.P1, "city": "0"}]),
                    chunk_rows=1)
    assert [(e.row, e.code) for e in bad.errors] == [(5, "UNKNOWN_CITY")] and event_count(ledger) == before
    good = do_import(ledger, "enterprises", s.csv_file("enterprises", rows), chunk_rows=1)
    assert good.written == 3 and ledger.repository.get(imported_rows_id(good.sha256, 4)).last_row == 4


def test_when_the_one_commit_fails_the_file_is_checked_again_and_written_once(ledger, monkeypatch):
    from eventsourcing.persistence import RecordConflictError

    from importer.holding import HoldingUnitOfWork

    def conflict(self):
        raise RecordConflictError("another writer got there first")

    monkeypatch.setattr(HoldingUnitOfWork, "commit_held", conflict)
    data = s.programme_files()[0][1]
    result = do_import(ledger, "enterprises", data)
    assert (result.errors, result.written) == ([], 3)
    assert [ledger.enterprise(ids.enterprise_id(u)).city for u in (s.E1, s.E2, s.E3)] == [s.FOSHAN, s.FOSHAN,
                                                                                         s.DONGGUAN]
    assert do_import(ledger, "enterprises", data).already_imported == 3


@pytest.mark.parametrize("partial", [False, True])
def test_a_row_sees_what_earlier_chunks_decided(ledger, partial):
    """Each chunk's aggregates are read in one round trip before it is decided: a later row must still see an
    earlier chunk's hold on the voucher, and an invoice an earlier chunk took (committed by then when partial)."""
    for kind, data in s.programme_files():
        if kind == "claims":
            break
        assert do_import(ledger, kind, data).errors == [], kind
    again = {**s.claim(s.E3, "APP-ERP", "C7", s.P2, 1_000_000), "invoice_nos": "FP-C5-2"}
    rows = [s.claim(s.E1, "APP-ERP", "C5", s.P1, 4_000_000), s.claim(s.E1, "APP-ERP", "C6", s.P1, 2_000_000), again]
    result = do_import(ledger, "claims", s.csv_file("claims", rows), chunk_rows=1, partial=partial)
    assert [(e.row, e.code) for e in result.errors] == [(4, "DUPLICATE_CLAIM")]
    voucher = ledger.voucher(ids.voucher_id(ids.enterprise_id(s.E1), 2019, "APP-ERP"))
    if partial:  # 50 % of each fee is held: 2,000,000 + 1,000,000
        assert result.written == 2 and voucher.balance_fen == s.APP_CAP - 3_000_000
    else:
        assert result.written == 0 and voucher.balance_fen == s.APP_CAP


def test_an_invoice_or_contract_retyped_in_full_width_forms_is_refused_in_one_file_and_in_the_next(ledger):
    """Evidence numbers compare as their plain forms (ledger/reference_numbers.py) in a claims register too."""
    for kind, data in s.programme_files():
        if kind == "claims":
            break
        assert do_import(ledger, kind, data).errors == [], kind
    first = s.claim(s.E1, "APP-ERP", "C5", s.P1, 4_000_000)
    copy = {**s.claim(s.E3, "APP-ERP", "C7", s.P1, 1_000_000), "invoice_nos": "ＦＰ－Ｃ５－２"}
    result = do_import(ledger, "claims", s.csv_file("claims", [first, copy]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "invoice_nos", "DUPLICATE_CLAIM")]
    assert do_import(ledger, "claims", s.csv_file("claims", [first])).written == 1
    part = {**s.claim(s.E3, "APP-ERP", "C7", s.P1, 1_000_000), "contract_no": "ｈｔ—ｃ５", "contract_amount_fen": 4_000_000,
            "payment_proven_fen": 4_000_000}
    result = do_import(ledger, "claims", s.csv_file("claims", [part]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "contract_no", "CONTRACT_OVERCLAIMED")]


def test_a_years_working_calendar_imports_one_row_per_day_and_a_file_with_a_reason_revises_it(ledger):
    """The 2021 holiday arrangement (国办发明电〔2020〕27号) as a register: one row per day off (放假) and per weekend
    day worked (调休上班), decided as one command for the year; the same file with a reason replaces it whole."""
    days_off, workdays, notice = WORKING_CALENDARS[2021]
    rows = [{"year": 2021, "date": str(d), "day": "放假", "notice": notice} for d in days_off] + \
        [{"year": 2021, "date": str(d), "day": "调休上班", "notice": notice} for d in workdays]
    result = do_import(ledger, "working-calendars", s.csv_file("working-calendars", rows))
    assert result.errors == [] and result.written == len(rows)
    calendar = ledger.working_calendar(2021)
    assert (calendar.days_off, calendar.workdays, calendar.notice, calendar.revisions) == (
        frozenset(days_off), frozenset(workdays), notice, 0)
    assert not calendar.is_working_day(date(2021, 10, 1)) and calendar.is_working_day(date(2021, 10, 9))

    again = do_import(ledger, "working-calendars", s.csv_file("working-calendars", rows[:3]))  # a new file: refused
    assert {(e.row, e.code) for e in again.errors} == {(2, "ALREADY_EXISTS")}
    revised = [{**row, "reason": "补充说明：10 月 8 日为工作日"} for row in rows if row["date"] != "2021-10-07"]
    assert do_import(ledger, "working-calendars", s.csv_file("working-calendars", revised)).errors == []
    calendar = ledger.working_calendar(2021)
    assert calendar.revisions == 1 and calendar.is_working_day(date(2021, 10, 7))

    wrong = [{"year": 2022, "date": "2022-01-03", "day": "放假", "notice": "2022年通知"},
             {"year": 2022, "date": "2021-12-31", "day": "放假", "notice": "2022年通知"},
             {"year": 2023, "date": "2023-01-02", "day": "调休", "notice": "2023年通知"},
             {"year": 2024, "date": "2024-02-10", "day": "放假", "notice": "一个通知"},
             {"year": 2024, "date": "2024-02-04", "day": "班", "notice": "另一个通知"}]
    before = event_count(ledger)
    refused = do_import(ledger, "working-calendars", s.csv_file("working-calendars", wrong))
    assert event_count(ledger) == before and refused.written == 0
    assert {(e.row, e.column, e.code) for e in refused.errors} >= {
        (3, "date", "INVALID_WORKING_CALENDAR"), (4, "day", "INVALID_INPUT"), (5, "notice", "INVALID_WORKING_CALENDAR")}


def test_a_catalogue_with_a_deadline_other_than_its_years_is_reported_and_nothing_written(ledger):
    rows = [{"year": 2019, "redemption_deadline": "2020-03-01", "item_id": "APP-ERP", "name": "ERP 上云",
             "fee_category": "APPLICATION_SERVICE", "rate": "0.50", "cap_fen": s.APP_CAP}]
    before = event_count(ledger)
    result = do_import(ledger, "catalogue", s.unrecorded(s.csv_file("catalogue", rows)))
    assert event_count(ledger) == before and result.written == 0
    assert [(e.column, e.code) for e in result.errors] == [("redemption_deadline", "CATALOGUE_DEADLINE_MISMATCH")]


def test_a_catalogue_without_a_deadline_is_redeemable_until_its_years_as_over_the_api(ledger):
    """README ("The programme"): a catalogue's `redemption_deadline` may be left out (it is the year's). The API and
    the ledger take a catalogue without one; a review found the register refused it (MISSING_VALUE) on every row."""
    rows = [{"year": 2019, "redemption_deadline": "", "item_id": item, "name": "上云", "fee_category": category,
             "rate": "0.50", "cap_fen": s.APP_CAP}
            for item, category in (("APP-ERP", "APPLICATION_SERVICE"), ("DEV-ACCESS", "DEVICE_ACCESS"))]
    result = do_import(ledger, "catalogue", s.unrecorded(s.csv_file("catalogue", rows)))
    assert result.errors == [] and result.written == 2
    assert ledger.catalogue(2019).redemption_deadline == ledger.year_rules(2019).redemption_deadline == date(2020, 2, 8)


def test_a_cell_under_no_header_refuses_its_row_rather_than_being_dropped(ledger):
    """A hand-edited CSV that writes 5,000,000 unquoted splits the amount into three cells: read by the header alone,
    the row was a quota of 5 fen and the two "000" cells were dropped unseen."""
    for kind, data in s.programme_files()[:2]:  # enterprises, providers
        assert do_import(ledger, kind, data).errors == []
    before = event_count(ledger)
    data = f"uscc,year,amount_fen\n{s.P1},2019,5,000,000\n{s.P2},2019,5000000,\n".encode()
    result = do_import(ledger, "provider-quotas", data)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "D", "CELL_WITHOUT_COLUMN"),
                                                                 (2, "E", "CELL_WITHOUT_COLUMN")]
    assert "000" in result.errors[0].message and result.errors[0].problem_zh != "CELL_WITHOUT_COLUMN"
    assert result.written == 0 and event_count(ledger) == before
    # a blank header cell with data under it is the same; a blank one above blank cells is not
    data = f"uscc,,year,amount_fen\n{s.P1},x,2019,5000000\n{s.P2}, ,2019,5000000\n".encode()
    assert [(e.row, e.column) for e in do_import(ledger, "provider-quotas", data).errors] == [(2, "B")]


def test_a_workbook_whose_register_goes_on_to_a_second_sheet_is_refused_not_cut_short(ledger):
    """Only the first sheet is read. A clerk who split a register over two sheets (第一批, 第二批) got the first
    imported and the second dropped without a word; a sheet of other content (the template's 说明) is no register."""
    kind = KINDS["enterprises"]
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(kind)))  # its second sheet is 说明
    workbook.worksheets[0].append([s.E1, "甲", s.FOSHAN, "CHINA_MOBILE", "2010-06-01"])
    second = workbook.create_sheet("第二批")
    second.append([c.zh for c in kind.all_columns])
    second.append([s.E2, "乙", s.FOSHAN, "CHINA_MOBILE", "2010-06-01"])
    out = io.BytesIO()
    workbook.save(out)
    before = event_count(ledger)
    result = do_import(ledger, "enterprises", out.getvalue())
    assert [(e.row, e.code) for e in result.errors] == [(1, "ROWS_ON_ANOTHER_SHEET")]
    assert "第二批" in result.errors[0].message and result.errors[0].problem_zh != "ROWS_ON_ANOTHER_SHEET"
    assert result.written == 0 and event_count(ledger) == before
    workbook.remove(second)
    out = io.BytesIO()
    workbook.save(out)
    assert do_import(ledger, "enterprises", out.getvalue()).written == 1
