"""The whole menu, in one place."""
from .jobs import JobView
from .importing import ImportView
from .records import (ChildOrganisationView, CodeItemView, HouseholdView, ImportLogView,
                      OrganisationView, ResidentView)


def register_views(appbuilder) -> None:
    appbuilder.add_view(ResidentView, "居民信息", icon="fa-user", category="社区信息",
                        category_icon="fa-home")
    appbuilder.add_view(HouseholdView, "户信息", icon="fa-users", category="社区信息")
    appbuilder.add_view(OrganisationView, "组织机构", icon="fa-sitemap", category="社区信息")
    appbuilder.add_view_no_menu(ChildOrganisationView)
    appbuilder.add_view(CodeItemView, "字典维护", icon="fa-book", category="系统设置",
                        category_icon="fa-cogs")
    appbuilder.add_view_no_menu(JobView)
    appbuilder.add_view_no_menu(ImportView)
    appbuilder.add_view(ImportLogView, "导入记录", icon="fa-upload", category="社区信息")
