"""Import columns derived from the model declarations: header label, cell parser, template note.

Nothing here is typed per field: the label, code table, length, type and nullability come from the
model column (app/models), the choice of fields from ``RESIDENT_IMPORT`` (app/columns.py), and the
checks from app/rules.py — the same the forms use.
"""
import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Optional

from sqlalchemy import Date, Integer, Numeric, inspect

from .. import rules
from ..columns import ImportSpec, column_info
from ..models import Household, Organisation, Resident
from ..tabular import FileProblem, Sheet

GROUP_MODELS = {"household": Household, "resident": Resident, "check": Resident}
ERROR_COLUMN = "错误说明"  # added by the error sheet; ignored when the sheet comes back
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class CellError(ValueError):
    """One cell's value is refused; the message (Chinese) says why."""


@dataclass(frozen=True)
class ImportField:
    name: str
    group: str  # household | resident | check
    label: str
    required: bool
    parse: Callable[[str], object]
    note: str  # shown on the template's header
    kind: str  # text | code | codes | date | number | phone | id_number | community
    codes: Optional[str] = None  # code table offered as a dropdown in the template


def header_key(text: str) -> str:
    """Headers compare without spaces, full-width forms or a required-marker asterisk."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", text or ""))


def import_fields(spec: ImportSpec, codes: dict,
                  community: Optional[Organisation] = None) -> list[ImportField]:
    """The import's columns in template order; ``codes`` is ``display.code_tables()``.
    Without a community (the template) the 所属社区 column accepts anything."""
    return [_field(spec, group, name, codes, community)
            for group in ("check", "household", "resident")
            for name in getattr(spec, group)]


def _field(spec, group, name, codes, community) -> ImportField:
    model = GROUP_MODELS[group]
    info = column_info(model, name)
    label = info.get("label", name)
    column = inspect(model).columns.get(name)
    required = (group != "check" and column is not None and not column.nullable
                and column.default is None and name not in spec.derived)
    kind, parse, note = _parser(name, info, column, codes, community)
    lead = "必填。" if required else (
        "可留空：按公民身份号码自动填写。" if name in spec.derived else "")
    return ImportField(name, group, label, required, parse,
                       lead + note + spec.notes.get(name, ""), kind, info.get("codes"))


def _parser(name, info, column, codes, community):
    """(kind, parse, template note) for one column, from what the model declares."""
    if name == "community":
        return "community", _community(community), ""
    if name == "id_card_no":
        return "id_number", _id_number, ""
    if "codes" in info:
        table = info["codes"]
        if column is None:  # a relationship to code items: several codes
            names = [n for n, active in codes.get(table, {}).values() if active]
            return ("codes", _codes(table, codes.get(table, {}), info["label"], True),
                    f"可填多项，用顿号“、”分隔，可选：{'、'.join(names)}。")
        return ("code", _codes(table, codes.get(table, {}), info["label"], False),
                "从下拉列表选择，也可填写代码。")
    if info.get("sensitive") == "phone":
        return "phone", _phone(), "手机号（11位）或天津固定电话（022-8位号码）。"
    kind = column.type
    if isinstance(kind, Date):
        return "date", _date, "日期，如 1980-01-01。"
    if isinstance(kind, Numeric):
        return "number", _decimal(kind.precision, kind.scale), f"数字，最多{kind.scale}位小数。"
    if isinstance(kind, Integer):
        return "number", _integer, "整数。"
    length = getattr(kind, "length", None)
    return "text", _text(length), f"最多{length}个字。" if length else "文字，长度不限。"


def _text(limit):
    def parse(raw: str) -> str:
        if limit and len(raw) > limit:
            raise CellError(f"超过{limit}个字（现有{len(raw)}个）")
        return raw
    return parse


def _codes(table: str, items: dict, label: str, multiple: bool):
    """Accepts the code's name (汉族) or the code (01, also 1 for 01); active codes only."""
    lookup = {}
    for code, (name, active) in items.items():
        if active:
            lookup[code] = lookup[name] = code
    width = max((len(c) for c in items), default=0)
    example = next((name for name, active in items.values() if active), "")

    def one(raw: str) -> str:
        code = lookup.get(raw) or (lookup.get(raw.zfill(width)) if raw.isdigit() else None)
        if code is None:
            raise CellError(f"“{raw}”不是有效的{label}：请填写名称（如“{example}”）或代码")
        return code

    if not multiple:
        return one
    return lambda raw: tuple(dict.fromkeys(one(part) for part in _SEPARATORS.split(raw) if part))


