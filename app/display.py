"""How stored values are shown: code names from the code tables, and masking of sensitive values."""
from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, inspect, select

from .extensions import db
from .idcard import mask_id_number
from .models import CodeItem
from .phones import mask_phone

SENSITIVE_PERMISSION = ("can_see", "SensitiveData")  # 查看完整证件号和电话
_MASKERS = {"id_card": mask_id_number, "phone": mask_phone}


def code_tables() -> dict[str, dict[str, CodeItem]]:
    """Every code table as {table: {code: (name, active, sort_order)}}; loaded once per request."""
    if has_request_context() and "code_tables" in g:
        return g.code_tables
    tables: dict = {}
    rows = db.session.execute(
        select(CodeItem.table, CodeItem.code, CodeItem.name, CodeItem.active)
        .order_by(CodeItem.table, CodeItem.sort_order, CodeItem.code)
    )
    for table, code, name, active in rows:
        tables.setdefault(table, {})[code] = (name, active)
    if has_request_context():
        g.code_tables = tables
    return tables


def code_name(table: str, code) -> str:
    if code in (None, ""):
        return ""
    entry = code_tables().get(table, {}).get(code)
    return entry[0] if entry else f"{code}（无此代码）"


def code_choices(table: str, include: str | None = None) -> list[tuple[str, str]]:
    """Active codes of a table as select choices, keeping ``include`` (a stored, now inactive code)."""
    items = code_tables().get(table, {})
    return [(code, name) for code, (name, active) in items.items() if active or code == include]


# Values by column type: dates as 2010-08-01, times to the minute, numbers with digit grouping.
TYPE_FORMATS = (
    (DateTime, lambda value: f"{value:%Y-%m-%d %H:%M}"),
    (Date, lambda value: value.isoformat()),
    (Boolean, lambda value: _("是") if value else _("否")),
    (Numeric, lambda value: f"{value:,}"),
    (Integer, lambda value: f"{value:,}"),
)


def type_format(column_type):
    return next((f for kind, f in TYPE_FORMATS if isinstance(column_type, kind)), str)


def blank_if_none(show):
    """A formatter that shows nothing for a missing value (FAB would print "None")."""
    return lambda value: "" if value is None else show(value)


def joined(values) -> str:
    return "、".join(map(str, values))


def model_formatters(model) -> dict:
    """Formatters for every column and relation of ``model``, for FAB's own screens."""
    mapper = inspect(model)
    formatters = {prop.key: blank_if_none(type_format(prop.columns[0].type))
                  for prop in mapper.column_attrs}
    formatters.update({r.key: blank_if_none(joined if r.uselist else str)
                       for r in mapper.relationships})
    return formatters


def can_see_sensitive() -> bool:
    if not has_request_context():
        return True  # command line: the operator has the database anyway
    from .extensions import appbuilder

    if "see_sensitive" not in g:
        g.see_sensitive = appbuilder.sm.has_access(*SENSITIVE_PERMISSION)
    return g.see_sensitive


def masked(value, sensitive: str):
    """A sensitive value masked (``120110********0019``, ``138****5678``); empty stays empty."""
    return _MASKERS[sensitive](value) if value else value


def shown(value, sensitive: str | None):
    """A sensitive value as the current account may see it."""
    if not sensitive or not value or can_see_sensitive():
        return value
    return masked(value, sensitive)
