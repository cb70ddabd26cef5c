"""Small tables (the dashboard's rollups) as an .xlsx download, written in memory by xlsxwriter.

One helper for every rollup table; when the generic list export (app/exporting.py) lands, this
function can delegate its workbook writing there.
"""
import datetime
import io
import re
from urllib.parse import quote

import xlsxwriter
from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1")
    bold = book.add_format({"bold": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, stamp)
            else:
                sheet.write(r, c, value)
    sheet.set_column(0, len(header) - 1, 14)
    book.close()
    return buffer.getvalue()


def xlsx_response(title: str, header: list[str], rows: list[list]) -> Response:
    name = f"{title}_{datetime.date.today():%Y%m%d}.xlsx"
    return Response(xlsx_bytes(title, header, rows), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
