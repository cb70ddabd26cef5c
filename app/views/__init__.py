"""The whole menu, in one place."""
from .jobs import JobView
from .plan import CommunityTargetView, EquipmentView, TrainingRecordView
from .records import (ChildOrganisationView, CodeItemView, HouseholdView, OrganisationView,
                      ResidentView)


def register_views(appbuilder) -> None:
    appbuilder.add_view(ResidentView, "居民信息", icon="fa-user", category="社区信息",
                        category_icon="fa-home")
    appbuilder.add_view(HouseholdView, "户信息", icon="fa-users", category="社区信息")
    appbuilder.add_view(OrganisationView, "组织机构", icon="fa-sitemap", category="社区信息")
    appbuilder.add_view_no_menu(ChildOrganisationView)
    appbuilder.add_view(CommunityTargetView, "录入目标", icon="fa-bullseye", category="工作计划",
                        category_icon="fa-tasks")
    appbuilder.add_view(TrainingRecordView, "培训记录", icon="fa-graduation-cap",
                        category="工作计划")
    appbuilder.add_view(EquipmentView, "设备登记", icon="fa-desktop", category="工作计划")
    appbuilder.add_view(CodeItemView, "字典维护", icon="fa-book", category="系统设置",
                        category_icon="fa-cogs")
    appbuilder.add_view_no_menu(JobView)
