"""Login security: login log, lockout, password policy, idle timeout, second factor (TOTP),
security headers and Chinese refusal pages. The security manager's hooks are in ``manager``."""


def install(app) -> None:
    """Wire the request-level pieces into the app (called by create_app)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import errors, headers, sessions
    from .passwords import form_validator

    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", form_validator)
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:  # behind a reverse proxy: client address (rate limit, login log) from X-Forwarded-*
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    headers.install(app)
    errors.install(app)
    sessions.install(app)
