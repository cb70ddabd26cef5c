"""Import screens: upload → preview (counts, every row's errors, error sheet) → confirm → result.

The uploaded file stays server-side between preview and confirm (app/importing/store.py). Confirming
validates again (the database may have changed) and writes in one transaction; above
IMPORT_ASYNC_THRESHOLD rows that runs as a background job with a progress page.

Scope: a community account imports into its own community only. An account over several communities
(admins, or a street account granted the permission) chooses one community per import; a row whose
所属社区 names another community is rejected.
"""
import io
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from ..columns import RESIDENT_IMPORT
from ..display import code_tables
from ..extensions import db
from ..importing import check_file, error_list, import_plan, outcome_dict
from ..importing.fields import import_fields
from ..importing.sheets import template_bytes, write_error_sheet
from ..importing.store import Upload
from ..jobs import submit
from ..models import Organisation
from ..roles import ENTRY
from ..scope import current_scope, path_in_scope
from ..tabular import FileProblem
from .base import ToolbarButton

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def communities_in_scope() -> list[Organisation]:
    scope = current_scope()
    if scope is None:
        return []
    return db.session.scalars(select(Organisation).where(
        Organisation.level == "community", Organisation.active.is_(True),
        Organisation.path.startswith(scope, autoescape=True)).order_by(Organisation.path)).all()


def preview_upload(upload: Upload, community: Organisation) -> None:
    """Validate the stored file; keep counts, errors and the error sheet with the upload."""
    plan = check_file(upload.data_path.read_bytes(), upload.meta["file_name"], community)
    if plan.error_rows:
        write_error_sheet(plan, str(upload.error_path))
    upload.meta["preview"] = {"counts": vars(plan.counts), "unknown": plan.columns.unknown,
                              "errors": error_list(plan)}
    upload.save()


def confirm_upload(upload: Upload, valid_only: bool, progress=None) -> dict:
    """Validate again and import; the result (counts, errors) is kept with the upload."""
    community = db.session.get(Organisation, upload.meta["community_id"])
    try:
        plan = check_file(upload.data_path.read_bytes(), upload.meta["file_name"], community,
                          progress)
    except FileProblem as exc:
        result = {"status": "rejected", "message": str(exc), "errors": []}
    else:
        upload.error_path.unlink(missing_ok=True)
        if plan.error_rows:
            write_error_sheet(plan, str(upload.error_path))
        result = outcome_dict(import_plan(plan, file_name=upload.meta["file_name"],
                                          valid_only=valid_only, source="web"), plan)
    upload.meta["result"] = result
    upload.save()
    return result


def import_job(job, token: str, user_id: int, valid_only: bool):
    """Background work (app/jobs.py): the same confirm, with progress while validating."""
    upload = Upload.find(token, user_id)
    total = upload.meta["preview"]["counts"]["rows"]
    job.progress(0, total)
    result = confirm_upload(upload, valid_only, progress=lambda done, _: job.progress(done))
    job.progress(total)
    has_sheet = upload.error_path.exists()
    return (upload.error_path if has_sheet else None, error_sheet_name(upload) if has_sheet
            else None, result["message"])


def error_sheet_name(upload: Upload) -> str:
    return f"{Path(upload.meta['file_name']).stem}_错误.xlsx"


