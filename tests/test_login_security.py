"""Login security through real HTTP: the login log, per-name lockout and unlock, the per-address
rate limit, the password policy on every path that sets a password, and the idle timeout."""
import datetime
import time

import pytest
from sqlalchemy import select

from app.auth.passwords import PasswordPolicyError
from app.models import LoginEvent, LoginLock
from app.roles import ENTRY
from tests.conftest import PASSWORD, Browser, make_user, signed_in

WRONG = "Wrong-Passw0rd"
STRONG = "Neues-Passw0rt9"


def _events(db, **by):
    return db.session.scalars(select(LoginEvent).filter_by(**by).order_by(LoginEvent.id)).all()


def _client(app, address="127.0.0.1") -> Browser:
    return signed_in(app, REMOTE_ADDR=address, HTTP_USER_AGENT="TestBrowser/1.0")


def _login(client: Browser, username, password=PASSWORD):
    return client.login(username, password)


def _flashes(client: Browser) -> str:
    return client.get("/login/").get_data(as_text=True)


# -- login log ---------------------------------------------------------------------------------
def test_login_log_has_success_failure_unknown_name_and_logout(app, db, tree):
    clerk = make_user(app, "clerk", tree["120110001001"], ENTRY)
    client = _client(app, "10.20.30.40")
    assert _login(client, "clerk", WRONG).status_code == 302
    assert _login(client, "nobody", WRONG).status_code == 302
    assert _login(client, "clerk").headers["Location"] == "/"
    client.get("/logout/")
    rows = [(e.kind, e.username, e.user_id, e.detail) for e in _events(db)]
    assert rows == [("failed", "clerk", clerk.id, "密码错误"),
                    ("failed", "nobody", None, "用户名不存在"),
                    ("login", "clerk", clerk.id, None),
                    ("logout", "clerk", clerk.id, None)]
    for event in _events(db):
        assert (event.address, event.user_agent) == ("10.20.30.40", "TestBrowser/1.0")
    assert {e.organisation_id for e in _events(db, username="clerk")} == {clerk.organisation_id}


def test_login_log_screen_is_scoped_and_filterable(app, db, tree, browser):
    make_user(app, "clerk_a", tree["120110001001"], ENTRY)
    make_user(app, "clerk_b", tree["120110002001"], ENTRY)
    make_user(app, "admin1")
    for name in ("clerk_a", "clerk_b", "ghost"):
        _login(_client(app), name, WRONG)
    own = browser("clerk_a").get("/logineventview/list/").get_data(as_text=True)
    assert "clerk_a" in own and "clerk_b" not in own and "ghost" not in own
    admin = browser("admin1")
    everything = admin.get("/logineventview/list/").get_data(as_text=True)
    assert all(name in everything for name in ("clerk_a", "clerk_b", "ghost", "登录失败"))
    only_logins = admin.get("/logineventview/list/?_flt_0_kind=login").get_data(as_text=True)
    assert "admin1" in only_logins and "ghost" not in only_logins
    foreign = _events(db, username="clerk_b")[0]
    assert browser("clerk_a").get(f"/logineventview/show/{foreign.id}").status_code == 404


