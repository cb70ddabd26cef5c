"""The production shape (issue 8): health check, gunicorn settings, workers that do not sync
permissions, Redis-shared login rate limits and job progress, list counts, filters, indexes.

Processes started here (gunicorn, a second app instance) are real ones on this machine; Redis
tests use database 13 of 127.0.0.1:6379 and skip when Redis is not running."""
import json
import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from sqlalchemy import delete, inspect, select

from tests.conftest import make_user
from tests.factories import household, resident

REPO = Path(__file__).resolve().parents[1]
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379: the shared-state tests need it")
    client.flushdb()
    return client


def run_app_process(code: str, **env) -> str:
    """Run ``code`` in another Python process holding its own app instance (as a second worker
    does); returns its standard output."""
    prelude = ("import sys; sys.path.insert(0, %r)\nfrom app import create_app\n" % str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=REPO, capture_output=True, text=True,
        timeout=120, env={**os.environ, "TOTP_ENFORCE": "0", **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# -- /health ------------------------------------------------------------------------------------
def test_health_answers_ok_without_login(app, db):
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_when_the_database_is_unreachable(app, db):
    # A second app instance whose database cannot be reached (nothing listens on port 9).
    out = run_app_process(
        "client = create_app().test_client()\n"
        "r = client.get('/health')\n"
        "print(r.status_code, r.get_data(as_text=True))",
        DATABASE_URL="postgresql://nobody:secret-word@127.0.0.1:9/none")
    status, body = out.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable"}
    assert "secret-word" not in body and "127.0.0.1" not in body


# -- gunicorn ---------------------------------------------------------------------------------
def test_serve_settings_load_from_the_environment(monkeypatch):
    monkeypatch.setenv("BIND", "127.0.0.1:9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:9123"
    assert settings["workers"] == 3
    assert settings["worker_class"] == "sync"
    assert settings["wsgi_app"] == "app:create_app()"
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert runpy.run_path(str(REPO / "gunicorn.conf.py"))["workers"] > 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _drop_permission(db, view_name: str, permission_name: str) -> None:
    from flask_appbuilder.security.sqla.models import (Permission, PermissionView, ViewMenu,
                                                       assoc_permissionview_role)

    pv = db.session.scalar(select(PermissionView).join(Permission).join(ViewMenu).where(
        ViewMenu.name == view_name, Permission.name == permission_name))
    db.session.execute(delete(assoc_permissionview_role).where(
        assoc_permissionview_role.c.permission_view_id == pv.id))
    db.session.delete(pv)
    db.session.commit()


def _has_permission(db, view_name: str, permission_name: str) -> bool:
    from flask_appbuilder.security.sqla.models import Permission, PermissionView, ViewMenu

    db.session.rollback()
    return db.session.scalar(select(PermissionView.id).join(Permission).join(ViewMenu).where(
        ViewMenu.name == view_name, Permission.name == permission_name)) is not None


def test_gunicorn_workers_serve_and_do_not_sync_permissions(app, db):
    """make serve's gunicorn starts several workers on the configured database; a permission
    missing at start stays missing (workers never sync: only `flask setup` does)."""
    from app.cli import prepare_database

    _drop_permission(db, "Job", "can_read")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "ACCESS_LOG": "/dev/null"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                               "gunicorn.conf.py"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        answers = []
        for _ in range(120):
            try:
                with urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    answers.append((response.status, json.load(response)))
                if len(answers) == 4:
                    break
            except OSError:
                time.sleep(0.5)
        assert answers and all(a == (200, {"status": "ok", "database": "ok"}) for a in answers)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[1]
    assert log.count("Booting worker") == 2, log[-2000:]
    assert not _has_permission(db, "Job", "can_read")
    prepare_database()  # what a deploy runs: the permission is back
    assert _has_permission(db, "Job", "can_read")


# -- Redis-shared state -------------------------------------------------------------------------
LOGIN_ATTEMPTS = """
import re
client = create_app().test_client()
codes = []
for _ in range({n}):
    page = client.get('/login/').get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    codes.append(client.post('/login/', data={{'username': 'nobody', 'password': 'wrong',
                                               'csrf_token': token}}).status_code)
print(' '.join(map(str, codes)))
"""


def test_login_rate_limit_is_shared_by_two_app_instances_through_redis(app, db):
    """Two processes (two workers) with REDIS_URL: the limit of 3 login POSTs a minute per
    address is counted across both."""
    redis_or_skip()
    env = {"REDIS_URL": REDIS_TEST_URL, "AUTH_RATE_LIMIT": "3 per minute",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "INSTANCE_DIR": os.environ["INSTANCE_DIR"]}
    first = run_app_process(LOGIN_ATTEMPTS.format(n=2), **env).split()
    second = run_app_process(LOGIN_ATTEMPTS.format(n=2), **env).split()
    assert "429" not in first
    assert second[0] != "429" and second[1] == "429"


def test_job_progress_goes_through_redis_when_configured(app, db, tree):
    from app.extensions import db as _db
    from app.jobs import JobHandle, live_progress, jobs_dir
    from app.models import Job

    client = redis_or_skip()
    job = Job(kind="export", title="测试", status="running")
    _db.session.add(job)
    _db.session.commit()
    app.config["REDIS_URL"] = REDIS_TEST_URL
    try:
        JobHandle(job.id, jobs_dir()).progress(40, 100)
        _db.session.refresh(job)
        assert (job.done, job.total) == (0, 0)  # the row is not written on every step
        assert client.hgetall(f"community:job:{job.id}:progress") == {b"done": b"40",
                                                                      b"total": b"100"}
        assert live_progress(job) == (40, 100)  # what any worker's progress bar reads
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop("redis", None)
    assert live_progress(job) == (0, 0)


# -- list counts ----------------------------------------------------------------------------------
def _residents(db, community, names):
    house = household(db, community, no="H900")
    return [resident(db, house, name=name, relation="02" if i == 0 else "20")
            for i, name in enumerate(names)]


def test_large_unfiltered_list_shows_a_marked_estimate_and_filtered_lists_are_exact(
        app, db, tree, login_as):
    from app.stats import refresh_stats

    community = tree["120110001001"]
    _residents(db, community, ["甲一", "甲二", "甲三", "甲四", "甲五", "甲六", "甲七", "甲八"])
    refresh_stats()
    db.session.commit()
    make_user(app, "count_admin")
    app.config["LIST_COUNT_ESTIMATE_THRESHOLD"] = 5
    try:
        browser = login_as("count_admin")
        page = browser.get("/residentview/list/").get_data(as_text=True)
        assert "约 8 条" in page
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ResidentView")
        from flask_appbuilder.models.sqla.filters import FilterEqual
        index = next(i for i, f in enumerate(view._filters._all_filters["name"])
                     if type(f) is FilterEqual)
        page = browser.get(f"/residentview/list/?_flt_{index}_name=甲三").get_data(as_text=True)
        assert "约" not in page.split("记录数")[1][:200]
        assert "甲三" in page and "甲四" not in page
    finally:
        app.config["LIST_COUNT_ESTIMATE_THRESHOLD"] = 10000
    page = browser.get("/residentview/list/").get_data(as_text=True)
    assert "约 8 条" not in page  # under the threshold: exact
    assert "8" in page.split("记录数")[1][:200]


# -- filters ------------------------------------------------------------------------------------------
def _filter_url(app, column: str, filter_class, value: str) -> str:
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ResidentView")
    index = next(i for i, f in enumerate(view._filters._all_filters[column])
                 if isinstance(f, filter_class))
    return f"/residentview/list/?{urlencode({f'_flt_{index}_{column}': value})}"


def test_text_filters_match_percent_and_underscore_literally(app, db, tree, login_as):
    from flask_appbuilder.models.sqla.filters import FilterContains, FilterStartsWith

    _residents(db, tree["120110001001"], ["王_明", "王小明", "李%华", "李大华"])
    make_user(app, "filter_admin")
    browser = login_as("filter_admin")
    page = browser.get(_filter_url(app, "name", FilterContains, "_")).get_data(as_text=True)
    assert "王_明" in page and "王小明" not in page
    page = browser.get(_filter_url(app, "name", FilterStartsWith, "李%")).get_data(as_text=True)
    assert "李%华" in page and "李大华" not in page


def test_id_numbers_filter_by_equality_and_prefix_range(app, db, tree, login_as):
    from flask_appbuilder.models.sqla.filters import FilterEqual, FilterStartsWith

    from app.views.textfilters import IDENTIFIER_FILTERS

    people = _residents(db, tree["120110001001"], ["赵一", "赵二"])
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "ResidentView")
    offered = view._filters._all_filters["id_card_no"]
    assert len(offered) == len(IDENTIFIER_FILTERS)
    assert all(isinstance(f, kind) for f, kind in zip(offered, IDENTIFIER_FILTERS))
    make_user(app, "id_admin")
    browser = login_as("id_admin")
    number = people[1].id_card_no
    page = browser.get(_filter_url(app, "id_card_no", FilterEqual, number.lower() + " "))
    assert "赵二" in page.get_data(as_text=True) and "赵一" not in page.get_data(as_text=True)
    page = browser.get(_filter_url(app, "id_card_no", FilterStartsWith, number[:17]))
    assert "赵二" in page.get_data(as_text=True) and "赵一" not in page.get_data(as_text=True)
    page = browser.get(_filter_url(app, "id_card_no", FilterStartsWith, number[:6]))
    assert "赵一" in page.get_data(as_text=True) and "赵二" in page.get_data(as_text=True)


# -- indexes --------------------------------------------------------------------------------------------
def test_list_indexes_exist_after_migrating(app, db):
    from app.db import DATABASE_SPECIFIC_INDEXES

    inspector = inspect(db.engine)
    names = {table: {i["name"] for i in inspector.get_indexes(table)}
             for table in ("resident", "household", "organisation")}
    assert {"ix_resident_community_name", "ix_resident_community_id_id",
            "ix_resident_community_status", "ix_resident_id_card_no", "ix_resident_name",
            "ix_resident_household_id"} <= names["resident"]
    assert {"ix_household_community_status", "ix_household_household_no"} <= names["household"]
    assert "ix_organisation_path" in names["organisation"]
    everything = set().union(*names.values())
    if db.engine.dialect.name == "postgresql":
        assert {"ix_organisation_path_pattern", "ix_household_household_no_pattern"} <= everything
        with db.engine.connect() as conn:
            trigram = conn.exec_driver_sql(
                "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").scalar()
        assert ("ix_resident_name_trgm" in everything) == bool(trigram)
    else:
        assert not DATABASE_SPECIFIC_INDEXES & everything
