"""One query for an account's permissions per request instead of one per check.

FAB asks the database once for every ``has_access`` (menu entries, buttons, the view itself):
36 queries on a resident list page. ``PermissionCacheMixin`` loads the (view, permission) pairs of
the checked roles once per request and answers from that set. The set lives on ``g`` and is
dropped at the start of every request, so a role edited in one request counts in the next.
"""
from flask import g, has_app_context
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from sqlalchemy import select


class PermissionCacheMixin:
    def exist_permission_on_roles(self, view_name: str, permission_name: str,
                                  role_ids) -> bool:
        return (view_name, permission_name) in self.role_permission_pairs(role_ids)

    def role_permission_pairs(self, role_ids) -> set:
        key = tuple(sorted(role_ids))
        cache = g.setdefault("role_permissions", {}) if has_app_context() else {}
        if key not in cache:
            pv = self.permissionview_model
            query = (select(self.viewmenu_model.name, self.permission_model.name)
                     .select_from(pv)
                     .join(assoc_permissionview_role,
                           pv.id == assoc_permissionview_role.c.permission_view_id)
                     .join(self.permission_model, pv.permission_id == self.permission_model.id)
                     .join(self.viewmenu_model, pv.view_menu_id == self.viewmenu_model.id)
                     .where(assoc_permissionview_role.c.role_id.in_(key)))
            cache[key] = {tuple(row) for row in self.session.execute(query)}
        return cache[key]


def forget_permissions() -> None:
    """before_request: permissions are read afresh by every request."""
    g.pop("role_permissions", None)


def install(app) -> None:
    app.before_request(forget_permissions)
