"""Test fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
migrated from empty exactly as `flask setup` does, and a small organisation tree with accounts.

Nothing of our own is mocked: requests go through the Flask test client with CSRF on.
"""
import os
import re
import tempfile
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

_TMP = tempfile.mkdtemp(prefix="community-tests-")
os.environ.setdefault("INSTANCE_DIR", _TMP)
os.environ.setdefault("SECRET_KEY", "tests-only-secret")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PASSWORD = "Test-Passw0rd!"

# FAB's permission tables and the seeded code tables survive between tests; the rest is wiped.
KEEP_TABLES = {"alembic_version", "ab_permission", "ab_view_menu", "ab_permission_view",
               "ab_permission_view_role", "ab_role", "code_item", "post"}


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"../shared/data/{name} not present: reference data lives outside the repo")
    return path


def database_url() -> str:
    """PostgreSQL when TEST_DATABASE_URL is set (its schema is dropped!), else a temp SQLite file."""
    from config import database_url as normalise

    return normalise(os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.sqlite")


def _drop_everything(url: str) -> None:
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///") and os.path.exists(url[len("sqlite:///"):]):
        os.remove(url[len("sqlite:///"):])


@pytest.fixture(scope="session")
def app():
    from app import create_app
    from app.cli import prepare_database

    url = database_url()
    _drop_everything(url)
    application = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with application.app_context():
        prepare_database()
    yield application


@pytest.fixture
def db(app):
    """The session, inside an app context, on a database emptied of all but reference data."""
    from app.extensions import db as _db

    with app.app_context():
        wipe_data(_db)
        yield _db
        _db.session.rollback()


def wipe_data(_db) -> None:
    from flask_appbuilder import Model
    from sqlalchemy import text

    tables = [t.name for t in Model.metadata.sorted_tables if t.name not in KEEP_TABLES]
    conn = _db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for name in tables:
            conn.exec_driver_sql(f'DELETE FROM "{name}"')
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    _db.session.commit()


# -- a small tree: 天津市 > 东丽区 > 2 streets > 2 communities each ----------------------------------
TREE = [
    ("120000000000", "天津市"), ("120100000000", "市辖区"), ("120110000000", "东丽区"),
    ("120110001000", "张贵庄街道"), ("120110001001", "甲社区"), ("120110001002", "乙社区"),
    ("120110002000", "丰年村街道"), ("120110002001", "丙社区"), ("120110002002", "丁社区"),
]


@pytest.fixture
def tree(db):
    """Organisations by code, plus accounts: admin, district, street, and one per community."""
    from app.models import Organisation
    from app.orgimport import import_organisations

    import_organisations(["code", "name"], [list(row) for row in TREE])
    orgs = {o.code: o for o in db.session.query(Organisation)}
    return orgs


def make_user(app, username: str, org=None, role_name: str | None = None):
    sm = app.appbuilder.sm
    role = sm.find_role(role_name or app.config["AUTH_ROLE_ADMIN"])
    user = sm.add_user(username, username, "测试", f"{username}@example.test", role,
                       password=PASSWORD)
    assert user, f"could not create {username}"
    if org is not None:
        user.organisation_id = org.id
        sm.session.commit()
    return user


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no csrf_token in page"
    return match.group(1)


class Browser:
    """A logged-in test client that posts forms the way a browser does (CSRF token included)."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.client.get("/login/").get_data(as_text=True))
        return self.client.post("/login/", data={"username": username, "password": password,
                                                 "csrf_token": token})

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def submit(self, form_url: str, data: dict, post_url: str | None = None, **kw):
        token = csrf_token(self.client.get(form_url).get_data(as_text=True))
        return self.client.post(post_url or form_url, data={**data, "csrf_token": token}, **kw)


class IsolatedClient(FlaskClient):
    """Requests run inside the test's app context (so they share its session), but each starts
    with an empty ``g``, as in production: the logged-in user and the cached scope of one
    browser must not leak into another's requests."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def browser(app):
    def _browser(username: str | None = None) -> Browser:
        b = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
        if username:
            response = b.login(username)
            assert response.status_code == 302 and "/login" not in response.headers["Location"]
        return b

    return _browser
