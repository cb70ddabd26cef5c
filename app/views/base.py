"""ScopedModelView: every domain list/show/add/edit is this class plus a ColumnSet.

It derives FAB's column lists, Chinese labels, code-table selects and display formatters from the
model declarations, restricts every read to the account's organisation subtree, reloads action rows
through that scope, and re-checks the organisation of every written row (FAB_NOTES hazards 1–3).
"""
from dataclasses import dataclass

from flask import abort, g, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import inspect
from wtforms.fields.core import UnboundField

from ..columns import ColumnSet, column_info
from ..display import code_name, shown
from ..extensions import db
from ..roles import ENTRY, STAFF
from ..scope import OrgScopeFilter, current_scope, path_in_scope
from flask_appbuilder.models.sqla.filters import FilterEqual

from .fields import code_select
from .interface import AppInterface, UserFacingError

# UI and API share two permissions per model: read and write (plus delete, kept apart so
# community roles can keep records without deleting people).
METHOD_PERMISSIONS = {
    "list": "read", "show": "read", "download": "read", "picker": "read",
    "add": "write", "edit": "write", "action": "write", "action_post": "write",
    "delete": "delete",
}


@dataclass(frozen=True)
class ToolbarButton:
    """A button above a list (e.g. 导入), shown to accounts holding ``permission``
    (permission name, view menu). Views declare them in ``toolbar``."""

    label: str
    endpoint: str
    permission: tuple
    icon: str = ""


def _formatter(info: dict):
    if "codes" in info:
        table = info["codes"]
        return lambda value: (
            "、".join(v.name for v in value) if isinstance(value, list)
            else code_name(table, value)
        )
    if "choices" in info:
        return lambda value, choices=info["choices"]: choices.get(value, value or "")
    if info.get("sensitive"):
        return lambda value, kind=info["sensitive"]: shown(value, kind)
    return None


class ScopedModelView(ModelView):
    """Subclasses declare ``model``, ``columns`` (a ColumnSet) and ``scope_column`` — the column
    holding the organisation id that scopes the row (``path`` for Organisation itself)."""

    model = None
    columns: ColumnSet = None
    scope_column = "community_id"
    method_permission_name = METHOD_PERMISSIONS
    page_size = 25
    # Default roles' permissions on this view (app/roles.py); subclasses adjust.
    grants = {"read": STAFF, "write": (ENTRY,)}
    list_template = "scoped_list.html"
    toolbar: tuple = ()  # ToolbarButtons above the list

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.extra_args = {**self.extra_args, "toolbar": self.toolbar}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is None:
            return
        cs = cls.columns
        cls.datamodel = AppInterface(cls.model, db.session, eager=cs.eager)
        cls.class_permission_name = cls.model.__name__
        cls.list_columns = list(cs.list)
        cls.search_columns = list(cs.search)
        cls.add_columns = list(cs.form)
        cls.edit_columns = [c for c in cs.form if c not in cs.readonly_on_edit]
        cls.show_columns = list(cs.show_columns())
        cls.base_order = cs.order
        cls.order_columns = [c for c in cs.list if c in inspect(cls.model).columns]
        if cls.scope_column:
            cls.base_filters = [[cls.scope_column, OrgScopeFilter, current_scope]]
        every = set(cs.list) | set(cs.search) | set(cs.form) | set(cs.show_columns())
        infos = {name: column_info(cls.model, name) for name in every}
        cls.label_columns = {n: i.get("label", n) for n, i in infos.items()}
        cls.formatters_columns = {n: f for n, i in infos.items() if (f := _formatter(i))}
        cls._derive_code_fields(infos)

    @classmethod
    def _derive_code_fields(cls, infos: dict) -> None:
        """Code columns become selects of their table's active codes; code relations (several
        codes, e.g. 特殊人群) keep FAB's multi-select, limited to their table."""
        mapper = inspect(cls.model)
        fields, search, rel_filters = {}, {}, {}
        for name, info in infos.items():
            if "codes" not in info:
                continue
            if name in mapper.relationships:
                rel_filters[name] = [["table", FilterEqual, info["codes"]],
                                     ["active", FilterEqual, True]]
                continue
            required = not mapper.columns[name].nullable
            fields[name] = code_select(info["codes"], info["label"], required)
            search[name] = code_select(info["codes"], info["label"], False)
        cls.add_form_extra_fields = cls._validated({**fields, **(cls.add_form_extra_fields or {})})
        cls.edit_form_extra_fields = cls._validated(
            {**fields, **(cls.edit_form_extra_fields or {})})
        cls.search_form_extra_fields = {**search, **(cls.search_form_extra_fields or {})}
        for attr in ("add_form_query_rel_fields", "edit_form_query_rel_fields"):
            setattr(cls, attr, {**rel_filters, **(getattr(cls, attr) or {})})

    @classmethod
    def _validated(cls, extra_fields: dict) -> dict:
        """FAB applies ``validators_columns`` only to fields it builds itself; give the extra
        fields theirs too, so a rule is declared once whatever builds the field."""
        rules = cls.validators_columns or {}
        return {name: UnboundField(f.field_class, *f.args, **{
                    **f.kwargs, "validators": [*f.kwargs.get("validators", []),
                                               *rules.get(name, [])]})
                for name, f in extra_fields.items()}

    # -- messages ---------------------------------------------------------------------------
    @property
    def database_error_message(self):
        return g.get("database_error") or "保存失败：数据库暂时无法完成操作，请稍后重试。"

    # -- writes: the organisation of every written row must lie inside the scope -------------
    def row_path(self, item):
        """Tree path of the organisation the row belongs to (None when it has none)."""
        org = getattr(item, self.scope_column.removesuffix("_id"), None)
        return org.path if org is not None else None

    def assert_writable(self, item) -> None:
        if not path_in_scope(self.row_path(item)):
            raise UserFacingError("无权操作：所选单位不在您的管辖范围内。")

    def pre_add(self, item):
        self.assert_writable(item)

    def pre_update(self, item):
        self.assert_writable(item)

    def pre_delete(self, item):
        self.assert_writable(item)

    # -- actions load their rows through the scope, never by bare primary key ------------------
    def _allowed_action(self, name: str):
        act = self.actions.get(name)
        permission = self.get_action_permission_name(name)
        if act is None or not self.appbuilder.sm.has_access(permission, self.class_permission_name):
            abort(404)
        return act

    def scoped_items(self, pks):
        items = [self.datamodel.get(pk, self._base_filters) for pk in pks]
        if not pks or any(item is None for item in items):
            abort(404)
        return items

    @expose("/action_post", methods=["POST"])
    @has_access
    def action_post(self):
        act = self._allowed_action(request.form.get("action", ""))
        return act.func(self.scoped_items(request.form.getlist("rowid")))

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    @has_access
    def action(self, name, pk):
        return self._allowed_action(name).func(self.scoped_items([pk])[0])