def _community(community: Optional[Organisation]):
    accepted = {community.name, community.code} if community else None

    def parse(raw: str) -> str:
        if accepted is not None and raw not in accepted:
            raise CellError(f"“{raw}”不是本次导入的社区（{community.name}）：每次只导入一个社区，"
                            "其他社区的居民请由该社区导入")
        return raw
    return parse


def _id_number(raw: str):
    parsed, error = rules.parse_id(raw)
    if error:
        raise CellError(error)
    return parsed


def _phone():
    """The phone rule, remembered per import: a household's members often share one number,
    and libphonenumber is the slowest check of a row."""
    check = functools.lru_cache(maxsize=None)(rules.phone_error)

    def parse(raw: str) -> str:
        value, error = check(raw)
        if error:
            raise CellError(error)
        return value
    return parse


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)  # 1980-01-01, as our reader gives Excel dates
    except ValueError:
        pass
    match = _DATE.fullmatch(raw) or _COMPACT_DATE.fullmatch(raw)
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except (AttributeError, ValueError):
        raise CellError(f"“{raw}”不是有效日期：请写成 1980-01-01 的形式") from None


def _decimal(precision: int, scale: int):
    limit = Decimal(10) ** (precision - scale)

    def parse(raw: str) -> Decimal:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise CellError(f"“{raw}”不是数字") from None
        if not value.is_finite() or value < 0 or value >= limit or value != round(value, scale):
            raise CellError(f"“{raw}”超出范围：应为小于{limit}的非负数，最多{scale}位小数")
        return value
    return parse


def _integer(raw: str) -> int:
    if not raw.isdigit():
        raise CellError(f"“{raw}”不是非负整数")
    return int(raw)


@dataclass
class Columns:
    """Where each field sits in the user's sheet, and the columns nobody asked for."""

    index: dict  # field name -> position in the row
    unknown: list  # "G列“籍贯”"


def match_header(header: list, fields: list[ImportField], sheet: Sheet,
                 aliases: dict) -> Columns:
    """Columns by header name, in any order. Duplicate or missing required columns refuse the file."""
    by_key = {header_key(f.label): f for f in fields}
    by_key.update({header_key(a): f for f in fields for a in aliases.get(f.name, ())})
    index, unknown, seen = {}, [], {}
    for position, text in enumerate(header):
        key = header_key(text)
        if not key or key == ERROR_COLUMN:
            continue
        found = by_key.get(key)
        if found is None:
            unknown.append(f"{sheet.column_letter(position)}列“{text}”")
        elif found.name in index:
            raise FileProblem(f"表头“{found.label}”出现了两次（{seen[found.name]}列和"
                              f"{sheet.column_letter(position)}列）：请删去多余的一列。")
        else:
            index[found.name] = position
            seen[found.name] = sheet.column_letter(position)
    missing = [f.label for f in fields if f.required and f.name not in index]
    if missing:
        raise FileProblem(f"缺少必需的列：{'、'.join(missing)}。请使用导入模板的表头。")
    return Columns(index, unknown)


def is_label(fields: list[ImportField], aliases: dict):
    """A predicate: is this cell one of the import's header names?"""
    keys = {header_key(f.label) for f in fields} | {
        header_key(a) for names in aliases.values() for a in names}
    return lambda text: header_key(text) in keys
