"""Form fields derived from column declarations: code-table selects and the household picker."""
from flask import url_for
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Field, SelectField
from wtforms.validators import InputRequired, Optional

from ..display import code_choices
from ..extensions import db
from ..models import Household
from ..scope import scope_clause
from .validators import INT_MAX


class CodeSelectField(SelectField):
    """Stores the chosen code, or NULL when left empty."""

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data or None)


def select_field(label: str, options, required: bool) -> SelectField:
    """A select of ``options()`` (value, text) pairs, with an empty choice unless required."""

    def choices():
        return ([] if required else [("", _("（未填）"))]) + options()

    validators = ([InputRequired(message=_l("请选择%(label)s", label=_l(label)))] if required
                  else [Optional()])
    return CodeSelectField(_l(label), choices=choices, validators=validators,
                           widget=Select2Widget())


def code_select(table: str, label: str, required: bool) -> SelectField:
    """A select of the active codes of ``table``; stores the code."""
    return select_field(label, lambda: code_choices(table), required)


def choice_select(names: dict, label: str, required: bool) -> SelectField:
    """A select of a column's fixed ``choices`` ({stored value: name}); stores the value."""
    return select_field(label, lambda: [(value, _(name)) for value, name in names.items()], required)


class AjaxPickerWidget:
    """A select2 box that fetches options page by page from a scoped JSON endpoint."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def __call__(self, field, **kwargs):
        current = field.object_data_item()
        option = (f'<option value="{current.id}" selected>{escape(str(current))}</option>'
                  if current else "")
        placeholder = escape(_("输入户编号或地址搜索"))
        return Markup(
            f'<select class="form-control ajax-picker" id="{field.id}" name="{field.name}" '
            f'data-url="{url_for(self.endpoint)}" data-placeholder="{placeholder}">'
            f'<option value=""></option>{option}</select>'
        )


class HouseholdPickerField(Field):
    """Household chosen by id through the picker; only households inside the account's scope
    are accepted, whatever id is posted."""

    widget = AjaxPickerWidget("HouseholdView.picker")

    def _value(self):
        return str(self.data.id) if self.data else ""

    def object_data_item(self):
        return self.data

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw:
            if not raw.isdigit() or int(raw) > INT_MAX:
                raise ValueError(_("所属户选择无效"))
            self.data = db.session.scalar(
                select(Household).where(Household.id == int(raw),
                                        scope_clause(Household.community_id))
            )
            if self.data is None:
                raise ValueError(_("所选户不存在或不在您的管辖范围内"))

