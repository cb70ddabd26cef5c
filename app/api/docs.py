"""The API's description and documentation page, and FAB's security API without JWT login.

- ``/api/v1/_openapi``: FAB's OpenAPI description, with the key as the only way in (FAB marks
  every operation ``jwt`` or ``api_key``; here they name our two key schemes);
- ``/swagger/v1``: FAB's Swagger UI from its own static files (nothing from a CDN), in our
  template: no validator badge (it would fetch from validator.swagger.io) and the session's CSRF
  token on "Try it out" writes;
- FAB's ``/api/v1/security/login`` and ``/refresh`` (JWT for a password, without lockout or the
  second factor) are not registered: programs use keys (app/api/keys.py).
"""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from flask_appbuilder.api.manager import OpenApi, SwaggerView, resolver
from flask_appbuilder.security.api import SecurityApi

from ..roles import DEFAULT_ROLES

# Both key schemes, offered on every protected operation.
KEY_SECURITY = [{"api_key": []}, {"api_key_header": []}]
SCHEMES = {
    "api_key": {"type": "http", "scheme": "bearer", "bearerFormat": "ck_…",
                "description": "接口密钥：Authorization: Bearer ck_…"},
    "api_key_header": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                       "description": "接口密钥：X-API-Key: ck_…"},
}


class KeyOnlySecurityApi(SecurityApi):
    """No routes (no JWT login or refresh); it only declares the key schemes in the description."""

    class_permission_name = "SecurityApi"
    include_route_methods: set = set()

    def add_apispec_components(self, api_spec):
        for name, scheme in SCHEMES.items():
            api_spec.components.security_scheme(name, scheme)


class KeyOnlySpec(APISpec):
    """The description with every protected operation naming the key schemes."""

    def to_dict(self):
        spec = super().to_dict()
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                if "security" in operation:
                    operation["security"] = KEY_SECURITY
        return spec


class DocsApi(OpenApi):
    class_permission_name = "OpenApi"
    grants = {"get": DEFAULT_ROLES}

    @staticmethod
    def _create_api_spec(version):
        title = current_app.appbuilder.app_name
        return KeyOnlySpec(
            title=title, version=version, openapi_version="3.0.2",
            info={"description": f"{title}：居民、户、组织机构接口。使用接口密钥访问，数据范围与"
                                 f"屏幕相同；证件号和电话按账号权限显示完整或遮盖。"},
            plugins=[MarshmallowPlugin(schema_name_resolver=resolver)],
            servers=current_app.config.get("FAB_OPENAPI_SERVERS", [{"url": request.host_url}]))


class DocsView(SwaggerView):
    class_permission_name = "SwaggerView"
    grants = {"show": DEFAULT_ROLES}
    route_base = "/swagger"

    def render_template(self, template, **kwargs):
        return super().render_template(
            current_app.config.get("API_DOCS_TEMPLATE", "api_docs.html"), **kwargs)
