"""Permission matrix, generated from the registered views: every default role (and Admin) × every
route of every view with scoped rows × a record inside and a record outside the role's scope.

Expected answers:
- no permission: 403, and nothing changed in the database;
- permission, record inside: 200 (pages) or 302 (writes), and the write happened;
- record outside: 404 (lookups, actions) or refused (writes placing a row in a foreign
  organisation), and nothing changed in the database (all tables compared, read on a connection
  of their own);
- no page names an organisation outside the scope (its ancestors excepted): lists, search-form
  dropdowns, add/edit pickers and their options, show and edit pages.

The views are appbuilder.baseviews with scoped rows (ScopedRowsMixin): a new view is probed without
touching this file, and fails test_matrix_covers_every_scoped_route until its model has a KINDS
entry and each of its routes a probe. The REST APIs (ScopedModelRestApi) are probed the same way,
called with an API key of the probing account (get/get_list/info/related/post/put/delete).
"""
import datetime
import io
import itertools
import json
import re
from dataclasses import dataclass
from typing import Callable, Optional

import openpyxl
import pytest
from flask_appbuilder import Model
from flask_appbuilder.baseviews import BaseModelView
from sqlalchemy import func, select

from app.api import keys
from app.api.base import ScopedModelRestApi
from app.models import (Account, ApiKey, ChangeRecord, CodeItem, CommunityTarget, Equipment,
                        ExportLog, Feedback, Household, ImportLog, LoginEvent, Organisation, Post,
                        QuotaOverride, Resident, TrainingRecord)
from app.roles import DEFAULT_ROLES, DISTRICT, DISTRICT_ADMIN, ENTRY, STREET
from app.views.base import ScopedRowsMixin
from tests.conftest import PASSWORD, Browser, csrf_token, make_user
from tests.factories import household, id_number, resident

ADMIN = "Admin"
ROLES = (*DEFAULT_ROLES, ADMIN)
HOME = {ENTRY: "120110001001", STREET: "120110001000", DISTRICT: "120110000000",
        DISTRICT_ADMIN: "120110000000", ADMIN: None}
INSIDE, OUTSIDE = "120110001001", "120111001001"  # 甲社区: in every scope; 外社区: in none
_codes = itertools.count(50)


# -- how to make, show and post each model's records -----------------------------------------
@dataclass(frozen=True)
class Kind:
    make: Callable  # (db, org, tag) -> a record placed in org
    marker: Callable  # record -> text its list row and page show
    org_of: Callable  # record -> the organisation it is placed in
    form: Optional[Callable]  # (db, org, tag, record or None) -> form data placing it in org
    shared: bool = False  # a table every organisation shares: no inside/outside


def _vice(db):
    return db.session.scalar(select(Post).where(Post.name == "居委会副主任"))


def _account(db, org, tag):
    from flask import current_app

    item = Account(username=tag, first_name=tag, last_name="测", email=f"{tag}@x.test",
                   active=True, password="-", organisation=org, post=_vice(db),
                   roles=[current_app.appbuilder.sm.find_role(ENTRY)])
    db.session.add(item)
    db.session.commit()
    return item


def _account_form(db, org, tag, rec):
    from flask import current_app

    data = {"last_name": "测", "first_name": tag, "username": rec.username if rec else tag,
            "email": rec.email if rec else f"{tag}@x.test", "organisation": str(org.id),
            "post": str(_vice(db).id), "active": "y",
            "roles": str(current_app.appbuilder.sm.find_role(ENTRY).id)}
    return data if rec else {**data, "password": PASSWORD, "conf_password": PASSWORD}


def _resident_form(db, org, tag, rec):
    home = rec.household if rec and rec.community_id == org.id else household(db, org, no=f"H{tag}")
    return {"name": rec.name if rec else tag, "id_card_no": rec.id_card_no if rec else id_number(),
            "household": str(home.id), "relation": "02", "ethnic": "01",
            "residence_status": "1", "status": "active"}


def _quota_form(db, org, tag, rec):
    post = rec.post if rec else db.session.scalar(select(Post).where(Post.name == "居委会主任"))
    return {"organisation": str(org.id), "post": str(post.id), "quota": "3"}


