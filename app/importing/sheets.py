"""Workbooks the import hands out: the template (from the field declarations) and the error sheet
(the user's own rows that failed, same columns and order, plus 错误说明)."""
import io

import xlsxwriter

from ..tabular import column_letter
from .fields import ERROR_COLUMN, ImportField
from .validate import Plan

LAST_ROW = 1_048_575  # dropdowns cover every data row of the sheet, not only the first hundred
_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def template_bytes(fields: list[ImportField], codes: dict) -> bytes:
    """Chinese headers with a note each, text-formatted cells (ID numbers keep every digit),
    and a dropdown of the active code names on every code column, listed on a hidden sheet."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, **_OPTIONS})
    sheet = book.add_worksheet("居民导入")
    lists = book.add_worksheet("代码表")
    lists.hide()
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, f in enumerate(fields):
        cell_format = date if f.kind == "date" else text
        sheet.set_column(col, col, max(10, 2 * len(f.label) + 4), cell_format)
        sheet.write_string(0, col, f.label, head)
        if f.note:
            sheet.write_comment(0, col, f.note, {"x_scale": 2.2, "y_scale": 1.6})
        if f.kind == "code":
            _dropdown(sheet, lists, col, f, codes.get(f.codes, {}))
    sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()


def _dropdown(sheet, lists, col: int, f: ImportField, items: dict) -> None:
    names = [name for name, active in items.values() if active]
    if not names:
        return
    letter = column_letter(col)
    lists.write_string(0, col, f.label)
    lists.write_column(1, col, names)
    sheet.data_validation(1, col, LAST_ROW, col, {
        "validate": "list", "source": f"='代码表'!${letter}$2:${letter}${len(names) + 1}",
        "error_type": "warning", "error_title": f.label,
        "error_message": "请从下拉列表中选择；也可以填写代码。",
    })


def write_error_sheet(plan: Plan, target) -> int:
    """The failing rows as the user wrote them, plus 错误说明 ('原第N行 字段：原因；…').
    ``target`` is a path or a binary file object; returns the number of rows written."""
    failed = plan.error_rows
    width = max([len(plan.header)] + [len(row.cells) for row in failed])
    book = xlsxwriter.Workbook(target, {"constant_memory": True, **_OPTIONS})
    sheet = book.add_worksheet("错误行")
    red = book.add_format({"bold": True, "font_color": "#C00000"})
    for col, title in enumerate(plan.header):
        sheet.write_string(0, col, title)
    sheet.write_string(0, width, ERROR_COLUMN, red)
    for index, row in enumerate(failed, start=1):
        for col, value in enumerate(row.cells):
            if value:
                sheet.write_string(index, col, value)
        reasons = "；".join(f"{label}：{reason}" for label, reason in row.errors)
        sheet.write_string(index, width, f"原第{row.no}行 {reasons}")
    sheet.set_column(width, width, 60)
    book.close()
    return len(failed)
