"""Account screens: FAB's user screens with each account's organisation and post (its seat).

A manager (区级管理) sees and edits only the accounts it may manage (app/accounts.py), is offered
only organisations inside its subtree, posts of its level and below, and roles no higher than its
own, and every saved account is re-checked. Seat quotas are checked in the form for a message next
to the field, and again when the account is saved (app/seats.py), whichever path saves it.
"""
from flask import abort, current_app, g, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.views import UserDBModelView
from sqlalchemy import select
from wtforms.validators import ValidationError

from ..accounts import (default_role, grantable_levels, grantable_roles, management_problem,
                        manageable_clause, roles_clause)
from ..auth.views import AccountSecurityActions, ResetPasswordView
from ..columns import label_of
from ..display import model_formatters
from ..errors import UserFacingError
from ..extensions import db
from ..models import Account, Organisation, Post
from ..roles import DISTRICT_ADMIN, STAFF
from ..seats import check_post_level, check_seat
from .base import SCOPE_COLUMNS, ScopedRowsMixin, in_scope
from .export import ExportMixin
from .interface import DatabaseMessageMixin


class ManageableAccounts(BaseFilter):
    """Its own account for everyone (个人信息); the accounts it manages for an account manager."""

    name = "管理范围"
    arg_name = "manageable"

    def apply(self, query, value):
        manager = current_app.appbuilder.sm.has_access("can_read", AccountView.__name__)
        return query.filter(manageable_clause(g.user, manager))


class GrantableRoles(BaseFilter):
    name = "可授予角色"
    arg_name = "grantable_roles"

    def apply(self, query, value):
        return query.filter(roles_clause(grantable_roles(g.user)))


class GrantableLevels(BaseFilter):
    name = "可设职务"
    arg_name = "grantable_levels"

    def apply(self, query, value):
        return query.filter(Post.level.in_(grantable_levels()))


def _edited_account(form):
    pk = getattr(form, "_id", None)  # FAB sets form._id to the pk being edited
    return db.session.get(Account, pk) if pk is not None else None


def _makes_admin(form) -> bool:
    admin = current_app.config["AUTH_ROLE_ADMIN"]
    return any(role.name == admin for role in form.roles.data or [])


def seat_rules(form, field):
    """Organisation and post: both required (admins excepted), of the same level, and an active
    account needs a vacancy in that seat."""
    org, post = form.organisation.data, field.data
    if org is None or post is None:
        if _makes_admin(form):
            return
        raise ValidationError("请选择所属单位和职务")
    account = _edited_account(form)
    # An account keeping its seat keeps it, even if the quota was lowered below the holders.
    kept = account is not None and account.active and (
        account.organisation_id, account.post_id) == (org.id, post.id)
    try:
        check_post_level(org, post)
        if form.active.data and not kept:
            check_seat(db.session, account, org, post)
    except UserFacingError as exc:
        raise ValidationError(str(exc))


def role_rules(form, field):
    """Only offered (grantable) roles; may be left empty for the post's default role. (FAB's
    multi-select silently drops a posted choice it does not offer: refuse it instead.)"""
    if len(set(field.raw_data or [])) > len(field.data):
        raise ValidationError("所选角色超出您的授权范围")
    if field.data:
        return
    if form.post.data is None:
        raise ValidationError("请选择角色，或选择职务（按职务的默认角色）")
    try:
        default_role(form.post.data)
    except UserFacingError as exc:
        raise ValidationError(str(exc))


SCOPE_COLUMNS.setdefault(Account, "organisation_id")  # a relation to accounts offers those in scope
GRANTABLE_OPTIONS = {
    "organisation": in_scope(Organisation),
    "post": [["level", GrantableLevels, None]],
    "roles": [["name", GrantableRoles, None]],
}
SEAT_FIELDS = ["organisation", "post"]


class AccountView(ExportMixin, AccountSecurityActions, ScopedRowsMixin, DatabaseMessageMixin,
                  UserDBModelView):
    """用户列表: accounts with their seat, limited to the accounts the current account manages."""

    method_permission_name = {
        "list": "read", "show": "read", "download": "read",
        "add": "write", "edit": "write", "action_post": "write", "resetpasswords": "write",
        "delete": "delete", "export": "export",
        # one's own account page and its actions
        "userinfo": "userinfo", "action": "userinfo", "resetmypassword": "userinfo",
        "userinfoedit": "userinfo",
    }
    grants = {"read": (DISTRICT_ADMIN,), "write": (DISTRICT_ADMIN,), "userinfo": STAFF,
              "export": (DISTRICT_ADMIN,)}
    list_template = "scoped_list.html"
    export_fields = ("username", "last_name", "first_name", "email", *SEAT_FIELDS, "active",
                     "roles", "last_login")
    base_filters = [["id", ManageableAccounts, None]]

    list_columns = ["username", "last_name", "first_name", *SEAT_FIELDS, "active", "roles"]
    search_columns = [c for c in UserDBModelView.search_columns if c != "groups"] + SEAT_FIELDS
    # No groups: FAB's Group.users accepts only its own User class (a FlushError for Account),
    # and a group's roles would bypass the role limits. Roles are granted one by one.
    add_columns = ["last_name", "first_name", "username", "email", *SEAT_FIELDS, "active",
                   "roles", "password", "conf_password"]
    edit_columns = ["last_name", "first_name", "username", "email", *SEAT_FIELDS, "active",
                    "roles"]
    show_fieldsets = [
        (name, {**spec, "fields": spec["fields"][:1] + SEAT_FIELDS + spec["fields"][1:]})
        if index == 0 else (name, spec)
        for index, (name, spec) in enumerate(UserDBModelView.show_fieldsets)]
    label_columns = {**UserDBModelView.label_columns,
                     **{name: label_of(Account, name) for name in SEAT_FIELDS}}
    formatters_columns = model_formatters(Account)
    description_columns = {**UserDBModelView.description_columns,
                           "roles": "留空则按职务的默认角色", "active": "停用的账号不占名额"}
    add_form_query_rel_fields = edit_form_query_rel_fields = GRANTABLE_OPTIONS
    search_form_query_rel_fields = {"organisation": in_scope(Organisation)}
    validators_columns = {"post": [seat_rules], "roles": [role_rules]}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.extra_args = {**(self.extra_args or {}), "toolbar": (self.export_button(),)}

    def process_form(self, form, is_created):
        if not form.roles.data and form.post.data is not None:
            form.roles.data = [default_role(form.post.data)]

    def assert_manageable(self, item) -> None:
        problem = management_problem(item)
        if problem:
            self.datamodel.session.rollback()  # nothing of the refused account may be flushed
            raise UserFacingError(problem)

    def pre_add(self, item):
        self.assert_manageable(item)
        super().pre_add(item)  # hashes the password

    def pre_update(self, item):
        self.assert_manageable(item)
        super().pre_update(item)


class ScopedResetPasswordView(ResetPasswordView):
    """FAB's reset of another account's password, for the accounts the current account manages:
    any other pk answers 404 (FAB would reset any account's password, an admin's included)."""

    class_permission_name = "ResetPasswordView"
    grants = {"this_form_get": (DISTRICT_ADMIN,), "this_form_post": (DISTRICT_ADMIN,)}

    @staticmethod
    def _managed_account() -> Account:
        pk = request.args.get("pk", "")
        account = db.session.scalar(select(Account).where(
            Account.id == int(pk), manageable_clause(g.user))) if pk.isdigit() else None
        if account is None:
            abort(404)
        return account

    def form_get(self, form):
        self._managed_account()

    def form_post(self, form):
        self._managed_account()
        super().form_post(form)
