"""My background jobs: progress (JSON for the progress bar) and the result download."""
from flask import abort, g, jsonify, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from ..extensions import db
from ..jobs import live_progress, percent
from ..models import JOB_STATUS, Job
from ..roles import STAFF


def _own_job(job_id: int) -> Job:
    """A job is visible to the account that submitted it only."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != getattr(g.user, "id", None):
        abort(404)
    return job


class JobView(BaseView):
    route_base = "/jobs"
    default_view = "status_page"
    class_permission_name = "Job"
    method_permission_name = {"status": "read", "status_page": "read", "download": "read"}
    grants = {"read": STAFF}

    @expose("/<int:job_id>/")
    @has_access
    def status_page(self, job_id):
        job = _own_job(job_id)
        done, total = live_progress(job)
        return self.render_template("job.html", job=job, statuses=JOB_STATUS,
                                    percent=percent(job.status, done, total))

    @expose("/<int:job_id>/status")
    @has_access
    def status(self, job_id):
        job = _own_job(job_id)
        done, total = live_progress(job)
        return jsonify(status=job.status, status_name=_(JOB_STATUS[job.status]), done=done,
                       total=total, percent=percent(job.status, done, total), message=job.message,
                       ready=job.status == "done" and bool(job.file_path))

    @expose("/<int:job_id>/download")
    @has_access
    def download(self, job_id):
        job = _own_job(job_id)
        if job.status != "done" or not job.file_path:
            abort(404)
        return send_file(job.file_path, as_attachment=True, download_name=job.file_name)