def _organisation_form(db, org, tag, rec):
    data = {"name": rec.name if rec else tag, "level": "community", "parent": str(org.id),
            "active": "y"}
    return data if rec else {**data, "code": _new_code()}


def _new_code() -> str:
    return f"12011000{next(_codes):04d}"


def _target_form(db, org, tag, rec):
    """A target is one per community: a new one goes to a new community placed under ``org``."""
    place = rec.community if rec is not None and rec.community_id == org.id else _add(
        db, Organisation(code=_new_code(), name=tag, level="community", parent=org))
    return {"community": str(place.id), "residents": "100", "households": "40"}


def _dated(**fields):
    return {**fields, "trained_on": "2026-11-01", "registered_on": "2026-11-01"}


def _first(model, *where):
    return lambda db, org, tag: db.session.scalar(select(model).where(*where).order_by(model.id))


KINDS = {
    Household: Kind(make=lambda db, org, tag: household(db, org, no=tag),
                    marker=lambda r: r.household_no, org_of=lambda r: r.community,
                    form=lambda db, org, tag, rec: {
                        "household_no": rec.household_no if rec else tag, "household_type": "1",
                        "community": str(org.id), "status": "active"}),
    Resident: Kind(make=lambda db, org, tag: resident(db, household(db, org, no=tag), name=tag),
                   marker=lambda r: r.name, org_of=lambda r: r.community, form=_resident_form),
    Organisation: Kind(make=lambda db, org, tag: _add(db, Organisation(
                           code=_new_code(), name=tag, level="community", parent=org)),
                       marker=lambda r: r.code, org_of=lambda r: r.parent,
                       form=_organisation_form),
    QuotaOverride: Kind(make=lambda db, org, tag: _add(db, QuotaOverride(
                            organisation=org, post=_vice(db), quota=3)),
                        marker=lambda r: r.organisation.name, org_of=lambda r: r.organisation,
                        form=_quota_form),
    Account: Kind(make=_account, marker=lambda r: r.username, org_of=lambda r: r.organisation,
                  form=_account_form),
    CodeItem: Kind(make=_first(CodeItem), marker=lambda r: r.name, org_of=lambda r: None,
                   form=lambda db, org, tag, r: {"name": r.name, "sort_order": str(r.sort_order),
                                                 "active": "y"}, shared=True),
    CommunityTarget: Kind(make=lambda db, org, tag: _add(db, CommunityTarget(
                              community=org, residents=100, households=40)),
                          marker=lambda r: r.community.name, org_of=lambda r: r.community,
                          form=_target_form),
    TrainingRecord: Kind(make=lambda db, org, tag: _add(db, TrainingRecord(
                             organisation=org, person_name=tag, course="系统操作",
                             trained_on=datetime.date(2026, 11, 1))),
                         marker=lambda r: r.person_name, org_of=lambda r: r.organisation,
                         form=lambda db, org, tag, rec: _dated(
                             organisation=str(org.id), person_name=tag, course="系统操作")),
    Equipment: Kind(make=lambda db, org, tag: _add(db, Equipment(
                        organisation=org, kind="computer", serial_no=tag,
                        registered_on=datetime.date(2026, 11, 1))),
                    marker=lambda r: r.serial_no, org_of=lambda r: r.organisation,
                    form=lambda db, org, tag, rec: _dated(
                        organisation=str(org.id), kind="computer", serial_no=tag)),
    ImportLog: Kind(make=lambda db, org, tag: _add(db, ImportLog(
                        community=org, file_name=f"{tag}.xlsx", source="web", mode="all",
                        status="imported")),
                    marker=lambda r: r.file_name, org_of=lambda r: r.community, form=None),
    ChangeRecord: Kind(make=lambda db, org, tag: _add(db, ChangeRecord(
                           at=datetime.datetime.now(), username=tag, model="Household",
                           object_label=tag, organisation_id=org.id, action="update",
                           changes=[])),
                       marker=lambda r: r.object_label, org_of=lambda r: r.organisation,
                       form=None),
    LoginEvent: Kind(make=lambda db, org, tag: _add(db, LoginEvent(
                         kind="login", username=tag, organisation=org, address="127.0.0.1")),
                     marker=lambda r: r.username, org_of=lambda r: r.organisation, form=None),
    ExportLog: Kind(make=lambda db, org, tag: _add(db, ExportLog(
                        organisation=org, list_name=tag, mode="direct", rows=1)),
                    marker=lambda r: r.list_name, org_of=lambda r: r.organisation, form=None),
    ApiKey: Kind(make=lambda db, org, tag: keys.issue(_account(db, org, tag), tag)[0],
                 marker=lambda r: r.name, org_of=lambda r: r.account.organisation, form=None),
    Post: Kind(make=_first(Post, Post.name == "居委会副主任"), marker=lambda r: r.name,
               org_of=lambda r: None, shared=True,
               form=lambda db, org, tag, r: {"quota": str(r.quota), "role_name": r.role_name,
                                             "sort_order": str(r.sort_order)}),
}


