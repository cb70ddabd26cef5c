"""Screens of login security: the login (FAB's, with lock messages), the second-factor pages,
and the admins' unlock / reset-second-factor actions on the user list (the login log's screen is
app/views/loginlog.py)."""
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.utils.limit import Limit
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import LazyString
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..roles import STAFF
from ..scope import UNRESTRICTED, current_scope, path_in_scope
from . import lockout, loginlog, sessions, totp


def login_rate_limit() -> str:
    """Per-address limit on login and second-factor POSTs, read per request from the config."""
    return current_app.config["AUTH_RATE_LIMIT"]


class LoginView(fab_views.AuthDBView):
    """FAB's password login; a refusal says why when the name is locked."""

    @property
    def invalid_login_message(self):
        return g.get("login_refusal") or "用户名或密码错误，请重试。"


def _policy_description() -> str:
    return (f"至少{current_app.config['PASSWORD_MIN_LENGTH']}位，须同时包含字母和数字，"
            "且不能包含用户名。")


class PolicyResetPasswordForm(ResetPasswordForm):
    """FAB's reset form says the application does not check passwords; this one states the rule."""

    password = PasswordField("新密码", description=LazyString(_policy_description),
                             validators=[DataRequired(), PasswordComplexityValidator()],
                             widget=BS3PasswordFieldWidget())


# Same class names as FAB's, so endpoints and permissions stay the same.
class ResetPasswordView(fab_views.ResetPasswordView):
    form = PolicyResetPasswordForm


class ResetMyPasswordView(fab_views.ResetMyPasswordView):
    form = PolicyResetPasswordForm


class CodeForm(DynamicForm):
    code = StringField("验证码", validators=[DataRequired(message="请输入验证码")],
                       widget=BS3TextFieldWidget())


def _next_url() -> str:
    """Where the login was going (the gate passes it on), else the index."""
    return get_safe_redirect(request.args.get("next") or current_app.appbuilder.get_url_for_index)


class TwoFactorView(BaseView):
    """Enrolment (QR code drawn here), the code check after the password, and one's status.
    Enrol and verify serve a signed-in account whose second factor is still outstanding, so
    they need no permission; the status page does (it is in the menu)."""

    route_base = "/totp"
    default_view = "index"
    class_permission_name = "TwoFactor"
    method_permission_name = {"index": "read", "recovery_codes": "read"}
    grants = {"read": STAFF}
    limits = [Limit(login_rate_limit, key_func=get_remote_address, methods=("POST",))]

    @expose("/")
    @has_access
    def index(self):
        return self.render_template(
            "totp/status.html", enrolled=totp.is_enrolled(g.user),
            required=totp.is_required(g.user), left=totp.recovery_codes_left(g.user),
            form=CodeForm())

    @expose("/enrol", methods=["GET", "POST"])
    def enrol(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        user = current_user
        if totp.is_enrolled(user):
            return redirect(_next_url())
        form = CodeForm()
        if form.validate_on_submit():
            codes = totp.confirm(user, form.code.data)
            if codes is not None:
                loginlog.record("totp_on", user.username, user)
                sessions.complete_second_factor(user, "首次绑定两步验证")
                return self.render_template("totp/codes.html", codes=codes, next=_next_url())
            flash("验证码不正确：请确认手机时间准确，输入应用中当前显示的6位数字。", "danger")
        secret = totp.pending_secret(user)
        return self.render_template("totp/enrol.html", form=form, secret=secret,
                                    qr=totp.provisioning_qr(user, secret))

    @expose("/verify", methods=["GET", "POST"])
    def verify(self):
        if not current_user.is_authenticated or session.get(sessions.PENDING) != "verify":
            return redirect(self.appbuilder.get_url_for_index)
        user = current_user
        form = CodeForm()
        if form.validate_on_submit():
            refusal = lockout.refuse_if_locked(user.username, user)
            if refusal is None:
                detail = _second_factor_passed(user, form.code.data)
                if detail:
                    sessions.complete_second_factor(user, detail)
                    return redirect(_next_url())
                refusal = lockout.refuse(user.username, user, "两步验证码错误")
            if refusal:
                logout_user()
                session.clear()
                flash(refusal, "danger")
                return redirect(self.appbuilder.get_url_for_login)
            flash("验证码不正确，请重试；手机不在身边时可输入一个恢复码。", "danger")
        return self.render_template("totp/verify.html", form=form)

    @expose("/codes", methods=["POST"])
    @has_access
    def recovery_codes(self):
        """New recovery codes (the old ones stop working), after a current code."""
        form = CodeForm()
        if form.validate_on_submit() and totp.verify_code(g.user, form.code.data):
            return self.render_template("totp/codes.html", codes=totp.new_recovery_codes(g.user),
                                        next=url_for("TwoFactorView.index"))
        flash("验证码不正确，恢复码未更换。", "danger")
        return redirect(url_for("TwoFactorView.index"))


def _second_factor_passed(user, code: str) -> str | None:
    """The log detail when the code is a valid TOTP code or an unused recovery code."""
    if totp.verify_code(user, code):
        return "两步验证"
    if totp.use_recovery_code(user, code):
        return f"使用恢复码登录（剩余{totp.recovery_codes_left(user)}个）"
    return None


def _account_in_scope(account) -> bool:
    org = account.organisation
    return current_scope() == UNRESTRICTED or path_in_scope(org.path if org else None)


class AccountSecurityActions:
    """Admins' actions on the user list: unlock a locked login, reset the second factor.
    FAB loads action rows by primary key only (FAB_NOTES hazard 1): each row is re-checked."""

    def _accounts_in_scope(self, items):
        items = items if isinstance(items, list) else [items]
        return [item for item in items if _account_in_scope(item)]

    @action("unlock_login", "解除登录锁定", "确定解除所选账号的登录锁定？", "fa-unlock")
    def unlock_login(self, items):
        unlocked = [a for a in self._accounts_in_scope(items)
                    if lockout.unlock(a, g.user.username)]
        flash(f"已解除 {len(unlocked)} 个账号的登录锁定。" if unlocked
              else "所选账号均未被锁定。", "info")
        return redirect(self.get_redirect())

    @action("reset_second_factor", "重置两步验证",
            "确定重置所选账号的两步验证？这些账号下次登录时需重新绑定。", "fa-mobile")
    def reset_second_factor(self, items):
        done = [a for a in self._accounts_in_scope(items) if totp.reset(a)]
        for account in done:
            loginlog.record("totp_reset", account.username, account, f"由{g.user.username}重置")
        flash(f"已重置 {len(done)} 个账号的两步验证。" if done
              else "所选账号均未启用两步验证。", "info")
        return redirect(self.get_redirect())
