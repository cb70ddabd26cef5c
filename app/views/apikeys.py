"""接口密钥: the API keys of the accounts one manages, listed and revoked (issued by
`flask apikeys create`, which shows the key once)."""
from flask import flash, g, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from ..accounts import manageable_clause
from ..api.keys import revoke
from ..columns import API_KEY_COLUMNS
from ..extensions import db
from ..models import Account, ApiKey
from ..roles import DISTRICT_ADMIN
from .base import ScopedModelView


class KeysOfManageableAccounts(BaseFilter):
    """Keys of the accounts the signed-in account may manage (as on the account screens)."""

    name = "管理范围"
    arg_name = "manageable_keys"

    def apply(self, query, value):
        return query.filter(ApiKey.account_id.in_(
            select(Account.id).where(manageable_clause(g.user))))


class ApiKeyView(ScopedModelView):
    model = ApiKey
    columns = API_KEY_COLUMNS
    scope_column = None
    base_filters = [["account_id", KeysOfManageableAccounts, None]]
    include_route_methods = {"list", "show", "action", "action_post", "export"}
    method_permission_name = {"list": "read", "show": "read", "action": "revoke",
                              "action_post": "revoke", "revoke": "revoke", "export": "export"}
    base_permissions = ["can_read", "can_revoke"]
    grants = {"read": (DISTRICT_ADMIN,), "revoke": (DISTRICT_ADMIN,), "export": (DISTRICT_ADMIN,)}
    list_title = _l("接口密钥")

    @action("revoke", _l("吊销"), _l("吊销所选密钥？吊销后立即失效，不能恢复。"), "fa-ban")
    def revoke(self, items):
        items = items if isinstance(items, list) else [items]
        for key in items:
            revoke(key)
        db.session.commit()
        flash(_("已吊销 %(count)s 个接口密钥", count=len(items)), "success")
        return redirect(self.get_redirect())
