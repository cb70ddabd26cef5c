"""Per-user-name lockout, on top of FAB's address-keyed rate limit (FAB_NOTES hazard 17).

After ``LOGIN_MAX_FAILURES`` consecutive failures (wrong password or wrong second-factor code) the
name is locked for ``LOGIN_LOCK_MINUTES``: even the right password is refused until then, or until
an admin unlocks it. Unknown names are counted and locked the same way, so the lock message never
tells which names exist. Failures older than the lock period are forgotten.
"""
import datetime
import math

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import LoginLock
from . import loginlog


def _key(name: str) -> str:
    return (name or "").strip().lower()[:256]


def _now() -> datetime.datetime:
    return datetime.datetime.now()


def locked_until(name: str) -> datetime.datetime | None:
    row = db.session.get(LoginLock, _key(name))
    if row is not None and row.locked_until is not None and row.locked_until > _now():
        return row.locked_until
    return None


def lock_message(until: datetime.datetime) -> str:
    minutes = max(1, math.ceil((until - _now()).total_seconds() / 60))
    return f"账号已锁定：连续登录失败次数过多，请{minutes}分钟后再试，或联系管理员解锁。"


def _count_failure(name: str) -> LoginLock:
    """One more failure for the name; locks it when the limit is reached."""
    config = current_app.config
    period = datetime.timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    now = _now()
    row = db.session.get(LoginLock, _key(name))
    if row is None:
        row = LoginLock(username=_key(name), failures=0, last_failure=now)
        db.session.add(row)
    elif row.last_failure < now - period or (row.locked_until and row.locked_until <= now):
        row.failures, row.locked_until = 0, None
    row.failures += 1
    row.last_failure = now
    if row.failures >= config["LOGIN_MAX_FAILURES"]:
        row.locked_until = now + period
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent first failure inserted the row: count on it
        db.session.rollback()
        return _count_failure(name)
    return row


def refuse(typed_name: str, account, reason: str) -> str | None:
    """Record a failed attempt and count it; the lock message when this failure locks the name.
    ``account`` is the account the typed name (or e-mail) belongs to, None when unknown."""
    loginlog.record("failed", typed_name, account, reason)
    row = _count_failure(account.username if account else typed_name)
    if row.locked_until is None:
        return None
    loginlog.record("locked", typed_name, account,
                    f"连续失败{row.failures}次，锁定至{row.locked_until:%Y-%m-%d %H:%M}")
    return lock_message(row.locked_until)


def refuse_if_locked(typed_name: str, account) -> str | None:
    """The lock message (after recording the refused attempt) when the name is locked."""
    until = locked_until(account.username if account else typed_name)
    if until is None:
        return None
    loginlog.record("failed", typed_name, account, "账号已锁定")
    return lock_message(until)


def clear(name: str) -> bool:
    """Forget the failures of a name (after a successful login, or an admin's unlock).
    True when the name was locked."""
    row = db.session.get(LoginLock, _key(name))
    if row is None:
        return False
    was_locked = row.locked_until is not None and row.locked_until > _now()
    db.session.delete(row)
    db.session.commit()
    return was_locked


def unlock(account, by: str) -> bool:
    """An admin's unlock; logged. True when the account was locked."""
    if not clear(account.username):
        return False
    loginlog.record("unlocked", account.username, account, f"由{by}解除锁定")
    return True
