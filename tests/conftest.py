"""Test fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
migrated from empty exactly as `flask setup` does, and a small organisation tree with accounts.

Nothing of our own is mocked: requests go through the Flask test client with CSRF on.
"""
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

pytest_plugins = ["tests.live"]  # browser fixtures: live_server, page (tests/live.py)

_TMP = tempfile.mkdtemp(prefix="community-tests-")  # removed at session end (pytest_sessionfinish)
os.environ.setdefault("INSTANCE_DIR", _TMP)
os.environ.setdefault("SECRET_KEY", "tests-only-secret")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PASSWORD = "Test-Passw0rd!"
# The suite logs in often from one address: a high login rate limit, and the second factor only
# where a test switches it on (tests/test_login_security.py and test_totp.py lower / enable them).
# Password hashes: cheap PBKDF2 instead of scrypt (0.4 s per hash and per login on CI's machine);
# no test is about hash strength.
FAST_HASH = "pbkdf2:sha256:1000"
TEST_CONFIG = {"TESTING": True, "AUTH_RATE_LIMIT": "10000 per second", "TOTP_ENFORCE": False,
               "FAB_PASSWORD_HASH_METHOD": FAST_HASH,
               "AUTH_DB_FAKE_PASSWORD_HASH_CHECK": generate_password_hash("x", FAST_HASH)}

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
    from app.i18n import compile_catalogues

    compile_catalogues()  # .mo files are not in git
    url = database_url()
    _drop_everything(url)
    application = create_app({"SQLALCHEMY_DATABASE_URI": url, **TEST_CONFIG})
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
    # End the test session's own transaction first: on PostgreSQL its read locks would make the
    # TRUNCATE below (on another connection) wait for ever.
    _db.session.rollback()
    with _db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in tables:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
            # PRAGMA foreign_keys is ignored inside a transaction: switch it back on after the
            # commit, or this pooled connection keeps foreign keys off for later tests.
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


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


FAR_TREE = [("120111000000", "西青区"), ("120111001000", "外街道"), ("120111001001", "外社区")]


@pytest.fixture
def wide_tree(tree, db):
    """``tree`` plus a second district (西青区 > 外街道 > 外社区), outside every 东丽区
    account's scope."""
    from app.models import Organisation
    from app.orgimport import import_organisations

    import_organisations(["code", "name"], [list(row) for row in FAR_TREE])
    return {o.code: o for o in db.session.query(Organisation)}


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
    """A logged-in test client that posts forms the way a browser does (CSRF token included).

    Each request runs in an app context of its own, as in a server: otherwise requests made while
    the ``db`` fixture's context is open share its ``g`` — the logged-in user and the cached data
    scope of one browser would leak into the next browser's requests."""

    def __init__(self, client):
        self.client = client

    def request(self, method: str, url: str, **kw):
        """One request in its own app context, as in production: nothing on ``g`` (the signed-in
        user, cached scope) carries over from the test's app context or an earlier request."""
        with self.client.application.app_context():
            return self.client.open(url, method=method, **kw)

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.get("/login/").get_data(as_text=True))
        return self.post("/login/", data={"username": username, "password": password,
                                          "csrf_token": token})

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def submit(self, form_url: str, data: dict, post_url: str | None = None, **kw):
        token = csrf_token(self.get(form_url).get_data(as_text=True))
        return self.post(post_url or form_url, data={**data, "csrf_token": token}, **kw)


def signed_in(app, username: str | None = None, **environ) -> Browser:
    """A new ``Browser`` (its own cookies; ``environ`` e.g. REMOTE_ADDR), logged in as
    ``username`` when given."""
    b = Browser(app.test_client())
    b.client.environ_base.update(environ)
    if username:
        response = b.login(username)
        assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return b


@pytest.fixture
def browser(app):
    """``browser(username=None)``: a ``Browser``, logged in when a name is given. Commit before
    requesting; expire the test's session before reading the requests' writes."""
    return lambda username=None: signed_in(app, username)


@pytest.fixture
def login_as(browser):
    """The same as ``browser``, for tests that read better with it."""
    return browser


def pytest_sessionfinish(session, exitstatus):
    """The temp instance directory (SQLite database, uploads, secret files) goes with the run."""
    shutil.rmtree(_TMP, ignore_errors=True)
