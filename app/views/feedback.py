"""问题反馈: any account reports a problem (the page it came from is filled in, a screenshot is
optional); the reporter follows the status of their own reports; 区级管理 and admins see the reports
of their scope, assign them and close them."""
import datetime
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from sqlalchemy import or_, select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..columns import ColumnSet
from ..extensions import db
from ..feedback import MIME_TYPES, save_screenshot, screenshot_path, screenshot_problem
from ..models import FEEDBACK_STATUS, Feedback
from ..roles import DISTRICT_ADMIN, STAFF
from ..scope import OrgScopeFilter, current_scope, scope_clause
from .base import ScopedModelView

FEEDBACK_COLUMNS = ColumnSet(
    list=("title", "status", "reporter", "organisation", "assignee", "created_on"),
    search=("title", "status", "organisation", "created_on"),
    form=("title", "description", "page_url", "screenshot"),  # what a reporter fills in
    edit=("status", "assignee", "response"),  # what a manager sets
    show=("title", "description", "page_url", "screenshot", "reporter", "organisation",
          "created_on", "status", "assignee", "response", "closed_on"),
    order=("id", "desc"),
    eager=("reporter", "organisation", "assignee"),
)


def can_manage() -> bool:
    return current_app.appbuilder.sm.has_access("can_manage", "Feedback")


def visible():
    """Managers see the reports of their scope; everyone sees their own."""
    own = Feedback.reporter_id == getattr(g.user, "id", None)
    return or_(own, scope_clause(Feedback.organisation_id)) if can_manage() else own


class VisibleFeedback(BaseFilter):
    name = "可见范围"
    arg_name = "visible"

    def apply(self, query, value):
        return query.filter(visible())


class ScreenshotField(FileField):
    """An optional image, checked by content and size, stored on populate (app.feedback)."""

    def pre_validate(self, form):
        if self.data and (problem := screenshot_problem(self.data)):
            raise ValidationError(problem)

    def populate_obj(self, obj, name):
        setattr(obj, name, save_screenshot(self.data) if self.data else None)


def _referring_page() -> str:
    """The page the reporter came from (this site's path only), to fill in 出问题的页面."""
    url = urlsplit(request.args.get("page") or request.referrer or "")
    if url.netloc and url.netloc != request.host:
        return ""
    return url.path + (f"?{url.query}" if url.query else "") if url.path else ""


def _page_link(url):
    if url and url.startswith("/") and not url.startswith("//"):
        return Markup(f'<a href="{escape(url)}">{escape(url)}</a>')
    return url or ""


def _screenshot_image(name):
    if not name:
        return ""
    src = escape(url_for("FeedbackView.screenshot", name=name))
    return Markup(f'<a href="{src}" target="_blank"><img src="{src}" alt="截图" '
                  f'style="max-width: 480px; max-height: 360px"></a>')


class FeedbackView(ScopedModelView):
    model = Feedback
    columns = FEEDBACK_COLUMNS
    scope_column = None  # visibility is VisibleFeedback's: own reports, or the manager's scope
    base_filters = [["organisation_id", VisibleFeedback, None]]
    method_permission_name = {
        "list": "read", "show": "read", "screenshot": "read", "add": "report",
        "edit": "manage", "delete": "manage", "action": "manage", "action_post": "manage",
        "close": "manage", "take": "manage", "export": "export",
    }
    base_permissions = ["can_read", "can_report", "can_manage"]
    grants = {"read": STAFF, "report": STAFF, "manage": (DISTRICT_ADMIN,), "export": STAFF}
    list_title = "问题反馈"
    show_title = "反馈详情"
    add_title = "我要反馈"
    edit_title = "处理反馈"
    add_form_extra_fields = {
        "title": StringField("问题", validators=[InputRequired("请用一句话写明问题"),
                                                Length(max=100)]),
        "description": TextAreaField("详细描述", validators=[
            InputRequired("请写明做了什么、看到了什么、期望看到什么")]),
        "page_url": StringField("出问题的页面", default=_referring_page,
                                validators=[Length(max=500)],
                                description="默认是您点“我要反馈”之前所在的页面"),
        "screenshot": ScreenshotField("截图（可选）",
                                      description="PNG、JPEG、GIF 或 WebP 图片，不超过 5 MB"),
    }
    edit_form_extra_fields = {
        "status": SelectField("状态", choices=list(FEEDBACK_STATUS.items()),
                              widget=Select2Widget()),
    }
    # Assign only to accounts of the manager's own scope (admins: anyone).
    edit_form_query_rel_fields = {"assignee": [["organisation_id", OrgScopeFilter,
                                                current_scope]]}
    search_form_query_rel_fields = {"organisation": [["path", OrgScopeFilter, current_scope]]}
    formatters_columns = {"page_url": _page_link, "screenshot": _screenshot_image}

    # -- writes ----------------------------------------------------------------------------------
    def pre_add(self, item):
        """A report belongs to its reporter and the reporter's organisation, whatever is posted."""
        item.reporter_id = g.user.id
        item.organisation_id = g.user.organisation_id
        item.status = "open"

    def pre_update(self, item):
        """Assigning starts the work; closing stamps the time (reopening clears it)."""
        if item.assignee is not None and item.status == "open":
            item.status = "assigned"
        if item.status != "closed":
            item.closed_on = None
        elif item.closed_on is None:
            item.closed_on = datetime.datetime.now()

    def pre_delete(self, item):
        """Being visible (VisibleFeedback) with the manage permission is enough."""

    @action("take", "由我处理", icon="fa-hand-paper-o")
    def take(self, items):
        return self._set(items, assignee=g.user, status="assigned")

    @action("close", "关闭", "关闭所选反馈？", "fa-check")
    def close(self, items):
        return self._set(items, status="closed")

    def _set(self, items, **values):
        for item in items if isinstance(items, list) else [items]:
            for key, value in values.items():
                setattr(item, key, value)
            self.pre_update(item)
        self.datamodel.session.commit()
        self.update_redirect()
        return redirect(self.get_redirect())

    # -- the screenshot, for whoever may see the report --------------------------------------------
    @expose("/screenshot/<name>")
    @has_access
    def screenshot(self, name):
        shown = db.session.scalar(select(Feedback.id).where(Feedback.screenshot == name,
                                                             visible()))
        path = screenshot_path(name) if shown else None
        if path is None:
            abort(404)
        return send_file(path, mimetype=MIME_TYPES.get(path.suffix.lstrip(".")), max_age=0)
