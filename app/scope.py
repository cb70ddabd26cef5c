"""Data scope: an account sees and writes only its organisation's subtree.

One rule, used by every path (views, actions, pickers, export, import, API, rollups):
the scope is the ``path`` of the account's organisation; admins (no organisation, Admin role) see all.
An account with neither an organisation nor the Admin role sees nothing.
"""
from typing import Optional

from flask import current_app, g
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, select, true

from .models import Organisation

UNRESTRICTED = ""  # a path prefix every path starts with
NOTHING = None
_CURRENT = object()  # default argument: the current account's scope


def current_scope() -> Optional[str]:
    """Path prefix of the current account's subtree ('' = everything, None = nothing). Cached on g
    per account: an app context shared by several requests (tests) may see several accounts."""
    user = getattr(g, "user", None)
    key = getattr(user, "id", None)
    cached = g.get("scope_path")
    if cached is None or cached[0] != key:
        g.scope_path = cached = (key, _scope_of(user))
    return cached[1]


def _scope_of(user) -> Optional[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    admin_role = current_app.config["AUTH_ROLE_ADMIN"]
    org = getattr(user, "organisation", None)
    if org is not None:
        return org.path
    if any(role.name == admin_role for role in getattr(user, "roles", [])):
        return UNRESTRICTED
    return NOTHING


def org_ids_in_scope(path: Optional[str]):
    """A subquery of the organisation ids inside the subtree ``path``."""
    return select(Organisation.id).where(Organisation.path.startswith(path, autoescape=True))


def scope_clause(column, path=_CURRENT):
    """WHERE clause restricting an organisation-id column to the scope (current account's by default)."""
    path = current_scope() if path is _CURRENT else path
    if path is NOTHING:
        return false()
    if path == UNRESTRICTED:
        return true()
    return column.in_(org_ids_in_scope(path))


def path_in_scope(org_path: Optional[str], scope=_CURRENT) -> bool:
    """Is the organisation with this tree path inside the scope? Re-checked on every write."""
    scope = current_scope() if scope is _CURRENT else scope
    if scope is NOTHING or not org_path:
        return False
    return org_path.startswith(scope)


class OrgScopeFilter(BaseFilter):
    """FAB base filter: ``column_name`` holds an organisation id (or is ``path`` on Organisation)."""

    name = "数据范围"
    arg_name = "scope"

    def apply(self, query, value):
        path = value() if callable(value) else value
        if self.column_name == "path":
            if path is NOTHING:
                return query.filter(false())
            return query.filter(Organisation.path.startswith(path, autoescape=True))
        return query.filter(scope_clause(getattr(self.model, self.column_name), path))


class OrgSubtreeFilter(BaseFilter):
    """FAB search filter on a relation to Organisation: the row's organisation lies in the subtree
    of the organisation whose id is given (``_flt_0_community=<street id>`` lists a whole street).
    The view's scope filter still applies on top."""

    name = "属于（含下级单位）"
    arg_name = "in_org"

    def apply(self, query, value):
        from . import extensions

        org_id = value.id if isinstance(value, Organisation) else value
        path = (extensions.db.session.scalar(select(Organisation.path).where(
            Organisation.id == int(org_id))) if str(org_id).isdigit() else None)
        if path is None:
            return query.filter(false())
        column = self.datamodel.obj.__mapper__.relationships[self.column_name].local_columns
        return query.filter(next(iter(column)).in_(org_ids_in_scope(path)))
