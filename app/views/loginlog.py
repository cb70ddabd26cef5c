"""登录日志 screen: read-only, filterable, scoped."""
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField

from ..columns import LOGIN_EVENT_COLUMNS
from ..models import LOGIN_EVENT_KINDS, LoginEvent
from ..roles import STAFF
from .base import ScopedModelView


class LoginEventView(ScopedModelView):
    """登录日志, read-only. Scoped by the account's organisation at the time of the event: rows of
    unknown user names and of accounts without an organisation are seen by admins only."""

    model = LoginEvent
    columns = LOGIN_EVENT_COLUMNS
    scope_column = "organisation_id"
    base_permissions = ["can_read"]
    grants = {"read": STAFF, "export": STAFF}
    list_title = show_title = "登录日志"
    search_form_extra_fields = {
        "kind": SelectField("事件", choices=list(LOGIN_EVENT_KINDS.items()),
                            widget=Select2Widget())}
