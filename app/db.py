"""Engine-level settings that must hold on every connection."""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def install_engine_hooks(engine: Engine) -> None:
    """SQLite enforces foreign keys only when asked on each connection (FAB_NOTES hazard 7)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
