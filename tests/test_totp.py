"""Second factor (TOTP) through real HTTP: enrolment with a QR code drawn by the panel, login with
a code, a wrong code, recovery codes (each once), the policy, and an admin's reset."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.models import LoginEvent, SecondFactor
from app.roles import DISTRICT, ENTRY
from tests.conftest import Browser, csrf_token, make_user, signed_in

@pytest.fixture
def enforced(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_ENFORCE", True)


def _login(app, username) -> Browser:
    return signed_in(app, username)


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The code of a later time step: each step's code is accepted once only."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _send_code(b: Browser, page: str, code: str):
    return b.submit(page, {"code": code})


def _enrol(b: Browser) -> tuple[str, list[str]]:
    """Enrol through the page; returns the secret shown for manual entry and the recovery codes."""
    html = b.get("/totp/enrol").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    page = _send_code(b, "/totp/enrol", _code(secret)).get_data(as_text=True)
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", page)
    assert len(codes) == 10
    return secret, codes


def _events(db, username):
    return [(e.kind, e.detail) for e in db.session.scalars(
        select(LoginEvent).filter_by(username=username).order_by(LoginEvent.id))]


def test_required_role_must_enrol_before_any_page(app, db, enforced):
    make_user(app, "admin1")
    b = _login(app, "admin1")
    blocked = b.get("/residentview/list/")
    assert blocked.status_code == 302 and "/totp/enrol" in blocked.headers["Location"]
    assert b.get("/api/v1/_openapi").status_code == 401
    html = b.get("/totp/enrol").get_data(as_text=True)
    assert "<svg" in html and "http://" not in html.split("<svg", 1)[1].split("</svg>")[0] \
        .replace("http://www.w3.org/2000/svg", "")
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    wrong = _send_code(b, "/totp/enrol", "000000").get_data(as_text=True)
    assert "验证码不正确" in wrong
    assert b.get("/residentview/list/").status_code == 302
    page = _send_code(b, "/totp/enrol", _code(secret)).get_data(as_text=True)
    assert "恢复码" in page and len(re.findall(r"<li>[a-z2-9]{5}-[a-z2-9]{5}</li>", page)) == 10
    assert b.get("/residentview/list/").status_code == 200
    assert _events(db, "admin1") == [("totp_on", None), ("login", "首次绑定两步验证")]


def test_secret_is_stored_encrypted_and_shown_on_no_screen(app, db, enforced):
    admin = make_user(app, "admin1")
    b = _login(app, "admin1")
    secret, _codes = _enrol(b)
    stored = db.session.get(SecondFactor, admin.id).secret
    assert secret not in stored and len(stored) > 60
    for page in (f"/users/show/{admin.id}", "/users/list/", "/totp/", "/users/userinfo/"):
        assert secret not in b.get(page).get_data(as_text=True)
    assert b.get("/totp/enrol").status_code == 302  # enrolled: the secret is never shown again


def test_login_with_a_code_and_a_wrong_code(app, db, enforced):
    make_user(app, "admin1")
    secret, _codes = _enrol(_login(app, "admin1"))
    b = _login(app, "admin1")
    assert "/totp/verify" in b.get("/residentview/list/").headers["Location"]
    wrong = _send_code(b, "/totp/verify", "123456").get_data(as_text=True)
    assert "验证码不正确" in wrong
    assert b.get("/residentview/list/").status_code == 302
    response = _send_code(b, "/totp/verify?next=/residentview/list/", _code(secret, 1))
    assert response.headers["Location"] == "/residentview/list/"
    assert b.get("/residentview/list/").status_code == 200
    assert ("failed", "两步验证码错误") in _events(db, "admin1")
    assert _events(db, "admin1")[-1] == ("login", "两步验证")


def test_a_code_is_accepted_once(app, db, enforced):
    make_user(app, "admin1")
    secret, _codes = _enrol(_login(app, "admin1"))
    code = _code(secret, 1)
    b = _login(app, "admin1")
    assert _send_code(b, "/totp/verify", code).headers["Location"] == "/"
    replay = _login(app, "admin1")
    assert "验证码不正确" in _send_code(replay, "/totp/verify", code).get_data(as_text=True)


def test_recovery_code_logs_in_once(app, db, enforced):
    make_user(app, "admin1")
    _secret, codes = _enrol(_login(app, "admin1"))
    b = _login(app, "admin1")
    assert _send_code(b, "/totp/verify", codes[3].upper()).status_code == 302
    assert b.get("/residentview/list/").status_code == 200
    assert _events(db, "admin1")[-1] == ("login", "使用恢复码登录（剩余9个）")
    again = _login(app, "admin1")
    assert "验证码不正确" in _send_code(again, "/totp/verify", codes[3]).get_data(as_text=True)
    assert again.get("/residentview/list/").status_code == 302


def test_wrong_codes_lock_the_account(app, db, enforced):
    make_user(app, "admin1")
    _enrol(_login(app, "admin1"))
    b = _login(app, "admin1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = _send_code(b, "/totp/verify", "000000")
    assert "/login/" in response.headers["Location"]
    assert "账号已锁定" in b.get("/login/").get_data(as_text=True)
    assert b.login("admin1").headers["Location"].startswith("/login/")


def _reader_role(app) -> str:
    """A role that reads residents (masked) and cannot export, as an admin may define one: every
    default role can now export (issue 4), and export requires a second factor."""
    sm = app.appbuilder.sm
    role = sm.add_role("只读居民")
    for permission, view in (("can_read", "Resident"), ("can_read", "TwoFactor")):
        sm.add_permission_role(role, sm.find_permission_view_menu(permission, view))
    return role.name


def test_optional_for_roles_without_sensitive_data_or_export(app, db, tree, enforced):
    make_user(app, "viewer", tree["120110000000"], _reader_role(app))
    b = _login(app, "viewer")
    assert b.get("/residentview/list/").status_code == 200
    assert "未启用" in b.get("/totp/").get_data(as_text=True)
    secret, _codes = _enrol(b)
    assert "已启用" in b.get("/totp/").get_data(as_text=True)
    again = _login(app, "viewer")  # once enrolled, the code is asked at every login
    assert "/totp/verify" in again.get("/residentview/list/").headers["Location"]


def test_roles_that_can_export_must_enrol(app, db, tree, enforced):
    """区级查看 sees masked data only, but can export lists: the policy asks a second factor."""
    make_user(app, "viewer", tree["120110000000"], DISTRICT)
    assert "/totp/enrol" in _login(app, "viewer").get("/").headers["Location"]


def test_roles_seeing_unmasked_data_must_enrol(app, db, tree, enforced):
    make_user(app, "clerk", tree["120110001001"], ENTRY)
    assert "/totp/enrol" in _login(app, "clerk").get("/").headers["Location"]


def test_policy_off_asks_nothing_of_unenrolled_accounts(app, db):
    make_user(app, "admin1")
    assert _login(app, "admin1").get("/residentview/list/").status_code == 200


def test_admin_resets_a_second_factor(app, db, tree, enforced):
    clerk = make_user(app, "clerk", tree["120110001001"], ENTRY)
    make_user(app, "admin1")
    _enrol(_login(app, "clerk"))
    admin = _login(app, "admin1")
    _enrol(admin)
    page = admin.submit("/users/add", {"action": "reset_second_factor", "rowid": str(clerk.id)},
                        post_url="/users/action_post", follow_redirects=True)
    assert "已重置 1 个账号的两步验证。" in page.get_data(as_text=True)
    assert db.session.get(SecondFactor, clerk.id) is None
    assert "/totp/enrol" in _login(app, "clerk").get("/").headers["Location"]
    assert ("totp_reset", "由admin1重置") in _events(db, "clerk")


def test_new_recovery_codes_need_a_current_code(app, db):
    make_user(app, "admin1")
    b = _login(app, "admin1")
    secret, old = _enrol(b)
    token = csrf_token(b.get("/totp/").get_data(as_text=True))
    refused = b.post("/totp/codes", data={"code": "000000", "csrf_token": token},
                            follow_redirects=True)
    assert "恢复码未更换" in refused.get_data(as_text=True)
    page = b.post("/totp/codes", data={"code": _code(secret, 1), "csrf_token": token})
    new = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    again = _login(app, "admin1")
    assert "验证码不正确" in _send_code(again, "/totp/verify", old[0]).get_data(as_text=True)
    assert _send_code(again, "/totp/verify", new[0]).status_code == 302


def test_password_login_still_needs_the_password(app, db, enforced):
    make_user(app, "admin1")
    b = signed_in(app)
    b.login("admin1", "Wrong-Passw0rd")
    assert b.get("/totp/verify").headers["Location"] == "/"
    assert b.get("/totp/enrol").headers["Location"].startswith("/login/")


def test_command_line_reset(app, db, enforced):
    make_user(app, "admin1")
    _enrol(_login(app, "admin1"))
    result = app.test_cli_runner().invoke(args=["users", "reset-totp", "admin1"])
    assert "已重置 admin1 的两步验证" in result.output
    assert "/totp/enrol" in _login(app, "admin1").get("/").headers["Location"]
