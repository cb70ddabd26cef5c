"""The whole menu, in one place."""
from .feedback import FeedbackView
from .history import HistoryView, RecordHistoryView
from .jobs import JobView
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
    appbuilder.add_view(HistoryView, "修改记录", icon="fa-history", category="系统设置")
    appbuilder.add_view_no_menu(RecordHistoryView)
    feedback = appbuilder.add_view(FeedbackView, "反馈列表", icon="fa-list",
                                   category="问题反馈", category_icon="fa-comments")
    appbuilder.add_link("我要反馈", href="/feedbackview/add", icon="fa-comment",
                        category="问题反馈", baseview=feedback)
