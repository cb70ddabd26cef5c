"""Signed-in sessions: the log of logins and logouts, the idle timeout (FAB_NOTES hazard 22) and
the second-factor gate.

After the password, an account that has a second factor (or must have one) reaches no page but
the second-factor pages and logout until it passes; the login is logged only then.
"""
import time

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in, user_logged_out

from . import loginlog, totp

PENDING = "second_factor"  # session key: 'verify' or 'enrol' while the second factor is due
LAST_SEEN = "last_seen"
_OPEN_ENDPOINTS = {"static", "appbuilder.static"}
_PENDING_ENDPOINTS = {"TwoFactorView.verify", "TwoFactorView.enrol"}


def _on_login(_app, user) -> None:
    session.permanent = True  # the cookie expires too (PERMANENT_SESSION_LIFETIME)
    session[LAST_SEEN] = time.time()
    step = totp.step_at_login(user)
    if step:
        session[PENDING] = step
    else:
        session.pop(PENDING, None)
        loginlog.record("login", user.username, user)


def complete_second_factor(user, detail: str) -> None:
    """The outstanding second factor is passed: the login is complete (and logged)."""
    if session.pop(PENDING, None):
        loginlog.record("login", user.username, user, detail)


def _on_logout(_app, user) -> None:
    if session.pop(PENDING, None) is None:  # a login never completed has no logout
        loginlog.record("logout", user.username, user, g.pop("logout_reason", None))


def _refuse(message: str, status: int, target: str):
    if request.path.startswith("/api/"):
        return jsonify(message=message), status
    flash(message, "warning")
    return redirect(target)


def _idle_too_long() -> bool:
    last = session.get(LAST_SEEN)
    limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    return last is not None and time.time() - last > limit


def _end_idle_session():
    g.logout_reason = "长时间未操作，自动退出"
    logout_user()
    session.clear()
    return _refuse("长时间未操作，已自动退出，请重新登录。", 401,
                   current_app.appbuilder.get_url_for_login_with(request.full_path.rstrip("?")))


def guard_session():
    """before_request: end idle sessions; hold a session whose second factor is outstanding."""
    if request.endpoint in _OPEN_ENDPOINTS or not current_user.is_authenticated:
        return None
    if _idle_too_long():
        return _end_idle_session()
    session[LAST_SEEN] = time.time()
    step = session.get(PENDING)
    logout = f"{current_app.appbuilder.sm.auth_view.endpoint}.logout"
    if step and request.endpoint not in _PENDING_ENDPOINTS | {logout}:
        return _refuse("请先完成两步验证。", 401,
                       url_for(f"TwoFactorView.{step}", next=request.full_path.rstrip("?")))
    return None


def install(app) -> None:
    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
    app.before_request(guard_session)
