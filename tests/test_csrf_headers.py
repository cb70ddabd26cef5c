"""CSRF refusal on every kind of state-changing request, security headers on every response, and
cookie flags. FAB's own pages must still work under the content-security policy."""
import datetime
import io
import re

import pytest

from app.models import Household, LoginEvent, LoginLock
from app.roles import ENTRY
from tests.conftest import PASSWORD, make_user, signed_in
from tests.factories import household
from tests.live import log_in

CSRF_REFUSAL = "页面已过期或缺少安全令牌，操作未执行。请刷新页面后重试。"


@pytest.fixture
def admin(app, db, tree, browser):
    make_user(app, "admin1")
    return browser("admin1")


def _refused(response) -> bool:
    return response.status_code == 400 and CSRF_REFUSAL in response.get_data(as_text=True)


# -- CSRF --------------------------------------------------------------------------------------
def test_delete_by_get_is_refused(admin, db, tree):
    item = household(db, tree["120110001001"])
    response = admin.get(f"/householdview/delete/{item.id}")
    assert response.status_code == 302
    assert db.session.query(Household).count() == 1


def test_delete_by_post_needs_the_token(admin, db, tree):
    item = household(db, tree["120110001001"])
    assert _refused(admin.post(f"/householdview/delete/{item.id}"))
    assert db.session.query(Household).count() == 1
    admin.submit("/householdview/add", {}, post_url=f"/householdview/delete/{item.id}")
    assert db.session.query(Household).count() == 0  # the same request with the token works


def test_actions_need_the_token(app, admin, db, tree):
    clerk = make_user(app, "clerk", tree["120110001001"], ENTRY)
    now = datetime.datetime.now()
    db.session.add(LoginLock(username="clerk", failures=5, last_failure=now,
                             locked_until=now + datetime.timedelta(minutes=10)))
    db.session.commit()
    form = {"action": "unlock_login", "rowid": str(clerk.id)}
    assert _refused(admin.post("/users/action_post", data=form))
    assert _refused(admin.post(f"/users/action/unlock_login/{clerk.id}"))
    assert _refused(admin.post("/residentview/action_post", data={"action": "x"}))
    assert db.session.get(LoginLock, "clerk") is not None


def test_form_uploads_need_the_token(admin, db, tree):
    data = {"household_no": "U1", "household_type": "1",
            "community": str(tree["120110001001"].id), "status": "active",
            "file": (io.BytesIO(b"household_no\nU2\n"), "households.csv")}
    response = admin.post("/householdview/add", data=data,
                                 content_type="multipart/form-data")
    assert _refused(response)
    assert db.session.query(Household).count() == 0


def test_login_needs_the_token(app, db):
    make_user(app, "admin1")
    client = signed_in(app)
    client.get("/login/")
    response = client.post("/login/", data={"username": "admin1", "password": PASSWORD})
    assert _refused(response)
    assert client.get("/residentview/list/").status_code == 302  # not signed in
    assert db.session.query(LoginEvent).filter_by(kind="login").count() == 0


def test_second_factor_pages_need_the_token(app, admin):
    assert _refused(admin.post("/totp/codes", data={"code": "123456"}))
    assert _refused(admin.post("/totp/enrol", data={"code": "123456"}))


# -- headers -----------------------------------------------------------------------------------
ALLOWED_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}


def _policy(response) -> dict:
    directives = [d.split() for d in response.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("url", ["/login/", "/residentview/list/", "/residentview/add",
                                 "/static/js/job.js", "/householdview/picker/?q=",
                                 "/no-such-page", "/householdview/delete/999"])
def test_every_response_carries_the_security_headers(admin, url):
    response = admin.get(url)
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and "'unsafe-inline'" not in policy["script-src"]
    for directive, sources in policy.items():  # no outside host anywhere
        assert all(s in ALLOWED_SOURCES or s.startswith("'nonce-") for s in sources), directive


def test_refusals_carry_the_headers_too(app, db):
    response = signed_in(app).post("/login/", data={})
    assert _refused(response) and "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("url", ["/residentview/list/", "/residentview/add", "/users/list/",
                                 "/logineventview/list/", "/totp/"])
def test_inline_scripts_carry_the_nonce_of_the_policy(admin, url):
    response = admin.get(url)
    nonce = _policy(response)["script-src"][1][len("'nonce-"):-1]
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    inline = [tag for tag in scripts if "src=" not in tag]
    assert all(f'nonce="{nonce}"' in tag for tag in inline)
    assert inline or not url.endswith("/list/")  # FAB's list pages do have inline scripts
    sources = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html)
    assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources)
    assert admin.get(url).headers["Content-Security-Policy"] != response.headers[
        "Content-Security-Policy"]  # a new nonce per response


def test_session_cookie_flags(app, db, monkeypatch):
    make_user(app, "admin1")
    b = signed_in(app)
    cookie = b.login("admin1").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = signed_in(app).get("/login/")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


# -- a real browser: FAB's pages run their scripts under the policy ------------------------------
@pytest.mark.browser
def test_fab_pages_work_under_the_policy(app, db, tree, page):
    make_user(app, "admin1")
    problems = []  # a blocked inline script reports a CSP error on the console
    page.on("console", lambda m: m.type == "error" and "404" not in m.text
            and problems.append(m.text))
    log_in(page, "admin1")
    for path in ("/residentview/list/", "/users/list/", "/logineventview/list/", "/totp/enrol"):
        page.goto(path)  # waits for the load event: every script has run
    page.goto("/residentview/add")
    select2_boxes = page.locator(".select2-container").count()
    page.goto("/swagger/v1")
    page.wait_for_selector(".opblock")  # Swagger UI fetched the spec and drew it
    assert problems == []
    assert select2_boxes > 0  # FAB's scripts ran
