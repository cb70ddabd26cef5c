"""Run long exports and imports in a background thread; state and result live in the Job row.
Progress goes to Redis when REDIS_URL is set (frequent updates, read by whichever worker serves
the progress bar), else to the Job row; the final counts are written to the row at the end.

``submit(kind, title, work, **kwargs)`` returns the job id at once. ``work(job, **kwargs)`` runs in
its own app context and session; it calls ``job.progress(done, total)`` now and then and returns
``(file_path, file_name, message)`` (file may be None). Files go to INSTANCE_DIR/jobs.
"""
import datetime
import threading
import traceback
from pathlib import Path

from flask import current_app, g

from . import audit
from .extensions import db
from .models import Job
from .shared_state import redis_client


class JobHandle:
    """What the work function sees of its job."""

    def __init__(self, job_id: int, directory: Path):
        self.id = job_id
        self.directory = directory

    def progress(self, done: int, total: int | None = None) -> None:
        values = {"done": done} if total is None else {"done": done, "total": total}
        redis = redis_client()
        if redis is not None:
            redis.hset(progress_key(self.id), mapping=values)
            redis.expire(progress_key(self.id), PROGRESS_TTL)
            return
        job = db.session.get(Job, self.id)
        for key, value in values.items():
            setattr(job, key, value)
        db.session.commit()


PROGRESS_TTL = 2 * 86400  # seconds a job's progress stays in Redis


def progress_key(job_id: int) -> str:
    return f"community:job:{job_id}:progress"


def live_progress(job: Job) -> tuple[int, int]:
    """(done, total) of a job: from Redis while it is kept there, else from the row."""
    redis = redis_client()
    kept = redis.hgetall(progress_key(job.id)) if redis is not None else {}
    return int(kept.get("done", job.done)), int(kept.get("total", job.total))


def percent(status: str, done: int, total: int) -> int:
    return 100 if status == "done" else int(100 * done / total) if total else 0


def jobs_dir() -> Path:
    from config import INSTANCE_DIR

    path = Path(current_app.config.get("JOBS_DIR") or INSTANCE_DIR / "jobs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def submit(kind: str, title: str, work, **kwargs) -> int:
    user = getattr(g, "user", None)
    job = Job(kind=kind, title=title, user_id=getattr(user, "id", None), status="queued")
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    user_id = job.user_id
    # The job's changes are recorded as made by the submitting request (app.audit).
    origin = audit.origin()
    thread = threading.Thread(target=_run, args=(app, job.id, user_id, origin, work, kwargs),
                              name=f"job-{job.id}", daemon=True)
    thread.start()
    if app.config.get("JOBS_SYNCHRONOUS"):  # tests: wait so results can be read at once
        thread.join()
    return job.id


def _run(app, job_id: int, user_id, origin: dict, work, kwargs) -> None:
    with app.test_request_context():
        g.user = app.appbuilder.sm.get_user_by_id(user_id) if user_id else None
        g.audit_origin = origin
        handle = JobHandle(job_id, jobs_dir())
        _set(job_id, status="running")
        try:
            path, name, message = work(handle, **kwargs)
            done, total = live_progress(db.session.get(Job, job_id))
            _set(job_id, status="done", done=done, total=total, file_path=str(path) if path else None, file_name=name,
                 message=message, finished_on=datetime.datetime.now())
        except Exception:  # a job must always end in a visible state
            db.session.rollback()
            current_app.logger.error("job %s failed:\n%s", job_id, traceback.format_exc())
            _set(job_id, status="failed", message="任务失败：系统内部错误，请联系管理员。",
                 finished_on=datetime.datetime.now())
        finally:
            db.session.remove()


def _set(job_id: int, **values) -> None:
    job = db.session.get(Job, job_id)
    for key, value in values.items():
        setattr(job, key, value)
    db.session.commit()
