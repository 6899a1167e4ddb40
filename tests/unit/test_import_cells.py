"""Reading an import file's cells (importer/plan.py): a column remembers what its repeated texts parsed to, which
must never change what a row reads or which rows are refused."""

from __future__ import annotations

from datetime import UTC, datetime

from importer import plan
from importer.kinds import KINDS
from importer.recorded import Recording
from tests.unit.builders import StoreOf

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
KIND = KINDS["provider-quotas"]  # uscc, year, amount_fen, recorded_at, recorded_by


def parse(rows):
    positions = {c.key: i for i, c in enumerate(KIND.all_columns)}
    errors = []
    recording = Recording(StoreOf(training=True), "province:test", NOW)  # a training store: recorded_at is kept
    parsed, by_row = plan._parse(rows, positions, KIND, "ab" * 32, recording, errors)
    return parsed, by_row, errors


def test_a_bad_cell_repeated_on_several_rows_is_refused_on_each():
    rows = [(n, ["91440101MA59ABCD1D", "2019", "12x", "", ""]) for n in (2, 3, 4)]
    parsed, by_row, errors = parse(rows)
    assert [(e.row, e.column) for e in errors] == [(2, "amount_fen"), (3, "amount_fen"), (4, "amount_fen")]
    assert not any(row.ok for row in parsed) and by_row == {}


def test_repeated_and_distinct_cells_read_as_each_column_parses_them():
    count = plan.DISTINCT_CELLS * 2  # past what a column remembers
    rows = [(n + 2, [" 91440101MA59ABCD1D ", "2019", f"{n}_000", "2019-03-05T09:00:00+08:00", ""])
            for n in range(count)]
    parsed, by_row, errors = parse(rows)
    assert errors == []
    expected = {c.key: c.value(cell) for c, cell in zip(KIND.all_columns, rows[0][1])}
    assert parsed[0].values == expected
    assert [row.values["amount_fen"] for row in parsed] == [n * 1000 for n in range(count)]
    assert {row.values["uscc"] for row in parsed} == {"91440101MA59ABCD1D"}
    assert by_row[2].at == datetime(2019, 3, 5, 1, 0, tzinfo=UTC) and by_row[2].actor == "province:test"


def test_a_cell_longer_than_the_api_takes_is_refused_and_a_long_invoice_list_is_not():
    """A name or reference holds at most what the API's schema takes (500 characters); a cell of invoice numbers
    holds up to fifty of them."""
    from importer.columns import TEXT_LONGEST

    claims = {c.key: c for c in KINDS["claims"].all_columns}
    assert claims["contract_no"].value("C" * TEXT_LONGEST) == "C" * TEXT_LONGEST
    try:
        claims["contract_no"].value("C" * (TEXT_LONGEST + 1))
    except Exception as refused:
        assert getattr(refused, "code", None) == "INVALID_INPUT" and "at most 500" in str(refused)
    else:
        raise AssertionError("a 501-character contract number was read")
    fifty = ";".join(f"FP{n:03d}" + "9" * 400 for n in range(50))
    assert len(claims["invoice_nos"].value(fifty)) == 50
