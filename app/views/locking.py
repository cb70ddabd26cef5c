"""Optimistic locking in edit forms (models with VersionedMixin: residents, households).

The edit form carries the version the user loaded. Saving a form whose version is no longer the
record's — someone saved in between — writes nothing; the form comes back, merged three ways from
the change history: a field only the other person changed takes their new value, a field both
changed keeps the user's input with the other person's value shown under it, everything else keeps
the user's input. A message names who changed what. The hidden version is now the current one, so
saving again (after review) goes through. A race inside the same instant is caught by SQLAlchemy's
version counter (StaleDataError) and handled the same way.
"""
from flask import flash
from sqlalchemy import inspect, select
from wtforms import HiddenField

from ..audit import same, stored
from ..columns import label_of
from ..extensions import db
from ..history import value_text
from ..models import ChangeRecord
from ..models.base import VersionedMixin

LOCK_FIELD = "version"


class LockVersionField(HiddenField):
    """The version the user loaded: compared on save, never written (SQLAlchemy increments it)."""

    def populate_obj(self, obj, name):
        pass


class OptimisticLockMixin:
    @classmethod
    def _derive_lock_field(cls) -> None:
        if issubclass(cls.model, VersionedMixin):
            cls.edit_columns = [*cls.edit_columns, LOCK_FIELD]
            cls.edit_form_extra_fields = {**cls.edit_form_extra_fields,
                                          LOCK_FIELD: LockVersionField()}

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        # The version travels in form.hidden_tag(); it gets no labelled row of its own.
        return super()._get_edit_widget(form, [*(exclude_cols or []), LOCK_FIELD], widgets)

    def edit_conflict(self, form, item) -> bool:
        """Has the record changed since the user loaded the form? If so, merge and mark the form."""
        loaded = form[LOCK_FIELD].data if LOCK_FIELD in form else None
        if not str(loaded or "").isdigit() or int(loaded) == item.version:
            return False  # no version posted (not our form): the version counter still guards
        records = db.session.scalars(
            select(ChangeRecord).where(ChangeRecord.model == type(item).__name__,
                                       ChangeRecord.object_id == item.id,
                                       ChangeRecord.object_version > int(loaded))
            .order_by(ChangeRecord.id)).all()
        as_loaded = {}  # each changed field's value when the user loaded the form
        for record in records:
            for name, old, _new in record.changes:
                as_loaded.setdefault(name, old)
        taken, clashed = [], []
        for name, value in as_loaded.items():
            field_name = _form_field(type(item), name)
            if field_name in form:
                outcome = _merge(form[field_name], item, name, value)
                if outcome == "taken":
                    taken.append(name)
                elif outcome == "clashed":
                    clashed.append(name)
        flash(_conflict_message(type(item), records, list(as_loaded), taken, clashed), "warning")
        form[LOCK_FIELD].data = item.version
        return True


def _merge(field, item, name: str, as_loaded):
    """One field changed by the other person: take their value if the user left it as loaded
    ("taken"); if both changed it differently, keep the user's and show theirs ("clashed")."""
    theirs = getattr(item, name)
    yours = stored(getattr(field.data, "id", field.data))
    if same(yours, as_loaded):
        field.data, field.raw_data = getattr(item, field.name), []
        return "taken"
    if same(yours, stored(theirs)):
        return None
    model = type(item)
    field.errors = [*field.errors, f"对方已改为：{value_text(model, name, stored(theirs))}"
                                   f"（框中是您填写的：{value_text(model, name, yours)}）"]
    return "clashed"


def _form_field(model, column: str) -> str:
    """The form field editing a column: itself, or the relationship over a foreign key."""
    for rel in inspect(model).relationships:
        if any(c.key == column for c in rel.local_columns) and rel.secondary is None:
            return rel.key
    return column


def _conflict_message(model, records, changed, taken, clashed) -> str:
    def labels(names):
        return "、".join(label_of(model, name) for name in names)

    who = "、".join(dict.fromkeys(r.username or "其他用户" for r in records)) or "其他用户"
    when = f"于{records[-1].at:%Y-%m-%d %H:%M}" if records else ""
    parts = [f"保存未完成：您打开此页后，{who}{when}修改了这条记录"
             f"（{labels(changed) or '具体字段未记录'}）。"]
    if taken:
        parts.append(f"对方的新值已填入表单：{labels(taken)}。")
    if clashed:
        parts.append(f"双方都改动了：{labels(clashed)}，框中保留您填写的内容，对方的值标在下方。")
    parts.append("您的其余输入都已保留，请核对后再次保存。")
    return "".join(parts)
