"""Screens for the records: organisations, households, residents, code tables."""
from flask import abort, jsonify, request
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import DatePickerWidget
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from wtforms import DateField
from wtforms.validators import InputRequired, Optional

from ..columns import (CODE_ITEM_COLUMNS, EXPORT_LOG_COLUMNS, HOUSEHOLD_COLUMNS, IMPORT_LOG_COLUMNS,
                       ORGANISATION_COLUMNS, RESIDENT_COLUMNS)
from ..extensions import db
from ..roles import STAFF
from ..models import CodeItem, ExportLog, Household, ImportLog, Organisation, Resident
from ..orgimport import import_organisations
from ..scope import UNRESTRICTED, OrgScopeFilter, current_scope, scope_clause
from ..tabular import FileProblem, uploaded_table
from . import validators as v
from .base import METHOD_PERMISSIONS, ScopedModelView, ToolbarButton
from .history import HistoryTabMixin
from .fields import HouseholdPickerField, code_select
from .listargs import MAX_PAGE
from .importing import ImportView

PICKER_PAGE = 20
COMMUNITIES_IN_SCOPE = [["path", OrgScopeFilter, current_scope],
                        ["level", FilterEqual, "community"]]


class ResidentView(HistoryTabMixin, ScopedModelView):
    model = Resident
    columns = RESIDENT_COLUMNS
    add_form_extra_fields = edit_form_extra_fields = {
        "household": HouseholdPickerField(
            _l("所属户"), validators=[InputRequired(message=_l("请选择所属户"))]),
        # Sex and birth date may be left empty: they are derived from the ID number.
        "sex": code_select("sex", "性别", required=False),
        "birth_date": DateField(_l("出生日期"), validators=[Optional()], widget=DatePickerWidget()),
    }
    validators_columns = {
        "id_card_no": [v.id_number], "sex": [v.sex_matches_id],
        "birth_date": [v.birth_matches_id], "relation": [v.one_head], "phone": [v.phone],
        "status": [v.leaving_needs_date_and_reason],
    }
    description_columns = {"id_card_no": _l(
        "18位；15位旧号码自动升级为18位。性别和出生日期可留空，按号码自动填写。")}
    toolbar = (ImportView.button(),)


class HouseholdView(HistoryTabMixin, ScopedModelView):
    model = Household
    columns = HOUSEHOLD_COLUMNS
    related_views = [ResidentView]
    add_form_query_rel_fields = edit_form_query_rel_fields = {"community": COMMUNITIES_IN_SCOPE}
    validators_columns = {"household_no": [v.household_no_unique], "phone": [v.phone],
                          "status": [v.leaving_needs_date_and_reason]}
    toolbar = (ImportView.button(),)

    @expose("/picker/")
    @has_access
    def picker(self):
        """Scoped, searchable, paginated household options for select2 (never every household)."""
        term = request.args.get("q", "").strip()
        page = request.args.get("page", "1")
        page = min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1
        query = select(Household).where(scope_clause(Household.community_id),
                                        Household.status == "active")
        if term:
            like = term.replace("\\\\", "").replace("%", "").replace("_", "")
            query = query.where(or_(Household.household_no.startswith(like),
                                    Household.estate.contains(like)))
        rows = db.session.scalars(
            query.order_by(Household.household_no, Household.id)
            .offset((page - 1) * PICKER_PAGE).limit(PICKER_PAGE + 1)
        ).all()
        results = [{"id": h.id, "text": f"{h} （{h.community.name}）"} for h in rows[:PICKER_PAGE]]
        return jsonify(results=results, pagination={"more": len(rows) > PICKER_PAGE})


class OrganisationView(HistoryTabMixin, ScopedModelView):
    model = Organisation
    columns = ORGANISATION_COLUMNS
    scope_column = "path"
    grants = {"read": STAFF, "export": STAFF}  # the tree is kept by admins (import, command)
    method_permission_name = {**METHOD_PERMISSIONS, "import_divisions": "import"}
    toolbar = (ToolbarButton("导入区划", "OrganisationView.import_divisions",
                             ("can_import", "Organisation"), "fa-upload"),)
    related_views = [HouseholdView, ResidentView]

    def row_path(self, item):
        return item.compute_path()

    @expose("/import/", methods=["GET", "POST"])
    @has_access
    def import_divisions(self):
        """The division list import (as `flask orgs import`), for unrestricted admins only."""
        if current_scope() != UNRESTRICTED:
            abort(403)
        report = error = None
        if request.method == "POST":
            try:
                report = import_organisations(*uploaded_table(request.files.get("file")))
            except FileProblem as exc:
                error = str(exc)
        return self.render_template("org_import.html", report=report, error=error,
                                    title="导入区划")


class ChildOrganisationView(OrganisationView):
    """The child units listed on an organisation's page."""

    list_title = _l("下级单位")


OrganisationView.related_views = [ChildOrganisationView, HouseholdView, ResidentView]


class CodeItemView(ScopedModelView):
    """Code tables are shared by every organisation: readable by all, editable by admins only."""

    model = CodeItem
    columns = CODE_ITEM_COLUMNS
    scope_column = None
    base_permissions = ["can_read", "can_write"]
    grants = {"read": STAFF, "export": STAFF}


class ImportLogView(ScopedModelView):
    """Every import (web and command line), read-only, within the account's scope."""

    model = ImportLog
    columns = IMPORT_LOG_COLUMNS
    list_title = show_title = "导入记录"
    base_permissions = ["can_read"]
    grants = {"read": STAFF, "export": STAFF}


class ExportLogView(ScopedModelView):
    """Every Excel export, read-only, within the account's scope (by the exporting account's
    unit; exports by accounts without a unit are seen by admins only)."""

    model = ExportLog
    columns = EXPORT_LOG_COLUMNS
    scope_column = "organisation_id"
    list_title = show_title = "导出记录"
    base_permissions = ["can_read"]
    grants = {"read": STAFF, "export": STAFF}
