"""The whole menu, in one place. Names are marked N_: they are also permission names and are
translated where the menu is drawn."""
from ..auth.views import TwoFactorView
from ..i18n import N_
from .apikeys import ApiKeyView
from .feedback import FeedbackView
from .history import HistoryView, RecordHistoryView
from .jobs import JobView
from .loginlog import LoginEventView
from .plan import CommunityTargetView, EquipmentView, TrainingRecordView
from .importing import ImportView
from .records import (ChildOrganisationView, CodeItemView, ExportLogView, HouseholdView,
                      ImportLogView,
                      OrganisationView, ResidentView)
from .seats import PostView, QuotaOverrideView, SeatOverviewView


def register_views(appbuilder) -> None:
    records, seats, system = N_("社区信息"), N_("席位管理"), N_("系统设置")
    appbuilder.add_view(ResidentView, N_("居民信息"), icon="fa-user", category=records,
                        category_icon="fa-home")
    appbuilder.add_view(HouseholdView, N_("户信息"), icon="fa-users", category=records)
    appbuilder.add_view(OrganisationView, N_("组织机构"), icon="fa-sitemap", category=records)
    appbuilder.add_view_no_menu(ChildOrganisationView)
    plan = N_("工作计划")
    appbuilder.add_view(CommunityTargetView, N_("录入目标"), icon="fa-bullseye", category=plan,
                        category_icon="fa-tasks")
    appbuilder.add_view(TrainingRecordView, N_("培训记录"), icon="fa-graduation-cap",
                        category=plan)
    appbuilder.add_view(EquipmentView, N_("设备登记"), icon="fa-desktop", category=plan)
    appbuilder.add_view(SeatOverviewView, N_("席位总览"), icon="fa-id-badge", category=seats,
                        category_icon="fa-id-card")
    appbuilder.add_view(PostView, N_("职务名额"), icon="fa-list-ol", category=seats)
    appbuilder.add_view(QuotaOverrideView, N_("名额调整"), icon="fa-sliders", category=seats)
    appbuilder.add_view(CodeItemView, N_("字典维护"), icon="fa-book", category=system,
                        category_icon="fa-cogs")
    appbuilder.add_view_no_menu(JobView)
    appbuilder.add_view(LoginEventView, N_("登录日志"), icon="fa-list-alt", category=system)
    appbuilder.add_view(TwoFactorView, N_("两步验证"), icon="fa-mobile", category=system)
    appbuilder.add_view(HistoryView, N_("修改记录"), icon="fa-history", category=system)
    appbuilder.add_view(ApiKeyView, N_("接口密钥"), icon="fa-key", category=system)
    appbuilder.add_view_no_menu(RecordHistoryView)
    feedback = appbuilder.add_view(FeedbackView, N_("反馈列表"), icon="fa-list",
                                   category=N_("问题反馈"), category_icon="fa-comments")
    appbuilder.add_link(N_("我要反馈"), href="/feedbackview/add", icon="fa-comment",
                        category=N_("问题反馈"), baseview=feedback)
    appbuilder.add_view_no_menu(ImportView)
    appbuilder.add_view(ImportLogView, N_("导入记录"), icon="fa-upload", category=records)
    appbuilder.add_view(ExportLogView, N_("导出记录"), icon="fa-download", category=records)
