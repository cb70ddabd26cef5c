"""The schema comes from the migrations alone (the session fixture upgrades an empty database to
heads), and it matches the models exactly: nothing a migration forgot, nothing extra."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_appbuilder import Model


def test_migrated_schema_matches_the_models(app, db):
    from app.db import include_object  # PostgreSQL-only indexes are not on the models

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": include_object})
        assert compare_metadata(context, Model.metadata) == []


def test_one_head(app):
    script = ScriptDirectory(str(app.config["MIGRATIONS_DIR"]))
    assert len(script.get_heads()) == 1, script.get_heads()
