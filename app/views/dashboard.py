"""The landing page: the dashboard of the account's own subtree, and its tables as Excel."""
from flask import abort, g, redirect, request
from flask_appbuilder import IndexView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from .. import dashboard
from ..extensions import db
from ..models import Organisation
from ..roles import STAFF
from ..rollup_export import xlsx_response
from ..scope import NOTHING, current_scope, path_in_scope


def home_unit() -> Organisation | None:
    """The account's organisation; for an account that sees everything, the first unit of the tree
    with more than one child (天津市 > 市辖区 > 东丽区 → 东丽区)."""
    scope = current_scope()
    if scope:
        return db.session.scalar(select(Organisation).where(Organisation.path == scope))
    org = None
    while True:
        children = db.session.scalars(
            select(Organisation).where(Organisation.parent_id == (org.id if org else None))
            .order_by(Organisation.code).limit(2)).all()
        if len(children) != 1:
            return org or (children[0] if children else None)
        org = children[0]


def requested_unit() -> Organisation | None:
    """The unit asked for with ``?org=<id>`` (inside the scope), else the home unit."""
    org_id = request.args.get("org", "")
    if not org_id:
        return home_unit()
    org = db.session.get(Organisation, int(org_id)) if org_id.isdigit() else None
    if org is None or not path_in_scope(org.path):
        abort(404)
    return org


class DashboardView(IndexView):
    """FAB's index view replaced (config FAB_INDEX_VIEW): everyone lands on their dashboard."""

    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read", "export": "read"}
    base_permissions = ["can_read"]
    grants = {"read": STAFF}
    index_template = "dashboard/index.html"

    @expose("/")
    def index(self):
        # Not @has_access: an anonymous visitor goes to the login page without an error message,
        # and an account without the permission (or without a unit) gets a plain welcome page.
        if not g.user or not g.user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        sm = self.appbuilder.sm
        if current_scope() is NOTHING or not sm.has_access("can_read", "Dashboard"):
            return self.render_template("dashboard/welcome.html", reason=self._reason())
        org = requested_unit()
        if org is None:
            return self.render_template("dashboard/welcome.html", reason="还没有组织机构：请先导入区划。")
        board = dashboard.build(org)
        return self.render_template(self.index_template, board=board,
                                    trail=self._trail(org))

    @staticmethod
    def _reason() -> str:
        if current_scope() is NOTHING:
            return "您的账号尚未关联所属单位，请联系管理员。"
        return "您的账号没有查看统计的权限。"

    @staticmethod
    def _trail(org: Organisation) -> list[Organisation]:
        """The units from the account's home unit down to ``org`` (links back up)."""
        codes = org.path.strip("/").split("/")
        units = {o.code: o for o in db.session.scalars(
            select(Organisation).where(Organisation.code.in_(codes)))}
        return [units[c] for c in codes if c in units and path_in_scope(units[c].path)]

    @expose("/dashboard/export/<key>")
    @has_access
    def export(self, key):
        org = requested_unit()
        if org is None:
            abort(404)
        table = dashboard.build(org).tables.get(key)
        if table is None:
            abort(404)
        return xlsx_response(f"{org.name}_{table.title}", table.header,
                             [[cell.value if cell.value is not None else cell.text
                               for cell in row] for row in table.rows])