def _add(db, item):
    db.session.add(item)
    db.session.commit()
    return item


# -- the registered views and their routes ---------------------------------------------------
# Views whose visibility is not "the organisation subtree" and that have their own scope tests.
OWN_SCOPE_TESTS = {
    Feedback: "reporters see their own reports, managers their scope: tests/test_feedback.py",
}


def scoped_views(app):
    return [v for v in app.appbuilder.baseviews
            if isinstance(v, (ScopedRowsMixin, ScopedModelRestApi))
            and v.datamodel.obj not in OWN_SCOPE_TESTS]


def matrix_routes(app) -> dict:
    """{view: {route name}} for every route of every view with scoped rows."""
    rules = [r.endpoint.partition(".") for r in app.url_map.iter_rules()]
    return {view: {name for endpoint, _dot, name in rules if endpoint == view.endpoint}
            for view in scoped_views(app)}


# -- one role's session and its checks -------------------------------------------------------
class Probe:
    """The probing account's client, and what it may see and do."""

    def __init__(self, app, db, orgs, role):
        self.app, self.db, self.role = app, db, role
        self.home = orgs[HOME[role]] if HOME[role] else None
        make_user(app, "prober", self.home, role)
        self.client = Browser(app.test_client())
        self.token = csrf_token(self.client.get("/login/").get_data(as_text=True))
        response = self.client.post("/login/", data={"username": "prober", "password": PASSWORD,
                                                     "csrf_token": self.token})
        assert response.status_code == 302
        sm = app.appbuilder.sm
        self.permissions = sm.get_role_permissions(sm.find_role(role))
        self.sees_all = self.home is None
        path = self.home.path if self.home else ""
        self.foreign = {o.name for o in orgs.values()
                        if not o.path.startswith(path) and not path.startswith(o.path)}
        self.checks = 0
        account = db.session.scalar(select(Account).filter_by(username="prober"))
        self.key = keys.issue(account, "matrix", "write")[1]

    def api(self, method, url, body=None):
        """A call with the probing account's (read-write) API key."""
        return self.client.request(method, url, headers={"X-API-Key": self.key}, json=body)

    def can(self, view, method: str) -> bool:
        permission = "can_" + (view.method_permission_name or {}).get(method, method)
        return (permission in view.base_permissions
                and (permission, view.class_permission_name) in self.permissions)

    def action_status(self, view, route: str, name: str) -> int:
        """403 without the route's or the action's permission; else 404 (an unknown action, or
        the row is outside the scope)."""
        if not self.can(view, route):
            return 403
        if name in view.actions and (view.get_action_permission_name(name),
                                     view.class_permission_name) not in self.permissions:
            return 403
        return 404

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data):
        return self.client.post(url, data={**data, "csrf_token": self.token})

    def page(self, response, where) -> str:
        """The page's text, naming no organisation outside the scope (options included)."""
        body = response.get_data(as_text=True)
        options = re.findall(r"<option[^>]*>([^<]*)</option>", body)
        assert not self.foreign & {o.strip() for o in options}, (where, "option")
        leaked = [name for name in self.foreign if name in body]
        assert not leaked, (where, leaked)
        return body

    def expect(self, response, status, where):
        """``status`` None: a refused form write, shown again (200) or redirected with its error."""
        self.checks += 1
        expected = (200, 302) if status is None else (status,)
        assert response.status_code in expected, (self.role, where, response.status_code)

    def form_page(self, view, method: str, url: str) -> bool:
        """GET a form: 200 naming nothing foreign with the permission, else 403. Returns the
        permission."""
        allowed = self.can(view, method)
        response = self.get(url)
        self.expect(response, 200 if allowed else 403, url)
        if allowed:
            self.page(response, url)
        return allowed

    def unchanged(self, request, status, where):
        """Run ``request``; it answers ``status`` and changes nothing in the database."""
        before = fingerprint(self.db)
        self.expect(request(), status, where)
        assert fingerprint(self.db) == before, (self.role, where, "database changed")


