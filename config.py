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
AUTH_TYPE = 1  # AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
FAB_SECURITY_MANAGER_CLASS = "app.security.CommunitySecurityManager"
FAB_UPDATE_PERMS = False  # synced once by `flask setup`, not in every worker (FAB_NOTES #21)
FAB_CREATE_DB = False  # schema comes from migrations only (FAB_NOTES #6)
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
FAB_ADD_SECURITY_API = False

# CSRF: FlaskForms are protected by WTF; CSRFProtect(app) covers every other POST (FAB_NOTES hazard 4).
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None

BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "zh")
# FAB prepends its own catalogue; later folders override earlier ones (FAB_NOTES hazard 16):
# babel/fab_overrides holds our fixes to FAB's strings, kept apart so `pybabel update` never drops them.
BABEL_TRANSLATION_DIRECTORIES = ";".join(
    str(BASE_DIR / "babel" / d) for d in ("fab_overrides", "translations")
)
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "gb", "name": "English"},
}

# Lists: FAB's default page size and our cap on psize_<View> (FAB_NOTES hazard 11).
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

# Imports (app/importing): largest accepted file, and the row count above which the confirmed
# import runs as a background job.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 2**20))
IMPORT_ASYNC_THRESHOLD = int(os.environ.get("IMPORT_ASYNC_THRESHOLD", 5000))

ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD")
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
MIGRATIONS_DIR = BASE_DIR / "migrations"
