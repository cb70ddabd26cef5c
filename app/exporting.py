"""Excel export of any list: columns derived from the model declarations, rows streamed from the
database with SQLAlchemy Core, written by xlsxwriter in constant-memory mode.

``export_columns(model, names, labels)`` turns declared fields into ``Column``s (header, SQL
expression, cell kind, value conversion); ``write_xlsx`` writes any header and row iterator (the
list export, the dashboard's rollups, 席位总览). Peak memory stays flat whatever the row count:
rows come in batches from a server-side cursor and each row is written to disk at once.
"""
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Optional
from urllib.parse import quote

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import (Boolean, Date, DateTime, Integer, Numeric, String, func, inspect,
                        literal, select)
from sqlalchemy.orm import aliased

from .columns import column_info
from .display import code_tables, masked

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ROWS = 1_048_575  # data rows per sheet below the header (Excel's 1,048,576 rows in all)
BATCH = 2000  # rows fetched from the database at a time
MAX_WIDTH = 40
_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False}


@dataclass(frozen=True)
class Column:
    """One exported column: ``expr`` is selected; ``convert`` (or None) turns the stored value into
    the cell's value; ``kind`` is text, number, date or datetime."""

    label: str
    expr: object
    kind: str = "text"
    convert: Optional[Callable] = None
    width: int = 12


# -- columns from the declarations -----------------------------------------------------------
def _kind(column_type) -> str:
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, (Integer, Numeric)):
        return "number"
    return "text"


def _width(label: str, column_type, kind: str) -> int:
    declared = getattr(column_type, "length", None) if isinstance(column_type, String) else None
    guess = {"date": 12, "datetime": 17, "number": 10}.get(kind, min(declared or 16, MAX_WIDTH))
    return max(guess, 2 * len(label) + 2)


def _converter(info: dict, column_type, see_sensitive: bool):
    """Stored value -> cell value, from the field's declaration (None: written as stored)."""
    if "codes" in info:
        names = {code: name for code, (name, _active) in
                 code_tables().get(info["codes"], {}).items()}
        return lambda v: names.get(v, f"{v}（无此代码）") if v not in (None, "") else None
    if "choices" in info:
        labels = {key: _(label) for key, label in info["choices"].items()}
        return lambda v: labels.get(v, v)
    if info.get("sensitive") and not see_sensitive:
        return lambda v, kind=info["sensitive"]: masked(v, kind)
    if isinstance(column_type, Boolean):
        yes, no = _("是"), _("否")
        return lambda v: None if v is None else yes if v else no
    if isinstance(column_type, Numeric):
        return lambda v: float(v) if isinstance(v, Decimal) else v
    return None


def _label_expr(target):
    """The column naming a related row: the model's ``label_column`` (default ``name``)."""
    return getattr(target, getattr(target, "label_column", "name"), None) or target.id


def _joined(values, dialect: str):
    return (func.string_agg(values, literal("、")) if dialect == "postgresql"
            else func.group_concat(values, "、"))


def export_columns(model, names, labels: dict, see_sensitive: bool, dialect: str):
    """(columns, joins): a Column per declared name and the outer joins its expressions need."""
    mapper = inspect(model)
    columns, joins = [], []
    for name in names:
        info = column_info(model, name)
        label = str(labels.get(name) or info.get("label", name))
        if name in mapper.relationships:
            rel = mapper.relationships[name]
            target = rel.mapper.class_
            if rel.uselist:  # many-to-many (特殊人群, 角色): the names joined in one cell
                expr = (select(_joined(_label_expr(target), dialect))
                        .select_from(rel.secondary.join(target, rel.secondaryjoin))
                        .where(rel.primaryjoin).scalar_subquery())
            else:
                alias = aliased(target)
                joins.append(getattr(model, name).of_type(alias))
                expr = _label_expr(alias)
            columns.append(Column(label, expr, width=max(16, 2 * len(label) + 2)))
            continue
        column = mapper.columns[name]
        kind = "text" if {"codes", "choices"} & set(info) else _kind(column.type)
        columns.append(Column(label, getattr(model, name), kind,
                              _converter(info, column.type, see_sensitive),
                              _width(label, column.type, kind)))
    return columns, joins