# Bookkeeping every key-authenticated call may write: not a change of anything.
NOT_CHANGES = {("api_key", "last_used_on")}


def fingerprint(db) -> dict:
    """Every row of every table, read on a connection of its own (committed state only)."""
    with db.engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(*(
                    c for c in t.columns if (t.name, c.name) not in NOT_CHANGES)))))
                for t in Model.metadata.sorted_tables}


def count(db, model) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar()


def exists(db, record) -> bool:
    table = type(record).__table__
    with db.engine.connect() as conn:
        return conn.execute(select(table.c.id).where(table.c.id == record.id)).first() is not None


# -- probes: one per route name --------------------------------------------------------------
def probe_list(p, view, kind, inside, outside, base):
    response = p.get(f"{base}/list/")
    if not p.can(view, "list"):
        return p.expect(response, 403, "list")
    p.expect(response, 200, "list")
    body = p.page(response, f"{base}/list/")
    assert kind.marker(inside) in body, (p.role, base, "inside row missing")
    if outside is not None and not p.sees_all:
        assert kind.marker(outside) not in body, (p.role, base, "outside row listed")


def probe_show(p, view, kind, inside, outside, base):
    allowed = p.can(view, "show")
    response = p.get(f"{base}/show/{inside.id}")
    p.expect(response, 200 if allowed else 403, "show inside")
    if allowed:
        assert kind.marker(inside) in p.page(response, f"{base}/show")
    if outside is not None:
        status = 403 if not allowed else 200 if p.sees_all else 404
        p.expect(p.get(f"{base}/show/{outside.id}"), status, "show outside")


def probe_read_only(p, view, kind, inside, base, route, url):
    """A read-only screen (its kind has no form): the form is refused, a post changes nothing."""
    assert not p.form_page(view, route, url), (p.role, base, f"read-only view offers {route}")
    p.unchanged(lambda: p.post(url, {}), 403, route)


def probe_add(p, view, kind, inside, outside, base):
    if kind.form is None:
        return probe_read_only(p, view, kind, inside, base, "add", f"{base}/add")
    allowed = p.form_page(view, "add", f"{base}/add")
    if kind.shared:
        return  # shared tables are kept between tests: add nothing to them
    foreign = kind.form(p.db, outside_org(p), "ADDOUT", None)
    if not allowed:
        return p.unchanged(lambda: p.post(f"{base}/add", foreign), 403, "add")
    if not p.sees_all:
        p.unchanged(lambda: p.post(f"{base}/add", foreign), None, "add into a foreign org")
    before = count(p.db, view.datamodel.obj)
    p.expect(p.post(f"{base}/add", kind.form(p.db, inside_org(p), "ADDIN", None)), 302, "add in")
    assert count(p.db, view.datamodel.obj) == before + 1, (p.role, base, "inside add failed")


