"""Blank templates of each kind of import file: the header row in Chinese and English (``中文名 / key``), which the
importer reads back; an XLSX template also explains each column on a second sheet."""

from __future__ import annotations

from audit.tables import csv_bytes
from audit.xlsx_bytes import workbook_bytes
from importer.kinds import Kind

NOTES_HEADER = ("列 / column", "必填 / required", "示例 / example")


def template_csv(kind: Kind) -> bytes:
    return csv_bytes([[c.header for c in kind.all_columns]], starts_file=True)


def template_xlsx(kind: Kind) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.zh
    sheet.append([c.header for c in kind.all_columns])
    for index, column in enumerate(kind.all_columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=column.required)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 6)
        # Cells are text: Excel would turn 2019-03-05T09:00:00+08:00 into a date without its offset, and a USCC or a
        # contract number into a number.
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(NOTES_HEADER)
    for column in kind.all_columns:
        notes.append([column.header, "是 / yes" if column.required else "否 / no", column.example])
    notes.append([])
    notes.append(["金额均为整数分；时间须带时区，如 2019-03-05T09:00:00+08:00 / money is integer fen; times carry "
                  "their UTC offset"])
    notes.append(["记录时间、记录人仅培训库采用，正式库请留空：每行按导入时的服务时钟、由导入人记录 / recorded_at and "
                  "recorded_by are kept only on a training store; elsewhere leave them empty: a row is recorded when "
                  "it is imported, by whoever imports it"])
    return workbook_bytes(workbook, None)  # the same rows, the same bytes: no clock in the file
