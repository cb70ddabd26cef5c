"""ScopedModelView: every domain list/show/add/edit is this class plus a ColumnSet.

It derives FAB's column lists, Chinese labels, code-table selects and display formatters from the
model declarations, restricts every read to the account's organisation subtree (lists, pages,
related lists and the options of every select listing scoped rows), reloads action rows through
that scope, and re-checks the organisation of every written row (FAB_NOTES hazards 1–3).
"""
import itertools

from flask import abort, flash, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import (get_filter_args, get_order_args, get_page_args,
                                       get_page_size_args)
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import Integer, Numeric, inspect
from wtforms.fields.core import UnboundField

from ..columns import ColumnSet, column_info
from ..display import blank_if_none, code_name, shown, type_format
from ..extensions import db
from ..models import Organisation
from ..roles import ENTRY, STAFF
from ..scope import OrgScopeFilter, current_scope, path_in_scope

from .fields import choice_select, code_select
from .export import ExportMixin
from .interface import AppInterface, DatabaseMessageMixin, UserFacingError
from .locking import OptimisticLockMixin
from .toolbar import ToolbarButton  # noqa: F401 (views import it from here)
from .validators import finite_number, within_integer_range

# UI and API share two permissions per model: read and write (plus delete, kept apart so
# community roles can keep records without deleting people).
METHOD_PERMISSIONS = {
    "list": "read", "show": "read", "download": "read", "picker": "read",
    "add": "write", "edit": "write", "action": "write", "action_post": "write",
    "delete": "delete", "export": "export",
}


# model -> the column holding the organisation that scopes its rows; filled by the views below.
SCOPE_COLUMNS = {Organisation: "path"}
# Rows of shared tables (scope_column None) are writable by unrestricted accounts only.
SHARED_PATH = "/"


def in_scope(model) -> list:
    """FAB filters keeping only the rows of ``model`` inside the current account's scope."""
    return [[SCOPE_COLUMNS[model], OrgScopeFilter, current_scope]]


def _squeezed(value):
    return "".join(value.split()) if isinstance(value, str) else value


def _shown_as(info: dict, column_type):
    if "codes" in info:
        table = info["codes"]
        return lambda value: (
            "、".join(v.name for v in value) if isinstance(value, list)
            else code_name(table, value)
        )
    if "choices" in info:
        choices = info["choices"]
        return lambda value: _(choices[value]) if value in choices else value
    if info.get("sensitive"):
        return lambda value, kind=info["sensitive"]: shown(value, kind)
    return type_format(column_type)


def _select_field(info: dict, required: bool):
    if "codes" in info:
        return code_select(info["codes"], info["label"], required)
    return choice_select(info["choices"], info["label"], required)


class ScopedRowsMixin:
    """The row-loading endpoints FAB leaves unscoped, closed for any ModelView with base filters.

    Actions load their rows through the base filters (the scope), never by bare primary key as FAB
    does (FAB_NOTES hazard 1). An unknown action, one not offered for this kind of call
    (``multiple`` for the list's bulk menu, ``single`` for one row) or a row outside the scope
    answers 404, before anything runs. FAB's file download (from UPLOAD_FOLDER, unset here: a 500)
    answers 404: no model has file columns."""

    def _allowed_action(self, name: str, kind: str):
        act = self.actions.get(name)
        if act is None or not getattr(act, kind):
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name),
                                             self.class_permission_name):
            abort(403)
        return act

    def scoped_items(self, pks):
        items = [self.datamodel.get(pk, self._base_filters) for pk in pks]
        if not pks or any(item is None for item in items):
            abort(404)
        return items

    @expose("/action_post", methods=["POST"])
    @has_access
    def action_post(self):
        act = self._allowed_action(request.form.get("action", ""), "multiple")
        return act.func(self.scoped_items(request.form.getlist("rowid")))

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    @has_access
    def action(self, name, pk):
        return self._allowed_action(name, "single").func(self.scoped_items([pk])[0])

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        abort(404)


