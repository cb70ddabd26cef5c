"""The whole menu, in one place."""
from ..auth.views import TwoFactorView
from .jobs import JobView
from .loginlog import LoginEventView
from .records import (ChildOrganisationView, CodeItemView, HouseholdView, OrganisationView,
                      ResidentView)


def register_views(appbuilder) -> None:
    appbuilder.add_view(ResidentView, "居民信息", icon="fa-user", category="社区信息",
                        category_icon="fa-home")
    appbuilder.add_view(HouseholdView, "户信息", icon="fa-users", category="社区信息")
    appbuilder.add_view(OrganisationView, "组织机构", icon="fa-sitemap", category="社区信息")
    appbuilder.add_view_no_menu(ChildOrganisationView)
    appbuilder.add_view(CodeItemView, "字典维护", icon="fa-book", category="系统设置",
                        category_icon="fa-cogs")
    appbuilder.add_view_no_menu(JobView)
    appbuilder.add_view(LoginEventView, "登录日志", icon="fa-list-alt", category="系统设置")
    appbuilder.add_view(TwoFactorView, "两步验证", icon="fa-mobile", category="系统设置")
