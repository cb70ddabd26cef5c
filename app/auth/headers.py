"""Security headers on every response, and the CSP nonce FAB's templates ask for.

The content-security policy allows no outside host. FAB 5.3 marks each of its inline scripts with
``nonce="{{ baselib.get_nonce() }}"``, which calls a ``csp_nonce()`` template function when one is
defined: we define it, so scripts need no 'unsafe-inline'. Styles do keep 'unsafe-inline': FAB's
templates (and select2/datepicker) use ``style=`` attributes, which a nonce cannot cover.
"""
import secrets

from flask import current_app, g


def csp_nonce() -> str:
    """One random nonce per request, shared by the templates and the header."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):  # served over HTTPS only
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def install(app) -> None:
    # A global, not a context processor: FAB imports baselib.html without context.
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)
