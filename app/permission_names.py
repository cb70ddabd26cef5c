"""Names of permissions and view menus as people read them on the security screens.

FAB shows its security rows by their technical names ("can read on Resident"); the role screens,
the permission lists and the role form's options all render them through ``repr``. ``install``
gives those rows translated names: the action from ``ACTIONS``, the view from its model's
``verbose_name`` or its title, menus by their (translated) menu name.
"""
from flask_appbuilder.security.sqla.models import Permission, PermissionView, ViewMenu
from flask_babel import gettext as _

from .i18n import N_

ACTIONS = {
    "can_read": N_("查看"), "can_write": N_("新增和修改"), "can_delete": N_("删除"),
    "menu_access": N_("菜单"), "can_list": N_("列表"), "can_show": N_("查看详情"),
    "can_add": N_("新增"), "can_edit": N_("修改"), "can_download": N_("下载"),
    "can_userinfo": N_("查看个人信息"), "userinfoedit": N_("修改个人信息"),
    "resetmypassword": N_("修改本人密码"), "resetpasswords": N_("重设他人密码"),
    "can_this_form_get": N_("打开表单"), "can_this_form_post": N_("提交表单"),
    "copyrole": N_("复制角色"), "can_chart": N_("查看图表"), "can_see": N_("查看完整"),
    "can_get": N_("接口读取"), "can_info": N_("接口说明"), "can_post": N_("接口新增"),
    "can_put": N_("接口修改"),
    "can_unlock_login": N_("解除登录锁定"), "can_reset_second_factor": N_("重置两步验证"),
    "unlock_login": N_("解除登录锁定"), "reset_second_factor": N_("重置两步验证"),
    "can_report": N_("反馈问题"), "can_manage": N_("处理反馈"), "can_import": N_("导入"),
    "can_export": N_("导出"),
    "can_related": N_("接口关联选项"), "can_revoke": N_("吊销"),
}
# Views without a model or a title of their own.
BUILTIN_VIEWS = {
    "IndexView": N_("首页"), "UtilView": N_("返回上一页"), "LocaleView": N_("切换语言"),
    "AuthDBView": N_("登录"), "SwaggerView": N_("接口文档"), "MenuApi": N_("菜单接口"),
    "OpenApi": N_("接口说明"), "SecurityApi": N_("安全接口"),
    "SensitiveData": N_("完整证件号和电话"), "ResetMyPasswordView": N_("本人密码"),
    "ResetPasswordView": N_("他人密码"), "UserInfoEditView": N_("个人信息"),
    "Job": N_("后台任务"), "TwoFactor": N_("两步验证"), "LoginView": N_("登录"),
    "SeatOverview": N_("席位总览"), "Dashboard": N_("首页"), "ResidentImport": N_("居民导入"),
}
_view_names: dict = {}  # class permission name -> noun or title of the registered view


def action_label(name: str) -> str:
    return _(ACTIONS.get(name, name))


def view_label(name: str) -> str:
    label = BUILTIN_VIEWS.get(name) or _view_names.get(name, name)
    return _(label) if isinstance(label, str) else str(label)  # a msgid, or a lazy title


def pair_label(action: str, view: str) -> str:
    """A permission as the role screens name it: 居民：查看."""
    return _("%(view)s：%(action)s", view=view_label(view), action=action_label(action))


def stored_pair_label(key: str) -> str:
    """A permission stored by the history as ``"can_read|Resident"`` (app.audit.item_name)."""
    action, _sep, view = key.partition("|")
    return pair_label(action, view)


def _view_name(view):
    model = getattr(view, "model", None)
    return (getattr(model, "verbose_name", None) or getattr(view, "list_title", None)
            or getattr(view, "chart_title", None))


def install(appbuilder) -> None:
    for view in appbuilder.baseviews:
        if name := _view_name(view):
            _view_names.setdefault(view.class_permission_name, name)
    Permission.__repr__ = lambda self: action_label(self.name)
    ViewMenu.__repr__ = lambda self: view_label(self.name)
    PermissionView.__repr__ = lambda self: pair_label(self.permission.name, self.view_menu.name)
