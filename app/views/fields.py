"""Form fields derived from column declarations: code-table selects and the household picker."""
from flask import url_for
from flask_appbuilder.fieldwidgets import Select2Widget
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Field, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..display import code_choices
from ..extensions import db
from ..models import Household
from ..scope import scope_clause


class CodeSelectField(SelectField):
    """Stores the chosen code, or NULL when left empty."""

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data or None)


def code_select(table: str, label: str, required: bool) -> SelectField:
    """A select of the active codes of ``table``; stores the code."""

    def choices():
        return ([] if required else [("", "（未填）")]) + code_choices(table)

    validators = [InputRequired(message=f"请选择{label}")] if required else [Optional()]
    return CodeSelectField(label, choices=choices, validators=validators,
                           widget=Select2Widget())


def choice_select(choices: dict, label: str, required: bool) -> SelectField:
    """A select of a column's declared ``choices`` ({stored value: Chinese name})."""
    validators = [InputRequired(message=f"请选择{label}")] if required else [Optional()]
    return CodeSelectField(label, choices=([] if required else [("", "（未填）")])
                           + list(choices.items()), validators=validators,
                           widget=Select2Widget())


class AjaxPickerWidget:
    """A select2 box that fetches options page by page from a scoped JSON endpoint."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def __call__(self, field, **kwargs):
        current = field.object_data_item()
        option = (f'<option value="{current.id}" selected>{escape(str(current))}</option>'
                  if current else "")
        return Markup(
            f'<select class="form-control ajax-picker" id="{field.id}" name="{field.name}" '
            f'data-url="{url_for(self.endpoint)}" data-placeholder="输入户编号或地址搜索">'
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
            if not raw.isdigit():
                raise ValueError("所属户选择无效")
            self.data = db.session.scalar(
                select(Household).where(Household.id == int(raw),
                                        scope_clause(Household.community_id))
            )
            if self.data is None:
                raise ValueError("所选户不存在或不在您的管辖范围内")

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise ValidationError("请选择所属户")
