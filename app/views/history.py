"""修改记录: the history list (scoped, read-only) and a tab on each record's page.

Both are ScopedModelViews on ChangeRecord: a history row is visible when the organisation of the
changed record lies in the account's scope. Values are formatted by app.history (labels, code
names, masking for accounts without 查看完整证件号和电话).
"""
from dataclasses import replace

from flask_appbuilder.fieldwidgets import DatePickerWidget, Select2Widget
from flask_appbuilder.models.sqla.filters import FilterEqual
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from ..audit import MODEL_NAMES
from ..columns import ColumnSet
from ..history import details_html, model_name
from ..models import CHANGE_ACTIONS, ChangeRecord
from ..roles import STAFF
from ..scope import OrgScopeFilter, current_scope
from .base import ScopedModelView

HISTORY_COLUMNS = ColumnSet(
    list=("at", "username", "address", "organisation", "model", "object_label", "action",
          "details"),
    search=("organisation", "username", "at", "model", "action", "object_label", "request_id"),
    form=(),
    show=("at", "username", "address", "request_id", "organisation", "model", "object_id",
          "object_label", "action", "details"),
    # 变更内容 (a property rendering the changes) is not a column: not exported column-wise
    export=("at", "username", "address", "request_id", "organisation", "model", "object_id",
            "object_label", "action"),
    order=("id", "desc"),
    eager=("organisation",),
)


def _select(label: str, choices: dict) -> SelectField:
    return SelectField(label, choices=[("", "（全部）"), *choices.items()],
                       validators=[Optional()], widget=Select2Widget())


class HistoryView(ScopedModelView):
    """Every change in the account's scope, newest first."""

    model = ChangeRecord
    columns = HISTORY_COLUMNS
    scope_column = "organisation_id"
    base_permissions = ["can_read"]
    grants = {"read": STAFF, "export": STAFF}
    list_title = "修改记录"
    show_title = "修改记录详情"
    label_columns = {"details": "变更内容"}
    formatters_columns = {"details": details_html, "model": model_name,
                          "at": lambda at: f"{at:%Y-%m-%d %H:%M:%S}",
                          "address": lambda a: "命令行" if a == "cli" else (a or "")}
    search_form_extra_fields = {
        "model": _select("对象类型", MODEL_NAMES),
        "action": _select("操作", CHANGE_ACTIONS),
        "at": DateField("时间", validators=[Optional()], widget=DatePickerWidget()),
    }
    search_form_query_rel_fields = {"organisation": [["path", OrgScopeFilter, current_scope]]}


class RecordHistoryView(HistoryView):
    """The 修改记录 tab on a record's page: that record's changes only."""

    columns = replace(HISTORY_COLUMNS, list=("at", "username", "address", "action", "details"))


class HistoryTabMixin:
    """Adds a 修改记录 tab (the record's change history) to a ScopedModelView's show and edit
    pages, next to its related views."""

    def get_uninit_inner_views(self):
        return [*super().get_uninit_inner_views(), RecordHistoryView]

    def _get_related_view_widget(self, item, related_view, order_column="", order_direction="",
                                 page=None, page_size=None):
        if not isinstance(related_view, RecordHistoryView):
            return super()._get_related_view_widget(item, related_view, order_column,
                                                    order_direction, page, page_size)
        filters = related_view.datamodel.get_filters()
        filters.add_filter("model", FilterEqual, type(item).__name__)
        filters.add_filter("object_id", FilterEqual, item.id)
        return related_view._get_view_widget(filters=filters, order_column=order_column,
                                             order_direction=order_direction, page=page,
                                             page_size=page_size)
