"""ScopedModelRestApi: FAB's ModelRestApi over a screen (ScopedModelView), for department programs.

Declared as ``view = ResidentView``, it takes from that screen its model, its ColumnSet (list,
show, search, order), its Chinese labels, its permission name and map (so UI and API share
can_read / can_write / can_delete), its scope filter for every read, and its add and edit forms
for every write: the same rules, scoped pickers and Chinese messages. On top of FAB it re-checks
the organisation of every written row (a POST or PUT placing a row outside the scope: 403, nothing
written), answers in Chinese, never with SQL, and caps the page size (FAB_NOTES hazards 1, 2, 13).
"""
import sys

from flask import request
from flask_appbuilder.api import ModelRestApi, expose, rison, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import gettext as _
from sqlalchemy import inspect

from ..auth.errors import caused_by_out_of_range, out_of_range_refusal
from ..columns import label_of
from ..errors import UserFacingError
from ..extensions import appbuilder, db
from ..scope import path_in_scope
from ..views.base import SCOPE_COLUMNS, in_scope
from ..views.interface import AppInterface
from ..views.locking import LOCK_FIELD
from .schemas import SchemaConverter, current_values, form_data

API_METHOD_PERMISSIONS = {"get": "read", "get_list": "read", "info": "read", "related": "read",
                          "post": "write", "put": "write", "delete": "delete"}
MAX_PAGE_SIZE = 100
MAX_ID = 2**31 - 1
RELATED_SCHEMA = {"type": "object", "properties": {
    "page": {"type": "integer", "minimum": 0}, "page_size": {"type": "integer", "minimum": 1}}}


def _valid_id(value) -> bool:
    """A primary key: digits within the database's integer range (a larger number would make
    the driver fail, not find nothing)."""
    return str(value).isdigit() and 0 < int(value) <= MAX_ID