def probe_edit(p, view, kind, inside, outside, base):
    if kind.form is None:
        return probe_read_only(p, view, kind, inside, base, "edit", f"{base}/edit/{inside.id}")
    allowed = p.form_page(view, "edit", f"{base}/edit/{inside.id}")
    own_place = kind.form(p.db, kind.org_of(inside), "EDIT", inside)
    if outside is not None and not p.sees_all:
        p.expect(p.get(f"{base}/edit/{outside.id}"), 404 if allowed else 403, "edit outside form")
        data = kind.form(p.db, kind.org_of(outside), "EDIT", outside)
        p.unchanged(lambda: p.post(f"{base}/edit/{outside.id}", data), 404 if allowed else 403,
                    "edit outside")
        moved = kind.form(p.db, outside_org(p), "MOVE", inside)
        p.unchanged(lambda: p.post(f"{base}/edit/{inside.id}", moved), None if allowed else 403,
                    "move inside record into a foreign org")
    p.expect(p.post(f"{base}/edit/{inside.id}", own_place), 302 if allowed else 403, "edit in")


def probe_delete(p, view, kind, inside, outside, base):
    allowed = p.can(view, "delete")
    if outside is not None and not p.sees_all:
        p.unchanged(lambda: p.post(f"{base}/delete/{outside.id}", {}), 404 if allowed else 403,
                    "delete outside")
    if not allowed:
        return p.unchanged(lambda: p.post(f"{base}/delete/{inside.id}", {}), 403, "delete in")
    p.expect(p.post(f"{base}/delete/{inside.id}", {}), 302, "delete inside")
    assert not exists(p.db, inside), (p.role, base, "inside delete")


def probe_action_post(p, view, kind, inside, outside, base):
    target = outside if outside is not None and not p.sees_all else inside
    names = [a.name for a in view.actions.values() if a.multiple] + ["no-such-action"]
    for name in names:
        if target is inside and name != "no-such-action":
            continue  # a real action on rows inside the scope may change them
        p.unchanged(lambda: p.post(f"{base}/action_post", {"action": name, "rowid": target.id}),
                    p.action_status(view, "action_post", name), f"action_post {name}")


def probe_action(p, view, kind, inside, outside, base):
    for name in [a.name for a in view.actions.values() if a.single] + ["no-such-action"]:
        if outside is not None and not p.sees_all:
            p.unchanged(lambda: p.post(f"{base}/action/{name}/{outside.id}", {}),
                        p.action_status(view, "action", name), f"action {name} outside")
    p.expect(p.post(f"{base}/action/no-such-action/{inside.id}", {}),
             p.action_status(view, "action", "no-such-action"), "action unknown inside")


def probe_download(p, view, kind, inside, outside, base):
    p.expect(p.get(f"{base}/download/x.txt"), 404 if p.can(view, "download") else 403, "download")


def probe_picker(p, view, kind, inside, outside, base):
    response = p.get(f"{base}/picker/?q=")
    if not p.can(view, "picker"):
        return p.expect(response, 403, "picker")
    p.expect(response, 200, "picker")
    ids = {row["id"] for row in json.loads(p.page(response, "picker"))["results"]}
    assert inside.id in ids and (p.sees_all or outside.id not in ids), (p.role, "picker")


def probe_userinfo(p, view, kind, inside, outside, base):
    response = p.get(f"{base}/userinfo/")
    p.expect(response, 200, "userinfo")
    assert "prober" in p.page(response, "userinfo")


def probe_import_targets(p, view, kind, inside, outside, base):
    """The targets sheet upload: refused without the permission; a row naming a unit outside the
    scope changes nothing."""
    allowed = p.form_page(view, "import_targets", f"{base}/import/")
    sheet = f"区划代码,目标人数,目标户数\n{outside_org(p).code},9,9\n".encode()
    if p.sees_all:
        return
    p.unchanged(lambda: p.post(f"{base}/import/", {"file": (io.BytesIO(sheet), "targets.csv")}),
                None if allowed else 403, "import targets into a foreign unit")


def probe_import_divisions(p, view, kind, inside, outside, base):
    """The division list import is for unrestricted admins: any other account is refused and a
    posted file changes nothing."""
    if p.sees_all:
        return p.expect(p.get(f"{base}/import/"), 200, "division import page")
    p.expect(p.get(f"{base}/import/"), 403, "division import page")
    sheet = "区划代码,名称\n120110001009,外来单位\n".encode()
    p.unchanged(lambda: p.post(f"{base}/import/", {"file": (io.BytesIO(sheet), "d.csv")}), 403,
                "division import")


