"""Pages (Chinese by default, English when chosen) for the refusals Flask-WTF, Flask-Limiter and
Werkzeug answer in English: a missing or stale CSRF token, too many login attempts from one
address, a request body over MAX_CONTENT_LENGTH, an unknown page, a value out of range."""
from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from ..i18n import N_

CSRF_MESSAGE = N_("页面已过期或缺少安全令牌，操作未执行。请刷新页面后重试。")
RATE_MESSAGE = N_("尝试过于频繁，请稍后再试。")
OUT_OF_RANGE = (OverflowError, DataError)
NOT_FOUND_MESSAGE = N_("页面不存在，或该记录不在您的管辖范围内。")
OUT_OF_RANGE_MESSAGE = N_("请求中有超出范围或格式不对的值（例如过大的编号或页码），未作处理。请检查后重试。")
TOO_LARGE_MESSAGE = N_("上传的内容太大（上限 %(mb)d MB），未作处理。请分成几个文件上传。")


def _refusal(message: str, status: int, **values):
    message = _(message, **values)  # in the reader's language
    if request.path.startswith("/api/"):
        return jsonify(message=message), status
    appbuilder = current_app.appbuilder
    g.setdefault("user", current_user)  # these refusals come before FAB's before_request sets it
    return render_template("refusal.html", message=message, appbuilder=appbuilder,
                           base_template=appbuilder.base_template), status


def caused_by_out_of_range(exc) -> bool:
    """Is ``exc``, or what caused it, a value the database cannot hold (an id past its integer
    range in a URL or filter)? One class of fault, closed here instead of at every int() of a
    request value; FAB's API wraps it (ApplyFilterException), hence the walk down the causes."""
    while exc is not None:
        if isinstance(exc, OUT_OF_RANGE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def out_of_range_refusal(_exc=None):
    from ..extensions import db

    db.session.rollback()
    return _refusal(OUT_OF_RANGE_MESSAGE, 400)


def install(app) -> None:
    for kind in OUT_OF_RANGE:
        app.register_error_handler(kind, out_of_range_refusal)
    app.register_error_handler(CSRFError, lambda _exc: _refusal(CSRF_MESSAGE, 400))
    app.register_error_handler(429, lambda _exc: _refusal(RATE_MESSAGE, 429))
    app.register_error_handler(404, lambda _exc: _refusal(NOT_FOUND_MESSAGE, 404))
    app.register_error_handler(413, lambda _exc: _refusal(
        TOO_LARGE_MESSAGE, 413, mb=current_app.config["MAX_CONTENT_LENGTH"] // 2**20))
