"""The department REST API (/api/v1/resident, /household, /organisation), its description and
documentation page, and API keys.

CSRF: requests presenting an API key carry no cookie-borne authority, so they need no CSRF token;
every other write to the API (a signed-in browser's session cookie) must send the session's token
(``X-CSRFToken``), exactly as the screens' forms do (FAB_NOTES hazard 4).
"""
from flask import jsonify, request
from flask_babel import gettext as _
from flask_appbuilder.api import BaseApi

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def register_apis(appbuilder) -> None:
    """After the screens: each API takes its forms and pickers from its registered screen."""
    from .docs import DocsApi, DocsView
    from .resources import HouseholdApi, OrganisationApi, ResidentApi

    for api in (ResidentApi, HouseholdApi, OrganisationApi, DocsApi):
        appbuilder.add_api(api)
    appbuilder.add_view_no_menu(DocsView)


def install(app) -> None:
    from ..extensions import appbuilder, csrf
    from .keys import presented_key

    blueprints = [v.blueprint for v in appbuilder.baseviews
                  if isinstance(v, BaseApi) and v.blueprint is not None]
    for blueprint in blueprints:
        csrf.exempt(blueprint)
    api_blueprints = {b.name for b in blueprints}

    @app.before_request
    def csrf_unless_key():
        if (request.blueprint in api_blueprints and request.method not in SAFE_METHODS
                and presented_key() is None):
            csrf.protect()

    # No key and no session: FAB's JWT layer answers in English ("Missing Authorization Header").
    appbuilder.sm.jwt_manager.unauthorized_loader(
        lambda _reason: (jsonify(message=_("未登录或接口密钥无效、已过期或已吊销")), 401))