def probe_export(p, view, kind, inside, outside, base):
    """导出Excel: refused without ``can_export`` (and without a CSRF token); else the file holds the
    inside row, never the outside one, and names no organisation outside the scope."""
    p.expect(p.client.post(f"{base}/export/", data={}), 400, "export without CSRF token")
    response = p.post(f"{base}/export/", {})
    if not p.can(view, "export"):
        return p.expect(response, 403, "export refused")
    p.expect(response, 200, "export")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row if c is not None}
    assert kind.marker(inside) in cells, (p.role, base, "inside row missing from export")
    if outside is not None and not p.sees_all:
        assert kind.marker(outside) not in cells, (p.role, base, "outside row exported")
        assert not p.foreign & cells, (p.role, base, "foreign organisation exported")


# -- the REST API: the same expectations, with an API key ------------------------------------
def _ids(response) -> set:
    return set(response.get_json()["ids"])


def probe_api_get_list(p, view, kind, inside, outside, base):
    response = p.api("GET", f"{base}/")
    if not p.can(view, "get_list"):
        return p.expect(response, 403, "api list")
    p.expect(response, 200, "api list")
    p.page(response, f"{base}/")
    assert inside.id in _ids(response), (p.role, base, "api: inside row missing")
    if outside is not None and not p.sees_all:
        assert outside.id not in _ids(response), (p.role, base, "api: outside row listed")


def probe_api_get(p, view, kind, inside, outside, base):
    allowed = p.can(view, "get")
    response = p.api("GET", f"{base}/{inside.id}")
    p.expect(response, 200 if allowed else 403, "api get inside")
    if allowed:
        p.page(response, f"{base}/{inside.id}")
    if outside is not None:
        status = 403 if not allowed else 200 if p.sees_all else 404
        p.expect(p.api("GET", f"{base}/{outside.id}"), status, "api get outside")


def probe_api_info(p, view, kind, inside, outside, base):
    allowed = p.can(view, "info")
    response = p.api("GET", f"{base}/_info")
    p.expect(response, 200 if allowed else 403, "api info")
    if allowed:
        p.page(response, f"{base}/_info")  # related values name nothing outside the scope


def probe_api_related(p, view, kind, inside, outside, base):
    allowed = p.can(view, "related")
    for name in {*view.add_columns, *view.edit_columns}:
        if view.datamodel.is_relation(name):
            response = p.api("GET", f"{base}/related/{name}?q=(page_size:100)")
            p.expect(response, 200 if allowed else 403, f"api related {name}")
            if allowed:
                p.page(response, f"{base}/related/{name}")


def probe_api_post(p, view, kind, inside, outside, base):
    allowed = p.can(view, "post")
    if kind.shared:
        return
    foreign = kind.form(p.db, outside_org(p), "APIOUT", None)
    if not allowed:
        return p.unchanged(lambda: p.api("POST", f"{base}/", foreign), 403, "api post")
    if not p.sees_all:
        p.unchanged(lambda: p.api("POST", f"{base}/", foreign), 403, "api post into foreign")
    before = count(p.db, view.datamodel.obj)
    response = p.api("POST", f"{base}/", kind.form(p.db, inside_org(p), "APIIN", None))
    p.expect(response, 201, f"api post in {response.get_json()}")
    assert count(p.db, view.datamodel.obj) == before + 1, (p.role, base, "api post in")


def probe_api_put(p, view, kind, inside, outside, base):
    allowed = p.can(view, "put")
    own_place = kind.form(p.db, kind.org_of(inside), "APIEDIT", inside)
    if outside is not None and not p.sees_all:
        data = kind.form(p.db, kind.org_of(outside), "APIEDIT", outside)
        p.unchanged(lambda: p.api("PUT", f"{base}/{outside.id}", data), 404 if allowed else 403,
                    "api put outside")
        moved = kind.form(p.db, outside_org(p), "APIMOVE", inside)
        p.unchanged(lambda: p.api("PUT", f"{base}/{inside.id}", moved), 403,
                    "api move inside record into a foreign org")
    response = p.api("PUT", f"{base}/{inside.id}", own_place)
    p.expect(response, 200 if allowed else 403, f"api put in {response.get_json()}")


