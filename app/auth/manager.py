"""Login security hooks for the security manager (mixed into CommunitySecurityManager).

- every password set through the manager obeys the policy (CLI, setup, scripts; FAB_NOTES #18);
- password logins pass the per-name lockout and leave a row in the login log, also for unknown
  names (FAB's own hooks see only known accounts);
- the rate limit on login POSTs is read from the config per request.
"""
from flask import g

from . import lockout
from .passwords import check_password
from .views import LoginView, ResetMyPasswordView, ResetPasswordView, login_rate_limit


def _failure_reason(account) -> str:
    if account is None:
        return "用户名不存在"
    return "密码错误" if account.is_active else "账号已停用"


class LoginSecurityMixin:
    authdbview = LoginView
    resetpasswordview = ResetPasswordView
    resetmypasswordview = ResetMyPasswordView

    @property
    def auth_rate_limit(self):
        return login_rate_limit

    def add_user(self, username, first_name, last_name, email, role=None, password="",
                 hashed_password="", *args, **kwargs):
        if password and not hashed_password:
            check_password(password, username)
        return super().add_user(username, first_name, last_name, email, role, password,
                                hashed_password, *args, **kwargs)

    def reset_password(self, userid, password):
        check_password(password, getattr(self.get_user_by_id(userid), "username", None))
        super().reset_password(userid, password)

    def _account_named(self, name: str):
        """The account a login name designates: by user name, else by e-mail (as FAB does)."""
        return self.find_user(username=name) or self.find_user(email=name)

    def auth_user_db(self, username, password):
        if not username:
            return None
        account = self._account_named(username)
        refusal = lockout.refuse_if_locked(username, account)
        if refusal is None:
            user = super().auth_user_db(username, password)
            if user is not None:
                lockout.clear(user.username)
                return user
            refusal = lockout.refuse(username, account, _failure_reason(account))
        g.login_refusal = refusal
        return None
