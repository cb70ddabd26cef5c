"""导出Excel on every list: exactly the rows the list shows (its filters, sort and scope, all pages),
the columns its ColumnSet declares for export (or a department preset's), as a streamed xlsx.

Lists over EXPORT_BACKGROUND_THRESHOLD rows are written by a background job (app/jobs.py) whose
result only the requesting account may download. Every export is logged (导出记录).
"""
import datetime
import tempfile
from dataclasses import dataclass
from typing import Optional

from flask import abort, current_app, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import inspect
from werkzeug.datastructures import ImmutableMultiDict

from .. import jobs
from ..display import can_see_sensitive, code_name
from ..exporting import XLSX, attachment, export_columns, file_name, stream_rows, write_xlsx
from ..extensions import db
from ..models import ExportLog
from ..scope import path_in_scope
from ..presets import Preset, conditions, presets_for
from .toolbar import ToolbarButton

DEFAULT_THRESHOLD = 50_000


@dataclass
class ExportPlan:
    title: str
    preset: Optional[Preset]
    query: object  # the list's ORM query (filters, scope, order): counts the rows
    statement: object  # the Core select of the export columns
    columns: list
    filters: str  # the list's filters as people read them

    @property
    def name(self) -> str:
        return file_name(self.title, self.preset.label if self.preset else "")


def _visible(row) -> bool:
    """May the account read ``row``'s name? A filter may name any id; the log must not turn it
    into the name of a unit outside the scope."""
    from .base import SCOPE_COLUMNS  # base builds its views on this module

    column = SCOPE_COLUMNS.get(type(row))
    if column is None:
        return True
    org = row if column == "path" else getattr(row, column.removesuffix("_id"), None)
    return org is not None and path_in_scope(org.path)


class ExportMixin:
    """Adds ``/export/`` (POST, permission ``can_export``) and its toolbar button to a ModelView.
    Columns: the view's ColumnSet ``export_columns()``, else ``export_fields``."""

    export_fields: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.base_permissions and "can_export" not in cls.base_permissions:
            cls.base_permissions = [*cls.base_permissions, "can_export"]

    # -- what is exported --------------------------------------------------------------------
    def export_names(self) -> tuple:
        column_set = getattr(self, "columns", None)
        return column_set.export_columns() if column_set else tuple(self.export_fields)

    def export_button(self) -> ToolbarButton:
        options = tuple((key, preset) for key, preset in
                        presets_for(self.datamodel.obj).items())
        return ToolbarButton(_l("导出Excel"), f"{type(self).__name__}.export",
                             ("can_export", self.class_permission_name), "fa-file-excel-o",
                             method="post", options=options)

    def _preset(self, key: str) -> Optional[Preset]:
        if not key:
            return None
        preset = presets_for(self.datamodel.obj).get(key)
        if preset is None:
            abort(404)
        return preset

    def export_plan(self, preset: Optional[Preset], see_sensitive: bool) -> ExportPlan:
        """The list request's own filters (FAB's parsing, on a fresh Filters object: FAB_NOTES
        hazard 12), its order, the base filters (scope), plus the preset's conditions."""
        model = self.datamodel.obj
        order = (get_order_args().get(type(self).__name__) or self.base_order or ("", ""))
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters)
        joined = filters.get_joined_filters(self._base_filters)
        query = self.datamodel._apply_inner_all(self.datamodel.session.query(model), joined,
                                                *order)
        if preset is not None:
            query = query.filter(*conditions(preset, model))
        names = preset.columns if preset else self.export_names()
        columns, joins = export_columns(model, names, self.label_columns, see_sensitive,
                                        db.engine.dialect.name)
        select = query.with_entities(*(c.expr for c in columns))
        for join in joins:
            select = select.outerjoin(join)
        return ExportPlan(str(self.list_title), preset, query, select.statement, columns,
                          self._filters_text(filters))

    def _filters_text(self, filters) -> str:
        parts = []
        for flt, values in zip(filters.filters, filters.values):
            shown = "、".join(self._filter_value(flt.column_name, v) for v in values or [])
            parts.append(f"{self.label_columns.get(flt.column_name, flt.column_name)} "
                         f"{flt.name} {shown}".strip())
        return "；".join(map(str, parts))

    def _filter_value(self, name: str, value) -> str:
        mapper = inspect(self.datamodel.obj)
        if name in mapper.relationships and str(value).isdigit():
            row = db.session.get(mapper.relationships[name].mapper.class_, int(value))
            return str(row) if row is not None and _visible(row) else str(value)
        info = mapper.columns[name].info if name in mapper.columns else {}
        if "codes" in info:
            return code_name(info["codes"], value)
        if "choices" in info and value in info["choices"]:
            return _(info["choices"][value])
        return str(value)

    # -- the route ---------------------------------------------------------------------------
    @expose("/export/", methods=["POST"])
    @has_access
    def export(self):
        preset = self._preset(request.form.get("preset", ""))
        plan = self.export_plan(preset, can_see_sensitive())
        threshold = current_app.config.get("EXPORT_BACKGROUND_THRESHOLD", DEFAULT_THRESHOLD)
        if plan.query.order_by(None).count() > threshold:
            job_id = jobs.submit("export", _("导出：%(name)s", name=plan.name), export_job,
                                 view=type(self).__name__,
                                 args=list(request.args.items(multi=True)),
                                 preset=request.form.get("preset", ""),
                                 see_sensitive=can_see_sensitive())
            return redirect(url_for("JobView.status_page", job_id=job_id), 303)
        output = tempfile.TemporaryFile()
        rows = write_plan(plan, output)
        log_export(plan, rows, "direct")
        output.seek(0)
        response = send_file(output, mimetype=XLSX, as_attachment=True,
                             download_name=plan.name)
        response.headers["Content-Disposition"] = attachment(plan.name)
        return response


def write_plan(plan: ExportPlan, target, progress=None) -> int:
    return write_xlsx(target, plan.title, plan.columns,
                      stream_rows(db.engine, plan.statement, plan.columns),
                      sheet_rows=current_app.config.get("EXPORT_SHEET_ROWS") or 1_048_575,
                      progress=progress)


def log_export(plan: ExportPlan, rows: int, mode: str) -> None:
    user = getattr(g, "user", None)
    db.session.add(ExportLog(
        created_on=datetime.datetime.now(), user_id=getattr(user, "id", None),
        organisation_id=getattr(user, "organisation_id", None), list_name=plan.title[:100],
        filters=plan.filters or None, preset=plan.preset.label if plan.preset else None,
        mode=mode, rows=rows))
    db.session.commit()


def export_job(job, view: str, args: list, preset: str, see_sensitive: bool):
    """The export of one list request, in a background job: the request's arguments are replayed
    so the list's own filter parsing applies; the job runs as the requesting account."""
    request.args = ImmutableMultiDict(args)
    g._login_user = g.user  # has_access (e.g. in base filters) sees the requesting account
    instance = next(v for v in current_app.appbuilder.baseviews if type(v).__name__ == view)
    plan = instance.export_plan(instance._preset(preset), see_sensitive)
    total = plan.query.order_by(None).count()
    job.progress(0, total)
    path = job.directory / f"export-{job.id}.xlsx"
    with open(path, "wb") as output:
        rows = write_plan(plan, output, progress=job.progress)
    job.progress(rows, rows)
    log_export(plan, rows, "job")
    return path, plan.name, _("已导出 %(rows)s 行", rows=rows)