def probe_api_delete(p, view, kind, inside, outside, base):
    allowed = p.can(view, "delete")
    if outside is not None and not p.sees_all:
        p.unchanged(lambda: p.api("DELETE", f"{base}/{outside.id}"), 404 if allowed else 403,
                    "api delete outside")
    if not allowed:
        return p.unchanged(lambda: p.api("DELETE", f"{base}/{inside.id}"), 403, "api delete")
    p.expect(p.api("DELETE", f"{base}/{inside.id}"), 200, "api delete inside")
    assert not exists(p.db, inside), (p.role, base, "api delete inside")


API_PROBES = {"get_list": probe_api_get_list, "get": probe_api_get, "info": probe_api_info,
              "related": probe_api_related, "post": probe_api_post, "put": probe_api_put}
PROBES = {**API_PROBES, "export": probe_export,"import_targets": probe_import_targets, "import_divisions": probe_import_divisions, "list": probe_list, "show": probe_show, "add": probe_add, "edit": probe_edit,
          "delete": probe_delete, "action_post": probe_action_post, "action": probe_action,
          "download": probe_download, "picker": probe_picker, "userinfo": probe_userinfo}


def probe_delete_either(p, view, *args):
    """``delete`` names a screen's route and an API's: each gets its own probe."""
    probe = probe_api_delete if isinstance(view, ScopedModelRestApi) else probe_delete
    return probe(p, view, *args)


PROBES["delete"] = probe_delete_either


def inside_org(p):
    return p.db.session.scalar(select(Organisation).where(Organisation.code == INSIDE))


def outside_org(p):
    return p.db.session.scalar(select(Organisation).where(Organisation.code == OUTSIDE))


# -- the matrix -------------------------------------------------------------------------------
@pytest.fixture(autouse=True, scope="module")
def quick_password_hashes(app):
    """Each cell logs in a fresh account: a cheap hash keeps the matrix fast (scrypt: 0.7 s)."""
    saved = app.config.get("FAB_PASSWORD_HASH_METHOD")
    app.config["FAB_PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    yield
    if saved is None:
        app.config.pop("FAB_PASSWORD_HASH_METHOD")
    else:
        app.config["FAB_PASSWORD_HASH_METHOD"] = saved


def test_matrix_covers_every_scoped_route(app):
    routes = matrix_routes(app)
    assert {type(v).__name__ for v in routes} >= {"ResidentView", "HouseholdView", "AccountView",
                                                  "OrganisationView", "QuotaOverrideView"}
    for view, names in routes.items():
        assert view.datamodel.obj in KINDS, f"{type(view).__name__}: add its model to KINDS"
        assert names <= set(PROBES), f"{type(view).__name__}: no probe for {names - set(PROBES)}"


def test_every_other_model_view_is_closed_to_the_default_roles(app, db):
    """Model views without scoped rows (FAB's security screens and user statistics) are for
    Admin only."""
    sm = app.appbuilder.sm
    others = {v.class_permission_name for v in app.appbuilder.baseviews
              if isinstance(v, BaseModelView) and not isinstance(v, ScopedRowsMixin)}
    assert others
    for role in DEFAULT_ROLES:
        granted = {view for _perm, view in sm.get_role_permissions(sm.find_role(role))}
        assert not granted & others, role


@pytest.mark.parametrize("route", sorted(PROBES))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, db, wide_tree, role, route, record_property):
    probe = Probe(app, db, wide_tree, role)
    covered = 0
    for number, (view, names) in enumerate(matrix_routes(app).items()):
        if route not in names:
            continue
        kind = KINDS[view.datamodel.obj]
        inside = kind.make(db, wide_tree[INSIDE], f"IN{number:02d}")
        outside = None if kind.shared else kind.make(db, wide_tree[OUTSIDE], f"OUT{number:02d}")
        base = "/" + view.route_base.strip("/")
        PROBES[route](probe, view, kind, inside, outside, base)
        covered += 1
    assert covered and probe.checks
    record_property("endpoints", covered)  # in --junitxml: the matrix's size
    record_property("checks", probe.checks)
