"""社区信息管理系统 — application factory. Nothing is created or seeded here (FAB_NOTES hazard 6)."""
from flask import Flask


def create_app(config_overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object("config")
    if config_overrides:
        app.config.update(config_overrides)
    from .progress import entry_phase

    entry_phase(app.config)  # a bad ENTRY_PHASE_START/END stops the start with a Chinese message

    from . import models  # noqa: F401  (registers every table on Model.metadata)
    from .db import install_engine_hooks
    from .stats_tracking import install_tracking
    from .extensions import appbuilder, csrf, db, migrate

    db.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]))
    with app.app_context():
        install_engine_hooks(db.engine)
        install_tracking(db.engine)
        appbuilder.init_app(app, db.session)
        from .views import register_views

        register_views(appbuilder)
        from .views import listargs

        listargs.install(app, appbuilder)
    from .cli import register_cli

    register_cli(app)
    return app