class ImportView(BaseView):
    """居民导入 (residents with their households)."""

    route_base = "/import"
    default_view = "upload"
    class_permission_name = "ResidentImport"
    method_permission_name = {name: "import" for name in (
        "upload", "template", "preview", "errors", "confirm", "result")}
    grants = {"import": (ENTRY,)}

    @classmethod
    def button(cls) -> ToolbarButton:
        """The 导入 button on the resident and household lists."""
        return ToolbarButton("导入", f"{cls.__name__}.upload",
                             ("can_import", cls.class_permission_name), "fa-upload")

    def _upload(self, token: str) -> Upload:
        """The account's own upload, into a community still inside its scope."""
        upload = Upload.find(token, getattr(g.user, "id", None))
        community = upload and db.session.get(Organisation, upload.meta["community_id"])
        if community is None or not path_in_scope(community.path):
            abort(404)
        return upload

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self):
        communities = communities_in_scope()
        if request.method == "POST":
            return self._receive(communities)
        return self.render_template("import_upload.html", communities=communities,
                                    max_mb=current_app.config["IMPORT_MAX_BYTES"] // 2**20)

    def _receive(self, communities):
        limit = current_app.config["IMPORT_MAX_BYTES"]
        chosen = {str(c.id): c for c in communities}.get(request.form.get("community", ""))
        if len(communities) == 1:
            chosen = communities[0]
        if chosen is None:
            flash("请选择要导入的社区（只能是您管辖范围内的社区）。", "danger")
            return redirect(url_for(".upload"))
        if (request.content_length or 0) > limit + 2**20:  # refused before reading the body
            flash(f"文件太大：上限为 {limit // 2**20} MB，请分成几个文件导入。", "danger")
            return redirect(url_for(".upload"))
        file = request.files.get("file")
        if file is None or not file.filename:
            flash("请选择要上传的 .xlsx 或 .csv 文件。", "danger")
            return redirect(url_for(".upload"))
        upload = Upload.create(file.read(limit + 1), Path(file.filename).name[-200:],
                               g.user.id, chosen.id)
        try:
            preview_upload(upload, chosen)
        except FileProblem as exc:
            upload.discard()
            flash(str(exc), "danger")
            return redirect(url_for(".upload"))
        return redirect(url_for(".preview", token=upload.token))

    @expose("/template")
    @has_access
    def template(self):
        fields = import_fields(RESIDENT_IMPORT, code_tables())
        return send_file(io.BytesIO(template_bytes(fields, code_tables())), mimetype=XLSX,
                         as_attachment=True, download_name="居民导入模板.xlsx")

    @expose("/<token>/")
    @has_access
    def preview(self, token):
        upload = self._upload(token)
        if upload.meta.get("confirmed"):
            return redirect(url_for(".result", token=token))
        return self.render_template("import_preview.html", upload=upload,
                                    community=db.session.get(Organisation,
                                                             upload.meta["community_id"]),
                                    **upload.meta["preview"])

    @expose("/<token>/errors")
    @has_access
    def errors(self, token):
        upload = self._upload(token)
        if not upload.error_path.exists():
            abort(404)
        return send_file(upload.error_path, mimetype=XLSX, as_attachment=True,
                         download_name=error_sheet_name(upload))

    @expose("/<token>/confirm", methods=["POST"])
    @has_access
    def confirm(self, token):
        upload = self._upload(token)
        if upload.meta.get("confirmed"):  # an upload is imported once only
            return redirect(url_for(".result", token=token))
        upload.meta["confirmed"] = True
        upload.save()
        valid_only = request.form.get("mode") == "valid"
        if upload.meta["preview"]["counts"]["rows"] > current_app.config[
                "IMPORT_ASYNC_THRESHOLD"]:
            upload.job_id = submit("import", f"导入居民：{upload.meta['file_name']}", import_job,
                                   token=token, user_id=g.user.id, valid_only=valid_only)
            return redirect(url_for("JobView.status_page", job_id=upload.job_id))
        confirm_upload(upload, valid_only)
        return redirect(url_for(".result", token=token))

    @expose("/<token>/result")
    @has_access
    def result(self, token):
        upload = self._upload(token)
        if "result" not in upload.meta:
            if upload.job_id is not None:
                return redirect(url_for("JobView.status_page", job_id=upload.job_id))
            return redirect(url_for(".preview", token=token))
        return self.render_template("import_result.html", upload=upload,
                                    has_errors=upload.error_path.exists(),
                                    **upload.meta["result"])


