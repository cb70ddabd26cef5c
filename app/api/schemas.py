"""What the API sends and accepts, derived from the model declarations.

Sending: FAB's marshmallow conversion, except that a sensitive column (``info sensitive=``) is
masked as on the screens (app.display.shown) and a relation is sent as ``{id, name}`` — FAB would
nest every column of the related row (a resident's household with its unmasked phone).

Accepting: a JSON object becomes the form data of the screen's own add or edit form, so the API
applies the very rules, choices, scoped pickers and Chinese messages of the screens.
"""
import datetime
from decimal import Decimal

from flask_appbuilder.api.convert import Model2SchemaConverter
from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict

from ..columns import column_info
from ..display import shown


class MaskedString(fields.String):
    """A sensitive value, masked unless the account may see it (can_see SensitiveData)."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(shown(value, self.kind), attr, obj, **kwargs)


class Ref(Schema):
    """A related row: its id and its name."""

    id = fields.Integer()
    name = fields.Function(lambda row: str(row))


class SchemaConverter(Model2SchemaConverter):
    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        if nested and datamodel.is_relation(column.name):
            many = not datamodel.is_relation_many_to_one(column.name)
            return fields.Nested(Ref, many=many, dump_only=True)
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        kind = column_info(datamodel.obj, column.name).get("sensitive")
        if kind:
            return MaskedString(kind, allow_none=True, required=field.required,
                                validate=field.validate)
        return field


def _form_value(value):
    """One value as a browser would post it (None: not posted)."""
    if value is None or value is False:
        return None
    if value is True:
        return "y"
    if hasattr(value, "id"):
        return str(value.id)
    if isinstance(value, (datetime.date, Decimal, int, float, str)):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return str(value)  # objects, odd types: posted as text, refused by the form's checks


def form_data(values: dict, base: MultiDict | None = None) -> MultiDict:
    """Form data from JSON values (over ``base``: the record's current values, for PUT)."""
    data = MultiDict(base or {})
    for name, value in values.items():
        data.poplist(name)
        items = value if isinstance(value, list) else [value]
        posted = [v for v in map(_form_value, items) if v is not None]
        if posted:
            data.setlist(name, posted)
    return data


def current_values(item, names) -> MultiDict:
    """The record's values of the form's fields, as its edit form would post them."""
    return form_data({name: getattr(item, name, None) for name in names})