class ScopedModelRestApi(ModelRestApi):
    view = None  # the ScopedModelView whose model, columns, scope and forms this API shares
    allow_browser_login = True  # the Swagger page, with the session's CSRF token (app/api/__init__)
    method_permission_name = API_METHOD_PERMISSIONS
    max_page_size = MAX_PAGE_SIZE
    model2schemaconverter = SchemaConverter
    apispec_parameter_schemas = {"get_related_schema": RELATED_SCHEMA}
    grants = None  # the screen's grants apply: same permission names (app/roles.py)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        screen = cls.view
        if screen is None:
            return
        cs = screen.columns
        cls.datamodel = AppInterface(screen.model, db.session, eager=cs.eager)
        cls.resource_name = screen.model.__tablename__
        cls.class_permission_name = screen.model.__name__
        cls.list_columns = list(cs.list)
        cls.show_columns = list(cs.show_columns())
        if LOCK_FIELD in inspect(screen.model).columns:  # sent back with a PUT (409 if stale)
            cls.show_columns.append(LOCK_FIELD)
        cls.add_columns = list(screen.add_columns)
        cls.edit_columns = list(screen.edit_columns)
        cls.search_columns = [c for c in cs.search if c in inspect(screen.model).attrs]
        cls.order_columns = list(screen.order_columns)
        cls.base_order = screen.base_order
        cls.base_filters = screen.base_filters
        cls.label_columns = {LOCK_FIELD: "版本", **screen.label_columns}
        # every field described (FAB translates a missing description: gettext("") is the
        # catalogue's header)
        cls.description_columns = {**cls.label_columns,
                                   **(screen.description_columns or {})}
        cls.openapi_spec_tag = screen.model.verbose_name

    def __init__(self):
        super().__init__()
        self.screen = next(v for v in appbuilder.baseviews if type(v) is self.view)
        # related pickers (``_info``, ``related``) list only rows inside the scope, as the forms do
        self.add_query_rel_fields = self.screen.add_form_query_rel_fields
        self.edit_query_rel_fields = self.screen.edit_form_query_rel_fields
        noun = self.view.model.verbose_name
        self.list_title = self.show_title = _(noun)
        self.add_title = self.edit_title = _(noun)

    def _sanitize_page_args(self, page, page_size):
        """FAB caps the size; the page number must also give an offset the database takes
        (PostgreSQL refuses a negative one, drivers an enormous one)."""
        page, page_size = super()._sanitize_page_args(page, page_size)
        return min(max(page or 0, 0), MAX_ID // page_size), page_size

    # -- answers in Chinese ---------------------------------------------------------------------
    def response_400(self, message=None):
        return self.response(400, message=message or _("请求格式错误"))

    def response_401(self):
        return self.response(401, message=_("未登录或接口密钥无效、已过期或已吊销"))

    def response_403(self):
        return self.response(403, message=_("无权执行此操作"))

    def response_404(self):
        return self.response(404, message=_("记录不存在或不在您的管辖范围内"))

    def response_422(self, message=None):
        return self.response(422, message=message or _("数据有误"))

    def response_500(self, message=None):
        # FAB's @safe answers every exception with this; a value the database cannot hold (an id
        # past its integer range in a filter) is the caller's fault, as on the screens.
        if caused_by_out_of_range(sys.exc_info()[1]):
            return out_of_range_refusal()
        return self.response(500, message=_("操作失败：服务器内部错误，请稍后重试或联系管理员。"))

    # -- writes through the screen's forms -------------------------------------------------------
    def post_headless(self):
        values, refusal = self._json(self.add_columns)
        if refusal:
            return refusal
        if self._points_outside(values):
            return self._refuse_scope()
        form = self.screen.add_form(formdata=form_data(values), meta={"csrf": False})
        return self._save(form, self.datamodel.obj(), adding=True)

    def put_headless(self, pk):
        item = self._row(pk)
        if item is None:
            return self.response_404()
        values, refusal = self._json(self.edit_columns)
        if refusal:
            return refusal
        if self._points_outside(values):
            return self._refuse_scope()
        version = values.pop(LOCK_FIELD, None)
        if version is not None and str(version) != str(getattr(item, LOCK_FIELD, version)):
            return self.response(409, message=_(
                "保存失败：该记录已被他人修改（当前版本 %(version)s），请重新读取后再修改。",
                version=getattr(item, LOCK_FIELD)))
        data = form_data(values, current_values(item, self.edit_columns))
        form = self.screen.edit_form(formdata=data, meta={"csrf": False})
        form._id = item.id  # lets the unique checks skip this row, as on the screen
        return self._save(form, item, adding=False)

    def delete_headless(self, pk):
        item = self._row(pk)
        if item is None:
            return self.response_404()
        if refusal := self._out_of_scope(item):
            return refusal
        try:
            self.screen.pre_delete(item)
            self.datamodel.delete(item)
        except UserFacingError as exc:
            return self.response_422(message=str(exc))
        return self.response(200, message=_("已删除"))

    def get_headless(self, pk, **kwargs):
        return super().get_headless(pk, **kwargs) if _valid_id(pk) else self.response_404()

    def _row(self, pk):
        """The row ``pk`` names inside the scope (None: no such row, or not an id at all)."""
        return self.datamodel.get(int(pk), self._base_filters) if _valid_id(pk) else None

    def _json(self, columns):
        """The request's JSON object, or a refusal naming what is wrong with it."""
        values = request.get_json(silent=True) if request.is_json else None
        if not isinstance(values, dict):
            return None, self.response_400(_("请求内容须为 JSON 对象（Content-Type: "
                                              "application/json）"))
        unknown = sorted(set(values) - set(columns))
        if unknown:
            return None, self.response_422(_("不能填写的字段：%(names)s，可填写：%(allowed)s",
                                             names="、".join(unknown),
                                             allowed="、".join(columns)))
        bad = [name for name, value in values.items()
               if isinstance(value, dict) or (isinstance(value, list) and not self._many(name))]
        if bad:
            return None, self.response_422(_("%(labels)s：格式错误，须为文字、数字、日期或 "
                                             "true/false", labels="、".join(self._labels(bad))))
        return values, None

    def _many(self, name: str) -> bool:
        mapper = inspect(self.datamodel.obj)
        return name in mapper.relationships and mapper.relationships[name].uselist

    def _labels(self, names) -> list:
        return [str(self.label_columns.get(n) or label_of(self.datamodel.obj, n)) for n in names]

    def _points_outside(self, values: dict) -> bool:
        """Does a relation in the payload name an existing row outside the scope (a household,
        community or parent unit of another organisation)? FAB's API would take any id."""
        relations = inspect(self.datamodel.obj).relationships
        for name, value in values.items():
            rel = relations.get(name) if name in relations else None
            if rel is None or rel.mapper.class_ not in SCOPE_COLUMNS:
                continue
            for pk in (value if isinstance(value, list) else [value]):
                related = self.datamodel.get_related_interface(name)
                if not _valid_id(pk) or related.get(int(pk)) is None:
                    continue  # not a row at all: the form names the fault
                scoped = related.get_filters().add_filter_list(in_scope(rel.mapper.class_))
                if related.get(int(pk), scoped) is None:
                    return True
        return False

    def _out_of_scope(self, item):
        if path_in_scope(self.screen.row_path(item)):
            return None
        return self._refuse_scope()

    def _refuse_scope(self):
        db.session.rollback()  # nothing of the refused change may be flushed later
        return self.response(403, message=_("无权操作：所选单位不在您的管辖范围内。"))

    def _save(self, form, item, adding: bool):
        if not form.validate():
            return self.response_422(message="；".join(
                f"{form[name].label.text}：{'；'.join(map(str, errors))}"
                for name, errors in form.errors.items()))
        self.screen.process_form(form, adding)
        form.populate_obj(item)
        if refusal := self._out_of_scope(item):
            return refusal
        try:
            if adding:
                self.screen.pre_add(item)
                self.datamodel.add(item)
            else:
                self.screen.pre_update(item)
                self.datamodel.edit(item)
        except UserFacingError as exc:
            return self.response_422(message=str(exc))
        result = self.show_model_schema.dump(item)
        return self.response(201 if adding else 200, id=item.id, result=result)

    # -- the pickers: rows a relation may point to, inside the scope ------------------------------
    @expose("/related/<column_name>", methods=["GET"])
    @protect()
    @safe
    @permission_name("related")
    @rison(RELATED_SCHEMA)
    def related(self, column_name, **kwargs):
        """Rows a relation field may take (inside the scope), page by page
        ---
        get:
          parameters:
          - in: path
            schema:
              type: string
            name: column_name
          - in: query
            name: q
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/get_related_schema'
          responses:
            200:
              description: 可选的关联记录
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count:
                        type: integer
                      result:
                        type: array
                        items:
                          type: object
                          properties:
                            id:
                              type: integer
                            value:
                              type: string
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        columns = dict.fromkeys([*self.add_columns, *self.edit_columns])
        if column_name not in columns or not self.datamodel.is_relation(column_name):
            return self.response_404()
        args = kwargs.get("rison", {})
        page, page_size = self._sanitize_page_args(args.get("page", 0), args.get("page_size"))
        related = self.datamodel.get_related_interface(column_name)
        filters = related.get_filters().add_filter_list(
            {**self.edit_query_rel_fields, **self.add_query_rel_fields}.get(column_name, []))
        count, rows = related.query(filters, "", "", page=page, page_size=page_size)
        return self.response(200, count=count, result=[
            {"id": related.get_pk_value(row), "value": str(row)} for row in rows])
