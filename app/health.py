"""`GET /health` for load balancers and `make serve` checks: 200 {"status": "ok"} when the database
answers, 503 {"status": "unavailable"} when it does not. No login, and nothing about the setup
(no URL, driver or error text) in the answer; the cause goes to the log."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

blueprint = Blueprint("health", __name__)


def database_answers() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except (SQLAlchemyError, OSError):
        current_app.logger.exception("health check: the database does not answer")
        return False


@blueprint.route("/health")
def health():
    if database_answers():
        return jsonify(status="ok", database="ok")
    return jsonify(status="unavailable", database="unavailable"), 503


def install(app) -> None:
    app.register_blueprint(blueprint)
