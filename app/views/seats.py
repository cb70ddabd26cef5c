"""Seat screens: 席位总览 (every seat of the scope, holders, vacancies, Excel export), the
post catalogue with quotas per level (职务名额) and per-organisation quotas (名额调整)."""
import io

from flask import abort, current_app, request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from wtforms.validators import NumberRange, ValidationError

from ..columns import POST_COLUMNS, QUOTA_OVERRIDE_COLUMNS
from ..errors import UserFacingError
from ..exporting import XLSX, table_bytes
from ..extensions import db
from ..models import Organisation, Post, QuotaOverride
from ..roles import DISTRICT_ADMIN, VIEWERS
from ..scope import current_scope
from ..seats import check_post_level, seat_rows
from .base import ScopedModelView
from .fields import select_field

NOT_NEGATIVE = NumberRange(min=0, message="名额不能为负数")


def _role_choices() -> list[tuple[str, str]]:
    return sorted((r.name, r.name) for r in current_app.appbuilder.sm.get_all_roles())


class PostView(ScopedModelView):
    """The post catalogue: shared by every organisation, comes from seed/posts.csv (posts are
    neither added nor deleted here); admins edit quotas per level, default roles and order."""

    model = Post
    columns = POST_COLUMNS
    scope_column = None
    method_permission_name = {**ScopedModelView.method_permission_name, "add": "add"}
    base_permissions = ["can_read", "can_write"]  # no can_add, no can_delete: for nobody
    grants = {"read": (DISTRICT_ADMIN,), "export": (DISTRICT_ADMIN,)}
    list_title = show_title = "职务名额"
    edit_title = "修改职务名额"
    edit_form_extra_fields = {"role_name": select_field("默认角色", _role_choices, required=False)}
    validators_columns = {"quota": [NOT_NEGATIVE]}
    description_columns = {"quota": "每个该层级单位的名额；留空表示不限（市级管理员）",
                           "role_name": "新建账号时按职务给予的角色"}


def post_fits_organisation(form, field):
    """The post must be a seat of the organisation's level; one override per seat."""
    org, post = form.organisation.data, field.data
    if org is None or post is None:
        return
    try:
        check_post_level(org, post)
    except UserFacingError as exc:
        raise ValidationError(str(exc))
    other = db.session.scalar(select(QuotaOverride.id).where(
        QuotaOverride.organisation_id == org.id, QuotaOverride.post_id == post.id))
    if other is not None and other != getattr(form, "_id", None):
        raise ValidationError(f"{org.name}的{post.name}已有名额调整，请修改原记录")


class QuotaOverrideView(ScopedModelView):
    """A different quota for one post of one organisation, inside the manager's subtree."""

    model = QuotaOverride
    columns = QUOTA_OVERRIDE_COLUMNS
    scope_column = "organisation_id"
    grants = {"read": (DISTRICT_ADMIN,), "write": (DISTRICT_ADMIN,), "delete": (DISTRICT_ADMIN,),
              "export": (DISTRICT_ADMIN,)}
    list_title = show_title = "名额调整"
    add_title = "新增名额调整"
    edit_title = "修改名额调整"
    validators_columns = {"quota": [NOT_NEGATIVE], "post": [post_fits_organisation]}
    description_columns = {"quota": "该单位此职务的名额，代替按层级设定的名额"}


SEAT_HEADER = ("单位", "区划代码", "层级", "职务", "名额", "在岗", "空缺", "在岗人员")


def seat_workbook(rows) -> io.BytesIO:
    """席位总览 as an xlsx file (the shared table writer, app/exporting.py)."""
    table = [(row.organisation.name, row.organisation.code, row.organisation.level_name,
              row.post.name, "不限" if row.quota is None else row.quota, row.filled,
              "" if row.vacancies is None else row.vacancies, "、".join(row.holders))
             for row in rows]
    return io.BytesIO(table_bytes("席位总览", SEAT_HEADER, table))


class SeatOverviewView(BaseView):
    """席位总览: organisation × post of the account's subtree, filterable by street."""

    route_base = "/seats"
    default_view = "overview"
    class_permission_name = "SeatOverview"
    method_permission_name = {"overview": "read", "export": "read"}
    grants = {"read": VIEWERS}

    @staticmethod
    def _streets(scope: str) -> list[Organisation]:
        return db.session.scalars(select(Organisation).where(
            Organisation.level == "street", Organisation.active.is_(True),
            Organisation.path.startswith(scope, autoescape=True)).order_by(Organisation.path)).all()

    def _seats(self):
        """(streets of the scope, chosen street or None, seat rows); a street outside is 404."""
        scope = current_scope()
        if scope is None:
            abort(404)
        streets = self._streets(scope)
        chosen = request.args.get("street", "")
        street = next((s for s in streets if str(s.id) == chosen), None)
        if chosen and street is None:
            abort(404)
        return streets, street, seat_rows(db.session, street.path if street else scope)

    @expose("/")
    @has_access
    def overview(self):
        streets, street, rows = self._seats()
        return self.render_template("seats.html", title="席位总览", streets=streets,
                                    street=street, rows=rows)

    @expose("/export")
    @has_access
    def export(self):
        _streets, street, rows = self._seats()
        name = f"席位总览_{street.name}.xlsx" if street else "席位总览.xlsx"
        return send_file(seat_workbook(rows), mimetype=XLSX, as_attachment=True,
                         download_name=name)
