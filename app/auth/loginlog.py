"""登录日志: one row per login, failed login, logout and lock change, with address and browser."""
from flask import has_request_context, request

from ..extensions import db
from ..models import LoginEvent


def _origin() -> tuple:
    """(address, browser) of the current request; the command line has neither."""
    if not has_request_context():
        return None, "命令行"
    return request.remote_addr, request.user_agent.string[:300] or None


def record(kind: str, username: str, account=None, detail: str | None = None) -> None:
    """Write one event and commit it at once, so it survives whatever the request does next.
    ``account`` is the known account (None for an unknown user name)."""
    address, browser = _origin()
    db.session.add(LoginEvent(
        kind=kind, username=(username or "")[:256], address=address, user_agent=browser,
        user_id=getattr(account, "id", None),
        organisation_id=getattr(account, "organisation_id", None),
        detail=detail))
    db.session.commit()