# -- rows ------------------------------------------------------------------------------------
def stream_rows(engine, statement, columns, batch: int = BATCH) -> Iterable[tuple]:
    """The statement's rows, converted, in batches (server-side cursor on PostgreSQL), on a
    connection of its own (the caller's session may commit progress meanwhile)."""
    converters = [(i, c.convert) for i, c in enumerate(columns) if c.convert]
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(statement)
        for part in result.partitions(batch):
            for row in part:
                if converters:
                    row = list(row)
                    for i, convert in converters:
                        row[i] = convert(row[i])
                yield row


# -- the workbook ----------------------------------------------------------------------------
class _Book:
    def __init__(self, target, title: str, columns, sheet_rows: int):
        self.book = xlsxwriter.Workbook(target, _OPTIONS)
        self.title = _sheet_name(title)
        self.columns, self.sheet_rows = columns, sheet_rows
        self.head = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.formats = {"date": self.book.add_format({"num_format": "yyyy-mm-dd"}),
                        "datetime": self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
        self.sheets = 0
        self.sheet = None

    def new_sheet(self):
        self.sheets += 1
        name = self.title if self.sheets == 1 else f"{self.title[:27]}（{self.sheets}）"
        sheet = self.sheet = self.book.add_worksheet(name)
        for c, column in enumerate(self.columns):
            sheet.set_column(c, c, column.width)
            sheet.write_string(0, c, column.label, self.head)
        sheet.freeze_panes(1, 0)
        writers = {"text": sheet.write_string, "number": sheet.write_number,
                   "date": sheet.write_datetime, "datetime": sheet.write_datetime,
                   "auto": self._auto(sheet)}
        return [(writers[c.kind], self.formats.get(c.kind)) for c in self.columns]

    def _auto(self, sheet):
        """A cell written by its value's type (small tables of mixed values)."""
        def write(r, c, value):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, self.formats["datetime"])
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, self.formats["date"])
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
        return write

    def end_sheet(self, rows: int):
        self.sheet.autofilter(0, 0, max(rows, 1), len(self.columns) - 1)


def write_xlsx(target, title: str, columns, rows: Iterable, sheet_rows: int = SHEET_ROWS,
               progress: Optional[Callable] = None, every: int = 10_000) -> int:
    """Write ``rows`` (sequences in column order) under the columns' headers; returns the row
    count. A sheet holds ``sheet_rows`` data rows; further rows continue on a new sheet."""
    book = _Book(target, title, columns, sheet_rows)
    writers = book.new_sheet()
    count = r = 0
    for row in rows:
        if r == sheet_rows:
            book.end_sheet(r)
            writers, r = book.new_sheet(), 0
        r += 1
        for c, value in enumerate(row):
            if value is not None and value != "":
                write, fmt = writers[c]
                if fmt is None:
                    write(r, c, value)
                else:
                    write(r, c, value, fmt)
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    book.end_sheet(r)
    book.book.close()
    return count


def plain_columns(header: Iterable[str], rows: Iterable = ()) -> list[Column]:
    """Columns for a small table given by header and rows (dashboard rollups, 席位总览): each cell
    is written by its value's type; widths fit the longest value."""
    rows = list(rows)
    columns = []
    for c, label in enumerate(header):
        longest = max([len(str(row[c])) for row in rows if c < len(row)] or [0])
        width = min(max(2 * len(str(label)) + 2, 2 * longest, 10), MAX_WIDTH)
        columns.append(Column(str(label), None, "auto", width=width))
    return columns


def table_bytes(title: str, header, rows) -> bytes:
    """A small table as xlsx bytes (in memory): header plus rows of plain values."""
    rows = list(rows)
    buffer = io.BytesIO()
    write_xlsx(buffer, title, plain_columns(header, rows), rows)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet1"


def attachment(name: str) -> str:
    """Content-Disposition for a (Chinese) file name: an ASCII fallback plus RFC 5987's
    ``filename*``."""
    fallback = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_"
                       for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def file_name(title: str, preset: str = "", day: Optional[datetime.date] = None) -> str:
    parts = [title, preset, f"{day or datetime.date.today():%Y%m%d}"]
    return "_".join(_sheet_name(p) for p in parts if p) + ".xlsx"