class ScopedModelView(ExportMixin, OptimisticLockMixin, ScopedRowsMixin, DatabaseMessageMixin,
                      ModelView):
    """Subclasses declare ``model``, ``columns`` (a ColumnSet) and ``scope_column`` — the column
    holding the organisation id that scopes the row (``path`` for Organisation itself)."""

    model = None
    columns: ColumnSet = None
    scope_column = "community_id"
    method_permission_name = METHOD_PERMISSIONS
    page_size = 25
    # Default roles' permissions on this view (app/roles.py); subclasses adjust.
    grants = {"read": STAFF, "write": (ENTRY,), "export": STAFF}
    list_template = "scoped_list.html"
    toolbar: tuple = ()  # ToolbarButtons above the list

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.extra_args = {**self.extra_args, "toolbar": (*self.toolbar, self.export_button())}

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
        cls.edit_columns = [c for c in cs.edit or cs.form if c not in cs.readonly_on_edit]
        cls.show_columns = list(cs.show_columns())
        cls.base_order = cs.order
        cls.order_columns = [c for c in cs.list if c in inspect(cls.model).columns]
        if cls.scope_column:
            cls.base_filters = [[cls.scope_column, OrgScopeFilter, current_scope]]
            SCOPE_COLUMNS.setdefault(cls.model, cls.scope_column)
        every = (set(cs.list) | set(cs.search) | set(cs.form) | set(cs.edit)
                 | set(cs.show_columns()))
        infos = {name: column_info(cls.model, name) for name in every}
        columns = inspect(cls.model).columns
        cls.label_columns = {**{n: _l(i.get("label", n)) for n, i in infos.items()},
                             **cls._declared("label_columns")}
        cls.formatters_columns = {
            **{n: blank_if_none(_shown_as(i, columns[n].type if n in columns else None))
               for n, i in infos.items()},
            **cls._declared("formatters_columns")}
        cls._derive_integer_ranges(columns)
        cls._derive_select_fields(infos)
        cls._derive_lock_field()

    @classmethod
    def _derive_integer_ranges(cls, columns) -> None:
        """Number form fields accept only what the database can store."""
        rules = dict(cls.validators_columns or {})
        for name in {*cls.add_columns, *cls.edit_columns}:
            kind = columns[name].type if name in columns else None
            check = (within_integer_range if isinstance(kind, Integer)
                     else finite_number if isinstance(kind, Numeric) else None)
            if check:
                rules[name] = [check, *rules.get(name, [])]
        cls.validators_columns = rules

    @classmethod
    def _declared(cls, attr: str) -> dict:
        """What this class body and its ancestors declared for ``attr`` themselves: kept over
        the derived values (labels and formatters of properties, which have no column info)."""
        key = f"_declared_{attr}"
        merged = {**getattr(cls, key, {}), **(vars(cls).get(attr) or {})}
        setattr(cls, key, merged)
        return merged

    def _init_titles(self):
        """Titles from the model's ``verbose_name`` unless the view declares its own."""
        noun = _l(self.model.verbose_name)
        self.list_title = self.list_title or _l("%(noun)s列表", noun=noun)
        self.show_title = self.show_title or _l("%(noun)s详情", noun=noun)
        self.add_title = self.add_title or _l("新增%(noun)s", noun=noun)
        self.edit_title = self.edit_title or _l("修改%(noun)s", noun=noun)
        super()._init_titles()

    @classmethod
    def _derive_select_fields(cls, infos: dict) -> None:
        """Code columns become selects of their table's active codes, columns with ``choices``
        selects of those; code relations (several codes, e.g. 特殊人群) keep FAB's
        multi-select, limited to their table."""
        mapper = inspect(cls.model)
        fields, search, rel_filters = {}, {}, {}
        search_rel_filters = {  # search dropdowns list only the organisations in scope (hazard 1)
            name: [["path", OrgScopeFilter, current_scope]] for name in cls.search_columns
            if name in mapper.relationships
            and mapper.relationships[name].mapper.class_ is Organisation}
        for name, info in infos.items():
            if name in mapper.relationships and "codes" in info:
                rel_filters[name] = [["table", FilterEqual, info["codes"]],
                                     ["active", FilterEqual, True]]
                continue
            if name not in mapper.columns or not {"codes", "choices"} & set(info):
                continue
            fields[name] = _select_field(info, required=not mapper.columns[name].nullable)
            search[name] = _select_field(info, required=False)
        cls.add_form_extra_fields = cls._validated({**fields, **(cls.add_form_extra_fields or {})})
        cls.edit_form_extra_fields = cls._validated(
            {**fields, **(cls.edit_form_extra_fields or {})})
        cls.search_form_extra_fields = {**search, **(cls.search_form_extra_fields or {})}
        search_rel_filters.update(rel_filters)
        for attr, derived in (("add_form_query_rel_fields", rel_filters),
                              ("edit_form_query_rel_fields", rel_filters),
                              ("search_form_query_rel_fields", search_rel_filters)):
            setattr(cls, attr, {**derived, **(getattr(cls, attr) or {})})

    @classmethod
    def _validated(cls, extra_fields: dict) -> dict:
        """FAB applies ``validators_columns`` only to fields it builds itself; give the extra
        fields theirs too, so a rule is declared once whatever builds the field."""
        rules = cls.validators_columns or {}
        return {name: UnboundField(f.field_class, *f.args, **{
                    **f.kwargs, "validators": [*f.kwargs.get("validators", []),
                                               *rules.get(name, [])]})
                for name, f in extra_fields.items()}

    def _init_forms(self):
        """Every select listing rows of a scoped model (search form, add and edit forms) offers only
        rows inside the scope, unless the view declares its own (narrower) filter for it. Done at
        instantiation, when every view has registered its model's scope column."""
        for attr, names in (("search_form_query_rel_fields", self.search_columns),
                            ("add_form_query_rel_fields", self.add_columns),
                            ("edit_form_query_rel_fields", self.edit_columns)):
            setattr(self, attr, {**self._scoped_options(names), **(getattr(self, attr) or {})})
        super()._init_forms()
        self._squeeze_identifiers(self.add_form, self.edit_form)

    def _squeeze_identifiers(self, *forms) -> None:
        """Identifier fields (``kind="identifier"``: ID numbers, division codes) lose the spaces
        people type into them before any check runs (FAB's length check included)."""
        names = [name for name in {*self.add_columns, *self.edit_columns}
                 if column_info(self.model, name).get("kind") == "identifier"]
        for form, name in itertools.product(forms, names):
            field = getattr(form, name, None)
            if isinstance(field, UnboundField):
                setattr(form, name, UnboundField(field.field_class, *field.args, **{
                    **field.kwargs, "filters": [*field.kwargs.get("filters", ()), _squeezed]}))

    def _scoped_options(self, names) -> dict:
        relations = inspect(self.model).relationships
        targets = {name: relations[name].mapper.class_ for name in names if name in relations}
        return {name: in_scope(model) for name, model in targets.items() if model in SCOPE_COLUMNS}

    # -- add/edit/delete: FAB's flow, except that a failed save keeps the user's input --------
    # FAB's _add/_edit return None after any failure, which redirects and loses what was typed
    # (FAB_NOTES hazard 13). Here a refused or failed save (scope, stale version, database error)
    # re-renders the form with the input and a Chinese message; GET requests are FAB's own.
    def _add(self):
        if request.method != "POST":
            return super()._add()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        self._fill_form_exclude_cols(exclude_cols, form)
        if form.validate() and self._save(form, self.datamodel.obj(), adding=True):
            return None
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        if request.method != "POST":
            return super()._edit(pk)
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = self.datamodel.get_pk_value(item)  # lets unique validators skip this row
        if (form.validate() and not self.edit_conflict(form, item)
                and self._save(form, item, adding=False)):
            return None
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item, filters={}, orders=get_order_args(), pages=get_page_args(),
            page_sizes=get_page_size_args(), widgets=widgets)

    def _save(self, form, item, adding: bool) -> bool:
        """Populate, check and write the item; on failure roll back, say why in Chinese, and
        report a concurrent edit as a conflict (app.views.locking)."""
        self.process_form(form, adding)
        try:
            form.populate_obj(item)
            if adding:
                self.pre_add(item)
                self.datamodel.add(item)
            else:
                self.pre_update(item)
                self.datamodel.edit(item)
        except UserFacingError as exc:
            self.datamodel.session.rollback()
            if adding or not self.edit_conflict(form, item):
                flash(str(exc), "danger")
            return False
        if adding:
            self.post_add(item)
        else:
            self.post_update(item)
        flash(self.add_row_message if adding else self.edit_row_message, "success")
        return True

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
        except UserFacingError as exc:
            self.datamodel.session.rollback()
            flash(str(exc), "danger")
        else:
            self.post_delete(item)
            flash(self.delete_row_message, "success")
        self.update_redirect()

    # -- writes: the organisation of every written row must lie inside the scope -------------
    def row_path(self, item):
        """Tree path of the organisation the row belongs to (None when it has none)."""
        if not self.scope_column:
            return SHARED_PATH
        org = getattr(item, self.scope_column.removesuffix("_id"), None)
        return org.path if org is not None else None

    def assert_writable(self, item) -> None:
        if not path_in_scope(self.row_path(item)):
            # Drop the refused changes now: the item may already sit in the session (a backref
            # cascades it there), and nothing later in the request may flush it.
            self.datamodel.session.rollback()
            raise UserFacingError(_("无权操作：所选单位不在您的管辖范围内。"))

    def pre_add(self, item):
        self.assert_writable(item)

    def pre_update(self, item):
        self.assert_writable(item)

    def pre_delete(self, item):
        self.assert_writable(item)
