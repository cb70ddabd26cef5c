"""How stored change records are shown: Chinese labels, code and choice names, related records by
name, and masking of sensitive values for accounts that may not see them (app.display.shown)."""
import functools

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role
from markupsafe import Markup, escape
from sqlalchemy import inspect

from .audit import MODEL_NAMES, MODELS, SECRET, TRACKED
from .columns import column_info, label_of
from .display import code_name, shown
from .extensions import db
from .models import Organisation
from .permission_names import stored_pair_label
from .scope import UNRESTRICTED, current_scope

EMPTY = "（空）"
# Collections whose stored items are keys to be named in the reader's language.
ITEM_NAMES = {(Role, "permissions"): stored_pair_label}
HIDDEN = "（管辖范围外的记录）"


@functools.cache
def _related_model(model, name: str):
    """The mapped class a foreign-key column points to (the most derived one), or None."""
    column = inspect(model).columns.get(name)
    tables = {fk.column.table for fk in getattr(column, "foreign_keys", ())}
    candidates = [m.class_ for m in Model.registry.mappers if m.local_table in tables]
    return max(candidates, key=lambda cls: len(cls.__mro__), default=None)


def value_text(model, name: str, value) -> str:
    """One stored value as the current account may see it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if value == SECRET:
        return SECRET
    info = column_info(model, name)
    if isinstance(value, list):
        name_of = ITEM_NAMES.get((model, name), str)
        return "、".join(name_of(v) for v in value)
    if "codes" in info:
        return code_name(info["codes"], value)
    if "choices" in info:
        return str(info["choices"].get(value, value))
    if info.get("sensitive"):
        return str(shown(value, info["sensitive"]))
    if isinstance(value, bool):
        return "是" if value else "否"
    related = _related_model(model, name)
    if related is not None:
        target = db.session.get(related, value)
        return _name_if_visible(target) if target is not None else f"#{value}（已删除）"
    return str(value)


def _name_if_visible(target) -> str:
    """A related record's name, unless it lies outside the account's scope (a resident moved in
    from another community must not show that community's household): organisations in the
    subtree or above it, records of organisations in the subtree."""
    spec = TRACKED.get(type(target))
    if spec is None or spec.org is None:
        return str(target)
    org = db.session.get(Organisation, getattr(target, spec.org) or 0)
    scope = current_scope()
    if scope == UNRESTRICTED or (org is not None and scope is not None
                                 and (org.path.startswith(scope) or scope.startswith(org.path))):
        return str(target)
    return HIDDEN


def change_lines(record) -> list[str]:
    """'label：old → new' for each change of a record (one side only for adds and deletes)."""
    model = MODELS.get(record.model)
    if model is None:
        return []
    lines = []
    for name, old, new in record.changes or ():
        label = label_of(model, name)
        if record.action == "create":
            lines.append(f"{label}：{value_text(model, name, new)}")
        elif record.action == "delete":
            lines.append(f"{label}：{value_text(model, name, old)}")
        elif isinstance(old, list) and isinstance(new, list):
            lines.append(f"{label}：{_collection_change(model, name, old, new)}")
        else:
            lines.append(f"{label}：{value_text(model, name, old)} → "
                         f"{value_text(model, name, new)}")
    return lines


def _collection_change(model, name: str, old: list, new: list) -> str:
    """What was added to and removed from a collection (a role's permissions are many: the
    whole lists before and after would hide the change)."""
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    parts = [f"{verb} {value_text(model, name, items)}"
             for verb, items in (("新增", added), ("移除", removed)) if items]
    return "；".join(parts)


def details_html(record) -> Markup:
    """The 变更内容 cell: one line per field."""
    return Markup("<br>").join(escape(line) for line in change_lines(record))


def model_name(name: str) -> str:
    return MODEL_NAMES.get(name, name)
