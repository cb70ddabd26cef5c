"""Security manager: FAB's, with the extended account (organisation and post), and Chinese names
where FAB's security views have none (groups, the user statistics chart, permission names).

Subclasses of FAB's views keep FAB's permission names (``class_permission_name``), so roles and
grants do not change with them."""
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group
from flask_appbuilder.security.views import (PermissionModelView, PermissionViewModelView,
                                             RoleModelView,
                                             UserGroupModelView, UserStatsChartView,
                                             ViewMenuModelView)
from flask_babel import lazy_gettext as _l

from .api import keys
from .api.docs import KeyOnlySecurityApi
from .auth.manager import LoginSecurityMixin
from .display import model_formatters
from .models import Account
from .permission_cache import PermissionCacheMixin
from .permission_names import action_label, view_label
from .views.accounts import AccountView, ScopedResetPasswordView
from .views.interface import AppInterface


class GroupView(UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    label_columns = {"name": _l("名称"), "label": _l("显示名称"), "description": _l("说明"),
                     "users": _l("账号"), "roles": _l("角色")}
    formatters_columns = model_formatters(Group)


class UserStatsView(UserStatsChartView):
    class_permission_name = "UserStatsChartView"
    label_columns = dict(AccountView.label_columns)  # FAB's chart view writes into it
    definitions = [
        {"label": _l("登录次数"), "group": "username", "series": ["login_count"]},
        {"label": _l("登录失败次数"), "group": "username", "series": ["fail_login_count"]},
    ]


class RoleView(RoleModelView):
    class_permission_name = "RoleModelView"
    label_columns = {**RoleModelView.label_columns, "user": _l("账号"), "groups": _l("用户组")}


class PermissionPairView(PermissionViewModelView):
    class_permission_name = "PermissionViewModelView"
    label_columns = {**PermissionViewModelView.label_columns, "role": _l("角色")}


class PermissionNameView(PermissionModelView):
    class_permission_name = "PermissionModelView"
    formatters_columns = {"name": action_label}


class ViewMenuNameView(ViewMenuModelView):
    class_permission_name = "ViewMenuModelView"
    formatters_columns = {"name": view_label}


# Login security (lockout, login log, password policy, second factor) lives in app/auth/.
class CommunitySecurityManager(PermissionCacheMixin, LoginSecurityMixin, SecurityManager):
    user_model = Account
    userdbmodelview = AccountView
    groupmodelview = GroupView
    userstatschartview = UserStatsView
    rolemodelview = RoleView
    permissionviewmodelview = PermissionPairView
    permissionmodelview = PermissionNameView
    viewmenumodelview = ViewMenuNameView
    resetpasswordview = ScopedResetPasswordView
    security_api = KeyOnlySecurityApi  # no JWT login: the API takes keys only (app/api/keys.py)

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # Account lists load organisation and post in the same query, and a rule refused at save
        # time (a seat filled meanwhile, app/seats.py) rolls back and shows its message.
        self.userdbmodelview.datamodel = AppInterface(self.user_model,
                                                      eager=("organisation", "post"))

    # -- API keys (FAB_API_KEY_ENABLED): ours, in our table, with read-only keys enforced --------
    @staticmethod
    def extract_api_key_from_request():
        return keys.presented_key()

    def validate_api_key(self, api_key_string):
        return keys.account_for(api_key_string)

    def has_access(self, permission_name, view_name):
        return keys.allows(permission_name) and super().has_access(permission_name, view_name)
