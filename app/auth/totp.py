"""Second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

The secret is stored encrypted (Fernet, key from ``TOTP_ENCRYPTION_KEY`` or derived from
``SECRET_KEY``: rotating the secret key means every account enrols again). Recovery codes are
stored as keyed hashes. A code is accepted once: ``last_step`` refuses a replay within its window.
Policy: ``TOTP_ENFORCE`` makes the factor mandatory for ``TOTP_REQUIRED_ROLES`` and for roles
holding any of ``TOTP_REQUIRED_PERMISSIONS`` (``"can_x"`` on any view, or ``("can_x", "View")``).
"""
import base64
import datetime
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import RecoveryCode, SecondFactor

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _key(purpose: str) -> bytes:
    configured = current_app.config.get("TOTP_ENCRYPTION_KEY")
    material = configured or current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{purpose}:{material}".encode()).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key("totp-secret")))


def _factor(user) -> SecondFactor | None:
    return db.session.get(SecondFactor, user.id)


def is_enrolled(user) -> bool:
    factor = _factor(user)
    return factor is not None and factor.confirmed_on is not None


def _permissions(user) -> set:
    return {(pv.permission.name, pv.view_menu.name)
            for role in user.roles for pv in role.permissions}


def is_required(user) -> bool:
    """Does the policy demand a second factor of this account?"""
    config = current_app.config
    if not config["TOTP_ENFORCE"]:
        return False
    if {role.name for role in user.roles} & set(config["TOTP_REQUIRED_ROLES"]):
        return True
    held = _permissions(user)
    names = {name for name, _view in held}
    return any((wanted in names) if isinstance(wanted, str) else (tuple(wanted) in held)
               for wanted in config["TOTP_REQUIRED_PERMISSIONS"])


def step_at_login(user) -> str | None:
    """What the account must do after its password: 'verify' a code, 'enrol', or nothing."""
    if is_enrolled(user):
        return "verify"
    return "enrol" if is_required(user) else None


# -- enrolment -------------------------------------------------------------------------------
def pending_secret(user) -> str:
    """The secret of an unfinished enrolment, made on first call; kept until confirmed."""
    factor = _factor(user)
    if factor is None:
        factor = SecondFactor(user_id=user.id, last_step=0,
                              secret=_fernet().encrypt(pyotp.random_base32().encode()).decode())
        db.session.add(factor)
        db.session.commit()
    return _fernet().decrypt(factor.secret.encode()).decode()


def provisioning_qr(user, secret: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code, drawn here (no outside service)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username,
                                              issuer_name=current_app.config["APP_NAME"])
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff"))


def confirm(user, code: str) -> list[str] | None:
    """Finish enrolment with a first valid code; returns the new recovery codes."""
    if not verify_code(user, code):
        return None
    _factor(user).confirmed_on = datetime.datetime.now()
    return new_recovery_codes(user)


def reset(user) -> bool:
    """Remove the factor and the recovery codes (an admin's reset). True when there was one."""
    existed = _factor(user) is not None
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()
    return existed


# -- codes -----------------------------------------------------------------------------------
def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def verify_code(user, code: str) -> bool:
    """A current TOTP code (one step of clock drift either way), never one used before."""
    factor = _factor(user)
    code = _normalise(code)
    if factor is None or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(_fernet().decrypt(factor.secret.encode()).decode())
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            factor.last_step = step
            db.session.commit()
            return True
    return False


def _hash(code: str) -> str:
    return hmac.new(_key("recovery-code"), _normalise(code).encode(), "sha256").hexdigest()


def new_recovery_codes(user) -> list[str]:
    """Replace the account's recovery codes; the plain codes are shown once and never stored."""
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5))
                      for _ in range(2)) for _ in range(RECOVERY_CODES)]
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    db.session.commit()
    return codes


def use_recovery_code(user, code: str) -> bool:
    """Spend an unused recovery code; one UPDATE, so two requests cannot spend it twice."""
    spent = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_on.is_(None)).values(used_on=datetime.datetime.now()))
    db.session.commit()
    return spent.rowcount == 1


def recovery_codes_left(user) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_on.is_(None)))
