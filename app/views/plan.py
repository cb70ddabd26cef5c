"""Screens of the plan: entry targets per community (with import), training records, equipment."""
from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from wtforms import StringField
from wtforms.validators import Length, NumberRange, ValidationError

from ..columns import COMMUNITY_TARGET_COLUMNS, EQUIPMENT_COLUMNS, TRAINING_COLUMNS
from ..models import CommunityTarget, Equipment, TrainingRecord
from ..roles import DISTRICT_ADMIN, STAFF
from ..scope import OrgScopeFilter, current_scope
from ..tabular import FileProblem, uploaded_table
from ..targets import import_targets
from .base import METHOD_PERMISSIONS, ScopedModelView, ToolbarButton
from .records import COMMUNITIES_IN_SCOPE

ACCOUNTS_IN_SCOPE = [["organisation_id", OrgScopeFilter, current_scope]]
NOT_NEGATIVE = [NumberRange(min=0, message="应为不小于0的整数")]


def target_unique(form, field):
    from sqlalchemy import select

    from ..extensions import db

    other = field.data and db.session.scalar(select(CommunityTarget.id).where(
        CommunityTarget.community_id == field.data.id))
    if other and other != getattr(form, "_id", None):
        raise ValidationError(f"{field.data.name}已设定目标，请修改原记录")


def person_given(form, field):
    if not (field.data or "").strip() and not form.account.data:
        raise ValidationError("请选择账号或填写姓名")


class CommunityTargetView(ScopedModelView):
    model = CommunityTarget
    columns = COMMUNITY_TARGET_COLUMNS
    grants = {"read": STAFF, "write": (DISTRICT_ADMIN,), "export": STAFF}
    method_permission_name = {**METHOD_PERMISSIONS, "import_targets": "write"}
    list_title = show_title = "录入目标"
    add_title = "设定录入目标"
    edit_title = "修改录入目标"
    toolbar = (ToolbarButton("从表格导入目标", "CommunityTargetView.import_targets",
                             ("can_write", "CommunityTarget"), "fa-upload"),)
    add_form_query_rel_fields = edit_form_query_rel_fields = {"community": COMMUNITIES_IN_SCOPE}
    validators_columns = {"community": [target_unique], "residents": NOT_NEGATIVE,
                          "households": NOT_NEGATIVE}

    @expose("/import/", methods=["GET", "POST"])
    @has_access
    def import_targets(self):
        errors = []
        if request.method == "POST":
            try:
                result = import_targets(*uploaded_table(request.files.get("file")))
            except FileProblem as exc:
                errors = [str(exc)]
            else:
                errors = result.errors
                if not errors:
                    flash(f"已导入 {result.saved} 个社区的录入目标", "success")
                    return redirect(url_for(f"{type(self).__name__}.list"))
        return self.render_template("dashboard/target_import.html", errors=errors,
                                    title="导入录入目标")


class OrganisationRecordView(ScopedModelView):
    """Records of a unit (training, equipment): kept by the district's administrators."""

    scope_column = "organisation_id"
    grants = {"read": STAFF, "write": (DISTRICT_ADMIN,), "export": STAFF}


class TrainingRecordView(OrganisationRecordView):
    model = TrainingRecord
    columns = TRAINING_COLUMNS
    list_title = show_title = "培训记录"
    add_title = "新增培训记录"
    edit_title = "修改培训记录"
    add_form_query_rel_fields = edit_form_query_rel_fields = {"account": ACCOUNTS_IN_SCOPE}
    # Built here, not by FAB: FAB's Optional() on a nullable column clears person_given's error.
    add_form_extra_fields = edit_form_extra_fields = {"person_name": StringField(
        "姓名", validators=[Length(max=50)], filters=[lambda v: (v or "").strip() or None],
        description="参训人员没有系统账号时填写姓名")}
    validators_columns = {"person_name": [person_given]}


class EquipmentView(OrganisationRecordView):
    model = Equipment
    columns = EQUIPMENT_COLUMNS
    list_title = show_title = "设备登记"
    add_title = "登记设备"
    edit_title = "修改设备信息"