def test_login_log_is_read_only(app, db, tree, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    event = _events(db, username="admin1")[0]
    assert "/logineventview/add" not in b.get("/logineventview/list/").get_data(as_text=True)
    assert b.get("/logineventview/add").status_code == 403
    b.submit("/users/add", {}, post_url=f"/logineventview/delete/{event.id}")
    assert db.session.get(LoginEvent, event.id) is not None


# -- lockout -----------------------------------------------------------------------------------
def test_repeated_failures_lock_the_name_even_for_the_right_password(app, db, tree):
    make_user(app, "clerk", tree["120110001001"], ENTRY)
    client = _client(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, "clerk", WRONG)
    response = _login(client, "clerk")
    assert "/login" in response.headers["Location"]
    message = "账号已锁定：连续登录失败次数过多，请15分钟后再试，或联系管理员解锁。"
    assert message in _flashes(client)
    kinds = [(e.kind, e.detail) for e in _events(db, username="clerk")]
    assert kinds[-2][0] == "locked" and kinds[-1] == ("failed", "账号已锁定")


def test_admin_unlocks_from_the_user_list(app, db, tree, browser):
    clerk = make_user(app, "clerk", tree["120110001001"], ENTRY)
    make_user(app, "admin1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(_client(app), "clerk", WRONG)
    admin = browser("admin1")
    page = admin.submit("/users/add", {"action": "unlock_login", "rowid": str(clerk.id)},
                        post_url="/users/action_post", follow_redirects=True)
    assert "已解除 1 个账号的登录锁定。" in page.get_data(as_text=True)
    assert db.session.get(LoginLock, "clerk") is None
    assert _login(_client(app), "clerk").headers["Location"] == "/"
    assert _events(db, kind="unlocked")[0].detail == "由admin1解除锁定"


def test_unknown_names_are_locked_alike_and_locks_expire(app, db):
    client = _client(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        _login(client, "ghost", WRONG)
    assert "账号已锁定" in _flashes(client)  # same answer as for a real account
    lock = db.session.get(LoginLock, "ghost")
    lock.locked_until = lock.last_failure = datetime.datetime.now() - datetime.timedelta(seconds=1)
    db.session.commit()  # as if the lock period had passed
    _login(client, "ghost", WRONG)
    assert "用户名或密码错误，请重试。" in _flashes(client)
    assert db.session.get(LoginLock, "ghost").failures == 1  # counting starts again


def test_failures_are_counted_per_account_whichever_login_name_is_typed(app, db, tree):
    make_user(app, "clerk", tree["120110001001"], ENTRY)
    client = _client(app)
    for name in ("clerk", "CLERK", "clerk@example.test", "Clerk", "clerk"):
        _login(client, name, WRONG)
    assert db.session.get(LoginLock, "clerk").locked_until is not None


# -- rate limit (per address) ------------------------------------------------------------------
@pytest.fixture
def low_rate_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "3 per minute")
    yield
    app.appbuilder.sm.limiter.reset()


def test_login_posts_are_rate_limited_per_address(app, db, low_rate_limit):
    attacker = _client(app, "10.9.9.9")
    answers = [_login(attacker, f"name{i}", WRONG).status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]
    refused = _login(attacker, "name9", WRONG)
    assert refused.status_code == 429
    assert "尝试过于频繁，请稍后再试。" in refused.get_data(as_text=True)
    assert _login(_client(app, "10.9.9.10"), "other", WRONG).status_code == 302
    assert not _events(db, username="name9")  # refused before any password check


# -- password policy ---------------------------------------------------------------------------
POLICY = "密码不符合要求"


def _user_form(app, username, password):
    role = app.appbuilder.sm.find_role(ENTRY)
    return {"first_name": "新", "last_name": "人", "username": username, "active": "y",
            "email": f"{username}@example.test", "roles": str(role.id),
            "password": password, "conf_password": password}


@pytest.mark.parametrize("password, fault", [
    ("short1A", "长度至少10位"), ("lettersonlyhere", "须同时包含字母和数字"),
    ("1234567890123", "须同时包含字母和数字"), ("newbie2024xyz", "不能包含用户名"),
])
def test_user_add_form_refuses_weak_passwords(app, db, browser, password, fault):
    make_user(app, "admin1")
    html = browser("admin1").submit("/users/add", _user_form(app, "newbie", password))
    assert POLICY in html.get_data(as_text=True) and fault in html.get_data(as_text=True)
    assert app.appbuilder.sm.find_user(username="newbie") is None


def test_user_add_form_accepts_a_strong_password(app, db, browser):
    make_user(app, "admin1")
    response = browser("admin1").submit("/users/add", _user_form(app, "newbie", STRONG))
    assert response.status_code == 302
    assert _login(_client(app), "newbie", STRONG).headers["Location"] == "/"


def test_admin_and_own_password_reset_forms_apply_the_policy(app, db, browser):
    clerk = make_user(app, "clerk")
    make_user(app, "admin1")
    admin = browser("admin1")
    form = f"/resetpassword/form?pk={clerk.id}"
    page = admin.get(form).get_data(as_text=True)
    assert "至少10位，须同时包含字母和数字" in page and "不会检查" not in page
    weak = admin.submit(form, {"password": "clerk12345678", "conf_password": "clerk12345678"})
    assert "不能包含用户名" in weak.get_data(as_text=True)
    assert admin.submit(form, {"password": STRONG, "conf_password": STRONG}).status_code == 302
    assert _login(_client(app), "clerk", STRONG).headers["Location"] == "/"
    own = browser("admin1")
    weak = own.submit("/resetmypassword/form", {"password": "abc", "conf_password": "abc"})
    assert "长度至少10位" in weak.get_data(as_text=True)
    assert _login(_client(app), "admin1").headers["Location"] == "/"  # unchanged


def test_command_line_refuses_weak_passwords(app, db):
    from flask_appbuilder.cli import fab

    runner = app.test_cli_runner()
    admin = ["create-admin", "--username", "boss", "--firstname", "a", "--lastname", "b",
             "--email", "b@x.test", "--password"]
    result = runner.invoke(fab, admin + ["123"])
    assert result.exit_code == 1 and POLICY in result.output
    assert app.appbuilder.sm.find_user(username="boss") is None
    result = runner.invoke(fab, admin + [STRONG])
    assert result.exit_code == 0 and app.appbuilder.sm.find_user(username="boss")
    result = runner.invoke(fab, ["reset-password", "--username", "boss",
                                 "--password", "boss-is-123456"])
    assert result.exit_code == 1 and "不能包含用户名" in result.output


def test_ensure_admin_refuses_a_weak_admin_password_and_generates_a_valid_one(app, db):
    from app.reference import ensure_admin

    with pytest.raises(PasswordPolicyError, match="环境变量 ADMIN_PASSWORD 的密码不符合要求"):
        ensure_admin("admin")
    assert app.appbuilder.sm.count_users() == 0
    message = ensure_admin(None)
    password = message.split("密码 ")[1].split("（")[0]
    assert _login(_client(app), "admin", password).headers["Location"] == "/"


def test_security_manager_refuses_weak_passwords_from_scripts(app, db):
    sm = app.appbuilder.sm
    with pytest.raises(PasswordPolicyError):
        sm.add_user("script", "a", "b", "s@x.test", sm.find_role(ENTRY), password="password")
    user = sm.add_user("script", "a", "b", "s@x.test", sm.find_role(ENTRY), password=STRONG)
    with pytest.raises(PasswordPolicyError):
        sm.reset_password(user.id, "Script-1234567")


# -- idle timeout ------------------------------------------------------------------------------
def test_idle_session_is_ended_and_logged(app, db, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    assert b.get("/residentview/list/").status_code == 200
    with b.client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    response = b.get("/residentview/list/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert "长时间未操作，已自动退出，请重新登录。" in b.get("/login/").get_data(as_text=True)
    assert b.get("/residentview/list/").status_code == 302  # no longer signed in
    assert _events(db, kind="logout")[0].detail == "长时间未操作，自动退出"


def test_active_session_is_kept(app, db, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    with b.client.session_transaction() as session:
        session["last_seen"] = time.time() - app.config["SESSION_IDLE_MINUTES"] * 60 + 30
    assert b.get("/residentview/list/").status_code == 200  # 30 seconds to spare
    with b.client.session_transaction() as session:
        assert session["last_seen"] > time.time() - 5  # each request restarts the idle clock
        assert session.permanent  # the cookie itself expires after the idle time too


def test_command_line_unlock(app, db, tree):
    make_user(app, "admin1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(_client(app), "admin1", WRONG)
    runner = app.test_cli_runner()
    assert "已解除 admin1 的登录锁定" in runner.invoke(args=["users", "unlock", "admin1"]).output
    assert _login(_client(app), "admin1").headers["Location"] == "/"
    assert runner.invoke(args=["users", "unlock", "nobody"]).exit_code == 1
