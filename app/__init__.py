"""社区信息管理系统 — application factory. Nothing is created or seeded here (FAB_NOTES hazard 6)."""
from flask import Flask


def create_app(config_overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object("config")
    if config_overrides:
        app.config.update(config_overrides)
    from .progress import entry_phase

    entry_phase(app.config)  # a bad ENTRY_PHASE_START/END stops the start with a Chinese message

    from . import audit, models, ui  # noqa: F401  (models registers every table on Model.metadata)
    from .db import install_engine_hooks
    from .seats import install as install_seat_rule
    from .stats_tracking import install_tracking
    from .extensions import appbuilder, csrf, db, migrate

    ui.install(app)
    db.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]))
    with app.app_context():
        install_engine_hooks(db.engine)
        install_seat_rule()
        audit.install(app)  # change history for every session write, request ids
        install_tracking(db.engine)
        appbuilder.init_app(app, db.session)
        from .views import register_views

        register_views(appbuilder)
        from .api import register_apis

        register_apis(appbuilder)
        from . import permission_names
        from .views import listargs

        listargs.install(app, appbuilder)
        permission_names.install(appbuilder)
    from .auth import install as install_login_security

    install_login_security(app)
    from . import health, permission_cache

    health.install(app)
    permission_cache.install(app)
    from .api import install as install_api

    with app.app_context():
        install_api(app)
    from .cli import register_cli

    register_cli(app)
    return app
