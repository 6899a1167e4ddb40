"""An import CSV is UTF-8 or GB18030 (as Chinese Excel saves it); a Big5 file (Traditional Chinese, as Hong Kong and
Taiwan systems save it) is refused rather than read as nonsense: a review imported 臺灣電子廣州有限公司 from Big5
and the ledger recorded 籓芖筿約Τそ, a name no event can ever change."""

from __future__ import annotations

import pytest

from importer.reading import UnreadableFile, read_table

HEADER = "统一社会信用代码 / uscc,企业名称 / name,地市 / city\r\n"


def test_a_gb18030_file_reads_as_written_even_with_a_rare_character_in_a_name():
    text = HEADER + "91440600MA7000001X,佛山市顺德区堃华电子有限公司,440600\r\n"
    table = read_table(text.encode("gb18030"))
    assert table.rows[0][1][1] == "佛山市顺德区堃华电子有限公司"  # 堃 is GB18030, not GB2312: one rare name is fine


def test_a_big5_file_is_refused_with_what_to_do():
    text = "統一社會信用代碼 / uscc,企業名稱 / name,地市 / city\r\n91440100MA7000001X,臺灣電子廣州有限公司,440100\r\n"
    data = text.encode("big5")
    data.decode("gb18030")  # the trap: it decodes
    with pytest.raises(UnreadableFile, match="UTF-8"):
        read_table(data)


def test_a_utf8_file_with_traditional_characters_is_read_as_written():
    """UTF-8 is never guessed at: what a person typed arrives as typed (the ledger's own texts are Simplified)."""
    text = HEADER + "91440100MA7000001X,臺灣電子廣州有限公司,440100\r\n"
    assert read_table(text.encode("utf-8")).rows[0][1][1] == "臺灣電子廣州有限公司"


def test_a_quote_never_closed_is_refused_not_left_to_swallow_the_rows_after_it():
    """A stray quote opening a cell ran to the end of the file: every later row became part of that one cell, and
    with the cell in the file's last column the row was taken and the rows after it were never seen."""
    text = HEADER + '91440600MA7000001X,甲,"440600\r\n91440600MA7000002X,乙,440600\r\n91440600MA7000003X,丙,440600\r\n'
    with pytest.raises(UnreadableFile, match="line 2"):
        read_table(text.encode())
    with pytest.raises(UnreadableFile, match="line 2"):
        read_table((HEADER + '91440600MA7000001X,"甲"厂,440600\r\n').encode())  # a quote closed mid-cell
    # quotes inside an unquoted cell, and a quoted cell over two lines, are as Excel writes them
    table = read_table((HEADER + '91440600MA7000001X,甲 "X" 厂,440600\r\n91440600MA7000002X,"乙\n厂",440600\r\n'
                        ).encode())
    assert [row[1][1] for row in table.rows] == ['甲 "X" 厂', "乙\n厂"]


def test_an_xls_or_password_protected_workbook_is_refused_as_a_workbook_not_as_a_bad_csv():
    """Excel 97-2003 files (.xls) are still common in government offices; the clerk was told "a CSV file must be
    UTF-8 or GB18030 text" about a file that was never a CSV."""
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512  # the compound-file header of .xls and encrypted .xlsx
    with pytest.raises(UnreadableFile, match=r"\.xls.*\.xlsx"):
        read_table(ole)
