"""Login security: the login log, per-username lockout counters and the second factor (TOTP)."""
import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..i18n import N_
from .base import field
from .org import Organisation
from .seat import Account

__all__ = ["LoginEvent", "LOGIN_EVENT_KINDS", "LoginLock", "SecondFactor", "RecoveryCode"]

LOGIN_EVENT_KINDS = {
    "login": N_("登录成功"), "failed": N_("登录失败"), "logout": N_("退出登录"),
    "locked": N_("账号锁定"), "unlocked": N_("解除锁定"), "totp_on": N_("启用两步验证"),
    "totp_reset": N_("重置两步验证"),
}


class LoginEvent(Model):
    """One login, failed login, logout or lock change. ``organisation_id`` is the account's
    organisation when the event happened (the scope of the row); unknown user names have none,
    so only admins see them."""

    __tablename__ = "login_event"
    verbose_name = N_("登录日志")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=datetime.datetime.now, index=True, info=field("时间"))
    kind: Mapped[str] = mapped_column(String(16), nullable=False,
                                      info=field("事件", choices=LOGIN_EVENT_KINDS))
    username: Mapped[str] = mapped_column(String(256), nullable=False, info=field("用户名"))
    user_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True, info=field("账号"))
    user: Mapped[Optional[Account]] = relationship(foreign_keys=[user_id], info=field("账号"))
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True, info=field("所属单位"))
    organisation: Mapped[Optional[Organisation]] = relationship(info=field("所属单位"))
    address: Mapped[Optional[str]] = mapped_column(String(64), info=field("地址"))
    user_agent: Mapped[Optional[str]] = mapped_column(String(300), info=field("浏览器"))
    detail: Mapped[Optional[str]] = mapped_column(String(200), info=field("说明"))


class LoginLock(Model):
    """Consecutive failed logins of one user name (lower-cased; unknown names too, so a lock
    message never tells which names exist) and, after too many, until when it is locked."""

    __tablename__ = "login_lock"

    username: Mapped[str] = mapped_column(String(256), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    locked_until: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime)


class SecondFactor(Model):
    """An account's TOTP secret, encrypted with a key derived from the application's secret.
    ``confirmed_on`` is empty while enrolment is unfinished; ``last_step`` stops code replay."""

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         primary_key=True)
    secret: Mapped[str] = mapped_column(Text, nullable=False)
    confirmed_on: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime)
    last_step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class RecoveryCode(Model):
    """A one-time recovery code, stored as a keyed hash; ``used_on`` is set when spent."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_recovery_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    used_on: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime)
