"""Small tables (the dashboard's rollups) as an .xlsx download, written by the shared list export
writer (app/exporting.py)."""
import datetime

from flask import Response

from .exporting import XLSX, attachment, table_bytes


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    return table_bytes(title, header, rows)


def xlsx_response(title: str, header: list[str], rows: list[list]) -> Response:
    name = f"{title}_{datetime.date.today():%Y%m%d}.xlsx"
    return Response(xlsx_bytes(title, header, rows), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(name)})
