"""Spreadsheets as users bring them, written by real writers (xlsxwriter, openpyxl, csv)."""
import csv
import datetime
import io

import openpyxl
import xlsxwriter

from tests.factories import id_number

HEADER = ["户编号", "户别", "小区/路", "楼栋", "单元", "门牌号", "姓名", "公民身份号码", "与户主关系",
          "民族", "联系电话"]


def person(household: str, name: str, relation: str = "户主", male: bool = True,
           birth=datetime.date(1980, 1, 1), **extra) -> dict:
    """One row as {header: value}; the ID number is valid and new."""
    row = {"户编号": household, "户别": "家庭户", "小区/路": "丽苑小区", "楼栋": "3", "单元": "2",
           "门牌号": "301", "姓名": name, "公民身份号码": id_number(birth, male),
           "与户主关系": relation, "民族": "汉族", "联系电话": "13812345678"}
    row.update(extra)
    return row


def family(household: str = "H001") -> list[dict]:
    """A head, spouse (given by code) and child."""
    return [person(household, "张建国"),
            person(household, "李秀英", relation="10", male=False, 民族="01"),
            person(household, "张小明", relation="子", birth=datetime.date(2010, 5, 6))]


def table(rows: list[dict], header: list | None = None) -> tuple[list, list[list]]:
    header = header or HEADER
    return header, [[row.get(h, "") for h in header] for row in rows]


def xlsxwriter_bytes(rows: list[dict], header: list | None = None) -> bytes:
    head, values = table(rows, header)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False})
    sheet = book.add_worksheet("居民")
    sheet.write_row(0, 0, head)
    for r, row in enumerate(values, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value) if isinstance(value, str) else sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def openpyxl_bytes(rows: list[dict], header: list | None = None) -> bytes:
    head, values = table(rows, header)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(head)
    for row in values:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8", header: list | None = None) -> bytes:
    head, values = table(rows, header)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows([str(v) for v in row] for row in values)
    return out.getvalue().encode(encoding)


def read_xlsx(data: bytes) -> list[list]:
    """Every row of the first sheet, as openpyxl reads it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
