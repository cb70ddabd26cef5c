"""Password policy: one rule wherever a password is set (FAB_NOTES hazard 18).

Forms get it through FAB's own hook, ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``, which FAB calls from the
user add form and both reset-password forms. The security manager checks again in ``add_user`` and
``reset_password`` (LoginSecurityMixin), which covers the command line (``flask fab create-admin``,
``create-user``, ``reset-password``), ``flask setup`` and scripts.
"""
import re
import secrets

import click
from flask import current_app, g, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError

_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")


class PasswordPolicyError(click.ClickException):
    """A refused password. A ClickException, so a command (FAB's create-admin included) prints the
    Chinese message and exits with status 1 instead of a traceback."""


def password_faults(password: str, username: str | None = None) -> list[str]:
    """What the password lacks, in Chinese; empty when it satisfies the policy."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    faults = []
    if len(password) < min_length:
        faults.append(f"长度至少{min_length}位")
    if not (_LETTER.search(password) and _DIGIT.search(password)):
        faults.append("须同时包含字母和数字")
    name = (username or "").strip().lower()
    if name and (password.lower() == name or (len(name) >= 3 and name in password.lower())):
        faults.append("不能包含用户名")
    return faults


def policy_message(faults: list[str], what: str = "密码") -> str:
    return f"{what}不符合要求：" + "；".join(faults) + "。"


def check_password(password: str, username: str | None = None) -> None:
    """Raise PasswordPolicyError with the Chinese reasons when the password is too weak."""
    faults = password_faults(password, username)
    if faults:
        raise PasswordPolicyError(policy_message(faults))


def form_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB turns the exception into the field's error."""
    faults = password_faults(password, _username_being_set())
    if faults:
        raise PasswordComplexityValidationError(policy_message(faults))


def _username_being_set() -> str | None:
    """Whose password a form sets: the add form's user name, the account an admin resets
    (``?pk=``), else the signed-in account's own."""
    if "username" in request.form:
        return request.form["username"]
    pk = request.args.get("pk", "")
    user = current_app.appbuilder.sm.get_user_by_id(int(pk)) if pk.isdigit() else g.user
    return getattr(user, "username", None)


def generate_password(username: str | None = None) -> str:
    """A random password that satisfies the policy."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if not password_faults(candidate, username):
            return candidate
