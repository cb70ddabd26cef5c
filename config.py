"""Settings. Every value can be overridden from the environment; secrets never live in the repo.

`SECRET_KEY` comes from the environment or from `instance/secret_key`, generated on first start.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _instance_secret() -> str:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


SECRET_KEY = os.environ.get("SECRET_KEY") or _instance_secret()
def database_url(url: str) -> str:
    """``postgresql://`` URLs use the installed psycopg 3 driver."""
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith(
        "postgresql://") else url


SQLALCHEMY_DATABASE_URI = database_url(
    os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'community.sqlite'}")
)
SQLALCHEMY_TRACK_MODIFICATIONS = False

APP_NAME = "社区信息管理系统"
APP_THEME = ""
FAB_BASE_TEMPLATE = "app_base.html"
AUTH_TYPE = 1  # AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
FAB_SECURITY_MANAGER_CLASS = "app.security.CommunitySecurityManager"
FAB_UPDATE_PERMS = False  # synced once by `flask setup`, not in every worker (FAB_NOTES #21)
FAB_CREATE_DB = False  # schema comes from migrations only (FAB_NOTES #6)
FAB_API_SWAGGER_UI = True
# The department API (app/api/): our own description and Swagger page replace FAB's (key schemes,
# no CDN, CSRF token), API keys from our table (FAB's hook, our check); no JWT login.
FAB_ADD_OPENAPI_VIEWS = False
FAB_API_KEY_ENABLED = True
FAB_API_MAX_PAGE_SIZE = 100
FAB_ADD_SECURITY_API = False

# CSRF: FlaskForms are protected by WTF; CSRFProtect(app) covers every other POST (FAB_NOTES hazard 4).
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None

BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "zh")
# FAB prepends its own catalogue; flask-babel merges the folders in order, a later one overriding an
# earlier one's messages (FAB_NOTES hazard 16; tests/test_translations.py pins it).
# babel/fab_overrides holds our fixes to FAB's strings, kept apart so catalogue updates never drop
# them; babel/translations the project's own (app/i18n.py).
BABEL_TRANSLATION_DIRECTORIES = ";".join(
    str(BASE_DIR / "babel" / d) for d in ("fab_overrides", "translations")
)
# "js": locale name of the date picker and select boxes (files in app/static/vendor/).
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文", "js": "zh-CN"},
    "en": {"flag": "gb", "name": "English"},
}
FAB_BASE_TEMPLATE = "layout.html"  # FAB's layout plus the page's language (app/ui.py)

# Lists: FAB's default page size and our cap on psize_<View> (FAB_NOTES hazard 11).
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Lists with more matching rows than this show an estimated count (「约 N 条」) instead of counting
# every row on every page (app/views/counting.py).
LIST_COUNT_ESTIMATE_THRESHOLD = int(os.environ.get("LIST_COUNT_ESTIMATE_THRESHOLD", 10000))

# Entry phase (信息录入阶段), ISO dates; empty = 1 August to 30 November of the current year.
# At most four months (checked at start, app/progress.py).
ENTRY_PHASE_START = os.environ.get("ENTRY_PHASE_START")
ENTRY_PHASE_END = os.environ.get("ENTRY_PHASE_END")
# The landing page after login: the dashboard of the account's own subtree.
FAB_INDEX_VIEW = "app.views.dashboard.DashboardView"
# Imports (app/importing): largest accepted file, and the row count above which the confirmed
# import runs as a background job.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 2**20))
IMPORT_ASYNC_THRESHOLD = int(os.environ.get("IMPORT_ASYNC_THRESHOLD", 5000))
# Excel export: lists over this many rows are written by a background job; a sheet holds at most
# EXPORT_SHEET_ROWS data rows (Excel's limit), further rows continue on a new sheet.
EXPORT_BACKGROUND_THRESHOLD = int(os.environ.get("EXPORT_BACKGROUND_THRESHOLD", 50_000))
EXPORT_SHEET_ROWS = int(os.environ.get("EXPORT_SHEET_ROWS", 1_048_575))
# Any request body: refused (413, Chinese page) before it is read — the largest import plus its form.
MAX_CONTENT_LENGTH = IMPORT_MAX_BYTES + 2**20

ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD")

# -- Login security (app/auth/) ----------------------------------------------------------------
# Cookies: set SESSION_COOKIE_SECURE=1 when served over HTTPS (also turns on HSTS).
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = os.environ.get("SESSION_COOKIE_SAMESITE", "Lax")
# Sessions end after this many idle minutes (FAB_NOTES hazard 22); the cookie expires likewise.
SESSION_IDLE_MINUTES = float(os.environ.get("SESSION_IDLE_MINUTES", 30))
PERMANENT_SESSION_LIFETIME = int(SESSION_IDLE_MINUTES * 60)
# Behind a reverse proxy: how many proxies set X-Forwarded-For (0 = none; FAB_NOTES hazard 17).
PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", 0))
# Failed logins: per address (FAB + Flask-Limiter; counts in Redis when REDIS_URL is set, else in
# each process's memory), and per user name (locked after LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES).
AUTH_RATE_LIMITED = True
RATELIMIT_ENABLED = True
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second")
REDIS_URL = os.environ.get("REDIS_URL")  # shared state of several workers (rate limits, job progress)
RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
LOGIN_LOCK_MINUTES = float(os.environ.get("LOGIN_LOCK_MINUTES", 15))
# Passwords: at least PASSWORD_MIN_LENGTH, letters and digits, not containing the user name.
FAB_PASSWORD_COMPLEXITY_ENABLED = True
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", 10))
# Second factor (TOTP): mandatory, when enforced, for these roles and for roles holding any of these
# permissions ("can_x" on any view, or ("can_x", "View")); optional for everyone else.
TOTP_ENFORCE = _bool("TOTP_ENFORCE", True)
TOTP_REQUIRED_ROLES = ("Admin",)
TOTP_REQUIRED_PERMISSIONS = (("can_see", "SensitiveData"), "can_export")
# Key for the stored TOTP secrets; derived from SECRET_KEY when unset.
TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY")
MIGRATIONS_DIR = BASE_DIR / "migrations"

# 问题反馈: screenshots are stored under FEEDBACK_DIR, at most FEEDBACK_MAX_BYTES each.
FEEDBACK_DIR = Path(os.environ.get("FEEDBACK_DIR", INSTANCE_DIR / "feedback"))
FEEDBACK_MAX_BYTES = int(os.environ.get("FEEDBACK_MAX_BYTES", 5 * 1024 * 1024))
