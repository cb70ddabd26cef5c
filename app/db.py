"""Engine-level settings that must hold on every connection, and the indexes only one database has."""
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


# Indexes the migrations create on PostgreSQL only (trigram and pattern indexes have no SQLite
# equivalent); not on the models, so schema comparisons skip them (migrations/env.py, tests).
DATABASE_SPECIFIC_INDEXES = {"ix_resident_name_trgm", "ix_organisation_path_pattern",
                             "ix_household_household_no_pattern"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: leave the database-specific indexes out of comparisons."""
    return not (type_ == "index" and reflected and name in DATABASE_SPECIFIC_INDEXES)
